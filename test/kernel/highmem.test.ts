import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ProcessBody } from '../../src/engine/process.js';
import { SimulationAborted, Simulator } from '../../src/engine/sim.js';
import { Task } from '../../src/cpu/task.js';
import { presetCosts } from '../../src/kernel/costs.js';
import { PkmapPool, kmap_high, kunmap_high } from '../../src/kernel/highmem.js';
import { Machine } from '../../src/kernel/machine.js';
import { PagePool } from '../../src/kernel/pages.js';
import { fls } from '../../src/kernel/layout.js';
import { runScenario } from '../../src/model/run.js';
import { resolveScenario } from '../../src/scenario/load.js';

function run(raw: Record<string, unknown>) {
  return runScenario(resolveScenario(raw, 'test'));
}

describe('persistent kmap pool: the kernel arithmetic', () => {
  for (const pae of [false, true]) {
    it(`one task mapping distinct pages one at a time: one flush_all_zero_pkmaps per LAST_PKMAP maps (pae=${pae})`, () => {
      const sim = new Simulator();
      const m = new Machine(sim, { cpus: 4, spinlock: 'ticket', tlbEntries: 64, costs: presetCosts('modern'), seed: 1 });
      const laps = 5;
      const L = pae ? 512 : 1024;
      const pages = new PagePool(laps * L, 1, 896 << 20, 3 << 30);
      const pool = new PkmapPool(m, pages, { pae, skipFlush: false });
      expect(pool.LAST_PKMAP).toBe(L);
      const task = new Task(0, 't', m.cpus[0]!, m.stream('t'));
      const flushesAfter: number[] = [];
      task.start(
        (function* (): ProcessBody {
          const out = { nr: -1 };
          for (let p = 0; p < laps * L; p++) {
            yield* kmap_high(task, pool, p, out);
            yield* kunmap_high(task, pool, p);
            if ((p + 1) % L === 0) flushesAfter.push(m.highmem.kmap.flushes);
          }
        })(),
      );
      sim.run();
      expect(m.highmem.kmap.kmaps).toBe(laps * L);
      expect(m.highmem.kmap.hits).toBe(0);
      expect(flushesAfter).toEqual([1, 2, 3, 4, 5]);
      // Each flush is one flush_tlb_all: N−1 IPIs.
      expect(m.tlbStats.ipisSent).toBe(laps * 3);
      expect(m.tlbStats.shootdowns).toBe(laps);
    });
  }

  it('a page mapped twice shares its slot (a hit) and needs two kunmaps', () => {
    const sim = new Simulator();
    const m = new Machine(sim, { cpus: 1, spinlock: 'ticket', tlbEntries: 64, costs: presetCosts('modern'), seed: 1 });
    const pool = new PkmapPool(m, new PagePool(8, 1, 896 << 20, 3 << 30), { pae: false, skipFlush: false });
    const task = new Task(0, 't', m.cpus[0]!, m.stream('t'));
    const counts: number[] = [];
    task.start(
      (function* (): ProcessBody {
        const a = { nr: -1 };
        const b = { nr: -1 };
        yield* kmap_high(task, pool, 3, a);
        yield* kmap_high(task, pool, 3, b);
        expect(b.nr).toBe(a.nr);
        counts.push(pool.pkmap_count[a.nr]!);
        yield* kunmap_high(task, pool, 3);
        counts.push(pool.pkmap_count[a.nr]!);
        yield* kunmap_high(task, pool, 3);
        counts.push(pool.pkmap_count[a.nr]!);
      })(),
    );
    sim.run();
    expect(m.highmem.kmap.hits).toBe(1);
    expect(counts).toEqual([3, 2, 1]); // 1: unused but maybe in a TLB, not reusable yet
  });

  it('more than LAST_PKMAP pages held at once: tasks wait on pkmap_map_wait, and the run completes', () => {
    const r = run({
      machine: { cpus: 4, pae: true },
      kernel: { strategy: 'kmap' },
      device: { latency: '2ms', queue_depth: 4096, bandwidth: '10GiB/s' },
      workload: { type: 'io', tasks: 700, highmem_fraction: 1, working_set_pages: 100000 },
      stop: { ops: 3000 },
    });
    expect(r.ops.completed).toBeGreaterThanOrEqual(3000);
    expect(r.kmap.waits).toBeGreaterThan(0);
    expect(r.tlb.stale_accesses).toBe(0);
  });
});

