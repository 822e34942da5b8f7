/**
 * What the CPUs and the kernel tell an observer while the simulation runs: one call per
 * kernel-level happening, named after what happened, with its data.
 *
 * This is the model side of tracing. It knows nothing of any presentation: no track names,
 * display strings, units or file format. src/trace/timeline.ts implements it and maps each
 * happening to the Chrome Trace Event Format (slices, counters, instants, flow arrows). The
 * machine holds `observer: KernelObserver | null` (null unless `runScenario(s, { trace })`
 * was given one) and every call site is a single `if (observer !== null)` test, so a run
 * without an observer does the same work in the same order as before, plus one null check
 * per site, and allocates nothing for it.
 *
 * Rules for implementations: an observer only observes. It must not schedule events, draw
 * random numbers or change model state — observing on and off must give the same result.
 * The time of a call is the clock's `now` when it is made (machineBuilt() hands over the
 * clock); only lock holds and device transfers carry explicit times, because they describe
 * spans the model has already decided on.
 *
 * CPUs are numbered 0..cpus−1. `irq` says whether the context is an interrupt handler.
 */
import type { Category } from './accounting.js';

/** The simulator's clock, as an observer sees it. */
export interface ObservedClock {
  /** Current simulated time, ns. */
  readonly now: number;
}

/** How a lock is held: a spinlock, or an rwlock for reading or writing. */
export type LockMode = 'spin' | 'read' | 'write';

/** The kernel function a TLB shootdown runs in (src/kernel/tlbflush.ts). */
export type ShootdownFn = 'flush_tlb_all' | 'flush_tlb_kernel_range';

export interface KernelObserver {
  // ---- machine (src/kernel/machine.ts, src/model/run.ts) -----------------------------------

  /** The machine is built: `cpus` CPUs, time read from `clock`. Called once, before anything else. */
  machineBuilt(clock: ObservedClock, cpus: number): void;
  /** The warm-up is over: the statistics were reset. */
  warmupEnded(): void;

  // ---- CPU (src/cpu/cpu.ts) ----------------------------------------------------------------

  /** Cpu.setCat: the coming time of `cpu` is charged to category `c`. */
  categoryChanged(cpu: number, c: Category): void;
  /**
   * Cpu.busySplit, right after categoryChanged(cpu, ca): the hold being started switches to
   * category `cb` after `after` ns of it (later if an interrupt pushes the hold back).
   */
  busySplit(cpu: number, after: number, cb: Category): void;
  /** An interrupt handler `handler` starts on `cpu` (it runs until irqReturned). */
  irqEntered(cpu: number, handler: string): void;
  /** The running handler returned. */
  irqReturned(cpu: number): void;
  /** A new task starts at once on its free CPU (no context switch). */
  taskStarted(cpu: number, task: string): void;
  /** schedule() took `task` off the run queue (now `runqueue` long) and switched to it. */
  contextSwitch(cpu: number, task: string, runqueue: number): void;
  /** The current task leaves the CPU in schedule(): it sleeps on wait queue `sleepsOn`, or exits (null). */
  taskSwitchedOut(cpu: number, task: string, sleepsOn: string | null): void;
  /** The current task gave the CPU up with sched_yield() (it is runnable, at the back of the run queue). */
  taskYielded(cpu: number, task: string): void;
  /** try_to_wake_up() made a task runnable on `cpu`: the run queue is now `runqueue` long. */
  taskWoken(cpu: number, runqueue: number): void;

  // ---- locks (src/kernel/spinlock.ts, rwlock.ts) -------------------------------------------

  /**
   * The context on `cpu` took the free `lock` at call site `site`: it spends the acquire
   * cost (the locked op, the cache-line transfer) and holds the lock from `heldFrom` (ns).
   */
  lockAcquired(cpu: number, irq: boolean, lock: string, site: string, heldFrom: number, mode: LockMode): void;
  /** The context on `cpu` found `lock` taken at call site `site` and spins. */
  lockContended(cpu: number, lock: string, site: string): void;
  /** The lock passed to a context spinning on `cpu`: it holds it from `heldFrom` (after the handoff). */
  lockGranted(cpu: number, irq: boolean, lock: string, heldFrom: number, mode: LockMode): void;
  /** The context on `cpu` released `lock`. */
  lockReleased(cpu: number, irq: boolean, lock: string): void;

