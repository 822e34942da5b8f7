/**
 * The page picker's Zipf(s) distribution: P(rank k) = k^−s / Σ_{j=1..n} j^−s. The CDF
 * below was computed by hand (Python) for s = 1, n = 10: H_10 = 7381/2520.
 */
import { describe, expect, it } from 'vitest';
import { createStream, type Rng } from '../../src/engine/random.js';
import { makePagePicker } from '../../src/workload/locality.js';

const CDF_S1_N10 = [
  0.341417152147, 0.512125728221, 0.625931445604, 0.71128573364, 0.77956916407, 0.836472022761, 0.885245901639, 0.927923045658,
  0.965858284785, 1,
];

/** An Rng that returns the given draws. */
function fixed(u: number): Rng {
  return { next: () => u };
}

/** The page each rank lands on, found by drawing just inside each rank's CDF interval. */
function rankToPage(pick: (rng: Rng) => number, cdf: readonly number[]): number[] {
  return cdf.map((c) => pick(fixed(c - 1e-9)));
}

describe('zipf locality', () => {
  it('inverse CDF: rank k covers (C(k−1), C(k)] with C from the hand-computed Zipf(1) CDF', () => {
    const pick = makePagePicker({ kind: 'zipf', s: 1 }, 10);
    const pages = rankToPage(pick, CDF_S1_N10);
    // Ranks land on distinct pages: the stride is a permutation of the working set.
    expect(new Set(pages).size).toBe(10);
    for (let k = 0; k < 9; k++) {
      expect(pick(fixed(CDF_S1_N10[k]! - 1e-9))).toBe(pages[k]);
      expect(pick(fixed(CDF_S1_N10[k]! + 1e-9))).toBe(pages[k + 1]);
    }
    expect(pick(fixed(0))).toBe(pages[0]);
  });

  it('the CDF table is shared per (s, pages) only: s = 1 and s = 2 over the same pages each follow their own CDF, whatever was built before', () => {
    /** Each draw u on a grid lands on the page of the first rank whose Zipf(s) CDF reaches u. */
    const follows = (s: number, n: number): void => {
      let h = 0;
      for (let k = 1; k <= n; k++) h += k ** -s;
      let acc = 0;
      const cdf = Array.from({ length: n }, (_, i) => (acc += (i + 1) ** -s / h));
      const pick = makePagePicker({ kind: 'zipf', s }, n);
      const pages = rankToPage(pick, cdf);
      for (let u = 0.013; u < 1; u += 0.031) expect(pick(fixed(u))).toBe(pages[cdf.findIndex((c) => c >= u)]);
    };
    follows(1, 10);
    follows(2, 10); // same pages, another exponent: its own table
    follows(1, 10); // from the cache
    for (const n of [11, 12, 13, 14]) follows(1, n); // four other tables push both out
    follows(2, 10);
    follows(1, 10);
  });

  function chiSquare(s: number, n: number, draws: number, seed: number): number {
    const pick = makePagePicker({ kind: 'zipf', s }, n);
    let h = 0;
    for (let k = 1; k <= n; k++) h += k ** -s;
    const p = Array.from({ length: n }, (_, i) => (i + 1) ** -s / h);
    const cdf: number[] = [];
    p.reduce((acc, x) => (cdf.push(acc + x), acc + x), 0);
    const pageOfRank = rankToPage(pick, cdf);
    const rankOfPage = new Map(pageOfRank.map((page, rank) => [page, rank]));
    const counts = new Array<number>(n).fill(0);
    const rng = createStream(seed, 'zipf-test');
    for (let i = 0; i < draws; i++) counts[rankOfPage.get(pick(rng))!]!++;
    return counts.reduce((x2, c, k) => x2 + (c - draws * p[k]!) ** 2 / (draws * p[k]!), 0);
  }

  it('200,000 draws of Zipf(1) over 10 pages fit 1/k (chi-square, 9 dof, p = 0.001 critical 27.88)', () => {
    expect(chiSquare(1, 10, 200_000, 42)).toBeLessThan(27.88);
  });

  it('200,000 draws of Zipf(0.8) over 50 pages fit k^−0.8 (chi-square, 49 dof, p = 0.001 critical 85.35)', () => {
    // Anchors of the expected distribution, by hand: P(1) = 0.1534238546, P(50) = 0.0067099130.
    let h = 0;
    for (let k = 1; k <= 50; k++) h += k ** -0.8;
    expect(1 / h).toBeCloseTo(0.1534238546, 9);
    expect(50 ** -0.8 / h).toBeCloseTo(0.006709913, 9);
    expect(chiSquare(0.8, 50, 200_000, 43)).toBeLessThan(85.35);
  });

  it('a uniform picker is not Zipf: its chi-square against Zipf(1) is huge', () => {
    // The test above can fail: the same statistic on uniform draws is far over the bound.
    const uniform = makePagePicker({ kind: 'uniform' }, 10);
    const rng = createStream(44, 'zipf-test');
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 20_000; i++) counts[uniform(rng)]!++;
    const p = CDF_S1_N10.map((c, k) => c - (k === 0 ? 0 : CDF_S1_N10[k - 1]!));
    const sorted = [...counts].sort((a, b) => b - a);
    const x2 = sorted.reduce((s, c, k) => s + (c - 20_000 * p[k]!) ** 2 / (20_000 * p[k]!), 0);
    expect(x2).toBeGreaterThan(1000);
  });
});
