/**
 * kernel.version: each version's defaults (as read in that kernel's sources), an explicit
 * field beating the version, and the mechanisms that differ between versions.
 */
import { describe, expect, it } from 'vitest';
import type { ProcessBody } from '../../src/engine/process.js';
import { Simulator } from '../../src/engine/sim.js';
import { Task } from '../../src/cpu/task.js';
import { presetCosts } from '../../src/kernel/costs.js';
import { Machine } from '../../src/kernel/machine.js';
import { flush_tlb_all } from '../../src/kernel/tlbflush.js';
import { VERSION_TABLE } from '../../src/kernel/versions.js';
import { main } from '../../src/cli/main.js';
import { runScenario } from '../../src/model/run.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { fakeIo } from '../cli/helpers.js';

function resolve(raw: Record<string, unknown>) {
  return resolveScenario(raw, 'test');
}

function run(raw: Record<string, unknown>) {
  return runScenario(resolve(raw));
}

// What each kernel's source says (src/kernel/versions.ts cites file and function), written
// out here on purpose rather than read from the table under test.
// 6.15 on its Milan preset (and `modern`, its alias).
const V6_15 = {
  spinlock: 'qspinlock', costs_preset: 'epyc-7763-1x64-2021', vmlist_lock: true, vmalloc_map_lock: 'none', vmalloc_flush_on_map: false,
  // INVLPGB is x86-64 only: with the default highmem (a 32-bit kernel) the IPI flush.
  tlb_flush: 'flush_tlb_kernel_range', flush_concurrent_local: true, smp_call_function: 'generic', bounce_pool_pages: 64,
  bounce_write_copy: 'kmap_local', bounce_read_irqs_off: false, bounce_alloc_wait: 'sleep', device_irqs_nest: false,
  kunmap_atomic_flush: true,
  nr_cpus: 8,
  completion_context: 'softirq', block_lock: 'queue_lock', kmap_local: true,
} as const;

