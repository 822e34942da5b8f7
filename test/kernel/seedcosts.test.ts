/**
 * The costs the seed thread names (virt_to_phys walking the page tables for non-linear
 * addresses) and a vmalloc space populated from boot.
 */
import { describe, expect, it } from 'vitest';
import { presetCosts } from '../../src/kernel/costs.js';
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

  // vmap_lazy walks more than virt_to_phys: vm_map_ram's vmap_page_range walks the same
  // levels down to the PTEs, and vb_free's radix_tree_lookup of the block walks the block
  // tree: 128 MiB / 256-page blocks (VMAP_BBMAP_BITS, NR_CPUS 8) = 128 blocks, 2 levels of 64.
  const walksPerPage = (strategy: string, levels: number) => (strategy === 'vmap_lazy' ? 2 * levels + 2 : levels);
  for (const strategy of ['vmap', 'vmap_lazy', 'kmap']) {
    for (const pae of [false, true]) {
      it(`${strategy}${pae ? ' (PAE)' : ''}: map time rises by exactly pages × ${walksPerPage(strategy, pae ? 3 : 2)} walk levels × pgtable_walk_level`, () => {
        const without = run(scenario(strategy, pae, '0ns'));
        const withWalk = run(scenario(strategy, pae, `${WALK}ns`));
        // Every page of every I/O is highmem and mapped for it: 4 pages per 16 KiB I/O.
        const pages = 4 * withWalk.ops.completed;
        expect(withWalk.ops.completed).toBe(300);
        expect(without.ops.completed).toBe(300);
        expect(mapNs(withWalk) - mapNs(without)).toBe(pages * walksPerPage(strategy, pae ? 3 : 2) * WALK);
      });
    }
  }

  for (const strategy of ['bounce', 'direct']) {
    it(`${strategy}: linear (bounce page) or page+offset (direct) addresses walk nothing`, () => {
      expect(mapNs(run(scenario(strategy, true, `${WALK}ns`)))).toBe(mapNs(run(scenario(strategy, true, '0ns'))));
    });
  }
});

// The refill after a full flush (machine.tlb_working_set × tlb_refill): test/cpu/tlb-refill.test.ts.

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
