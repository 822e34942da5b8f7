/**
 * The statistics of `smpsim check`: sample summaries and Welch's two-sample t-test, on the
 * Student t distribution of engine/tdist.ts. Validated against SciPy in
 * test/check/stats.test.ts.
 */
import { incompleteBeta } from '../engine/tdist.js';

/** Sample mean, standard deviation (n − 1 denominator) and size. */
export interface SampleSummary {
  mean: number;
  sd: number;
  n: number;
}

export function summarize(values: readonly number[]): SampleSummary {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, sd: Number.NaN, n: 0 };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n === 1) return { mean, sd: 0, n };
  const ss = values.reduce((s, v) => s + (v - mean) * (v - mean), 0);
  return { mean, sd: Math.sqrt(ss / (n - 1)), n };
}

/** Two-sided p-value of Student's t with `df` degrees of freedom: P(|T| ≥ |t|). */
export function tTwoSidedP(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`t distribution: expected df > 0, got ${df}`);
  if (Number.isNaN(t)) return Number.NaN;
  if (!Number.isFinite(t)) return 0;
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

export interface WelchResult {
  /** (mean b − mean a) / standard error. */
  t: number;
  /** Welch–Satterthwaite degrees of freedom. */
  df: number;
  /** Two-sided p-value. */
  p: number;
}

/**
 * Welch's unequal-variance t-test of H0: mean(a) = mean(b), two-sided. Both samples need
 * n ≥ 2. When both standard deviations are 0 the test degenerates: p = 1 if the means are
 * equal, else 0 (t = ±∞).
 */
export function welchTest(a: SampleSummary, b: SampleSummary): WelchResult {
  if (a.n < 2 || b.n < 2) throw new RangeError(`Welch test: expected n >= 2 in both samples, got ${a.n} and ${b.n}`);
  const va = (a.sd * a.sd) / a.n;
  const vb = (b.sd * b.sd) / b.n;
  const se2 = va + vb;
  const diff = b.mean - a.mean;
  if (se2 === 0) {
    return diff === 0
      ? { t: 0, df: a.n + b.n - 2, p: 1 }
      : { t: diff > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY, df: a.n + b.n - 2, p: 0 };
  }
  const t = diff / Math.sqrt(se2);
  const df = (se2 * se2) / ((va * va) / (a.n - 1) + (vb * vb) / (b.n - 1));
  return { t, df, p: tTwoSidedP(t, df) };
}