const EXPECTED = {
  '2.3.40': {
    spinlock: 'tas', costs_preset: 'era2000', vmlist_lock: false, vmalloc_map_lock: 'none', vmalloc_flush_on_map: true,
    tlb_flush: 'flush_tlb_all', flush_concurrent_local: false, smp_call_function: 'call_lock', bounce_pool_pages: 0,
    bounce_write_copy: 'atomic', bounce_read_irqs_off: false, bounce_alloc_wait: 'sleep', device_irqs_nest: true,
    kunmap_atomic_flush: true,
    nr_cpus: 32,
    completion_context: 'bh', block_lock: 'io_request_lock', kmap_local: false,
  },
  '2.4.0': {
    spinlock: 'tas', costs_preset: 'era2000', vmlist_lock: true, vmalloc_map_lock: 'kernel_flag', vmalloc_flush_on_map: true,
    tlb_flush: 'flush_tlb_all', flush_concurrent_local: false, smp_call_function: 'call_lock', bounce_pool_pages: 0,
    bounce_write_copy: 'atomic_irqs_off', bounce_read_irqs_off: true, bounce_alloc_wait: 'busy_retry', device_irqs_nest: true,
    kunmap_atomic_flush: true,
    nr_cpus: 32,
    completion_context: 'bh', block_lock: 'io_request_lock', kmap_local: false,
  },
  '2.4.16': {
    spinlock: 'tas', costs_preset: 'era2000', vmlist_lock: true, vmalloc_map_lock: 'page_table_lock', vmalloc_flush_on_map: false,
    tlb_flush: 'flush_tlb_all', flush_concurrent_local: false, smp_call_function: 'call_lock', bounce_pool_pages: 32,
    bounce_write_copy: 'atomic', bounce_read_irqs_off: true, bounce_alloc_wait: 'yield_retry', device_irqs_nest: true,
    kunmap_atomic_flush: false,
    nr_cpus: 32,
    completion_context: 'bh', block_lock: 'io_request_lock', kmap_local: false,
  },
  '2.6.27': {
    spinlock: 'ticket', costs_preset: 'opteron-2x4-2008', vmlist_lock: true, vmalloc_map_lock: 'none', vmalloc_flush_on_map: false,
    tlb_flush: 'flush_tlb_all', flush_concurrent_local: false, smp_call_function: 'generic', bounce_pool_pages: 64,
    bounce_write_copy: 'kmap', bounce_read_irqs_off: true, bounce_alloc_wait: 'sleep', device_irqs_nest: true,
    kunmap_atomic_flush: true,
    nr_cpus: 64,
    completion_context: 'softirq', block_lock: 'queue_lock', kmap_local: false,
  },
  '2.6.28': {
    spinlock: 'ticket', costs_preset: 'opteron-2x4-2008', vmlist_lock: true, vmalloc_map_lock: 'none', vmalloc_flush_on_map: false,
    tlb_flush: 'flush_tlb_all', flush_concurrent_local: false, smp_call_function: 'generic', bounce_pool_pages: 64,
    bounce_write_copy: 'kmap', bounce_read_irqs_off: true, bounce_alloc_wait: 'sleep', device_irqs_nest: true,
    kunmap_atomic_flush: true,
    nr_cpus: 64,
    completion_context: 'softirq', block_lock: 'queue_lock', kmap_local: false,
  },
  // 5.10 LTS: the local flush still after the IPI round (concurrent from 5.13), kmap_atomic bounce copies.
  '5.10': {
    spinlock: 'qspinlock', costs_preset: 'xeon-8380-2x40-2021', vmlist_lock: true, vmalloc_map_lock: 'none', vmalloc_flush_on_map: false,
    tlb_flush: 'flush_tlb_kernel_range', flush_concurrent_local: false, smp_call_function: 'generic', bounce_pool_pages: 64,
    bounce_write_copy: 'atomic', bounce_read_irqs_off: false, bounce_alloc_wait: 'sleep', device_irqs_nest: false,
    kunmap_atomic_flush: true,
    nr_cpus: 8,
    completion_context: 'softirq', block_lock: 'queue_lock', kmap_local: false,
  },
  '6.6': {
    spinlock: 'qspinlock', costs_preset: 'xeon-8380-2x40-2021', vmlist_lock: true, vmalloc_map_lock: 'none', vmalloc_flush_on_map: false,
    tlb_flush: 'flush_tlb_kernel_range', flush_concurrent_local: true, smp_call_function: 'generic', bounce_pool_pages: 64,
    bounce_write_copy: 'kmap_local', bounce_read_irqs_off: false, bounce_alloc_wait: 'sleep', device_irqs_nest: false,
    kunmap_atomic_flush: true,
    nr_cpus: 8,
    completion_context: 'softirq', block_lock: 'queue_lock', kmap_local: true,
  },
  // 6.12 on a Milan: the CPU has INVLPGB, the kernel does not use it for kernel flushes yet.
  '6.12': {
    spinlock: 'qspinlock', costs_preset: 'epyc-7763-1x64-2021', vmlist_lock: true, vmalloc_map_lock: 'none', vmalloc_flush_on_map: false,
    tlb_flush: 'flush_tlb_kernel_range', flush_concurrent_local: true, smp_call_function: 'generic', bounce_pool_pages: 64,
    bounce_write_copy: 'kmap_local', bounce_read_irqs_off: false, bounce_alloc_wait: 'sleep', device_irqs_nest: false,
    kunmap_atomic_flush: true,
    nr_cpus: 8,
    completion_context: 'softirq', block_lock: 'queue_lock', kmap_local: true,
  },
  // 6.15 on its Milan preset: INVLPGB for kernel range flushes.
  '6.15': V6_15,
  // An alias of 6.15: the same row.
  modern: V6_15,
} as const;

