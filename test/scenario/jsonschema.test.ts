import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDistribution } from '../../src/engine/distributions.js';
import { parseDuration, parseRate, parseSize } from '../../src/engine/units.js';
import { PATTERNS, scenarioJsonSchema, scenarioJsonSchemaText } from '../../src/scenario/jsonschema.js';
import { parseLocality } from '../../src/scenario/schema.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

type Json = Record<string, unknown>;

describe('scenario.schema.json', () => {
  it('the shipped file is what the code generates (run: npx tsx scripts/gen-schema.ts)', () => {
    const shipped = fs.readFileSync(path.join(root, 'scenario.schema.json'), 'utf8');
    expect(shipped).toBe(scenarioJsonSchemaText());
  });

  it('is draft 2020-12 with strict objects everywhere', () => {
    const s = scenarioJsonSchema();
    expect(s.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(Object.keys(s.properties as Json)).toEqual([
      '$schema', 'name', 'description', 'seed', 'extends', 'replications',
      'machine', 'costs', 'kernel', 'device', 'workload', 'stop', 'uncertain',
    ]);
    const objects: Json[] = [];
    const walk = (n: unknown): void => {
      if (Array.isArray(n)) n.forEach(walk);
      else if (typeof n === 'object' && n !== null) {
        const j = n as Json;
        if (j.type === 'object') objects.push(j);
        Object.values(j).forEach(walk);
      }
    };
    walk(s);
    expect(objects.length).toBeGreaterThanOrEqual(10);
    // Strict everywhere but the uncertain: map (field path → range text; paths checked on resolve).
    const uncertain = (s.properties as Json).uncertain as Json;
    expect(uncertain.additionalProperties).toMatchObject({ type: 'string' });
    for (const o of objects) if (o !== uncertain) expect(o.additionalProperties).toBe(false);
    const workload = (s.properties as Json).workload as Json;
    expect((workload.oneOf as unknown[]).length).toBe(3);
  });

  it('unit fields are strings with a pattern and a description', () => {
    const s = scenarioJsonSchema();
    const latency = ((s.properties as Json).device as Json & { properties: Json }).properties.latency as Json;
    expect(latency.description).toMatch(/^Per-request latency\. Default: 100us\. Expected a duration or distribution/);
    const alts = latency.anyOf as Json[];
    expect(alts[0]).toEqual({ type: 'string', pattern: PATTERNS.duration_dist });
  });
});

/** Does `parse` accept s (and give a safe integer)? */
const accepts = (parse: () => unknown): boolean => {
  try {
    parse();
    return true;
  } catch {
    return false;
  }
};

const re = (k: keyof typeof PATTERNS) => new RegExp(PATTERNS[k], 'u');

describe('patterns agree with the parsers', () => {
  const num = fc.oneof(
    fc.nat(99999).map(String),
    fc.tuple(fc.nat(999), fc.nat(999)).map(([a, b]) => `${a}.${b}`),
    fc.nat(99).map((b) => `.${b}`),
    fc.constantFrom('', '.', '1.', '-1', '1e3', '0x10'),
  );
  const ws = fc.constantFrom('', ' ');
  const durUnit = fc.constantFrom('ns', 'us', 'µs', 'μs', 'ms', 's', '', 'm', 'sec', 'US');
  const sizeUnit = fc.constantFrom('B', 'KiB', 'MiB', 'GiB', '', 'KB', 'k', 'b');
  const dur = fc.tuple(ws, num, ws, durUnit, ws).map((p) => p.join(''));
  const size = fc.tuple(ws, num, ws, sizeUnit, ws).map((p) => p.join(''));
  const dist = (v: fc.Arbitrary<string>) =>
    fc.oneof(
      v,
      fc.tuple(fc.constantFrom('const', 'exp', 'poisson'), v).map(([f, a]) => `${f}(${a})`),
      fc.tuple(fc.constantFrom('uniform', 'normal', 'lognormal', 'exp'), v, v).map(([f, a, b]) => `${f}(${a},${b})`),
    );
  const TOO_LARGE = /too large/;
  const agree = (pattern: RegExp, parse: (s: string) => unknown) => (s: string) => {
    let ok = true;
    let tooLarge = false;
    try {
      parse(s);
    } catch (e) {
      ok = false;
      tooLarge = TOO_LARGE.test((e as Error).message);
    }
    if (ok) expect(pattern.test(s), `pattern should accept ${JSON.stringify(s)}`).toBe(true);
    else if (!tooLarge) expect(pattern.test(s), `pattern should reject ${JSON.stringify(s)}`).toBe(false);
  };

  it('duration', () => {
    fc.assert(fc.property(dur, agree(re('duration'), parseDuration)), { numRuns: 2000, seed: 111 });
  });
  it('size', () => {
    fc.assert(fc.property(size, agree(re('size'), parseSize)), { numRuns: 2000, seed: 112 });
  });
  it('rate', () => {
    const rate = fc.tuple(size, fc.constantFrom('/s', '', '/sec')).map(([a, b]) => a + b);
    fc.assert(fc.property(rate, agree(re('rate'), parseRate)), { numRuns: 2000, seed: 113 });
  });
  it('duration distribution (every accepted text matches)', () => {
    fc.assert(
      fc.property(dist(dur), (s) => {
        if (accepts(() => parseDistribution(s, 'duration'))) expect(re('duration_dist').test(s), s).toBe(true);
      }),
      { numRuns: 2000, seed: 114 },
    );
  });
  it('size distribution (every accepted text matches)', () => {
    fc.assert(
      fc.property(dist(size), (s) => {
        if (accepts(() => parseDistribution(s, 'size'))) expect(re('size_dist').test(s), s).toBe(true);
      }),
      { numRuns: 2000, seed: 115 },
    );
  });
  it('locality', () => {
    for (const s of ['uniform', 'zipf(1)', 'zipf(0.99)', ' zipf( 1.2 ) ', 'zipf(1e-3)']) {
      expect(parseLocality(s), s).toBeDefined();
      expect(re('locality').test(s), s).toBe(true);
    }
    for (const s of ['zipf', 'zipf()', 'zipf(-1)', 'random', 'Uniform']) {
      expect(parseLocality(s), s).toBeUndefined();
      expect(re('locality').test(s), s).toBe(false);
    }
  });
});
