/**
 * One CPU's TLB for the modelled kernel mappings (pkmap, vmalloc, fixmap): virtual page →
 * physical page, LRU with a fixed capacity (machine.tlb_entries).
 *
 * The TLB never reads the page table by itself: an entry is filled on a miss and then
 * trusted until it is flushed or evicted. That is exactly how a missing shootdown turns
 * into a stale access (the TLB checker in src/kernel/pgtable.ts compares the two).
 */
export class Tlb {
  /** vpage → ppage; Map iteration order is insertion order, so the first key is the LRU. */
  private entries = new Map<number, number>();
  fullFlushes = 0;
  pageFlushes = 0;
  misses = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** Cached translation of `vpage` (refreshing its LRU position), or −1 on a miss. */
  lookup(vpage: number): number {
    const e = this.entries;
    const ppage = e.get(vpage);
    if (ppage === undefined) {
      this.misses++;
      return -1;
    }
    e.delete(vpage);
    e.set(vpage, ppage);
    return ppage;
  }

  /** Fill after a miss (page walk), evicting the least recently used entry if full. */
  fill(vpage: number, ppage: number): void {
    const e = this.entries;
    if (e.size >= this.capacity) {
      const lru = e.keys().next().value as number;
      e.delete(lru);
    }
    e.set(vpage, ppage);
  }

  /** CR3 reload (+ CR4.PGE toggle in 2.4 __flush_tlb_all): every entry goes. */
  flushAll(): void {
    // Map.clear() allocates a fresh table even when empty; most CPUs an IPI flushes hold
    // no modelled entry (issue 24: the vmap strategy's flushAll was 10% of its profile).
    if (this.entries.size !== 0) this.entries.clear();
    this.fullFlushes++;
  }

  /** invlpg. */
  flushPage(vpage: number): void {
    this.entries.delete(vpage);
    this.pageFlushes++;
  }
}