  // ---- TLB and cross-CPU calls (src/kernel/tlbflush.ts, pgtable.ts) -------------------------

  /**
   * A shootdown starts on `cpu` in kernel function `fn`: `pages` pages asked for (−1: all),
   * `full` when it flushes the whole TLB. It ends with shootdownFinished (no sleep in between).
   */
  shootdownStarted(cpu: number, fn: ShootdownFn, pages: number, full: boolean): void;
  shootdownFinished(cpu: number, fn: ShootdownFn): void;
  /** `cpu` sent cross-call IPI round `round` (numbered from 1 in the run) to `targets` CPUs. */
  ipiSent(cpu: number, targets: number, round: number): void;
  /** The IPI handler of round `round` starts on `cpu`. */
  ipiReceived(cpu: number, round: number): void;
  /**
   * An access through virtual page `vpage` did not reach the page it meant (`expected`):
   * the TLB held `tlb` (−1: not cached, the page table was walked) and the PTE says `pte`.
   */
  staleTlbAccess(cpu: number, vpage: number, expected: number, tlb: number, pte: number): void;

  // ---- highmem mappings (src/kernel/highmem.ts, vmalloc.ts) ---------------------------------

  /** pkmap_count[slot] is now `count` (0 free, 1 unmapped but not yet flushed, ≥ 2 in use). */
  pkmapCountChanged(slot: number, count: number): void;
  /** kmap_high on `cpu` found no free pkmap slot: `task` sleeps on pkmap_map_wait. */
  pkmapWait(cpu: number, task: string): void;
  /**
   * flush_all_zero_pkmaps on `cpu` set every pkmap_count of 1 to 0 (`cleared` slots) and
   * will flush the TLB unless `tlbFlush` is false (the injected bug).
   */
  pkmapFlushed(cpu: number, cleared: number, tlbFlush: boolean): void;
  /** vmap on `cpu` found no room for `pages` pages in the vmalloc area. */
  vmapAllocFailed(cpu: number, pages: number): void;
  /** A vmap area of `pages` pages was freed lazily: `lazyPages` now await a purge. */
  vmapLazyFreed(pages: number, lazyPages: number): void;
  /**
   * __purge_vmap_area_lazy on `cpu` took `areas` areas (`pages` pages) off the lazy list
   * (`sync`: forced by an allocation); `lazyPages` remain.
   */
  vmapPurged(cpu: number, areas: number, pages: number, sync: boolean, lazyPages: number): void;

  // ---- bounce buffers (src/kernel/bounce.ts) ------------------------------------------------

  /** alloc_bounce_page took a page from the page allocator, which has `free` lowmem pages left. */
  lowmemPageAllocated(free: number): void;
  /** alloc_bounce_page tried the emergency pool under emergency_lock: `got` a page or not; `free` left. */
  emergencyPoolTried(cpu: number, got: boolean, free: number): void;
  /** alloc_bounce_page on `cpu` found no page: `task` starts waiting for one. */
  bouncePoolWait(cpu: number, task: string): void;
  /**
   * bounce_end_io gave a bounce page back: the emergency pool has `poolFree` pages (null: the
   * kernel has no pool) and the page allocator `lowmemFree` (null: not modelled).
   */
  bouncePageFreed(poolFree: number | null, lowmemFree: number | null): void;

  // ---- the block device (src/kernel/blockdev.ts) --------------------------------------------

  /** A request was submitted: `depth` requests are now queued or in service. */
  requestQueued(depth: number): void;
  /**
   * A request completed: its data moved over the channel from `transferStart` to now
   * (`bytes`), and `depth` requests are left queued or in service.
   */
  requestCompleted(transferStart: number, bytes: number, depth: number): void;
}
