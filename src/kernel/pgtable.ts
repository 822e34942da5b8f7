/**
 * Kernel page table for the modelled mappings (pkmap, vmalloc, fixmap): the truth that
 * each CPU's TLB is checked against. Virtual and physical addresses are page numbers.
 */
import { TLB } from '../cpu/accounting.js';
import type { ExecCtx } from '../cpu/task.js';
import type { KernelObserver } from '../cpu/observer.js';

export const NO_PAGE = -1;

export class KernelPageTable {
  /**
   * vpage → ppage, NO_PAGE for a cleared PTE: a cleared entry keeps its key (the modelled
   * virtual pages are a bounded set — pkmap, fixmap, the vmalloc space), because
   * Map.delete shrinks and reallocates the table as it empties, which the map/unmap of every
   * I/O page turned into garbage (issue 24).
   */
  private pte = new Map<number, number>();
  /** PTEs set (not NO_PAGE). */
  private present = 0;

  /** set_pte(): vpage → ppage. No TLB flush is needed when the PTE was empty. */
  set(vpage: number, ppage: number): void {
    if (ppage === NO_PAGE) {
      this.clear(vpage);
      return;
    }
    if (this.get(vpage) === NO_PAGE) this.present++;
    this.pte.set(vpage, ppage);
  }

  /** pte_clear(). */
  clear(vpage: number): void {
    const e = this.pte;
    const old = e.get(vpage);
    if (old === undefined || old === NO_PAGE) return;
    e.set(vpage, NO_PAGE);
    this.present--;
  }

  get(vpage: number): number {
    return this.pte.get(vpage) ?? NO_PAGE;
  }

  /** PTEs set. */
  get size(): number {
    return this.present;
  }
}

/**
 * What the TLB checker needs of the machine (src/kernel/machine.ts provides it; named here
 * so that the page table does not import the machine that owns it).
 */
export interface PageTableOwner {
  readonly pgtable: KernelPageTable;
  readonly tlbStats: { staleAccesses: number; faults: number };
  readonly observer: KernelObserver | null;
  readonly costs: { readonly tlb_refill: number };
}

/**
 * The CPU accesses kernel virtual page `vpage` expecting physical page `ppage` there.
 * A TLB miss walks the page table (cost tlb_refill) and fills the TLB; a hit is trusted —
 * if it no longer matches the PTE the access went to the wrong page: a stale TLB access.
 * Returns the time to charge (to the `tlb` category) for the access's translation.
 */
export function touch_kernel_page(ctx: ExecCtx, m: PageTableOwner, vpage: number, ppage: number): number {
  const tlb = ctx.cpu.tlb;
  const cached = tlb.lookup(vpage);
  if (cached !== NO_PAGE) {
    if (cached !== ppage) {
      m.tlbStats.staleAccesses++;
      if (m.observer !== null) m.observer.staleTlbAccess(ctx.cpu.id, vpage, ppage, cached, m.pgtable.get(vpage));
    }
    return 0;
  }
  const pte = m.pgtable.get(vpage);
  if (pte === NO_PAGE) {
    m.tlbStats.faults++;
    return 0;
  }
  if (pte !== ppage) {
    m.tlbStats.staleAccesses++; // the mapping itself is wrong
    if (m.observer !== null) m.observer.staleTlbAccess(ctx.cpu.id, vpage, ppage, -1, pte);
  }
  tlb.fill(vpage, pte);
  return ctx.cpu.busy(TLB, m.costs.tlb_refill);
}
