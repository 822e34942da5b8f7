/**
 * The timeline hooks: what the CPUs and the kernel tell a tracer while the simulation runs.
 *
 * This is the model side of tracing. It knows nothing of any file format: src/trace/chrome.ts
 * implements it and writes the Chrome Trace Event Format. The machine holds
 * `tracer: Tracer | null` (null unless `runScenario(s, { trace })` was given one) and every
 * hook site is a single `if (tracer !== null)` test, so a run without a tracer does the same
 * work in the same order as before, plus one null check per site.
 *
 * Rules for implementations: a tracer only observes. It must not schedule events, draw
 * random numbers or change model state — tracing on and off must give the same result.
 * The time of a hook is the clock's `now` when it is called (begin() hands over the clock);
 * only lockHeld() and deviceTransfer() carry explicit times, because they describe spans
 * the model has already decided on.
 *
 * CPUs are numbered 0..cpus−1. `irq` says whether the context is an interrupt handler.
 */
import type { Category } from './accounting.js';

/** The simulator's clock, as the tracer sees it. */
export interface TraceClock {
  /** Current simulated time, ns. */
  readonly now: number;
}

/** Values of the `args` of a trace record. */
export type TraceArgs = Readonly<Record<string, string | number | boolean>>;

export interface Tracer {
  /** The machine is built: `cpus` CPUs, time read from `clock`. Called once, before any other hook. */
  begin(clock: TraceClock, cpus: number): void;

  // ---- CPU (src/cpu/cpu.ts) --------------------------------------------------------------

  /** Cpu.setCat: the coming time of `cpu` is charged to category `c`. */
  category(cpu: number, c: Category): void;
  /**
   * Cpu.busySplit, right after category(cpu, ca): the hold being started switches to
   * category `cb` after `after` ns of it (later if an interrupt pushes the hold back).
   */
  categorySplit(cpu: number, after: number, cb: Category): void;
  /** An interrupt handler `handler` starts on `cpu` (it runs until irqExit). */
  irqEnter(cpu: number, handler: string): void;
  /** The running handler returned. */
  irqExit(cpu: number): void;
  /** Task `task` becomes the CPU's current task (switched in, or started on a free CPU). */
  taskIn(cpu: number, task: string): void;
  /** The current task leaves the CPU: it sleeps on `sleepsOn` (a wait queue), or exits (null). */
  taskOut(cpu: number, task: string, sleepsOn: string | null): void;
  /** The CPU's run queue length changed. */
  runqueue(cpu: number, length: number): void;

  // ---- locks (src/kernel/spinlock.ts, rwlock.ts) -------------------------------------------

  /** The context running on `cpu` starts acquiring (or spinning on) `lock` from call site `site`. */
  spin(cpu: number, lock: string, site: string): void;
  /**
   * A context on `cpu` holds `lock` from time `from` (ns, ≥ now: after the acquire or
   * handoff cost). `mode` is 'read' or 'write' for rwlocks, '' for spinlocks.
   */
  lockHeld(cpu: number, irq: boolean, lock: string, from: number, mode: string): void;
  /** The context on `cpu` released `lock`. */
  lockReleased(cpu: number, irq: boolean, lock: string): void;

  // ---- kernel functions, IPIs, events (src/kernel/*.ts) ------------------------------------

  /** Kernel function `fn` starts on `cpu` (a span until leave(); must not sleep in between). */
  enter(cpu: number, fn: string, args: TraceArgs | null): void;
  leave(cpu: number, fn: string): void;
  /** `cpu` sent a cross-call IPI to `targets` CPUs; returns the round's id for ipiHandler(). */
  ipiSend(cpu: number, targets: number): number;
  /** The IPI handler of round `round` starts on `cpu`. */
  ipiHandler(cpu: number, round: number): void;
  /** A point event on `cpu` (or machine-wide with cpu = −1). */
  instant(cpu: number, name: string, args: TraceArgs | null): void;
  /**
   * A machine-wide gauge took `value`: series `series` of counter track `track` (e.g.
   * 'bounce pool' / 'free_pages', 'vmap_lazy_nr' / 'pages', 'device queue' / 'depth').
   */
  counter(track: string, series: string, value: number): void;
  /** pkmap_count[slot] was set to `count` (the tracer tallies slots in use and unflushed). */
  pkmapCount(slot: number, count: number): void;
  /** The device's data channel moves `bytes` from `start` to `end` (ns). */
  deviceTransfer(start: number, end: number, bytes: number): void;
}