describe('kernel.version defaults', () => {
  for (const [version, want] of Object.entries(EXPECTED)) {
    it(`${version} resolves to its kernel's settings, each sourced from the version`, () => {
      const s = resolve({ kernel: { version } });
      const k = s.kernel;
      expect({
        spinlock: s.machine.spinlock,
        costs_preset: s.costs_preset,
        vmlist_lock: k.vmlist_lock,
        vmalloc_map_lock: k.vmalloc_map_lock,
        vmalloc_flush_on_map: k.vmalloc_flush_on_map,
        tlb_flush: k.tlb_flush,
        flush_concurrent_local: k.flush_concurrent_local,
        smp_call_function: k.smp_call_function,
        bounce_pool_pages: k.bounce_pool_pages,
        bounce_write_copy: k.bounce_write_copy,
        bounce_read_irqs_off: k.bounce_read_irqs_off,
        bounce_alloc_wait: k.bounce_alloc_wait,
        device_irqs_nest: k.device_irqs_nest,
        kunmap_atomic_flush: k.kunmap_atomic_flush,
        nr_cpus: k.nr_cpus,
        completion_context: k.completion_context,
        block_lock: k.block_lock,
        kmap_local: k.kmap_local,
      }).toEqual(want);
      expect(k.version).toBe(version);
      const label = version === 'modern' ? 'modern \\(= 6\\.15\\)' : version.replace(/\./g, '\\.');
      for (const src of Object.values(s.version_source)) expect(src).toMatch(new RegExp(`^kernel\\.version ${label}: \\S`));
    });
  }

  it('an explicit field beats the version, and says so', () => {
    const s = resolve({
      machine: { spinlock: 'ticket' },
      costs: { preset: 'modern' },
      kernel: { version: '2.3.40', vmlist_lock: true, vmalloc_flush_on_map: false, bounce_pool_pages: 32, smp_call_function: 'generic' },
    });
    expect(s.machine.spinlock).toBe('ticket');
    expect(s.costs_preset).toBe('modern');
    expect(s.kernel.vmlist_lock).toBe(true);
    expect(s.kernel.vmalloc_flush_on_map).toBe(false);
    expect(s.kernel.bounce_pool_pages).toBe(32);
    expect(s.kernel.smp_call_function).toBe('generic');
    for (const k of ['spinlock', 'costs_preset', 'vmlist_lock', 'vmalloc_flush_on_map', 'bounce_pool_pages', 'smp_call_function'] as const) {
      expect(s.version_source[k]).toBe('scenario override');
    }
    // The fields left out still come from 2.3.40.
    expect(s.kernel.bounce_write_copy).toBe('atomic');
    expect(s.version_source.bounce_write_copy).toMatch(/^kernel\.version 2\.3\.40: mm\/highmem\.c copy_from_high_bh/);
  });
});

describe('run --verbose', () => {
  it('prints each version-derived setting, its value, and whether the version or the scenario set it', async () => {
    const { io, out } = fakeIo({ env: {} });
    const code = await main(['run', 'lkml-2000-4way', '--verbose', '--set', 'stop.ops=5', '--set', 'kernel.bounce_pool_pages=8'], io);
    expect(code).toBe(0);
    const text = out.join('');
    expect(text).toContain('# settings from kernel.version 2.3.40');
    expect(text).toMatch(/^kernel\.vmlist_lock +false +version +mm\/vmalloc\.c get_vm_area\/vfree: no lock at all/m);
    expect(text).toMatch(/^machine\.spinlock +tas +version +include\/asm-i386\/spinlock\.h/m);
    expect(text).toMatch(/^kernel\.bounce_pool_pages +8 +scenario *$/m);
  });
});

