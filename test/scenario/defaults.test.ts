import { describe, expect, it } from 'vitest';
import { COST_KEYS, COST_TABLE, presetCosts } from '../../src/kernel/costs.js';
import type { ResolvedScenario } from '../../src/scenario/schema.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { resolve } from './helpers.js';

const MiB = 1024 * 1024;

describe('defaults', () => {
  it('an empty scenario resolves to the documented defaults', () => {
    const expected: ResolvedScenario = {
      name: 'x',
      description: '',
      seed: 1,
      replications: 1,
      machine: {
        cpus: 4,
        pae: false,
        lowmem_bytes: 896 * MiB,
        highmem_bytes: 3200 * MiB,
        spinlock: 'ticket',
        tlb_entries: 64,
      },
      costs_preset: 'modern',
      costs: presetCosts('modern'),
      costs_source: Object.fromEntries(COST_KEYS.map((k) => [k, COST_TABLE[k].source])) as ResolvedScenario['costs_source'],
      kernel: {
        strategy: 'kmap',
        bounce_pool_pages: 32,
        lowmem_free_pages: null,
        vmalloc_size_bytes: 128 * MiB,
        vmap_block: true,
        lazy_max_pages: null,
        tlb_flush: 'flush_tlb_all',
        tlb_single_page_flush_ceiling: 33,
        flush_concurrent_local: false,
        inject_bug: 'none',
        device_irqs_nest: true,
      },
      device: {
        dma_limit: '32bit',
        latency: { kind: 'const', value: 100_000 },
        bandwidth_bytes_per_s: 100 * MiB,
        queue_depth: 32,
        irq: 'cpu0',
      },
      workload: {
        type: 'io',
        tasks: 4,
        think: { kind: 'const', value: 0 },
        outstanding: 1,
        size: { kind: 'const', value: 4096 },
        read_fraction: 0.5,
        working_set_pages: 65536,
        highmem_fraction: 3200 / 4096,
        locality: { kind: 'uniform' },
        touch_per_page_ns: 0,
      },
      stop: { ops: 100_000, time_ns: null, warmup: null },
    };
    expect(resolve({})).toEqual(expected);
  });

  it('the resolved scenario is plain JSON data', () => {
    const r = resolve({ stop: { time: '1ms' } });
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('name defaults to the origin base name without extension', () => {
    expect(resolveScenario({}, 'a/b/kmap-vs-vmap.yaml').name).toBe('kmap-vs-vmap');
    expect(resolveScenario({}, 'sweep').name).toBe('sweep');
    expect(resolveScenario({ name: 'given' }, 'a.json').name).toBe('given');
  });

  it('era2000 preset: era costs and test-and-set spinlocks', () => {
    const r = resolve({ costs: { preset: 'era2000' } });
    expect(r.costs).toEqual(presetCosts('era2000'));
    expect(r.costs_preset).toBe('era2000');
    expect(r.machine.spinlock).toBe('tas');
    expect(resolve({ costs: { preset: 'era2000' }, machine: { spinlock: 'ticket' } }).machine.spinlock).toBe('ticket');
  });

  it('workload defaults per type', () => {
    expect(resolve({ machine: { cpus: 8 }, workload: { type: 'locktorture' } }).workload).toEqual({
      type: 'locktorture',
      tasks: 8,
      think: { kind: 'exp', mean: 1000 },
      hold: { kind: 'exp', mean: 200 },
    });
    expect(resolve({ workload: { type: 'maptorture' } }).workload).toEqual({
      type: 'maptorture',
      tasks: 4,
      pages: 1,
      api: 'kmap',
      touch: true,
      think: { kind: 'const', value: 0 },
      working_set_pages: 65536,
      highmem_fraction: 1,
      locality: { kind: 'uniform' },
    });
    expect(resolve({ machine: { cpus: 2 }, workload: { type: 'io' } }).workload.tasks).toBe(2);
  });

  it('highmem_fraction follows the machine when not given', () => {
    const w = resolve({ machine: { lowmem: '1GiB', highmem: '3GiB' } }).workload;
    expect(w.type === 'io' && w.highmem_fraction).toBe(0.75);
    const none = resolve({ machine: { highmem: 0 }, workload: { type: 'maptorture' } }).workload;
    expect(none.type === 'maptorture' && none.highmem_fraction).toBe(0);
  });
});
