/**
 * KernelPageTable: set_pte / pte_clear / lookup, and the count of present PTEs (a cleared
 * entry keeps its key internally, issue 24: the count must not see it).
 */
import { describe, expect, it } from 'vitest';
import { KernelPageTable, NO_PAGE } from '../../src/kernel/pgtable.js';

describe('KernelPageTable', () => {
  it('set, re-set, clear, clear again: lookups and the count of present PTEs', () => {
    const pt = new KernelPageTable();
    expect([pt.get(5), pt.size]).toEqual([NO_PAGE, 0]);
    pt.set(5, 50);
    pt.set(6, 60);
    pt.set(5, 51); // re-pointed, still one PTE
    expect([pt.get(5), pt.get(6), pt.size]).toEqual([51, 60, 2]);
    pt.clear(5);
    pt.clear(5); // already clear
    pt.clear(7); // never set
    expect([pt.get(5), pt.size]).toEqual([NO_PAGE, 1]);
    pt.set(5, 52); // set again after a clear
    expect([pt.get(5), pt.size]).toEqual([52, 2]);
    pt.set(6, NO_PAGE); // setting "no page" is a clear
    expect([pt.get(6), pt.size]).toEqual([NO_PAGE, 1]);
  });
});