describe('the plug: no hold-and-wait across the pages of one I/O', () => {
  it('multi-page bounced writes with a pool smaller than one I/O and no free lowmem complete', () => {
    const r = run({
      kernel: { strategy: 'bounce', bounce_pool_pages: 4, lowmem_free_pages: 0 },
      workload: { type: 'io', tasks: 32, size: '64KiB', read_fraction: 0, highmem_fraction: 1 },
      stop: { ops: 500 },
    });
    expect(r.ops.completed).toBeGreaterThanOrEqual(500);
    expect(r.bounce.pool_waits).toBeGreaterThan(0);
    // Each I/O went to the device in several requests: the plug was flushed before sleeping.
    expect(r.device.requests).toBeGreaterThan(r.ops.completed);
  });

  it('multi-page kmapped I/O that exhausts the pool deadlocks, as the kernel warns, and is diagnosed', () => {
    // Each task holds the kmaps of its I/O's earlier pages until the whole I/O is done, and
    // sleeps on pkmap_map_wait for a later page: with 100 × 16 pages wanted and 512 slots,
    // every slot ends up held by a sleeper. This is why the kernel says never to hold more
    // than one persistent kmap at a time; the simulator must report it, not hang.
    const scenario = (tasks: number) =>
      run({
        machine: { cpus: 4, pae: true },
        kernel: { strategy: 'kmap' },
        device: { latency: '1ms', queue_depth: 4096, bandwidth: '10GiB/s' },
        workload: { type: 'io', tasks, size: '64KiB', highmem_fraction: 1, working_set_pages: 200000 },
        stop: { ops: 1000 },
      });
    expect(scenario(24).ops.completed).toBeGreaterThanOrEqual(1000); // 24 × 16 = 384 ≤ 512: fine
    try {
      scenario(100);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SimulationAborted);
      const a = e as SimulationAborted;
      expect(a.reason).toBe('deadlock');
      expect(a.diagnosis).toMatch(/kmap pool: 512 of 512 slots in use, \d+ tasks on pkmap_map_wait/);
      // Every sleeper is named, grouped by what it sleeps on.
      expect(a.diagnosis).toMatch(/^cpu0: idle \[idle\]; sleeping: 25 on pkmap_map_wait: io\/0 io\/4 io\/8 .* io\/96$/m);
    }
  });
});

describe('vmalloc mappings', () => {
  for (const cpus of [2, 4, 8]) {
    it(`eager vmap on ${cpus} CPUs: ipis_sent = (N−1) × frees`, () => {
      const r = run({
        machine: { cpus },
        workload: { type: 'maptorture', api: 'vmap', pages: 1, tasks: cpus },
        stop: { ops: 5000 },
      });
      expect(r.vmap.frees).toBeGreaterThan(4000);
      expect(r.tlb.ipis_sent).toBe((cpus - 1) * r.vmap.frees);
      expect(r.tlb.shootdowns).toBe(r.vmap.frees);
      expect(r.locks['vmlist_lock']!.contentions).toBeGreaterThan(0);
    });
  }

  it('lazy vmap: purges ≈ freed pages / lazy_max_pages(), and far fewer IPIs than eager', () => {
    const cpus = 4;
    const base = { machine: { cpus }, kernel: { vmap_block: false }, stop: { ops: 60000 } };
    const lazy = run({ ...base, workload: { type: 'maptorture', api: 'vmap_lazy', pages: 3, tasks: cpus } });
    const eager = run({ ...base, workload: { type: 'maptorture', api: 'vmap', pages: 3, tasks: cpus } });
    const lazyMax = fls(cpus) * 8192;
    const span = 3 + 1; // pages + guard page
    const freedPages = lazy.vmap.frees * span;
    expect(lazy.vmap.purges).toBeGreaterThan(0);
    expect(Math.abs(lazy.vmap.purges - freedPages / lazyMax)).toBeLessThanOrEqual(1);
    expect(lazy.tlb.ipis_sent).toBe(lazy.vmap.purges * (cpus - 1));
    expect(eager.tlb.ipis_sent).toBeGreaterThan(1000 * lazy.tlb.ipis_sent);
    expect(lazy.vmap.failures).toBe(0);
  });

  it('lazy vmap with a vmalloc space smaller than lazy_max_pages: synchronous purge and retry, no failure', () => {
    const r = run({
      machine: { cpus: 8 }, // lazy_max_pages = fls(8) × 8192 = 32768 = the whole 128 MiB space
      kernel: { vmap_block: false },
      workload: { type: 'maptorture', api: 'vmap_lazy', pages: 4, tasks: 8 },
      stop: { ops: 20000 },
    });
    expect(r.vmap.purges).toBeGreaterThan(0);
    expect(r.vmap.failures).toBe(0);
    expect(r.tlb.stale_accesses).toBe(0);
  });

  it('the per-CPU vmap_block frontend takes no global lock in the common case', () => {
    const withBlocks = run({ machine: { cpus: 4 }, workload: { type: 'maptorture', api: 'vmap_lazy', tasks: 4 }, stop: { ops: 20000 } });
    const without = run({
      machine: { cpus: 4 },
      kernel: { vmap_block: false },
      workload: { type: 'maptorture', api: 'vmap_lazy', tasks: 4 },
      stop: { ops: 20000 },
    });
    const globalAcq = (r: typeof withBlocks) => r.locks['vmap_area_lock']!.acquisitions;
    expect(globalAcq(withBlocks) * 20).toBeLessThan(globalAcq(without));
  });
});

