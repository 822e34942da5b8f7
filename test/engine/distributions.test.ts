import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatDistribution,
  makeSampler,
  meanOf,
  parseDistribution,
} from '../../src/engine/distributions.js';
import type { DistSpec, Sampler } from '../../src/engine/distributions.js';
import { createStream } from '../../src/engine/random.js';
import type { Rng } from '../../src/engine/random.js';
import { UnitError } from '../../src/engine/units.js';

const FORMS =
  'expected a distribution: const(x), exp(mean), uniform(lo,hi), normal(mean,sd), lognormal(mean,sd) or a bare value';
const DURATION_MSG = (got: string): string =>
  `expected a duration like "200ns", "1.5us", "3ms" or "1s" (units: ns, us, ms, s), got ${got}`;

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof UnitError) return e.message;
    throw e;
  }
  throw new Error('expected a UnitError');
}

describe('parseDistribution', () => {
  it.each<[string | number, 'duration' | 'size', DistSpec]>([
    ['exp(200ns)', 'duration', { kind: 'exp', mean: 200 }],
    [' exp( 1.5us ) ', 'duration', { kind: 'exp', mean: 1500 }],
    ['uniform(1us,3us)', 'duration', { kind: 'uniform', lo: 1000, hi: 3000 }],
    ['uniform(2us,2us)', 'duration', { kind: 'uniform', lo: 2000, hi: 2000 }],
    ['normal(10us, 2us)', 'duration', { kind: 'normal', mean: 10_000, sd: 2000 }],
    ['lognormal(10us,5us)', 'duration', { kind: 'lognormal', mean: 10_000, sd: 5000 }],
    ['const(2us)', 'duration', { kind: 'const', value: 2000 }],
    ['2us', 'duration', { kind: 'const', value: 2000 }],
    [0, 'duration', { kind: 'const', value: 0 }],
    ['4KiB', 'size', { kind: 'const', value: 4096 }],
    ['4096', 'size', { kind: 'const', value: 4096 }],
    [4096, 'size', { kind: 'const', value: 4096 }],
    ['uniform(4KiB, 64KiB)', 'size', { kind: 'uniform', lo: 4096, hi: 65_536 }],
    ['exp(1MiB)', 'size', { kind: 'exp', mean: 1024 ** 2 }],
  ])('%j (%s)', (text, unit, spec) => {
    expect(parseDistribution(text, unit)).toEqual(spec);
  });

  it.each<[string | number, 'duration' | 'size', string]>([
    ['gauss(1us)', 'duration', `${FORMS}; got "gauss(1us)"`],
    ['exp(1us,2us)', 'duration', `${FORMS}; got "exp(1us,2us)"`],
    ['uniform(1us)', 'duration', `${FORMS}; got "uniform(1us)"`],
    ['exp 200ns', 'duration', `${FORMS}; got "exp 200ns"`],
    ['', 'duration', `${FORMS}; got ""`],
    ['toString(1us)', 'duration', `${FORMS}; got "toString(1us)"`],
    ['uniform(3us,1us)', 'duration', 'uniform(lo,hi) needs lo <= hi; got "uniform(3us,1us)"'],
    ['lognormal(0ns,1us)', 'duration', 'lognormal(mean,sd) with sd > 0 needs mean > 0; got "lognormal(0ns,1us)"'],
    ['normal(10us, 2parsecs)', 'duration', `in "normal(10us, 2parsecs)": ${DURATION_MSG('"2parsecs"')}`],
    ['exp(4KiB)', 'duration', `in "exp(4KiB)": ${DURATION_MSG('"4KiB"')}`],
    ['normal(-1us,1us)', 'duration', `in "normal(-1us,1us)": ${DURATION_MSG('"-1us"')}`],
    ['12 parsecs', 'duration', DURATION_MSG('"12 parsecs"')],
    [12, 'duration', DURATION_MSG('12')],
  ])('rejects %j (%s)', (text, unit, message) => {
    expect(messageOf(() => parseDistribution(text, unit))).toBe(message);
  });

  it('rejects nonsense specs built in code', () => {
    expect(messageOf(() => makeSampler({ kind: 'normal', mean: -1, sd: 1 }))).toBe(
      'normal(mean,sd) needs mean >= 0 and sd >= 0; got {"kind":"normal","mean":-1,"sd":1}',
    );
    expect(() => makeSampler({ kind: 'exp', mean: Number.NaN })).toThrow(UnitError);
    expect(() => makeSampler({ kind: 'uniform', lo: 5, hi: 4 })).toThrow(UnitError);
  });
});

