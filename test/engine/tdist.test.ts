import { describe, expect, it } from 'vitest';
import { createStream } from '../../src/engine/random.js';
import { meanCi } from '../../src/study/ci.js';
import { incompleteBeta, lnGamma, tCdf, tCritical, tQuantile } from '../../src/engine/tdist.js';

// Two-sided 95% (t_{0.975}) and 99% (t_{0.995}) critical values, from printed tables
// (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.2), to the digits they give.
const T975: Array<[number, number]> = [
  [1, 12.706], [2, 4.303], [3, 3.182], [4, 2.776], [5, 2.571], [6, 2.447], [7, 2.365], [8, 2.306],
  [9, 2.262], [10, 2.228], [15, 2.131], [20, 2.086], [29, 2.045], [30, 2.042], [60, 2.0], [100, 1.984],
];
const T995: Array<[number, number]> = [[1, 63.657], [2, 9.925], [3, 5.841], [5, 4.032], [10, 3.169], [30, 2.75], [100, 2.626]];

/** A standard normal draw (Box–Muller) from a project RNG stream. */
function normal(rng: { next(): number }): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

describe('Student t distribution', () => {
  it('matches table quantiles', () => {
    for (const [df, t] of T975) expect(tQuantile(0.975, df)).toBeCloseTo(t, 3);
    for (const [df, t] of T995) expect(tQuantile(0.995, df)).toBeCloseTo(t, 3);
    // More digits where they are well known.
    expect(tQuantile(0.975, 1)).toBeCloseTo(12.7062047362, 8);
    expect(tQuantile(0.975, 5)).toBeCloseTo(2.5705818356, 8);
    expect(tQuantile(0.975, 30)).toBeCloseTo(2.0422724563, 8);
    expect(tCritical(0.95, 4)).toBeCloseTo(2.7764451052, 8);
  });

  it('tends to the normal quantile for large df, is symmetric, and inverts the CDF', () => {
    expect(tQuantile(0.975, 1e7)).toBeCloseTo(1.959964, 5);
    for (const df of [1, 2, 3, 7.5, 40]) {
      for (const p of [0.01, 0.2, 0.5, 0.9, 0.999]) {
        const t = tQuantile(p, df);
        expect(tCdf(t, df)).toBeCloseTo(p, 10);
        expect(tQuantile(1 - p, df)).toBeCloseTo(-t, 9);
      }
    }
    expect(tCdf(0, 3)).toBe(0.5);
  });

  it('has a correct ln Γ and incomplete beta', () => {
    expect(lnGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    // I_x(1, b) = 1 − (1 − x)^b; I_x(a, 1) = x^a.
    expect(incompleteBeta(0.3, 1, 4)).toBeCloseTo(1 - 0.7 ** 4, 12);
    expect(incompleteBeta(0.6, 2.5, 1)).toBeCloseTo(0.6 ** 2.5, 12);
  });

  it('rejects nonsense', () => {
    expect(() => tQuantile(0.5, 0)).toThrow(RangeError);
    expect(() => tQuantile(1.5, 3)).toThrow(RangeError);
  });
});

describe('95% confidence interval of the mean', () => {
  // Over 2000 independent samples the interval must cover the true mean ~95% of the time:
  // the count is Binomial(2000, 0.95), sd ≈ 9.7, so [1861, 1939] is ±4 sd.
  const TRIALS = 2000;
  const LO = 1861;
  const HI = 1939;

  function coverage(n: number, mu: number, sigma: number, stream: string, critical?: (df: number) => number): number {
    let covered = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const rng = createStream(trial, stream);
      const xs = Array.from({ length: n }, () => mu + sigma * normal(rng));
      const ci = meanCi(xs);
      const half = critical === undefined ? ci.ci95! : (critical(n - 1) * ci.sd!) / Math.sqrt(n);
      if (Math.abs(ci.mean - mu) <= half) covered++;
    }
    return covered;
  }

  it('covers the true mean at the nominal rate with 3, 5 and 20 replications', () => {
    for (const n of [3, 5, 20]) {
      const c = coverage(n, 1e5, 2500, `ci-coverage-${n}`);
      expect(c, `n=${n}`).toBeGreaterThanOrEqual(LO);
      expect(c, `n=${n}`).toBeLessThanOrEqual(HI);
    }
  });

  it('would under-cover with the normal 1.96 instead of t (what the t quantile is for)', () => {
    expect(coverage(3, 0, 1, 'ci-coverage-3', () => 1.96)).toBeLessThan(LO);
  });

  it('has no interval with one value', () => {
    expect(meanCi([4])).toEqual({ n: 1, mean: 4, sd: null, ci95: null });
    expect(meanCi([2, 2, 2]).ci95).toBe(0);
  });
});
