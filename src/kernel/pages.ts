/**
 * The physical pages a workload does I/O on: `working_set_pages` pages, the first
 * `highmem_fraction` of them in highmem. Each page has a physical address (which decides
 * whether the device can DMA to it) and, for highmem pages, `page->virtual` — the pkmap
 * slot it is currently mapped at, or −1 (2.4 struct page's `virtual` field).
 */
import { keptTables } from '../engine/kept-tables.js';
import { PAGE_SIZE } from './layout.js';

export const ISA_DMA_LIMIT = 16 * 1024 * 1024;
export const DMA32_LIMIT = 4 * 1024 * 1024 * 1024;

/**
 * Physical addresses of a working set, built once per layout and shared read-only between
 * runs (engine/kept-tables.ts; for the default scenario's 262,144 pages this was a third of
 * a run's set-up, issue 24).
 */
const physTables = keptTables<Float64Array>(4);

function buildPhysTable(pages: number, highCount: number, lowmemBytes: number, highmemBytes: number): Float64Array {
  const phys = new Float64Array(pages);
  const lowCount = pages - highCount;
  // Spread each kind evenly over its zone (lowmem above the ISA zone), page aligned.
  const lowStart = Math.min(ISA_DMA_LIMIT, lowmemBytes / 2);
  for (let k = 0; k < highCount; k++) {
    phys[k] = lowmemBytes + Math.floor(((k * highmemBytes) / highCount) / PAGE_SIZE) * PAGE_SIZE;
  }
  const lowSpan = lowmemBytes - lowStart;
  for (let k = 0; k < lowCount; k++) {
    phys[highCount + k] = lowStart + Math.floor(((k * lowSpan) / lowCount) / PAGE_SIZE) * PAGE_SIZE;
  }
  return phys;
}

export class PagePool {
  readonly count: number;
  readonly highCount: number;
  /** page->virtual as a pkmap slot number (−1: not kmapped). */
  readonly virtual: Int32Array;
  /** Physical address of each page (shared between pools of the same layout: read only). */
  readonly phys: Float64Array;

  constructor(pages: number, highmemFraction: number, lowmemBytes: number, highmemBytes: number) {
    this.count = pages;
    this.highCount = highmemBytes > 0 ? Math.round(pages * highmemFraction) : 0;
    this.virtual = new Int32Array(pages).fill(-1);
    const high = this.highCount;
    this.phys = physTables(`${pages}/${high}/${lowmemBytes}/${highmemBytes}`, () => buildPhysTable(pages, high, lowmemBytes, highmemBytes));
  }

  isHigh(page: number): boolean {
    return page < this.highCount;
  }
}
