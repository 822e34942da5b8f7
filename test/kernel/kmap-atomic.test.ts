/**
 * kmap_atomic (2.4 include/asm-i386/highmem.h) used directly: a per-CPU fixmap slot per
 * KM_ type, set_pte + a local invlpg, no lock, no IPI; the invlpg is what keeps the reused
 * slot coherent — leaving it out (done here by hand through the page-table API, as no
 * scenario option injects it) makes the TLB checker report a stale access.
 */
import { describe, expect, it } from 'vitest';
import type { ProcessBody } from '../../src/engine/process.js';
import { Simulator } from '../../src/engine/sim.js';
import { MAP, TLB } from '../../src/cpu/accounting.js';
import { Task } from '../../src/cpu/task.js';
import { presetCosts } from '../../src/kernel/costs.js';
import { kmap_atomic, kmap_atomic_vpage, kunmap_atomic } from '../../src/kernel/highmem.js';
import { KM_USER0 } from '../../src/kernel/layout.js';
import { Machine } from '../../src/kernel/machine.js';
import { NO_PAGE, touch_kernel_page } from '../../src/kernel/pgtable.js';

const PTE = 7;
const INVLPG = 130;

function setup(cpus = 2, flushes: { kunmapAtomicFlush?: boolean; kmapAtomicMapFlush?: boolean } = {}) {
  const sim = new Simulator();
  const costs = { ...presetCosts('modern'), pte_write: PTE, invlpg: INVLPG };
  const m = new Machine(sim, { cpus, spinlock: 'ticket', tlbEntries: 64, costs, seed: 1, ...flushes });
  return { sim, m };
}

describe('kmap_atomic', () => {
  it('map, touch, unmap, map another page into the same slot, touch: coherent, one invlpg per map, no IPI', () => {
    const sim = new Simulator();
    const costs = { ...presetCosts('modern'), pte_write: PTE, invlpg: INVLPG };
    const m = new Machine(sim, { cpus: 2, spinlock: 'ticket', tlbEntries: 64, costs, seed: 1 });
    const t = new Task(0, 't0', m.cpus[0]!, m.stream('t0'));
    const vpage = kmap_atomic_vpage(0, KM_USER0);
    t.start(
      (function* (): ProcessBody {
        for (const page of [1000, 2000, 1000]) {
          yield kmap_atomic(t, m, page, KM_USER0);
          expect(m.pgtable.get(vpage)).toBe(page);
          yield touch_kernel_page(t, m, vpage, page);
          yield touch_kernel_page(t, m, vpage, page); // a TLB hit now
          kunmap_atomic(t, m, KM_USER0);
        }
      })(),
    );
    sim.run();
    expect(m.tlbStats.staleAccesses).toBe(0);
    expect(m.tlbStats.pageFlushes).toBe(3);
    expect(m.highmem.kmap.atomic).toBe(3);
    expect(m.tlbStats.ipisSent).toBe(0);
    expect(m.tlbStats.shootdowns).toBe(0);
    expect(m.cpus[0]!.tlb.misses).toBe(3); // one refill per new mapping, the second touch hits
    // Time: per map one PTE write (map) and one invlpg (tlb); per new mapping one refill (tlb).
    m.finish();
    expect(m.cpus[0]!.time[MAP]).toBe(3 * PTE);
    expect(m.cpus[0]!.time[TLB]).toBe(3 * INVLPG + 3 * m.config.costs.tlb_refill);
    expect(sim.now).toBe(3 * (PTE + INVLPG + m.config.costs.tlb_refill));
  });

  it('kunmap_atomic_flush (2.3.40/2.4.0 HIGHMEM_DEBUG, 2.6+): each unmap clears the PTE and invlpgs the slot', () => {
    const sim = new Simulator();
    const costs = { ...presetCosts('modern'), pte_write: PTE, invlpg: INVLPG };
    const m = new Machine(sim, { cpus: 1, spinlock: 'ticket', tlbEntries: 64, costs, seed: 1, kunmapAtomicFlush: true });
    const t = new Task(0, 't0', m.cpus[0]!, m.stream('t0'));
    const vpage = kmap_atomic_vpage(0, KM_USER0);
    const cleared: boolean[] = [];
    t.start(
      (function* (): ProcessBody {
        for (const page of [1000, 2000, 1000]) {
          yield kmap_atomic(t, m, page, KM_USER0);
          yield touch_kernel_page(t, m, vpage, page);
          const unmap = kunmap_atomic(t, m, KM_USER0);
          expect(unmap).toBe(PTE + INVLPG);
          yield unmap;
          cleared.push(m.pgtable.get(vpage) === NO_PAGE && m.cpus[0]!.tlb.size === 0);
        }
      })(),
    );
    sim.run();
    expect(cleared).toEqual([true, true, true]);
    expect(m.tlbStats.staleAccesses).toBe(0);
    expect(m.tlbStats.pageFlushes).toBe(6); // one invlpg per map and one per unmap
    m.finish();
    expect(m.cpus[0]!.time[MAP]).toBe(6 * PTE);
    expect(m.cpus[0]!.time[TLB]).toBe(6 * INVLPG + 3 * m.config.costs.tlb_refill);
  });

  it('each CPU and each KM_ type has its own slot', () => {
    expect(new Set([kmap_atomic_vpage(0, 0), kmap_atomic_vpage(0, 1), kmap_atomic_vpage(1, 0), kmap_atomic_vpage(1, 1)]).size).toBe(4);
  });

  it('the same KM_ type twice on one CPU without kunmap_atomic is refused', () => {
    const { sim, m } = setup(1);
    const t = new Task(0, 't0', m.cpus[0]!, m.stream('t0'));
    let err: unknown = null;
    t.start(
      (function* (): ProcessBody {
        yield kmap_atomic(t, m, 1, KM_USER0);
        try {
          kmap_atomic(t, m, 2, KM_USER0);
        } catch (e) {
          err = e;
        }
        kunmap_atomic(t, m, KM_USER0);
      })(),
    );
    sim.run();
    expect(String(err)).toMatch(/kmap_atomic\(KM_USER0\) already in use on cpu0/);
  });

  it('sleeping while holding a kmap_atomic is refused', () => {
    const { sim, m } = setup(1);
    const t = new Task(0, 't0', m.cpus[0]!, m.stream('t0'));
    let err: unknown = null;
    t.start(
      (function* (): ProcessBody {
        yield kmap_atomic(t, m, 1, KM_USER0);
        try {
          t.cpu.sleep(t);
        } catch (e) {
          err = e;
        }
        kunmap_atomic(t, m, KM_USER0);
      })(),
    );
    sim.run();
    expect(String(err)).toMatch(/sleeps while holding a kmap_atomic/);
  });

  it('a slot re-pointed without the invlpg leaves a stale TLB entry that the checker reports', () => {
    const sim = new Simulator();
    const m = new Machine(sim, { cpus: 1, spinlock: 'ticket', tlbEntries: 64, costs: presetCosts('modern'), seed: 1 });
    const t = new Task(0, 't0', m.cpus[0]!, m.stream('t0'));
    const vpage = kmap_atomic_vpage(0, KM_USER0);
    t.start(
      (function* (): ProcessBody {
        yield kmap_atomic(t, m, 1000, KM_USER0);
        yield touch_kernel_page(t, m, vpage, 1000);
        kunmap_atomic(t, m, KM_USER0);
        // The buggy kmap_atomic: set_pte without __flush_tlb_one.
        m.pgtable.set(vpage, 2000);
        yield touch_kernel_page(t, m, vpage, 2000);
      })(),
    );
    sim.run();
    expect(m.tlbStats.staleAccesses).toBe(1);
  });
});

