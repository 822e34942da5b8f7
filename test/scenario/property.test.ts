import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/scenario/errors.js';
import { parseText, resolveScenario } from '../../src/scenario/load.js';
import { Origins, applySet, parseSetOption, type RawObject } from '../../src/scenario/merge.js';

const ORIGIN = 'junk.yaml';

/** Runs fn; anything thrown must be a ScenarioError whose every line is one well-formed line. */
function onlyScenarioErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    expect(e.problems.length).toBeGreaterThan(0);
    for (const line of e.lines) {
      expect(line).not.toMatch(/[\r\n]/);
      expect(line).toMatch(/^(junk\.yaml|--set)(:\d+:\d+)?: /);
    }
    expect(e.message).toBe(e.lines.join('\n'));
  }
}

const KEYS: Record<string, string[]> = {
  '': ['name', 'description', 'seed', 'extends', 'replications', 'machine', 'costs', 'kernel', 'device', 'workload', 'stop', '$schema', 'machin', '__proto__', 'constructor'],
  machine: ['cpus', 'pae', 'lowmem', 'highmem', 'spinlock', 'tlb_entries', 'cpuss'],
  costs: ['preset', 'ipi_latency', 'memcpy_page', 'lock_acquire', 'ipi_latncy'],
  kernel: ['strategy', 'bounce_pool_pages', 'lowmem_free_pages', 'vmalloc_size', 'vmap_block', 'lazy_max_pages', 'tlb_flush', 'tlb_single_page_flush_ceiling', 'flush_concurrent_local', 'inject_bug'],
  device: ['dma_limit', 'latency', 'bandwidth', 'queue_depth', 'irq'],
  workload: ['type', 'tasks', 'think', 'hold', 'outstanding', 'size', 'read_fraction', 'working_set_pages', 'highmem_fraction', 'locality', 'touch_per_page', 'pages', 'api', 'touch'],
  stop: ['ops', 'time', 'warmup'],
};

/** Values that are sometimes right: the validator's interesting edge. */
const plausible = fc.oneof(
  fc.constantFrom(
    0, 1, -1, 1.5, 4096, 1e300, Number.NaN, Number.POSITIVE_INFINITY, true, false, null, '', 'unlimited',
    '100us', '0', 'exp(1us)', 'uniform(1us,3us)', 'uniform(3us,1us)', 'normal(1us,-1us)', 'lognormal(0ns,1ns)',
    '4KiB', '0B', '896MiB', '9999999GiB', '80MiB/s', '70%', '170%', 'zipf(1.1)', 'zipf(0)', 'kmap', 'vmap_lazy',
    'io', 'locktorture', 'maptorture', 'era2000', 'modern', 'tas', 'ticket', 'isa', '64bit', 'cpu0',
    'kmap_atomic', 'flush_tlb_all', 'skip_pkmap_flush', '__proto__', 'toString',
  ),
  fc.anything({ maxDepth: 2 }),
  fc.string({ maxLength: 12 }),
  fc.record({ ops: fc.oneof(fc.integer(), fc.string()) }, { requiredKeys: [] }),
);

const section = (name: string) =>
  fc.dictionary(fc.oneof(fc.constantFrom(...KEYS[name]!), fc.string({ maxLength: 6 })), plausible, { maxKeys: 6 });

const scenarioish: fc.Arbitrary<unknown> = fc.dictionary(
  fc.constantFrom(...KEYS['']!),
  fc.oneof(
    plausible,
    section('machine'),
    section('costs'),
    section('kernel'),
    section('device'),
    section('workload'),
    section('stop'),
  ),
  { maxKeys: 8 },
).map((o) => {
  // Usually drop extends: following it would read files relative to the test's cwd.
  const { extends: _e, ...rest } = o as RawObject;
  return rest;
});

describe('junk never throws anything but ScenarioError', () => {
  it('arbitrary values', () => {
    fc.assert(fc.property(fc.anything(), (v) => onlyScenarioErrors(() => resolveScenario(v, ORIGIN))), { numRuns: 500, seed: 106 });
  });

  it('scenario-shaped junk', () => {
    fc.assert(fc.property(scenarioish, (v) => onlyScenarioErrors(() => resolveScenario(v, ORIGIN))), { numRuns: 3000, seed: 107 });
  });

  it('scenario-shaped junk under each section, with a valid workload type', () => {
    const withType = fc.tuple(fc.constantFrom('io', 'locktorture', 'maptorture'), section('workload'), section('stop'), section('machine')).map(
      ([type, w, stop, machine]) => ({ workload: { ...w, type }, stop, machine }),
    );
    fc.assert(fc.property(withType, (v) => onlyScenarioErrors(() => resolveScenario(v, ORIGIN))), { numRuns: 3000, seed: 108 });
  });

  it('arbitrary file text', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: fc.constantFrom('a', ':', ' ', '\n', '-', '[', ']', '{', '}', '&x', '*x', '"', "'", '#', '\t', '!!', '?', '|', '>', '1'), maxLength: 60 }),
    );
    fc.assert(
      fc.property(text, (t) =>
        onlyScenarioErrors(() => {
          const data = parseText(t, ORIGIN);
          return resolveScenario(data ?? {}, ORIGIN);
        }),
      ),
      { numRuns: 3000, seed: 109 },
    );
  });

  it('arbitrary --set options', () => {
    const opt = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.tuple(fc.constantFrom('machine.cpus', 'workload.think', 'stop.warmup', 'a.b.c', '__proto__.x', 'name.x', 'workload'), fc.string({ maxLength: 12 })).map(
        ([k, v]) => `${k}=${v}`,
      ),
    );
    fc.assert(
      fc.property(fc.array(opt, { maxLength: 3 }), (opts) =>
        onlyScenarioErrors(() => {
          const raw: RawObject = { name: 'n', machine: { cpus: 2 } };
          const origins = new Origins(ORIGIN);
          for (const o of opts) applySet(raw, parseSetOption(o), origins);
          return resolveScenario(raw, ORIGIN);
        }),
      ),
      { numRuns: 2000, seed: 110 },
    );
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
