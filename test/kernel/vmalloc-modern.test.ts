/**
 * vmalloc()/vfree() of today's kernels (src/kernel/vmalloc-modern.ts), against the kernel's
 * own arithmetic (mm/vmalloc.c), not against the model:
 * - lazy_max_pages() = fls(num_online_cpus()) × (32 MiB / 4 KiB): 8192, 24576, 57344 pages
 *   for 1, 4, 64 CPUs; the purge fires on the first vfree() that takes vmap_lazy_nr strictly
 *   above it ("if (unlikely(nr_lazy > lazy_max_pages()))"), not one earlier;
 * - one flush_tlb_kernel_range per purge, over the union [min start, max end) of the purged
 *   areas (busy areas inside the union included), page by page up to the ceiling, full above;
 * - 6.9+ vmap nodes: CPUs whose areas lie in different nodes never contend on a busy lock,
 *   where the one vmap_area_lock of 6.6 makes the same CPUs contend;
 * - 5.18+: the freer only queues drain_vmap_work; the purge runs in the CPU's kworker at the
 *   freer's next scheduling point; 6.9+: the purged area goes back to its node's pool and
 *   the next vmalloc of that size takes no free_vmap_area_lock.
 */
import { describe, expect, it } from 'vitest';
import type { ProcessBody } from '../../src/engine/process.js';
import { Simulator } from '../../src/engine/sim.js';
import { Task } from '../../src/cpu/task.js';
import { presetCosts } from '../../src/kernel/costs.js';
import { Machine, type KernelFlushConfig } from '../../src/kernel/machine.js';
import { VmallocSpace, type VmMapping } from '../../src/kernel/vmalloc.js';
import {
  VmallocModern,
  addr_to_node_id,
  lazy_max_pages,
  nr_vmap_nodes,
  vfree,
  vmalloc,
  type VmallocModernOptions,
} from '../../src/kernel/vmalloc-modern.js';

function machine(cpus: number, tlbFlush?: KernelFlushConfig) {
  const sim = new Simulator();
  const m = new Machine(sim, { cpus, spinlock: 'ticket', tlbEntries: 64, costs: presetCosts('modern'), seed: 1, tlbFlush });
  return { sim, m };
}

function task(m: Machine, cpu: number, name: string, body: (t: Task) => ProcessBody): void {
  const t = new Task(cpu, name, m.cpus[cpu]!, m.stream(name));
  t.start(body(t));
}

const pages = (first: number, n: number) => Array.from({ length: n }, (_, i) => first + i);

function vm(m: Machine, o: Partial<VmallocModernOptions> = {}, bytes = 1 << 30): VmallocModern {
  return new VmallocModern(m, new VmallocSpace(bytes), {
    locking: 'split_free_lock',
    purgeContext: 'caller',
    lazyMaxPages: null,
    pgtableLevels: 2,
    skipFlush: false,
    ...o,
  });
}

describe('lazy_max_pages and the first purge', () => {
  it('is fls(cpus) x 8192 pages', () => {
    expect([1, 2, 3, 4, 8, 64].map(lazy_max_pages)).toEqual([8192, 16384, 16384, 24576, 32768, 57344]);
    expect([1, 8, 64, 128, 256].map(nr_vmap_nodes)).toEqual([1, 8, 64, 128, 128]);
  });

  for (const [cpus, max] of [
    [1, 8192],
    [4, 24576],
    [64, 57344],
  ] as const) {
    it(`${cpus} CPU(s): the purge fires on the vfree that takes vmap_lazy_nr above ${max}, not before`, () => {
      const { sim, m } = machine(cpus);
      const v = vm(m);
      expect(v.lazy_max_pages).toBe(max);
      // vmalloc(3 pages): 4 with the guard page; max / 4 frees reach max exactly (not above).
      const under = max / 4;
      let purgesAtMax = -1;
      task(m, 0, 'test_vmalloc', function* (t) {
        const out: { map: VmMapping | null } = { map: null };
        for (let i = 1; i <= under + 1; i++) {
          yield* vmalloc(t, v, pages(10, 3), out);
          yield* vfree(t, v, out.map!);
          if (i === under) purgesAtMax = v.stats.purges;
        }
      });
      sim.run();
      expect(purgesAtMax).toBe(0);
      expect(v.stats.purges).toBe(1);
      expect(v.stats.lastLazyNr).toBe(max + 4);
      expect(v.stats.pages).toBe(max + 4);
      expect(v.vmap_lazy_nr).toBe(0);
    });
  }
});