describe('vmap_lazy exists from 2.6.28', () => {
  it('is refused on 2.4.16 with one line naming the field, the version and the allowed values (exit 2)', async () => {
    const { io, out, err } = fakeIo({ env: {} });
    const code = await main(['run', 'lkml-2000-4way', '--set', 'kernel.version=2.4.16', '--set', 'kernel.strategy=vmap_lazy'], io);
    expect(code).toBe(2);
    expect(out.join('')).toBe('');
    expect(err.join('')).toBe(
      '--set: kernel.strategy: expected one of bounce, vmap, kmap, direct with kernel.version 2.4.16 (vmap_lazy exists from 2.6.28), got vmap_lazy\n',
    );
  });

  it('is refused as a maptorture api before 2.6.28 and accepted from it', () => {
    expect(() => resolve({ kernel: { version: '2.6.27' }, workload: { type: 'maptorture', api: 'vmap_lazy' } })).toThrow(
      'test: workload.api: expected one of kmap, kmap_atomic, vmap, vmalloc with kernel.version 2.6.27 (vmap_lazy exists from 2.6.28), got vmap_lazy',
    );
    expect(resolve({ kernel: { version: '2.6.28' }, workload: { type: 'maptorture', api: 'vmap_lazy' } }).workload).toMatchObject({ api: 'vmap_lazy' });
  });
});

describe('eager vmalloc by version (maptorture, api vmap, one page per round)', () => {
  const OPS = 400;
  /** |actual − expected| ≤ slack: counts cut by the stop while a task is between two steps. */
  const within = (actual: number, expected: number, slack: number) => {
    expect(actual).toBeGreaterThanOrEqual(expected - slack);
    expect(actual).toBeLessThanOrEqual(expected + slack);
  };
  const vmap = (version: string) =>
    run({
      machine: { cpus: 4 },
      kernel: { version },
      workload: { type: 'maptorture', api: 'vmap', pages: 1, think: '2us', working_set_pages: 1000 },
      stop: { ops: OPS },
    });

  it('2.3.40 flushes every TLB on map and on free, and takes no vmlist_lock', () => {
    const r = vmap('2.3.40');
    const rounds = r.vmap.allocs + r.vmap.frees;
    expect(r.vmap.frees).toBeGreaterThanOrEqual(OPS);
    // One round per map and per free; at the stop each of the 4 tasks may have one counted
    // map or free whose round has not started yet.
    expect(r.tlb.shootdowns).toBeLessThanOrEqual(rounds);
    expect(r.tlb.shootdowns).toBeGreaterThanOrEqual(rounds - 4);
    expect(r.tlb.ipis_sent / r.ops.completed).toBeCloseTo(6, 1); // 2 rounds × (N−1 = 3)
    expect(r.locks.vmlist_lock).toBeUndefined();
  });

  it('2.4.16 flushes only on free, under write_lock(&vmlist_lock)', () => {
    const r = vmap('2.4.16');
    // At the stop each of the 4 tasks may be between a counted step and its lock or round.
    within(r.tlb.shootdowns, r.vmap.frees, 4);
    expect(r.tlb.ipis_sent).toBe(3 * r.tlb.shootdowns);
    expect(r.tlb.ipis_sent / r.ops.completed).toBeLessThan(3 + 0.1);
    within(r.locks.vmlist_lock!.acquisitions, r.vmap.allocs + r.vmap.frees, 4);
    within(r.locks['init_mm.page_table_lock']!.acquisitions, r.vmap.allocs, 4);
  });

  it('2.4.0 flushes on map too, and writes the PTEs under the big kernel lock', () => {
    const r = vmap('2.4.0');
    within(r.tlb.shootdowns, r.vmap.allocs + r.vmap.frees, 4);
    within(r.locks.kernel_flag!.acquisitions, r.vmap.allocs, 4);
    within(r.locks.vmlist_lock!.acquisitions, r.vmap.allocs + r.vmap.frees, 4);
  });
});

