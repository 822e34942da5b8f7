/**
 * A CPU's time accounting: every nanosecond charged to one category (src/cpu/accounting.ts),
 * busySplit holds charged to two without a second event, and the TLB working set a full
 * flush empties, walked back in (tlb_refill per entry) by the next context that runs code.
 * The base of Cpu (src/cpu/cpu.ts), which adds interrupts and scheduling and says which
 * context pays a refill (refillsHere).
 */
import type { Simulator } from '../engine/sim.js';
import { IDLE, N_CATEGORIES, TLB, type Category } from './accounting.js';
import type { KernelObserver } from './observer.js';
import { Tlb } from './tlb.js';

/** The costs a CPU itself spends (the machine's cost table provides them). */
export interface CpuCosts {
  /** Delivery of the reschedule IPI that wakes an idle CPU. */
  readonly ipi_latency: number;
  readonly context_switch: number;
  /** One page walk: each working-set entry refilled after a full flush costs this. */
  readonly tlb_refill: number;
}

export abstract class CpuTime {
  /** ns per category; sums to the simulated time once finish() has run. */
  readonly time = new Float64Array(N_CATEGORIES);
  readonly tlb: Tlb;
  /** The machine's observer (src/cpu/observer.ts), or null: set by the Machine. */
  observer: KernelObserver | null = null;
  /**
   * TLB entries the code running here uses outside the modelled mappings (kernel text,
   * stack and data, the running task's user pages): machine.tlb_working_set. Set by the Machine.
   */
  tlbWorkingSet = 0;
  /** Working-set entries a full flush dropped that no access has walked back in yet. */
  tlbRefillDue = 0;
  /** Working-set entries walked back in after full flushes (page walks, tlb_refill each). */
  tlbWorkingSetRefills = 0;

  protected cat: Category = IDLE;
  private since = 0;
  /**
   * A busySplit hold in progress switches the running context to `splitCat` at `splitAt`
   * (ns; −1: none) — pushed back by any interrupt taken meanwhile, like the hold itself.
   */
  private splitAt = -1;
  private splitCat: Category = IDLE;

  constructor(
    readonly id: number,
    readonly sim: Simulator,
    readonly costs: CpuCosts,
    tlbEntries: number,
  ) {
    this.tlb = new Tlb(tlbEntries);
  }

  /** Switch the category that the coming time is charged to. */
  setCat(c: Category): void {
    this.settleSplit();
    const now = this.sim.now;
    this.time[this.cat]! += now - this.since;
    this.since = now;
    this.cat = c;
    if (this.observer !== null) this.observer.categoryChanged(this.id, c);
  }

  /**
   * Back from a handler: the interrupted context's category again. The observer is not told:
   * irqReturned() says it all — an observer restores the interrupted context itself, knowing
   * whether an interrupted busySplit hold had already switched to its second category (as
   * this accounting does: suspendSplit / resumeSplit).
   */
  protected resumeCat(c: Category): void {
    this.settleSplit();
    const now = this.sim.now;
    this.time[this.cat]! += now - this.since;
    this.since = now;
    this.cat = c;
  }

  /**
   * Charge the next `ns` to `c`: `yield cpu.busy(COPY, memcpy_page)`. If a full flush has
   * emptied this CPU's TLB since the context last ran code, the segment's first accesses
   * walk the working set back in first (refillWorkingSet).
   */
  busy(c: Category, ns: number): number {
    if (this.tlbRefillDue !== 0 && c !== IDLE && this.refillsHere()) return this.busySplit(TLB, this.refillWorkingSet(), c, ns);
    this.setCat(c);
    return ns;
  }

  /**
   * A full flush (CR3 reload; 2.4 __flush_tlb_all also toggles CR4.PGE, so global kernel
   * entries go too) emptied this CPU's TLB: the whole working set is to be walked in again.
   * Idempotent: a second flush before any access costs no second refill. Returns the
   * flush's own time, charged to `tlb` (never the refill: that comes with the next access).
   */
  flushWorkingSet(flushNs: number): number {
    this.tlbRefillDue = this.tlbWorkingSet;
    this.setCat(TLB);
    return flushNs;
  }

  /**
   * A broadcast invalidation (AMD INVLPGB of everything, issued by another CPU) emptied this
   * CPU's TLB without interrupting it: nothing is charged now, the context running here
   * walks the working set back in at its next busy segment, as after flushWorkingSet.
   */
  loseWorkingSet(): void {
    this.tlbRefillDue = this.tlbWorkingSet;
  }

  /**
   * Whether the context running now pays the working-set refill at its next busy segment
   * (Cpu.refillsHere: not an IPI handler).
   */
  protected abstract refillsHere(): boolean;

  /**
   * Walk the missing working-set entries back in: one page walk (tlb_refill) each. The
   * model has no per-instruction access stream, so all of them are charged at the start of
   * the context's first busy segment after the flush (its first access).
   */
  private refillWorkingSet(): number {
    const n = this.tlbRefillDue;
    this.tlbRefillDue = 0;
    this.tlbWorkingSetRefills += n;
    return n * this.costs.tlb_refill;
  }

  /**
   * One hold charged to two categories: `a` ns to `ca`, then `b` ns to `cb` (e.g. a
   * kmap_atomic's PTE write and its invlpg), without a second event.
   */
  busySplit(ca: Category, a: number, cb: Category, b: number): number {
    this.setCat(ca);
    this.splitAt = this.sim.now + a;
    this.splitCat = cb;
    if (a <= 0) this.settleSplit();
    if (this.observer !== null) this.observer.busySplit(this.id, a, cb);
    return a + b;
  }

  /** A busySplit hold whose switch time has come charges from then on to its second category. */
  private settleSplit(): void {
    if (this.splitAt < 0 || this.sim.now < this.splitAt) return;
    this.time[this.cat]! += this.splitAt - this.since;
    this.since = this.splitAt;
    this.cat = this.splitCat;
    this.splitAt = -1;
  }

  /**
   * The running context is interrupted: its split, if still to come, waits for its return.
   * Returns the ns left before the switch (−1: none); no tuple, so no allocation per interrupt.
   */
  protected suspendSplit(): number {
    this.settleSplit();
    const left = this.splitAt >= 0 ? this.splitAt - this.sim.now : -1;
    this.splitAt = -1;
    return left;
  }

  /** The second category of the split suspendSplit just suspended (read right after it). */
  protected get suspendedSplitCat(): Category {
    return this.splitCat;
  }

  protected resumeSplit(left: number, cat: Category): void {
    this.splitAt = left >= 0 ? this.sim.now + left : -1;
    this.splitCat = cat;
  }

  get category(): Category {
    this.settleSplit();
    return this.cat;
  }

  /** Close the accounting at the current time (end of run). */
  finish(): void {
    this.setCat(this.cat);
  }
}
