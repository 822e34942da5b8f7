/**
 * The kernel's happenings (src/cpu/observer.ts) drawn as a Chrome/Perfetto timeline: every
 * choice of presentation — track and counter names, slice and instant names, args, what
 * opens or closes a slice — is made here, and the ChromeTrace writer (./chrome.ts) lays
 * it out. docs/TRACE.md describes the result.
 */
import type { Category } from '../cpu/accounting.js';
import type { KernelObserver, LockMode, ObservedClock, ShootdownFn } from '../cpu/observer.js';
import { ChromeTrace, type ChromeTraceOptions, type TraceSink, type TraceSummary } from './chrome.js';

const PKMAP_SLOTS = 'pkmap slots';
const BOUNCE_POOL = 'bounce pool';
const LOWMEM = 'lowmem';
const FREE_PAGES = 'free_pages';
const VMAP_LAZY_NR = 'vmap_lazy_nr';
const DEVICE_QUEUE = 'device queue';

export class ChromeTimeline implements KernelObserver {
  readonly writer: ChromeTrace;
  private clock: ObservedClock = { now: 0 };
  /** pkmap_count per slot, as told: the `pkmap slots` counter tallies it. */
  private pkmap = new Int32Array(0);
  private pkmapInUse = 0;
  private pkmapUnflushed = 0;

  constructor(sink: TraceSink, opts: ChromeTraceOptions = {}) {
    this.writer = new ChromeTrace(sink, opts);
    // The first counter track, whether or not the kernel maps with kmap.
    this.writer.declareCounter(PKMAP_SLOTS, ['in_use', 'unflushed']);
  }

  /** Close every open slice and write the rest of the file (idempotent). */
  finish(): TraceSummary {
    return this.writer.finish();
  }

  // ---- machine -------------------------------------------------------------------------

  machineBuilt(clock: ObservedClock, cpus: number): void {
    this.clock = clock;
    this.writer.begin(clock, cpus);
  }

  warmupEnded(): void {
    this.writer.instant(-1, 'warm-up end', null);
  }

  // ---- CPU -----------------------------------------------------------------------------

  categoryChanged(cpu: number, c: Category): void {
    this.writer.category(cpu, c);
  }

  busySplit(cpu: number, after: number, cb: Category): void {
    this.writer.categorySplit(cpu, after, cb);
  }

  irqEntered(cpu: number, handler: string): void {
    this.writer.irqEnter(cpu, handler);
  }

  irqReturned(cpu: number): void {
    this.writer.irqExit(cpu);
  }

  taskStarted(cpu: number, task: string): void {
    this.writer.taskIn(cpu, task);
  }

  contextSwitch(cpu: number, task: string, runqueue: number): void {
    this.writer.runqueue(cpu, runqueue);
    this.writer.taskIn(cpu, task);
  }

  taskSwitchedOut(cpu: number, _task: string, sleepsOn: string | null): void {
    this.writer.taskOut(cpu, sleepsOn === null ? 'exits' : `sleeps on ${sleepsOn}`);
  }

  taskYielded(cpu: number, _task: string): void {
    this.writer.taskOut(cpu, 'yields');
  }

  taskWoken(cpu: number, runqueue: number): void {
    this.writer.runqueue(cpu, runqueue);
  }

  // ---- locks ---------------------------------------------------------------------------

  lockAcquired(cpu: number, irq: boolean, lock: string, site: string, heldFrom: number, mode: LockMode): void {
    // The acquire cost is drawn as spinning on the lock, then the hold.
    this.writer.spin(cpu, lock, site);
    this.writer.lockHeld(cpu, irq, lock, heldFrom, mode === 'spin' ? '' : mode);
  }

  lockContended(cpu: number, lock: string, site: string): void {
    this.writer.spin(cpu, lock, site);
  }

  lockGranted(cpu: number, irq: boolean, lock: string, heldFrom: number, mode: LockMode): void {
    this.writer.lockHeld(cpu, irq, lock, heldFrom, mode === 'spin' ? '' : mode);
  }

  lockReleased(cpu: number, irq: boolean, lock: string): void {
    this.writer.lockReleased(cpu, irq, lock);
  }

  // ---- TLB and cross-CPU calls ---------------------------------------------------------