describe('cited source text', () => {
  it('2.3.40 takes its smp_call_function lock with spin_lock_bh, like 2.4 (arch/i386/kernel/smp.c:462)', () => {
    expect(VERSION_TABLE['2.3.40'].smp_call_function.source).toMatch(/spin_lock_bh\(&lock\)/);
    expect(VERSION_TABLE['2.4.16'].smp_call_function.source).toMatch(/spin_lock_bh\(&call_lock\)/);
  });

  it('2.6.27 and 2.6.28 run on the 2008 Opteron preset (Piggin\'s box), not 2024 costs', () => {
    for (const v of ['2.6.27', '2.6.28'] as const) {
      expect(VERSION_TABLE[v].costs_preset.value).toBe('opteron-2x4-2008');
      expect(VERSION_TABLE[v].costs_preset.source).toMatch(/Piggin/);
    }
  });
});

describe('kunmap_atomic by version (maptorture, api kmap_atomic)', () => {
  const atomic = (version: string, extra: Record<string, unknown> = {}) =>
    run({
      machine: { cpus: 2 },
      kernel: { version, ...extra },
      workload: { type: 'maptorture', api: 'kmap_atomic', pages: 1, think: '2us', working_set_pages: 1000 },
      stop: { ops: 200 },
    });

  it('2.3.40 and 2.4.0 (HIGHMEM_DEBUG 1) invlpg on unmap as well as on map; 2.4.16 only on map', () => {
    for (const v of ['2.3.40', '2.4.0']) {
      const r = atomic(v);
      expect(r.kmap.atomic).toBeGreaterThan(0);
      // One invlpg per map and one per unmap; a task stopped between the two owes one.
      expect(r.tlb.page_flushes).toBeGreaterThanOrEqual(2 * r.kmap.atomic - 2);
      expect(r.tlb.page_flushes).toBeLessThanOrEqual(2 * r.kmap.atomic);
    }
    const r = atomic('2.4.16');
    expect(r.tlb.page_flushes).toBe(r.kmap.atomic);
    const off = atomic('2.3.40', { kunmap_atomic_flush: false });
    expect(off.tlb.page_flushes).toBe(off.kmap.atomic);
  });
});

type RunResult = ReturnType<typeof run>;
const share = (r: RunResult, cat: 'spin' | 'idle' | 'sched') => r.cpus[0]!.time_ns[cat] / r.sim_time_ns;

describe('bounce pool exhaustion by version', () => {
  // One CPU, one writer, a 2-page pool and no free lowmem: every third page waits for a
  // completion to give one back.
  const exhaust = (version: string, tasks = 1) =>
    run({
      machine: { cpus: 1 },
      kernel: { version, strategy: 'bounce', bounce_pool_pages: 2, lowmem_free_pages: 0 },
      device: { latency: '200us', bandwidth: '1GiB/s' },
      workload: { type: 'io', tasks, size: '16KiB', read_fraction: 0, highmem_fraction: 1 },
      stop: { ops: 200 },
    });

  it('2.4.16 burns the CPU in its yield-and-retry loop, 2.6.27 sleeps in mempool_alloc', () => {
    const y = exhaust('2.4.16');
    const s = exhaust('2.6.27');
    expect(y.bounce.pool_waits).toBeGreaterThan(50);
    expect(s.bounce.pool_waits).toBeGreaterThan(50);
    // The writer waits for a page, then sleeps on its I/O: roughly half the run each.
    // 2.4.16: the first half is CPU time, spent in the loop (spin); 2.6: it sleeps, the CPU idles.
    expect(share(y, 'spin')).toBeGreaterThan(0.4);
    expect(share(s, 'spin')).toBeLessThan(0.01);
    expect(share(s, 'idle')).toBeGreaterThan(share(y, 'idle') + 0.4);
  });

  it('2.4.0 retries without scheduling: also CPU burnt', () => {
    const b = exhaust('2.4.0');
    expect(b.bounce.pool_waits).toBeGreaterThan(50);
    expect(share(b, 'spin')).toBeGreaterThan(0.4);
  });

  it('2.4.16 with two writers on the CPU: they yield to each other and the CPU never idles', () => {
    const r = exhaust('2.4.16', 2);
    expect(r.cpus[0]!.context_switches).toBeGreaterThan(10 * r.bounce.pool_waits);
    expect(share(r, 'idle')).toBeLessThan(0.01);
    expect(share(r, 'spin') + share(r, 'sched')).toBeGreaterThan(0.8);
  });
});