describe('bounce buffers', () => {
  it('bytes_copied = bounced pages × 4096 (all writes: every copy happens at submission)', () => {
    const r = run({
      kernel: { strategy: 'bounce' },
      workload: { type: 'io', read_fraction: 0, size: '16KiB' },
      stop: { ops: 3000 },
    });
    expect(r.bounce.pages).toBeGreaterThan(3000);
    expect(r.bounce.bytes_copied).toBe(r.bounce.pages * 4096);
    expect(r.cpus.some((c) => c.time_ns.copy > 0)).toBe(true);
  });

  it('reads copy in the completion interrupt, on the CPU the IRQ is routed to', () => {
    const r = run({
      machine: { cpus: 4 },
      kernel: { strategy: 'bounce' },
      device: { irq: 'cpu0' },
      workload: { type: 'io', read_fraction: 1, highmem_fraction: 1 },
      stop: { ops: 2000 },
    });
    expect(r.cpus[0]!.time_ns.copy).toBeGreaterThan(0);
    for (const c of r.cpus.slice(1)) expect(c.time_ns.copy).toBe(0);
    // Pages still in flight at the end were bounced but not yet copied up.
    expect(r.bounce.pages * 4096 - r.bounce.bytes_copied).toBeLessThanOrEqual(4 * 4096);
  });

  it('a pool smaller than the I/O in flight, with no free lowmem: submitters wait', () => {
    const r = run({
      kernel: { strategy: 'bounce', bounce_pool_pages: 4, lowmem_free_pages: 0 },
      workload: { type: 'io', tasks: 16, highmem_fraction: 1 },
      stop: { ops: 2000 },
    });
    expect(r.bounce.pool_waits).toBeGreaterThan(0);
    expect(r.bounce.pool_taken).toBe(r.bounce.pages);
  });

  it('direct copies nothing and flushes nothing', () => {
    const r = run({
      machine: { cpus: 4, pae: true, highmem: '7GiB' },
      kernel: { strategy: 'direct' },
      device: { dma_limit: '64bit' },
      workload: { type: 'io', highmem_fraction: 1 },
      stop: { ops: 3000 },
    });
    expect(r.bounce.pages).toBe(0);
    expect(r.bounce.bytes_copied).toBe(0);
    expect(r.tlb.shootdowns).toBe(0);
    expect(r.tlb.local_flushes).toBe(0);
    expect(r.tlb.ipis_sent).toBe(0);
  });

  it('direct with a 32-bit DMA limit still bounces the pages above 4 GiB', () => {
    const r = run({
      machine: { cpus: 2, pae: true, highmem: '7GiB' },
      kernel: { strategy: 'direct' },
      device: { dma_limit: '32bit' },
      workload: { type: 'io', highmem_fraction: 1 },
      stop: { ops: 3000 },
    });
    const above = (7 * 1024 + 896 - 4096) / (7 * 1024); // share of highmem above 4 GiB
    expect(r.bounce.pages / 3000).toBeGreaterThan(above - 0.05);
    expect(r.bounce.pages / 3000).toBeLessThan(above + 0.05);
  });
});

