/**
 * Tasks. A task (process context) is pinned to one CPU: a simulated kernel thread or user
 * process whose body is a generator (engine/process.ts), with its own random stream.
 * The other execution context, an interrupt handler invocation (IrqCtx), and the ExecCtx
 * interface both share are defined with the CPU in ./cpu.ts and re-exported here.
 */
import { Process, type ProcessBody } from '../engine/process.js';
import type { Rng } from '../engine/random.js';
import { KmapCtrl, type Cpu, type CpuTask, type SpinWaitable } from './cpu.js';

// The context types live with the CPU (src/cpu/cpu.ts); re-exported for the kernel's imports.
export { IrqCtx } from './cpu.js';
export type { ExecCtx, IrqHandler, SpinWaitable } from './cpu.js';
export { KmapCtrl } from './cpu.js';

export class Task implements CpuTask {
  readonly proc: Process;
  readonly inIrq = false;
  spinningOn: SpinWaitable | null = null;
  spinSince = 0;
  spinSite = '';
  spinHolderSite = '';
  /** What the task sleeps on, for diagnostics. */
  sleepingOn: string | null = null;
  /** The task's block plug: submits what it has queued, called when it is about to sleep. */
  plugFlush: (() => void) | null = null;
  /**
   * Set while the task busy-loops on schedule() with SCHED_YIELD and nobody else is
   * runnable (2.4 alloc_bounce_page): called when a task becomes runnable on its CPU.
   */
  onRunnable: (() => void) | null = null;
  /** task_struct::kmap_ctrl: its kmap_local stack (5.11+). */
  readonly kmap_ctrl = new KmapCtrl();

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
