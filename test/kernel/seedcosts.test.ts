/**
 * The costs the seed thread names (virt_to_phys walking the page tables for non-linear
 * addresses), the TLB refill after a full flush, and a vmalloc space populated from boot.
 */
import { describe, expect, it } from 'vitest';
import type { ProcessBody } from '../../src/engine/process.js';
import { Simulator } from '../../src/engine/sim.js';
import { TLB } from '../../src/cpu/accounting.js';
import { Task } from '../../src/cpu/task.js';
import { presetCosts } from '../../src/kernel/costs.js';
import { Machine } from '../../src/kernel/machine.js';
import { flush_tlb_all, flush_tlb_kernel_range } from '../../src/kernel/tlbflush.js';
import { runScenario } from '../../src/model/run.js';
import type { Result } from '../../src/report/result.js';
import { resolveScenario } from '../../src/scenario/load.js';

function run(raw: Record<string, unknown>): Result {
  return runScenario(resolveScenario(raw, 'test'));
}

const mapNs = (r: Result) => r.cpus.reduce((a, c) => a + c.time_ns.map, 0);

describe('virt_to_phys of a non-linear b_data walks the page tables', () => {
  // One task on one CPU: the sequence of kernel operations does not depend on timing, so
  // the only difference a walk cost makes to the `map` category is the walk itself.
  const scenario = (strategy: string, pae: boolean, walk: string) => ({
    seed: 3,
    machine: { cpus: 1, pae },
    costs: { preset: 'era2000', pgtable_walk_level: walk },
    kernel: { strategy },
    device: { dma_limit: '64bit', latency: '20us', bandwidth: '1GiB/s' },
    workload: { type: 'io', tasks: 1, size: '16KiB', highmem_fraction: 1, working_set_pages: 2048 },
    stop: { ops: 300 },
  });
  const WALK = 1000;

  for (const strategy of ['vmap', 'vmap_lazy', 'kmap']) {
    for (const pae of [false, true]) {
      it(`${strategy}${pae ? ' (PAE)' : ''}: map time rises by exactly pages × ${pae ? 3 : 2} levels × pgtable_walk_level`, () => {
        const without = run(scenario(strategy, pae, '0ns'));
        const withWalk = run(scenario(strategy, pae, `${WALK}ns`));
        // Every page of every I/O is highmem and mapped for it: 4 pages per 16 KiB I/O.
        const pages = 4 * withWalk.ops.completed;
        expect(withWalk.ops.completed).toBe(300);
        expect(without.ops.completed).toBe(300);
        expect(mapNs(withWalk) - mapNs(without)).toBe(pages * (pae ? 3 : 2) * WALK);
      });
    }
  }

  for (const strategy of ['bounce', 'direct']) {
    it(`${strategy}: linear (bounce page) or page+offset (direct) addresses walk nothing`, () => {
      expect(mapNs(run(scenario(strategy, true, `${WALK}ns`)))).toBe(mapNs(run(scenario(strategy, true, '0ns'))));
    });
  }
});

describe('TLB refill after a full flush', () => {
  const machine = (refill: number) => {
    const sim = new Simulator();
    const costs = { ...presetCosts('era2000'), tlb_flush_refill: refill };
    const m = new Machine(sim, { cpus: 4, spinlock: 'tas', tlbEntries: 64, costs, seed: 1 });
    const t = new Task(0, 't0', m.cpus[0]!, m.stream('t0'));
    return { sim, m, costs, t };
  };
  const tlbNs = (m: Machine) => m.cpus.reduce((a, c) => a + c.time[TLB]!, 0);

  it('flush_tlb_all charges tlb_flush_full + tlb_flush_refill on the initiator and on every receiver', () => {
    const { sim, m, costs, t } = machine(5000);
    t.start(
      (function* (): ProcessBody {
        yield* flush_tlb_all(t, m);
      })(),
    );
    sim.run();
    m.finish();
    for (const c of m.cpus) expect(c.time[TLB]).toBe(costs.tlb_flush_full + 5000);
  });

  it('a full flush_tlb_kernel_range (above the ceiling) refills too; an invlpg range does not', () => {
    for (const [pages, perCpu] of [
      [100, (c: ReturnType<typeof machine>['costs']) => c.tlb_flush_full + 5000],
      [10, (c: ReturnType<typeof machine>['costs']) => 10 * c.invlpg],
    ] as const) {
      const { sim, m, costs, t } = machine(5000);
      t.start(
        (function* (): ProcessBody {
          yield* flush_tlb_kernel_range(t, m, 0, pages, { ceiling: 33, concurrentLocal: false });
        })(),
      );
      sim.run();
      m.finish();
      expect(tlbNs(m)).toBe(4 * perCpu(costs));
    }
  });

  it('the era2000 and modern presets charge a refill (a flush is not free of misses afterwards)', () => {
    expect(presetCosts('era2000').tlb_flush_refill).toBeGreaterThan(presetCosts('era2000').tlb_flush_full);
    expect(presetCosts('modern').tlb_flush_refill).toBeGreaterThan(presetCosts('modern').tlb_flush_full);
  });
});

describe('a vmalloc space populated from boot', () => {
  // Eager vmap of one page per op on one CPU: every get_vm_area first-fit walk and every
  // vfree find walk passes the boot areas, which sit at the bottom of the space.
  const scenario = (bootAreas: number) => ({
    seed: 5,
    machine: { cpus: 1 },
    costs: { preset: 'era2000' },
    kernel: { vmalloc_boot_areas: bootAreas },
    workload: { type: 'maptorture', tasks: 1, api: 'vmap', pages: 1 },
    stop: { ops: 500 },
  });

  it('the eager walk costs 2 × boot areas × vmlist_walk_area more per map–unmap', () => {
    const r0 = run(scenario(0));
    const costs = presetCosts('era2000');
    for (const n of [16, 64]) {
      const r = run(scenario(n));
      expect(r.vmap.allocs).toBe(r0.vmap.allocs);
      expect(mapNs(r) - mapNs(r0)).toBe(r.vmap.allocs * 2 * n * costs.vmlist_walk_area);
    }
  });

  it('defaults to 16 boot areas', () => {
    expect(resolveScenario({}, 'x').kernel.vmalloc_boot_areas).toBe(16);
  });
});