describe('bounce WRITE copy by version', () => {
  const writes = (version: string) =>
    run({
      machine: { cpus: 2 },
      kernel: { version, strategy: 'bounce' },
      workload: { type: 'io', read_fraction: 0, highmem_fraction: 1 },
      stop: { ops: 300 },
    });

  it('2.6 copies through kmap() (the persistent pool), 2.4 through kmap_atomic', () => {
    const k = writes('2.6.27');
    expect(k.kmap.kmaps).toBe(k.bounce.pages);
    expect(k.kmap.atomic).toBe(0);
    const a = writes('2.4.16');
    expect(a.kmap.kmaps).toBe(0);
    expect(a.kmap.atomic).toBe(a.bounce.pages);
  });
});

describe('smp_call_function: call_lock (2.4) vs generic IPIs (2.6.26+)', () => {
  function twoInitiators(kind: 'call_lock' | 'generic') {
    const sim = new Simulator();
    const costs = presetCosts('modern');
    const m = new Machine(sim, { cpus: 4, spinlock: 'ticket', tlbEntries: 64, costs, seed: 1, smpCallFunction: kind });
    const done: number[] = [];
    for (const cpu of [0, 1]) {
      const t = new Task(cpu, `t${cpu}`, m.cpus[cpu]!, m.stream(`task:${cpu}`));
      t.start(
        (function* (): ProcessBody {
          yield* flush_tlb_all(t, m);
          done.push(sim.now);
        })(),
      );
    }
    sim.run();
    // One round: send, delivery, IRQ entry, the remote flush (the ack precedes IRQ exit; the
    // receivers' working-set refill comes with their next access, not in the handler).
    const round = costs.ipi_send + costs.ipi_latency + Math.ceil(costs.irq_entry_exit / 2) + costs.tlb_flush_full;
    return { m, done, round };
  }

  it('2.4: the second initiator waits on call_lock for the whole first round', () => {
    const { m, done, round } = twoInitiators('call_lock');
    expect(m.lockstat.get('call_lock').toJSON().contentions).toBe(1);
    expect(Math.max(...done)).toBeGreaterThanOrEqual(2 * round);
  });

  it('generic: both rounds run at once; call_function_lock is held only to queue the call', () => {
    const { m, done, round } = twoInitiators('generic');
    expect(m.tlbStats.ipisSent).toBe(6);
    expect(m.tlbStats.shootdowns).toBe(2);
    // Both finish before two back-to-back rounds would, and sooner than 2.4's call_lock lets
    // them (the receivers still run the two flush handlers one after the other).
    expect(Math.max(...done)).toBeLessThan(2 * round);
    expect(Math.max(...done)).toBeLessThan(Math.max(...twoInitiators('call_lock').done));
    const cfl = m.lockstat.get('call_function_lock').toJSON();
    expect(cfl.wait_ns.max).toBeLessThan(round / 4);
    expect(m.lockstat.get('call_lock').toJSON().acquisitions).toBe(0);
  });
});

describe('vmalloc settings of today\'s kernels', () => {
  it('5.10 splits the free lock and purges in the freer; 6.6 adds the purge lock and the kworker; 6.12 and 6.15 have vmap nodes', () => {
    const of = (version: string) => {
      const k = resolve({ kernel: { version } }).kernel;
      return [k.vmap_area_locking, k.vmap_purge_context, k.vb_alloc_scan];
    };
    expect(of('5.10')).toEqual(['split_free_lock', 'caller', false]);
    expect(of('6.6')).toEqual(['split_purge_lock', 'kworker', false]);
    expect(of('6.12')).toEqual(['vmap_nodes', 'kworker', false]);
    expect(of('6.15')).toEqual(['vmap_nodes', 'kworker', false]);
    expect(of('2.6.28')).toEqual(['vmap_area_lock', 'caller', true]);
  });
});
