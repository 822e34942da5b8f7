/**
 * Execution contexts. A task (process context) is pinned to one CPU: a simulated kernel
 * thread or user process whose body is a generator (engine/process.ts), with its own
 * random stream. An interrupt context is one handler invocation on a CPU.
 *
 * Kernel primitives (spin_lock, kmap_atomic, …) take an ExecCtx, so the same code serves
 * both, and the primitives that may not run in IRQ context can check `inIrq`.
 */
import { Process, type ProcessBody } from '../engine/process.js';
import type { Rng } from '../engine/random.js';
import type { Cpu } from './cpu.js';

/** What a spinning context spins on; told when the task's CPU returns from an interrupt. */
export interface SpinWaitable {
  readonly name: string;
  spinnerResumed(ctx: ExecCtx): void;
}

export interface ExecCtx {
  readonly proc: Process;
  readonly cpu: Cpu;
  readonly name: string;
  readonly inIrq: boolean;
  /** The lock this context is spinning on, if any; when it started; the call site. */
  spinningOn: SpinWaitable | null;
  spinSince: number;
  spinSite: string;
}

export class Task implements ExecCtx {
  readonly proc: Process;
  readonly inIrq = false;
  spinningOn: SpinWaitable | null = null;
  spinSince = 0;
  spinSite = '';
  /** What the task sleeps on, for diagnostics. */
  sleepingOn: string | null = null;
  /** The task's block plug: submits what it has queued, called when it is about to sleep. */
  plugFlush: (() => void) | null = null;
  /**
   * Set while the task busy-loops on schedule() with SCHED_YIELD and nobody else is
   * runnable (2.4 alloc_bounce_page): called when a task becomes runnable on its CPU.
   */
  onRunnable: (() => void) | null = null;

  constructor(
    readonly id: number,
    readonly name: string,
    readonly cpu: Cpu,
    readonly rng: Rng,
  ) {
    this.proc = new Process(cpu.sim, name);
    this.proc.onExit = () => cpu.sleep(this);
  }

  /** Start the task's body on its CPU (now, or when the CPU is free). */
  start(body: ProcessBody): this {
    this.cpu.addTask(this, body);
    return this;
  }

  describe(): string {
    if (this.spinningOn !== null) return `${this.name} spinning on ${this.spinningOn.name}`;
    if (this.sleepingOn !== null) return `${this.name} sleeping on ${this.sleepingOn}`;
    return this.name;
  }
}

/** One interrupt handler invocation. */
export class IrqCtx implements ExecCtx {
  readonly inIrq = true;
  spinningOn: SpinWaitable | null = null;
  spinSince = 0;
  spinSite = '';

  constructor(
    readonly proc: Process,
    readonly cpu: Cpu,
    readonly name: string,
  ) {}
}

/** An interrupt handler: a generator run in an IrqCtx on the CPU that takes the interrupt. */
export type IrqHandler<T> = (ctx: IrqCtx, arg: T) => ProcessBody;
