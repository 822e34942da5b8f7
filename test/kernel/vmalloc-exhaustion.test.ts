/**
 * vmalloc space exhaustion: with a space too small for the I/O in flight, get_vm_area
 * (eager) or alloc_vmap_area after its synchronous purge (lazy) fails — "vmap allocation
 * failed" — and the I/O path falls back to a bounce page for that page (README
 * "Simplifications"). Relations checked: every page prepared is either mapped or bounced;
 * each failure bounces exactly one page; no more areas live at once than the space holds.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/model/run.js';
import { resolveScenario } from '../../src/scenario/load.js';

const PAGE = 4096;

function run(strategy: 'vmap' | 'vmap_lazy', vmalloc_size: string) {
  return runScenario(
    resolveScenario(
      {
        machine: { cpus: 4 },
        kernel: { strategy, vmalloc_size, vmap_block: false },
        device: { latency: 'exp(100us)', bandwidth: '1GiB/s' },
        // Writes only, all highmem: every bounced page is copied at submission.
        workload: { type: 'io', tasks: 8, size: '16KiB', read_fraction: 0, highmem_fraction: 1 },
        stop: { ops: 2000 },
      },
      'vmalloc.yaml',
    ),
  );
}

describe('vmalloc space exhausted', () => {
  for (const strategy of ['vmap', 'vmap_lazy'] as const) {
    it(`${strategy}: a 4-page space (2 one-page areas + guards) fails allocations, and those pages are bounced`, () => {
      const r = run(strategy, '16KiB');
      expect(r.ops.completed).toBeGreaterThanOrEqual(2000);
      expect(r.vmap.failures).toBeGreaterThan(0);
      // Each failure falls back to one bounce page, copied (a write) at submission.
      expect(r.bounce.pages).toBe(r.vmap.failures);
      expect(r.bounce.bytes_copied).toBe(r.vmap.failures * PAGE);
      // Every page handed to the device was either mapped or bounced.
      expect(r.vmap.allocs + r.vmap.failures).toBe(r.device.bytes / PAGE);
      // At most 4 pages / (1 page + 1 guard) = 2 areas exist at once.
      expect(r.vmap.allocs - r.vmap.frees).toBeLessThanOrEqual(2);
      expect(r.tlb.stale_accesses).toBe(0);
      if (strategy === 'vmap_lazy') expect(r.vmap.purges).toBeGreaterThan(0); // purged before failing
    });

    it(`${strategy}: the default 128 MiB space never fails, and nothing is bounced`, () => {
      const r = run(strategy, '128MiB');
      expect(r.vmap.failures).toBe(0);
      expect(r.bounce.pages).toBe(0);
      expect(r.vmap.allocs).toBe(r.device.bytes / PAGE);
    });
  }
});