describe('one flush over the union per purge', () => {
  it('flushes [first, last end) once, the busy area inside the union included, page by page under the ceiling', () => {
    const { sim, m } = machine(2, { kind: 'flush_tlb_kernel_range', ceiling: 33, concurrentLocal: true });
    // lazy_max_pages 11: the third lazy area (3 x 4 pages = 12) starts the purge.
    const v = vm(m, { lazyMaxPages: 11 });
    task(m, 0, 't', function* (t) {
      const maps: VmMapping[] = [];
      for (let i = 0; i < 4; i++) {
        const out: { map: VmMapping | null } = { map: null };
        yield* vmalloc(t, v, pages(10 + 3 * i, 3), out);
        maps.push(out.map!);
      }
      // Areas at 0, 4, 8, 12 (4 pages each). Free 0, 8, 12; 4 stays busy inside the union.
      for (const i of [0, 2, 3]) yield* vfree(t, v, maps[i]!);
    });
    sim.run();
    expect(v.stats.purges).toBe(1);
    expect(v.stats.areas).toBe(3);
    expect(v.stats.pages).toBe(12);
    expect(v.stats.lastStart).toBe(0);
    expect(v.stats.lastPages).toBe(16); // [0, 16): one union, 4 pages more than were purged
    expect(m.tlbStats.shootdowns).toBe(1);
    expect(m.tlbStats.pageFlushes).toBe(2 * 16); // invlpg of 16 pages on each of the 2 CPUs
    expect(m.tlbStats.localFlushes).toBe(0);
  });

  it('a union above tlb_single_page_flush_ceiling is one full flush per CPU', () => {
    const { sim, m } = machine(2, { kind: 'flush_tlb_kernel_range', ceiling: 10, concurrentLocal: true });
    const v = vm(m, { lazyMaxPages: 11 });
    task(m, 0, 't', function* (t) {
      for (let i = 0; i < 3; i++) {
        const out: { map: VmMapping | null } = { map: null };
        yield* vmalloc(t, v, pages(10, 3), out);
        yield* vfree(t, v, out.map!);
      }
    });
    sim.run();
    expect(v.stats.purges).toBe(1);
    expect(v.stats.lastPages).toBe(12);
    expect(m.tlbStats.shootdowns).toBe(1);
    expect(m.tlbStats.pageFlushes).toBe(0);
    expect(m.tlbStats.localFlushes).toBe(2);
  });
});

describe('6.9+ vmap nodes: per-node busy locks', () => {
  const CPUS = 4;
  const ROUNDS = 200;
  /** CPUS CPUs, vmalloc(15 pages) = one 16-page zone each, ROUNDS rounds, no purge. */
  function run(locking: VmallocModernOptions['locking']) {
    const { sim, m } = machine(CPUS);
    const v = vm(m, { locking, purgeContext: 'kworker', lazyMaxPages: 1 << 20 });
    const nodesOf = Array.from({ length: CPUS }, () => new Set<number>());
    for (let cpu = 0; cpu < CPUS; cpu++) {
      task(m, cpu, `t${cpu}`, function* (t) {
        const out: { map: VmMapping | null } = { map: null };
        for (let i = 0; i < ROUNDS; i++) {
          yield* vmalloc(t, v, pages(100 * cpu, 15), out);
          nodesOf[cpu]!.add(addr_to_node_id(out.map!.vpage, CPUS));
          yield* vfree(t, v, out.map!);
        }
      });
    }
    sim.run();
    return { m, v, nodesOf };
  }

  it('CPUs allocating in different nodes never contend on a busy lock', () => {
    const { m, v, nodesOf } = run('vmap_nodes');
    expect(v.nodes.length).toBe(CPUS);
    // The premise: each CPU's areas all lie in one node, and no two CPUs share one.
    for (const s of nodesOf) expect(s.size).toBe(1);
    expect(new Set(nodesOf.map((s) => [...s][0])).size).toBe(CPUS);
    const busy = m.lockstat.get('vmap_node.busy.lock').toJSON();
    expect(busy.acquisitions).toBe(CPUS * ROUNDS * 3); // insert, setup_vmalloc_vm, find_unlink
    expect(busy.contentions).toBe(0);
  });

  it('with 6.6 (one vmap_area_lock) the same CPUs contend on it', () => {
    const { m } = run('split_purge_lock');
    const busy = m.lockstat.get('vmap_area_lock').toJSON();
    expect(busy.acquisitions).toBe(CPUS * ROUNDS * 3);
    expect(busy.contentions).toBeGreaterThan(0);
  });
});

describe('5.18+ drain_vmap_work and 6.9+ pools', () => {
  it('the crossing vfree only queues the work; the kworker purges at the next might_sleep; the area returns to the pool', () => {
    const { sim, m } = machine(2);
    const v = vm(m, { locking: 'vmap_nodes', purgeContext: 'kworker', lazyMaxPages: 7 });
    const seen: number[] = [];
    let freeLockBefore = -1;
    let freeLockAfter = -1;
    task(m, 0, 't', function* (t) {
      const out: { map: VmMapping | null } = { map: null };
      for (let i = 0; i < 2; i++) {
        yield* vmalloc(t, v, pages(10, 3), out);
        yield* vfree(t, v, out.map!); // the second takes vmap_lazy_nr to 8 > 7
        seen.push(v.stats.purges);
      }
      freeLockBefore = m.lockstat.get('free_vmap_area_lock').toJSON().acquisitions;
      yield* vmalloc(t, v, pages(10, 3), out); // might_sleep(): the kworker runs first
      freeLockAfter = m.lockstat.get('free_vmap_area_lock').toJSON().acquisitions;
      seen.push(v.stats.purges);
    });
    sim.run();
    expect(seen).toEqual([0, 0, 1]);
    expect(m.cpus[0]!.contextSwitches).toBeGreaterThanOrEqual(2); // to the kworker and back
    // The purged areas went to CPU 0's node pool (node 0); the third vmalloc took one of them
    // without free_vmap_area_lock.
    expect(freeLockAfter).toBe(freeLockBefore);
    expect(v.pooledAreas()).toBe(1);
  });

  it('5.10 (caller): the crossing vfree purges itself', () => {
    const { sim, m } = machine(2);
    const v = vm(m, { locking: 'split_free_lock', purgeContext: 'caller', lazyMaxPages: 7 });
    const seen: number[] = [];
    task(m, 0, 't', function* (t) {
      const out: { map: VmMapping | null } = { map: null };
      for (let i = 0; i < 2; i++) {
        yield* vmalloc(t, v, pages(10, 3), out);
        yield* vfree(t, v, out.map!);
        seen.push(v.stats.purges);
      }
    });
    sim.run();
    expect(seen).toEqual([0, 1]);
    expect(m.cpus[0]!.contextSwitches).toBe(0);
  });
});