  shootdownStarted(cpu: number, fn: ShootdownFn, pages: number, full: boolean): void {
    this.writer.enter(cpu, fn, fn === 'flush_tlb_all' ? null : { pages, full });
  }

  shootdownFinished(cpu: number, fn: ShootdownFn): void {
    this.writer.leave(cpu, fn);
  }

  ipiSent(cpu: number, targets: number, round: number): void {
    this.writer.ipiSend(cpu, targets, round);
  }

  ipiReceived(cpu: number, round: number): void {
    this.writer.ipiHandler(cpu, round);
  }

  staleTlbAccess(cpu: number, vpage: number, expected: number, tlb: number, pte: number): void {
    this.writer.instant(cpu, 'stale TLB access', { vpage, expected, tlb, pte });
  }

  // ---- highmem mappings ----------------------------------------------------------------

  pkmapCountChanged(slot: number, count: number): void {
    if (slot >= this.pkmap.length) {
      const a = new Int32Array(Math.max(slot + 1, this.pkmap.length * 2, 64));
      a.set(this.pkmap);
      this.pkmap = a;
    }
    const old = this.pkmap[slot]!;
    this.pkmap[slot] = count;
    this.pkmapInUse += (count >= 2 ? 1 : 0) - (old >= 2 ? 1 : 0);
    this.pkmapUnflushed += (count === 1 ? 1 : 0) - (old === 1 ? 1 : 0);
    this.setPkmapCounter();
  }

  pkmapWait(cpu: number, task: string): void {
    this.writer.instant(cpu, 'pkmap_map_wait', { task });
  }

  pkmapFlushed(cpu: number, cleared: number, tlbFlush: boolean): void {
    // flush_all_zero_pkmaps frees every slot whose count is 1.
    const p = this.pkmap;
    for (let i = 0; i < p.length; i++) if (p[i] === 1) p[i] = 0;
    this.pkmapUnflushed = 0;
    this.setPkmapCounter();
    this.writer.instant(cpu, 'flush_all_zero_pkmaps', { cleared, flush: tlbFlush });
  }

  vmapAllocFailed(cpu: number, pages: number): void {
    this.writer.instant(cpu, 'vmap allocation failed', { pages });
  }

  vmapLazyFreed(_pages: number, lazyPages: number): void {
    this.writer.counter(VMAP_LAZY_NR, 'pages', lazyPages);
  }

  vmapPurged(cpu: number, areas: number, pages: number, sync: boolean, lazyPages: number): void {
    this.writer.counter(VMAP_LAZY_NR, 'pages', lazyPages);
    this.writer.instant(cpu, 'purge_vmap_area_lazy', { areas, pages, sync });
  }

  // ---- bounce buffers ------------------------------------------------------------------

  lowmemPageAllocated(free: number): void {
    this.writer.counter(LOWMEM, FREE_PAGES, free);
  }

  emergencyPoolTried(_cpu: number, _got: boolean, free: number): void {
    this.writer.counter(BOUNCE_POOL, FREE_PAGES, free);
  }

  bouncePoolWait(cpu: number, task: string): void {
    this.writer.instant(cpu, 'bounce pool wait', { task });
  }

  bouncePageFreed(poolFree: number | null, lowmemFree: number | null): void {
    if (poolFree !== null) this.writer.counter(BOUNCE_POOL, FREE_PAGES, poolFree);
    if (lowmemFree !== null) this.writer.counter(LOWMEM, FREE_PAGES, lowmemFree);
  }

  // ---- the block device ----------------------------------------------------------------

  requestQueued(depth: number): void {
    this.writer.counter(DEVICE_QUEUE, 'depth', depth);
  }

  requestCompleted(transferStart: number, bytes: number, depth: number): void {
    this.writer.deviceTransfer(transferStart, this.clock.now, bytes);
    this.writer.counter(DEVICE_QUEUE, 'depth', depth);
  }

  // ---- internals -----------------------------------------------------------------------

  private setPkmapCounter(): void {
    this.writer.counter(PKMAP_SLOTS, 'in_use', this.pkmapInUse);
    this.writer.counter(PKMAP_SLOTS, 'unflushed', this.pkmapUnflushed);
  }
}
