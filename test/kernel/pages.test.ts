/**
 * PagePool's physical layout: highmem pages spread evenly over the highmem zone, lowmem pages
 * over lowmem above the ISA zone (16 MiB), page aligned — here by hand for small pools. The
 * table is shared between pools of one layout (issue 24), so each layout must keep its own.
 */
import { describe, expect, it } from 'vitest';
import { PagePool } from '../../src/kernel/pages.js';

const MiB = 1024 * 1024;

describe('PagePool physical addresses', () => {
  it('4 pages, half highmem, 64 MiB lowmem + 64 MiB highmem: by hand', () => {
    const p = new PagePool(4, 0.5, 64 * MiB, 64 * MiB);
    // highmem: 64 MiB + k × 64 MiB / 2; lowmem: 16 MiB + k × (64 − 16) MiB / 2.
    expect([...p.phys]).toEqual([64 * MiB, 96 * MiB, 16 * MiB, 40 * MiB]);
    expect([p.isHigh(1), p.isHigh(2)]).toEqual([true, false]);
    expect([...p.virtual]).toEqual([-1, -1, -1, -1]);
  });

  it('each layout keeps its own table, however layouts alternate, and each pool its own page->virtual', () => {
    const a = () => new PagePool(4, 0.5, 64 * MiB, 64 * MiB);
    // 3 pages, a third highmem, 32 MiB + 3 MiB: highmem 32 MiB; lowmem 16 MiB + k × 8 MiB
    // (8 MiB = (32 − 16) MiB / 2).
    const b = () => new PagePool(3, 1 / 3, 32 * MiB, 3 * MiB);
    const first = a();
    first.virtual[0] = 7;
    for (let i = 0; i < 6; i++) new PagePool(8 + i, 0.5, 64 * MiB, 64 * MiB); // push both out
    expect([...b().phys]).toEqual([32 * MiB, 16 * MiB, 24 * MiB]);
    expect([...a().phys]).toEqual([64 * MiB, 96 * MiB, 16 * MiB, 40 * MiB]);
    expect([...b().phys]).toEqual([32 * MiB, 16 * MiB, 24 * MiB]);
    expect(a().virtual[0]).toBe(-1);
    // Same page count and split, another highmem size: highmem 64 MiB + k × 128 MiB / 2.
    expect([...new PagePool(4, 0.5, 64 * MiB, 128 * MiB).phys]).toEqual([64 * MiB, 128 * MiB, 16 * MiB, 40 * MiB]);
    expect([...a().phys]).toEqual([64 * MiB, 96 * MiB, 16 * MiB, 40 * MiB]);
  });

  it('no highmem zone: every page is lowmem', () => {
    const p = new PagePool(2, 0.78, 64 * MiB, 0);
    expect(p.highCount).toBe(0);
    expect([...p.phys]).toEqual([16 * MiB, 40 * MiB]);
  });
});