const specArb: fc.Arbitrary<DistSpec> = (() => {
  const v = fc.integer({ min: 0, max: 1e15 });
  return fc.oneof(
    v.map((value): DistSpec => ({ kind: 'const', value })),
    v.map((mean): DistSpec => ({ kind: 'exp', mean })),
    fc.tuple(v, v).map(([a, b]): DistSpec => ({ kind: 'uniform', lo: Math.min(a, b), hi: Math.max(a, b) })),
    fc.tuple(v, v).map(([mean, sd]): DistSpec => ({ kind: 'normal', mean, sd })),
    fc.tuple(fc.integer({ min: 1, max: 1e15 }), v).map(([mean, sd]): DistSpec => ({ kind: 'lognormal', mean, sd })),
  );
})();

describe('formatDistribution', () => {
  it('prints the scenario syntax', () => {
    expect(formatDistribution({ kind: 'exp', mean: 200 }, 'duration')).toBe('exp(200ns)');
    expect(formatDistribution({ kind: 'uniform', lo: 1000, hi: 3500 }, 'duration')).toBe('uniform(1us,3.5us)');
    expect(formatDistribution({ kind: 'const', value: 4096 }, 'size')).toBe('4KiB');
    expect(formatDistribution({ kind: 'lognormal', mean: 10_000, sd: 5000 }, 'duration')).toBe('lognormal(10us,5us)');
  });

  it('round-trips through parseDistribution for both units', () => {
    fc.assert(
      fc.property(specArb, fc.constantFrom('duration' as const, 'size' as const), (spec, unit) => {
        expect(parseDistribution(formatDistribution(spec, unit), unit)).toEqual(spec);
      }),
      { numRuns: 3000, seed: 103 },
    );
  });
});

interface Moments {
  mean: number;
  variance: number;
  min: number;
  allIntegers: boolean;
  anyNegativeZero: boolean;
}

const N = 200_000;

function sampleMoments(sampler: Sampler, rng: Rng, n = N): Moments {
  let sum = 0;
  let sumSq = 0;
  let min = Infinity;
  let allIntegers = true;
  let anyNegativeZero = false;
  const xs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = sampler(rng);
    xs[i] = x;
    sum += x;
    if (x < min) min = x;
    if (!Number.isInteger(x)) allIntegers = false;
    if (Object.is(x, -0)) anyNegativeZero = true;
  }
  const mean = sum / n;
  for (let i = 0; i < n; i++) sumSq += ((xs[i] as number) - mean) ** 2;
  return { mean, variance: sumSq / (n - 1), min, allIntegers, anyNegativeZero };
}

/** Truncated-at-0 normal: mean and variance (for the test's own reference, not the code's). */
function truncatedNormal(mu: number, sd: number): { mean: number; variance: number } {
  const a = -mu / sd;
  const pdf = Math.exp(-0.5 * a * a) / Math.sqrt(2 * Math.PI);
  // 1 - Phi(a) by Simpson integration of the density: independent from the code's erfc.
  const steps = 20_000;
  const hi = 12;
  const h = (hi - a) / steps;
  let s = 0;
  for (let i = 0; i <= steps; i++) {
    const z = a + i * h;
    const w = i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2;
    s += w * Math.exp(-0.5 * z * z);
  }
  const tail = (s * h) / 3 / Math.sqrt(2 * Math.PI);
  const lambda = pdf / tail;
  return { mean: mu + sd * lambda, variance: sd * sd * (1 + a * lambda - lambda * lambda) };
}

