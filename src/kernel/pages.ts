/**
 * The physical pages a workload does I/O on: `working_set_pages` pages, the first
 * `highmem_fraction` of them in highmem. Each page has a physical address (which decides
 * whether the device can DMA to it) and, for highmem pages, `page->virtual` — the pkmap
 * slot it is currently mapped at, or −1 (2.4 struct page's `virtual` field).
 */
import { PAGE_SIZE } from './layout.js';

export const ISA_DMA_LIMIT = 16 * 1024 * 1024;
export const DMA32_LIMIT = 4 * 1024 * 1024 * 1024;

export class PagePool {
  readonly count: number;
  readonly highCount: number;
  /** page->virtual as a pkmap slot number (−1: not kmapped). */
  readonly virtual: Int32Array;
  /** Physical address of each page. */
  readonly phys: Float64Array;

  constructor(pages: number, highmemFraction: number, lowmemBytes: number, highmemBytes: number) {
    this.count = pages;
    this.highCount = highmemBytes > 0 ? Math.round(pages * highmemFraction) : 0;
    this.virtual = new Int32Array(pages).fill(-1);
    this.phys = new Float64Array(pages);
    const lowCount = pages - this.highCount;
    // Spread each kind evenly over its zone (lowmem above the ISA zone), page aligned.
    const lowStart = Math.min(ISA_DMA_LIMIT, lowmemBytes / 2);
    // Two loops, no tuple per page: a working set can be a million pages, built every run.
    for (let k = 0; k < this.highCount; k++) {
      this.phys[k] = lowmemBytes + Math.floor(((k * highmemBytes) / this.highCount) / PAGE_SIZE) * PAGE_SIZE;
    }
    const lowSpan = lowmemBytes - lowStart;
    for (let k = 0; k < lowCount; k++) {
      this.phys[this.highCount + k] = lowStart + Math.floor(((k * lowSpan) / lowCount) / PAGE_SIZE) * PAGE_SIZE;
    }
  }

  isHigh(page: number): boolean {
    return page < this.highCount;
  }
}