describe('TLB coherence', () => {
  const strategies = ['bounce', 'vmap', 'vmap_lazy', 'kmap', 'direct'] as const;
  const apis = ['kmap', 'kmap_atomic', 'vmap', 'vmap_lazy'] as const;

  it('correct strategies never produce a stale TLB access (randomised scenarios)', () => {
    fc.assert(
      fc.property(
        fc.record({
          cpus: fc.integer({ min: 1, max: 6 }),
          tasks: fc.integer({ min: 1, max: 10 }),
          pae: fc.boolean(),
          spinlock: fc.constantFrom('tas', 'ticket'),
          tlb: fc.constantFrom(8, 64, 4096),
          flush: fc.constantFrom('flush_tlb_all', 'flush_tlb_kernel_range'),
          vmapBlock: fc.boolean(),
          irq: fc.constantFrom('cpu0', 'submitter', 'round_robin'),
          io: fc.boolean(),
          strategy: fc.constantFrom(...strategies),
          api: fc.constantFrom(...apis),
          pages: fc.integer({ min: 1, max: 40 }),
          ws: fc.integer({ min: 50, max: 5000 }),
          zipf: fc.boolean(),
          seed: fc.integer({ min: 0, max: 1000 }),
        }),
        (p) => {
          const r = run({
            seed: p.seed,
            machine: { cpus: p.cpus, pae: p.pae, spinlock: p.spinlock, tlb_entries: p.tlb },
            kernel: { strategy: p.strategy, tlb_flush: p.flush, vmap_block: p.vmapBlock },
            device: { irq: p.irq, latency: 'exp(20us)', bandwidth: '1GiB/s' },
            workload: p.io
              ? {
                  type: 'io',
                  tasks: p.tasks,
                  outstanding: 1 + (p.pages % 3),
                  size: `${4 * (1 + (p.pages % 4))}KiB`,
                  touch_per_page: '100ns',
                  working_set_pages: p.ws,
                  locality: p.zipf ? 'zipf(1.1)' : 'uniform',
                }
              : {
                  type: 'maptorture',
                  tasks: p.tasks,
                  api: p.api,
                  pages: p.pages,
                  working_set_pages: p.ws,
                  locality: p.zipf ? 'zipf(1.1)' : 'uniform',
                },
            stop: { ops: 1500 },
          });
          expect(r.tlb.stale_accesses).toBe(0);
          expect(r.tlb.faults).toBe(0);
        },
      ),
      { numRuns: 40, seed: 20001 },
    );
  });

  it('skip_pkmap_flush makes the TLB checker report stale accesses', () => {
    const scenario = (inject_bug: string) =>
      run({
        machine: { cpus: 2, tlb_entries: 4096 },
        kernel: { inject_bug },
        workload: { type: 'maptorture', api: 'kmap', tasks: 2, working_set_pages: 50000 },
        stop: { ops: 8000 },
      });
    expect(scenario('none').tlb.stale_accesses).toBe(0);
    expect(scenario('skip_pkmap_flush').tlb.stale_accesses).toBeGreaterThan(0);
  });

  for (const api of ['vmap', 'vmap_lazy'] as const) {
    it(`skip_vfree_flush makes the TLB checker report stale accesses (${api})`, () => {
      const scenario = (inject_bug: string) =>
        run({
          machine: { cpus: 2, tlb_entries: 65536 },
          kernel: { inject_bug },
          workload: { type: 'maptorture', api, tasks: 2, pages: 4, working_set_pages: 50000 },
          stop: { ops: 30000 },
        });
      expect(scenario('none').tlb.stale_accesses).toBe(0);
      expect(scenario('skip_vfree_flush').tlb.stale_accesses).toBeGreaterThan(0);
    });
  }
});

describe('kernel.last_pkmap (Bligh 2002: a 4096-entry pool instead of 1024)', () => {
  // One task mapping uniformly drawn pages one at a time: nearly every kmap needs a new
  // slot, so flush_all_zero_pkmaps runs about once per LAST_PKMAP kmaps.
  const scenario = (lastPkmap: number) => ({
    machine: { cpus: 2, pae: false },
    kernel: { last_pkmap: lastPkmap },
    workload: { type: 'maptorture', tasks: 1, api: 'kmap', pages: 1, working_set_pages: 800_000 },
    stop: { ops: 3 * 4096 },
  });

  it('resolves the pool size into the pool the kernel uses', () => {
    const r = run(scenario(4096));
    expect(r.scenario.kernel.last_pkmap).toBe(4096);
    expect(r.kmap.kmaps).toBeGreaterThanOrEqual(3 * 4096);
    // ~3 wraps of 4096 slots (a few hits on still-mapped pages may save one).
    expect(r.kmap.flushes).toBeGreaterThanOrEqual(2);
    expect(r.kmap.flushes).toBeLessThanOrEqual(3);
  });

  it('a four times larger pool flushes about four times less often', () => {
    const small = run(scenario(1024)).kmap.flushes;
    const large = run(scenario(4096)).kmap.flushes;
    expect(small).toBeGreaterThanOrEqual(11);
    expect(small).toBeLessThanOrEqual(12);
    expect(small / large).toBeGreaterThanOrEqual(3.5);
  });

  it('the pool refuses a size the kernel could not have (LAST_PKMAP_MASK needs a power of two)', () => {
    const sim = new Simulator();
    const m = new Machine(sim, { cpus: 1, spinlock: 'ticket', tlbEntries: 64, costs: presetCosts('modern'), seed: 1 });
    expect(() => new PkmapPool(m, new PagePool(8, 1, 896 << 20, 3 << 30), { pae: false, lastPkmap: 1000, skipFlush: false })).toThrow(
      /power of two/,
    );
  });
});