describe('makeSampler: statistics at n = 200,000', () => {
  // [text, mean, variance, kurtosis (mu4 / sigma^4)]: |mean − μ| < 4σ/√n and
  // |s² − σ²| < 4·σ²·√((κ−1)/n), the normal-approximation bounds of the two estimators.
  const tn = truncatedNormal(1000, 2000);
  const cases: [string, number, number, number][] = [
    ['exp(200ns)', 200, 200 ** 2, 9],
    ['exp(2us)', 2000, 2000 ** 2, 9],
    ['uniform(1us,3us)', 2000, 2000 ** 2 / 12, 9 / 5],
    ['normal(10us,2us)', 10_000, 2000 ** 2, 3],
    // Truncated normal: kurtosis between the normal's 3 and the half-normal's 3.87; 4 bounds it.
    ['normal(1us,2us)', tn.mean, tn.variance, 4],
  ];
  it.each(cases)('%s', (text, mu, variance, kurtosis) => {
    const spec = parseDistribution(text, 'duration');
    const m = sampleMoments(makeSampler(spec), createStream(2024, text));
    expect(m.allIntegers).toBe(true);
    expect(m.min).toBeGreaterThanOrEqual(0);
    expect(m.anyNegativeZero).toBe(false);
    expect(Math.abs(m.mean - mu)).toBeLessThan((4 * Math.sqrt(variance)) / Math.sqrt(N));
    expect(Math.abs(m.variance - variance)).toBeLessThan(4 * variance * Math.sqrt((kurtosis - 1) / N));
    expect(Math.abs(meanOf(spec) - mu)).toBeLessThan(1e-3 * mu);
  });

  it('const always returns its value', () => {
    const s = makeSampler(parseDistribution('const(2us)', 'duration'));
    const m = sampleMoments(s, createStream(1, 'const'), 1000);
    expect(m.mean).toBe(2000);
    expect(m.variance).toBe(0);
  });

  it('lognormal matches the requested mean and sd within 2%', () => {
    const spec = parseDistribution('lognormal(10us,5us)', 'duration');
    const m = sampleMoments(makeSampler(spec), createStream(2024, 'lognormal'));
    expect(m.allIntegers).toBe(true);
    expect(m.min).toBeGreaterThanOrEqual(0);
    expect(Math.abs(m.mean - 10_000) / 10_000).toBeLessThan(0.02);
    expect(Math.abs(Math.sqrt(m.variance) - 5000) / 5000).toBeLessThan(0.02);
    expect(meanOf(spec)).toBe(10_000);
  });

  it('heavy-tailed lognormal keeps the requested mean', () => {
    const m = sampleMoments(makeSampler({ kind: 'lognormal', mean: 1000, sd: 3000 }), createStream(2024, 'heavy'));
    expect(Math.abs(m.mean - 1000)).toBeLessThan((4 * 3000) / Math.sqrt(N));
  });

  it('truncated normal is never negative and has the half-normal mean at mean 0', () => {
    const spec: DistSpec = { kind: 'normal', mean: 0, sd: 5000 };
    const m = sampleMoments(makeSampler(spec), createStream(2024, 'half-normal'));
    expect(m.min).toBeGreaterThanOrEqual(0);
    expect(m.anyNegativeZero).toBe(false);
    const halfNormalMean = 5000 * Math.sqrt(2 / Math.PI);
    expect(meanOf(spec)).toBeCloseTo(halfNormalMean, 2);
    expect(Math.abs(m.mean - halfNormalMean)).toBeLessThan((4 * 5000) / Math.sqrt(N));
  });

  it('returns +0, not -0, at the edge draw u = 0', () => {
    const zero: Rng = { next: () => 0 };
    expect(Object.is(makeSampler({ kind: 'exp', mean: 200 })(zero), 0)).toBe(true);
    expect(Object.is(makeSampler({ kind: 'normal', mean: 0, sd: 10 })(zero), 0)).toBe(true);
    const almostOne: Rng = { next: () => 1 - 2 ** -32 };
    expect(makeSampler({ kind: 'uniform', lo: 10, hi: 20 })(almostOne)).toBe(20);
  });

  it('gives a stream the same draws whether or not the sampler is shared with other streams', () => {
    // Guards against caching the Box–Muller spare in the closure, which would leak values across streams.
    for (const text of ['normal(10us,2us)', 'lognormal(10us,5us)']) {
      const spec = parseDistribution(text, 'duration');
      const alone = makeSampler(spec);
      const a1 = createStream(9, 'a');
      const expected = Array.from({ length: 100 }, () => alone(a1));
      const shared = makeSampler(spec);
      const a2 = createStream(9, 'a');
      const b = createStream(9, 'b');
      const got: number[] = [];
      for (let i = 0; i < 100; i++) {
        got.push(shared(a2));
        shared(b);
      }
      expect(got).toEqual(expected);
    }
  });
});
