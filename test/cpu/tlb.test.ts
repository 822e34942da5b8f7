/**
 * The per-CPU TLB (src/cpu/tlb.ts): LRU fill and lookup, invlpg, and a full flush that
 * empties it and is counted whether or not it had anything to drop (an IPI's flush on a CPU
 * holding no modelled entry still happened: it costs the same and shows in tlb statistics).
 */
import { describe, expect, it } from 'vitest';
import { Tlb } from '../../src/cpu/tlb.js';

describe('Tlb', () => {
  it('evicts the least recently used entry when full; a lookup refreshes', () => {
    const t = new Tlb(2);
    t.fill(1, 101);
    t.fill(2, 102);
    expect(t.lookup(1)).toBe(101); // 2 is now the LRU
    t.fill(3, 103);
    expect([t.lookup(2), t.lookup(1), t.lookup(3)]).toEqual([-1, 101, 103]);
    expect(t.misses).toBe(1);
  });

  it('a full flush empties it and counts, also when it was already empty', () => {
    const t = new Tlb(4);
    t.flushAll();
    t.fill(7, 70);
    t.fill(8, 80);
    t.flushAll();
    expect(t.size).toBe(0);
    expect(t.lookup(7)).toBe(-1);
    t.flushAll();
    expect(t.fullFlushes).toBe(3);
  });

  it('invlpg drops one entry and counts', () => {
    const t = new Tlb(4);
    t.fill(7, 70);
    t.fill(8, 80);
    t.flushPage(7);
    t.flushPage(9); // not cached: still an invlpg
    expect([t.lookup(7), t.lookup(8), t.pageFlushes]).toEqual([-1, 80, 2]);
  });
});
