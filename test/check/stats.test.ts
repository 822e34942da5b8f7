import { describe, expect, it } from 'vitest';
import { summarize, tTwoSidedP, welchTest } from '../../src/check/stats.js';
import { incompleteBeta as regularizedBeta, lnGamma as logGamma, tCdf } from '../../src/engine/tdist.js';
import { createStream } from '../../src/engine/random.js';

// Reference values: SciPy 1.17 (scipy.special.betainc, gammaln, 2*scipy.stats.t.sf,
// scipy.stats.ttest_ind(equal_var=False)), cross-checked with printed t tables where they exist.

describe('log-gamma and the regularized incomplete beta', () => {
  it('logGamma matches known values', () => {
    const cases: Array<[number, number]> = [
      [0.5, 0.5723649429247001], // ln √π
      [1, 0],
      [1.5, -0.12078223763524522],
      [10, 12.801827480081469], // ln 9!
      [100.5, 361.43554046777757],
      [1e-3, 6.907178885383853],
    ];
    for (const [x, want] of cases) expect(logGamma(x)).toBeCloseTo(want, 10);
  });

  it('I_x(a, b) matches SciPy', () => {
    const cases: Array<[number, number, number, number]> = [
      [0.3, 2, 3, 0.34829999999999994],
      [0.5, 0.5, 0.5, 0.5],
      [0.9, 10, 0.5, 0.15164090963470994],
      [0.01, 0.5, 20, 0.4713699354850154],
      [0.7, 100, 50, 0.8054481662277535],
      [0.2, 0.1, 0.1, 0.4397091902233456],
      [0.999, 5, 0.5, 0.9222819921009667],
      [0.6, 30000, 20000, 0.49975721072702606],
    ];
    for (const [x, a, b, want] of cases) expect(Math.abs(regularizedBeta(x, a, b) - want)).toBeLessThan(1e-9);
  });

  it('I_x(a, b) satisfies closed forms and the symmetry I_x(a,b) = 1 − I_{1−x}(b,a)', () => {
    for (const x of [0.05, 0.3, 0.77, 0.99]) {
      expect(regularizedBeta(x, 1, 1)).toBeCloseTo(x, 12);
      expect(regularizedBeta(x, 3, 1)).toBeCloseTo(x ** 3, 12);
      expect(regularizedBeta(x, 1, 4)).toBeCloseTo(1 - (1 - x) ** 4, 12);
      expect(regularizedBeta(x, 2.5, 7) + regularizedBeta(1 - x, 7, 2.5)).toBeCloseTo(1, 12);
    }
    expect(regularizedBeta(0, 2, 3)).toBe(0);
    expect(regularizedBeta(1, 2, 3)).toBe(1);
    expect(() => regularizedBeta(0.5, 0, 1)).toThrow(RangeError);
  });
});

describe('Student t', () => {
  it('two-sided p-values match tables and SciPy', () => {
    const cases: Array<[number, number, number]> = [
      [2.228138851986, 10, 0.05], // the t table's 97.5% point for df 10
      [3.169272672617, 10, 0.01], // 99.5% point, df 10
      [12.706204736175, 1, 0.05], // 97.5% point, df 1
      [1.0, 1, 0.5], // Cauchy: P(|T| ≥ 1) = 1/2
      [2.0, 5, 0.10193947882985835],
      [3.5, 3.2, 0.03565266267641809],
      [0.5, 100, 0.6181735658308866],
      [-1.7, 7.5, 0.13006609835733704],
      [10, 2, 0.00985245702332569],
      [4, 1000, 6.800991920878163e-5],
      [1.96, 1e6, 0.04999606758526985],
    ];
    for (const [t, df, want] of cases) {
      const p = tTwoSidedP(t, df);
      expect(Math.abs(p - want) / want).toBeLessThan(1e-6);
    }
    // df beyond 1e7: the normal limit.
    expect(tTwoSidedP(1.959963984540054, 1e9)).toBeCloseTo(0.05, 6);
  });

  it('the CDF is monotone and symmetric', () => {
    expect(tCdf(0, 4)).toBeCloseTo(0.5, 12);
    expect(tCdf(-2, 6) + tCdf(2, 6)).toBeCloseTo(1, 12);
    let prev = 0;
    for (let t = -8; t <= 8; t += 0.25) {
      const c = tCdf(t, 3.7);
      expect(c).toBeGreaterThanOrEqual(prev);
      prev = c;
    }
  });
});

