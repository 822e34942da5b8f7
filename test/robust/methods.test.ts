/**
 * The sensitivity methods against values known without smpsim: the Ishigami function's
 * analytical Sobol indices, SciPy's estimators on the same design (fixture written by
 * scripts/fixtures/sobol_scipy.py; SALib was unreachable), Morris on functions whose input
 * ordering is known in closed form, Wilson's interval, bisection.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { morrisDesign, morrisIndices, quantile, saltelliDesign, sobolIndices, wilson } from '../../src/robust/methods.js';
import { sobolPoints } from '../../src/robust/sobol-sequence.js';

const fixture = JSON.parse(fs.readFileSync(new URL('./fixtures/sobol_scipy.json', import.meta.url), 'utf8')) as {
  ishigami: { a: number; b: number; n: number; first_order: number[]; total_order: number[] };
  sobol_sequence: { d: number; rows: Record<string, number[]> };
};

function ishigami(u: readonly number[], a = 7, b = 0.1): number {
  const [x1, x2, x3] = u.map((v) => -Math.PI + 2 * Math.PI * v) as [number, number, number];
  return Math.sin(x1) + a * Math.sin(x2) ** 2 + b * x3 ** 4 * Math.sin(x1);
}

/** Analytical Sobol indices of Ishigami (Sobol' & Levitan 1999; Saltelli et al. 2008 §4.6). */
function ishigamiAnalytical(a: number, b: number) {
  const pi4 = Math.PI ** 4;
  const v1 = 0.5 * (1 + (b * pi4) / 5) ** 2;
  const v2 = a ** 2 / 8;
  const v13 = ((8 * b ** 2 * Math.PI ** 8) / 225);
  const v = v1 + v2 + v13;
  return { s1: [v1 / v, v2 / v, 0], st: [(v1 + v13) / v, v2 / v, v13 / v] };
}

describe('Sobol sequence', () => {
  it('is SciPy\'s unscrambled sequence (same direction numbers, 30 bits)', () => {
    const { d, rows } = fixture.sobol_sequence;
    const pts = sobolPoints(1024, d);
    for (const [i, row] of Object.entries(rows)) expect(pts[Number(i)]).toEqual(row);
  });
});

describe('Sobol indices (Saltelli design, Saltelli 2010 S1, Jansen ST)', () => {
  it('the closed form of Ishigami gives the issue\'s values', () => {
    const an = ishigamiAnalytical(7, 0.1);
    expect(an.s1.map((x) => Number(x.toFixed(3)))).toEqual([0.314, 0.442, 0]);
    expect(an.st.map((x) => Number(x.toFixed(3)))).toEqual([0.558, 0.442, 0.244]);
  });

  it('equal SciPy\'s sobol_indices on the same design to 1e-9', () => {
    const d = saltelliDesign(3, fixture.ishigami.n);
    const y = d.points.map((p) => ishigami(p));
    const s = sobolIndices(d, y, 1, 20);
    for (let i = 0; i < 3; i++) {
      expect(s[i]!.s1).toBeCloseTo(fixture.ishigami.first_order[i]!, 9);
      expect(s[i]!.st).toBeCloseTo(fixture.ishigami.total_order[i]!, 9);
    }
  });

  it('converge to Ishigami\'s analytical indices (N = 8192), each inside its bootstrap CI or within 0.02', () => {
    const an = ishigamiAnalytical(7, 0.1);
    const d = saltelliDesign(3, 8192);
    const s = sobolIndices(d, d.points.map((p) => ishigami(p)), 7, 100);
    for (let i = 0; i < 3; i++) {
      expect(Math.abs(s[i]!.s1 - an.s1[i]!)).toBeLessThan(0.02);
      expect(Math.abs(s[i]!.st - an.st[i]!)).toBeLessThan(0.02);
      expect(s[i]!.s1_ci[0]).toBeLessThanOrEqual(s[i]!.s1);
      expect(s[i]!.st_ci[1]).toBeGreaterThanOrEqual(s[i]!.st);
    }
  });
});

describe('Morris elementary effects', () => {
  it('recover the coefficients of a linear function exactly (μ* = |a_i|, σ = 0)', () => {
    const a = [10, -5, 1, 0];
    const d = morrisDesign(4, 10, 42);
    const m = morrisIndices(d, d.points.map((x) => x.reduce((s, xi, i) => s + a[i]! * xi, 0)));
    m.forEach((mi, i) => {
      expect(mi.mu_star).toBeCloseTo(Math.abs(a[i]!), 10);
      expect(mi.mu).toBeCloseTo(a[i]!, 10);
      expect(mi.sigma).toBeCloseTo(0, 10);
    });
  });

  it('rank the inputs of Sobol\'s g-function in the order of its a_i (0, 1, 4.5, 9, 99)', () => {
    // g = Π (|4x_i − 2| + a_i)/(1 + a_i): the smaller a_i, the more important x_i (closed form).
    const a = [0, 1, 4.5, 9, 99];
    const g = (x: readonly number[]) => x.reduce((p, xi, i) => p * ((Math.abs(4 * xi - 2) + a[i]!) / (1 + a[i]!)), 1);
    const d = morrisDesign(5, 40, 3);
    const m = morrisIndices(d, d.points.map(g));
    for (let i = 0; i + 1 < a.length; i++) expect(m[i]!.mu_star).toBeGreaterThan(m[i + 1]!.mu_star);
    // x1 and x2 interact (the product): σ > 0.
    expect(m[0]!.sigma).toBeGreaterThan(0);
  });

  it('designs are deterministic and on the grid', () => {
    const d1 = morrisDesign(3, 5, 9);
    expect(morrisDesign(3, 5, 9)).toEqual(d1);
    for (const p of d1.points) for (const x of p) expect([0, 1 / 3, 2 / 3, 1].some((l) => Math.abs(l - x) < 1e-12)).toBe(true);
  });
});

describe('small statistics', () => {
  it('Wilson interval: 0/10 and 10/10 are not degenerate; 64/100 ≈ [0.542, 0.728]', () => {
    const [lo, hi] = wilson(64, 100);
    expect(lo).toBeCloseTo(0.5423, 3);
    expect(hi).toBeCloseTo(0.7276, 3);
    expect(wilson(0, 10)[1]).toBeGreaterThan(0.2);
    expect(wilson(10, 10)[0]).toBeLessThan(0.8);
  });
  it('quantile type 7', () => {
    expect(quantile([1, 2, 3, 4, 5], 0.05)).toBeCloseTo(1.2, 12);
    expect(quantile([5, 1, 4, 2, 3], 0.5)).toBe(3);
  });
});
