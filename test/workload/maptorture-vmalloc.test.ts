/**
 * maptorture `api: vmalloc` (lib/test_vmalloc.c fix_size_alloc_test): a vmalloc()+vfree()
 * pair per op, per kernel.vmap_area_locking — resolved from kernel.version, deterministic,
 * and distinct from vmap / vmap_lazy (its own allocator: page allocation, purges of its own).
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/api.js';
import { resolveScenario } from '../../src/scenario/load.js';

function scenario(set: Record<string, unknown>) {
  return resolveScenario(
    {
      name: 'vmalloc',
      seed: 7,
      machine: { cpus: 4 },
      kernel: { vmalloc_size: '256MiB', ...set },
      workload: { type: 'maptorture', tasks: 4, api: 'vmalloc', pages: 4, touch: true, think: '0ns', working_set_pages: 4096 },
      stop: { ops: 12000, warmup: { ops: 500 } },
    },
    'test',
  );
}

describe('maptorture api vmalloc', () => {
  it('takes its locking and purge context from kernel.version', () => {
    expect(scenario({}).kernel.vmap_area_locking).toBe('vmap_nodes');
    expect(scenario({}).kernel.vmap_purge_context).toBe('kworker');
    expect(scenario({ version: '2.6.28' }).kernel.vmap_area_locking).toBe('vmap_area_lock');
    expect(scenario({ version: '2.6.28' }).kernel.vmap_purge_context).toBe('caller');
    expect(scenario({ version: '2.6.27' }).kernel.vmap_area_locking).toBe('vmlist');
  });

  it('runs every locking, deterministically, and purges (or, eager, flushes every vfree)', async () => {
    for (const locking of ['vmlist', 'vmap_area_lock', 'split_free_lock', 'split_purge_lock', 'vmap_nodes'] as const) {
      const s = scenario({ vmap_area_locking: locking, lazy_max_pages: 2000 });
      const a = await runScenario(s);
      const b = await runScenario(s);
      const noWall = (k: string, x: unknown) => (k === 'wall_ms' ? undefined : x);
      expect(JSON.stringify(a, noWall)).toBe(JSON.stringify(b, noWall));
      expect(a.vmap.allocs).toBeGreaterThan(10000);
      if (locking === 'vmlist') expect(a.tlb.shootdowns).toBeGreaterThan(10000); // a flush per vfree
      else expect(a.vmap.purges).toBeGreaterThan(10); // 5 lazy pages per op, a purge past 2000
    }
  });
});