describe('Welch t-test', () => {
  it('matches SciPy ttest_ind(equal_var=False)', () => {
    const a = summarize([19.1, 20.3, 21.0, 18.7, 20.2, 19.9]);
    const b = summarize([21.4, 22.0, 20.9, 23.1, 21.8]);
    let w = welchTest(b, a); // SciPy's statistic is mean(a) − mean(b) for ttest_ind(a, b)
    expect(w.t).toBeCloseTo(-3.9280309043135713, 10);
    expect(w.df).toBeCloseTo(8.720965947353386, 10);
    expect(Math.abs(w.p - 0.003688154600834715)).toBeLessThan(1e-10);

    const x = summarize([100.2, 99.1, 101.4, 98.7, 100.9, 100.0, 99.6, 100.3]);
    const y = summarize([100.9, 99.7, 102.5, 101.1, 98.2, 100.4, 101.8, 99.9, 100.6, 101.2]);
    w = welchTest(y, x);
    expect(w.t).toBeCloseTo(-1.2301571522406436, 10);
    expect(w.df).toBeCloseTo(15.951393000711912, 10);
    expect(Math.abs(w.p - 0.23647252599999177)).toBeLessThan(1e-10);
  });

  it('degenerates sensibly without variance and refuses n < 2', () => {
    expect(welchTest({ mean: 5, sd: 0, n: 3 }, { mean: 5, sd: 0, n: 3 }).p).toBe(1);
    expect(welchTest({ mean: 5, sd: 0, n: 3 }, { mean: 6, sd: 0, n: 3 }).p).toBe(0);
    expect(() => welchTest({ mean: 5, sd: 0, n: 1 }, { mean: 6, sd: 1, n: 3 })).toThrow(RangeError);
  });

  /** n draws from normal(mean, sd), from a seeded stream (Box–Muller). */
  function normals(rng: { next(): number }, n: number, mean: number, sd: number): number[] {
    const out: number[] = [];
    while (out.length < n) {
      const u = 1 - rng.next();
      const v = rng.next();
      out.push(mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
    }
    return out;
  }

  /** Bounds holding a Binomial(n, p) count with probability > 0.9999 (normal approx., 4 sd). */
  function binomialBounds(n: number, p: number): [number, number] {
    const sd = Math.sqrt(n * p * (1 - p));
    return [n * p - 4 * sd, n * p + 4 * sd];
  }

  it('rejects pure noise at about the rate alpha (false positives)', () => {
    const rng = createStream(12345, 'welch-false-positives');
    for (const [alpha, sets, n] of [
      [0.05, 2000, 5],
      [0.01, 2000, 5],
      [0.05, 200, 10],
    ] as const) {
      let rejections = 0;
      for (let i = 0; i < sets; i++) {
        const a = summarize(normals(rng, n, 1000, 30));
        const b = summarize(normals(rng, n, 1000, 30));
        if (welchTest(a, b).p < alpha) rejections++;
      }
      const [lo, hi] = binomialBounds(sets, alpha);
      expect(rejections, `alpha ${alpha}, ${sets} sets of n=${n}`).toBeGreaterThanOrEqual(Math.max(0, Math.floor(lo)));
      expect(rejections, `alpha ${alpha}, ${sets} sets of n=${n}`).toBeLessThanOrEqual(Math.ceil(hi));
    }
  });

  it('has power against a real 10% shift', () => {
    // 3% coefficient of variation (typical seed noise of the bundled scenarios), n = 5 each.
    const rng = createStream(777, 'welch-power');
    const sets = 500;
    let detected = 0;
    for (let i = 0; i < sets; i++) {
      const a = summarize(normals(rng, 5, 1000, 30));
      const b = summarize(normals(rng, 5, 1100, 33));
      if (welchTest(a, b).p < 0.01) detected++;
    }
    // Non-central t with δ ≈ 5.0, df ≈ 8: power ≈ 0.91 at alpha 0.01 (SciPy nct); the
    // bound leaves 4 binomial sd below it.
    expect(detected / sets).toBeGreaterThan(0.85);
    // With 10 replications the same shift is all but always caught.
    let caught = 0;
    for (let i = 0; i < 200; i++) {
      if (welchTest(summarize(normals(rng, 10, 1000, 30)), summarize(normals(rng, 10, 1100, 33))).p < 0.01) caught++;
    }
    expect(caught).toBeGreaterThanOrEqual(198);
  });
});
