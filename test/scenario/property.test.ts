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

/**
 * The other half: junk must not be silently accepted. Each case is a valid scenario with one
 * field set to a value that is wrong by construction; the resolver must refuse it, naming
 * that field.
 */
describe('junk is rejected, naming the field', () => {
  const BASES: RawObject[] = [
    {},
    { name: 'n', machine: { cpus: 2 } },
    { kernel: { strategy: 'vmap' }, workload: { type: 'io', tasks: 4 }, stop: { ops: 100 } },
    { workload: { type: 'locktorture' }, stop: { time: '1ms' } },
    { workload: { type: 'maptorture', pages: 2 }, machine: { pae: true } },
  ];
  const notIn = (allowed: readonly string[]) => fc.string({ maxLength: 10 }).filter((s) => !allowed.includes(s));
  const notAnInteger = fc.oneof(
    fc.double({ noNaN: true }).filter((x) => !Number.isInteger(x)),
    fc.string({ maxLength: 6 }),
    fc.boolean(),
    fc.array(fc.integer(), { maxLength: 2 }),
  );
  const positiveIntField = fc.oneof(fc.integer({ min: -1_000_000, max: 0 }), notAnInteger);
  /** [dotted path, wrong value, extra settings the path needs] */
  const bad: fc.Arbitrary<[string, unknown, RawObject]> = fc.oneof(
    fc.tuple(fc.constant('machine.cpus'), fc.oneof(positiveIntField, fc.integer({ min: 4097, max: 1e9 })), fc.constant({})),
    fc.tuple(fc.constant('machine.spinlock'), notIn(['tas', 'ticket']), fc.constant({})),
    fc.tuple(fc.constant('machine.pae'), fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), fc.constant({})),
    fc.tuple(fc.constant('machine.tlb_entries'), positiveIntField, fc.constant({})),
    fc.tuple(fc.constant('kernel.strategy'), notIn(['bounce', 'vmap', 'vmap_lazy', 'kmap', 'direct']), fc.constant({})),
    fc.tuple(fc.constant('costs.preset'), notIn(['era2000', 'modern']), fc.constant({})),
    fc.tuple(fc.constant('costs.ipi_latency'), fc.oneof(fc.integer({ min: 1, max: 1e6 }).map((n) => `-${n}us`), fc.integer({ min: 1 }), fc.constantFrom('fast', '5 parsecs', '')), fc.constant({})),
    fc.tuple(fc.constant('device.queue_depth'), positiveIntField, fc.constant({})),
    fc.tuple(fc.constant('device.irq'), notIn(['cpu0', 'submitter', 'round_robin']), fc.constant({})),
    fc.tuple(fc.constant('workload.type'), notIn(['io', 'locktorture', 'maptorture']), fc.constant({})),
    fc.tuple(fc.constant('workload.read_fraction'), fc.oneof(fc.double({ min: 1.0001, max: 1e6, noNaN: true }), fc.double({ min: -1e6, max: -0.0001, noNaN: true })), fc.constant({ workload: { type: 'io' } })),
    fc.tuple(fc.constant('stop.ops'), positiveIntField, fc.constant({})),
    fc.tuple(fc.constant('seed'), fc.oneof(fc.integer({ min: -1e9, max: -1 }), notAnInteger), fc.constant({})),
    fc.tuple(fc.constant('replications'), fc.oneof(fc.integer({ min: -1000, max: 0 }), fc.integer({ min: 10_001, max: 1e9 })), fc.constant({})),
    // An unknown key in any section ('zz' cannot begin a valid key).
    fc.tuple(
      fc.tuple(fc.constantFrom('', 'machine.', 'costs.', 'kernel.', 'device.', 'workload.', 'stop.'), fc.stringMatching(/^[a-z_]{0,8}$/)).map(([s, k]) => `${s}zz${k}`),
      fc.oneof(fc.integer(), fc.string({ maxLength: 4 })),
      fc.constant({}),
    ),
  );

  function withBad(base: RawObject, extra: RawObject, dotted: string, value: unknown): RawObject {
    const out = structuredClone(base);
    for (const [k, v] of Object.entries(extra)) out[k] = { ...((out[k] as RawObject | undefined) ?? {}), ...(v as RawObject) };
    // A workload field is only checked once the workload has a type.
    if (dotted.startsWith('workload.') && dotted !== 'workload.type') {
      const w = (out.workload ?? {}) as RawObject;
      out.workload = { type: 'io', ...w };
    }
    const keys = dotted.split('.');
    let o = out;
    for (const k of keys.slice(0, -1)) {
      if (typeof o[k] !== 'object' || o[k] === null) o[k] = {};
      o = o[k] as RawObject;
    }
    o[keys[keys.length - 1]!] = value;
    return out;
  }

  it('one wrong field in a valid scenario is refused with a line naming it', () => {
    for (const base of BASES) expect(() => resolveScenario(base, ORIGIN)).not.toThrow();
    fc.assert(
      fc.property(fc.constantFrom(...BASES), bad, (base, [dotted, value, extra]) => {
        const raw = withBad(base, extra, dotted, value);
        let lines: string[] | undefined;
        try {
          resolveScenario(raw, ORIGIN);
        } catch (e) {
          if (!(e instanceof ScenarioError)) throw e;
          lines = e.lines;
        }
        expect(lines, `accepted ${dotted} = ${JSON.stringify(value)}`).toBeDefined();
        // An unknown key alone in an empty base is no scenario at all: not quoted (issue 20).
        const alone = Object.keys(base).length === 0 && !dotted.includes('.') && dotted.startsWith('zz');
        const want = alone ? `${ORIGIN}: not a scenario file:` : `${ORIGIN}: ${dotted}:`;
        expect(lines!.some((l) => l.startsWith(want)), lines!.join('\n')).toBe(true);
      }),
      { numRuns: 2000, seed: 111 },
    );
  });

  it('a document that is not a mapping is refused', () => {
    const notMapping = fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.array(fc.anything({ maxDepth: 1 }), { maxLength: 3 }));
    fc.assert(
      fc.property(notMapping, (v) => {
        expect(() => resolveScenario(v, ORIGIN)).toThrow(ScenarioError);
      }),
      { numRuns: 300, seed: 112 },
    );
  });
});