describe('kmap_atomic_map_flush', () => {
  it('2.6+ (false): the map is one PTE write and no invlpg; with the unmap flush the reused slot stays coherent', () => {
    const { sim, m } = setup(1, { kunmapAtomicFlush: true, kmapAtomicMapFlush: false });
    const t = new Task(0, 't0', m.cpus[0]!, m.stream('t0'));
    const vpage = kmap_atomic_vpage(0, KM_USER0);
    t.start(
      (function* (): ProcessBody {
        for (const page of [1000, 2000, 1000]) {
          yield kmap_atomic(t, m, page, KM_USER0);
          yield touch_kernel_page(t, m, vpage, page);
          yield kunmap_atomic(t, m, KM_USER0);
        }
      })(),
    );
    sim.run();
    expect(m.tlbStats.staleAccesses).toBe(0);
    // One invlpg per round, at the unmap (kpte_clear_flush); none at the map.
    expect(m.tlbStats.pageFlushes).toBe(3);
    m.finish();
    // Per round: map pte_write; unmap pte_write (map) + invlpg (tlb); one refill per new mapping.
    expect(m.cpus[0]!.time[MAP]).toBe(3 * 2 * PTE);
    expect(m.cpus[0]!.time[TLB]).toBe(3 * INVLPG + 3 * m.config.costs.tlb_refill);
  });

  it('resolves per version: 2.3/2.4 flush at map, 2.6.27 and later do not', async () => {
    const { resolveScenario } = await import('../../src/scenario/load.js');
    const of = (version: string) => resolveScenario({ kernel: { version } }, 'v.yaml').kernel.kmap_atomic_map_flush;
    expect(['2.3.40', '2.4.0', '2.4.16'].map(of)).toEqual([true, true, true]);
    expect(['2.6.27', '2.6.28', '5.10', '6.6', '6.12', '6.15', 'modern'].map(of)).toEqual([false, false, false, false, false, false, false]);
  });
});
