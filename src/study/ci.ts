/**
 * Confidence intervals of replicated runs, and JMT's stop rule for adding replications.
 *
 * Each replication of a point is one independent run (its own seed), so its metric values
 * are i.i.d. samples; the 95% interval of their mean is mean ± t_{0.975, n−1} · s / √n
 * (Student t, s the sample standard deviation).
 */
import { tCritical } from '../engine/tdist.js';

export const CONFIDENCE = 0.95;

export interface MeanCi {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1); null with fewer than two values. */
  sd: number | null;
  /** Half-width of the 95% confidence interval of the mean; null with fewer than two values. */
  ci95: number | null;
}

/** Mean and 95% CI half-width of `values` (Student t with n − 1 degrees of freedom). */
export function meanCi(values: readonly number[], level = CONFIDENCE): MeanCi {
  const n = values.length;
  if (n === 0) return { n: 0, mean: Number.NaN, sd: null, ci95: null };
  let mean = 0;
  let m2 = 0;
  values.forEach((x, i) => {
    // Welford: stable for values of any magnitude.
    const d = x - mean;
    mean += d / (i + 1);
    m2 += d * (x - mean);
  });
  if (n < 2) return { n, mean, sd: null, ci95: null };
  const sd = Math.sqrt(m2 / (n - 1));
  return { n, mean, sd, ci95: (tCritical(level, n - 1) * sd) / Math.sqrt(n) };
}

/**
 * Relative precision of an interval: half-width / |mean|. 0 when the half-width is 0
 * (every replication gave the same value, even 0); Infinity when the mean is 0 but the
 * values differ; null when there is no interval yet (n < 2).
 */
export function relativePrecision(ci: MeanCi): number | null {
  if (ci.ci95 === null) return null;
  if (ci.ci95 === 0) return 0;
  return ci.mean === 0 ? Number.POSITIVE_INFINITY : ci.ci95 / Math.abs(ci.mean);
}

export interface StopRule {
  /** Target relative half-width, e.g. 0.03. */
  precision: number;
  /** Never run more replications than this. */
  maxReplications: number;
}

export type StopDecision = { stop: true; converged: boolean } | { stop: false };

/**
 * JMT's rule: after each replication, stop once half-width / |mean| ≤ precision, or when
 * `maxReplications` have run (not converged). Needs at least two values to decide.
 */
export function stopDecision(values: readonly number[], rule: StopRule): StopDecision {
  const rel = relativePrecision(meanCi(values));
  if (rel !== null && rel <= rule.precision) return { stop: true, converged: true };
  if (values.length >= rule.maxReplications) return { stop: true, converged: false };
  return { stop: false };
}

/**
 * How many replications the rule takes on a stream of values (`next(i)` gives replication
 * i), starting from `initial`. The sweep applies the same rule one completed run at a time.
 */
export function replicateUntil(
  next: (rep: number) => number,
  initial: number,
  rule: StopRule,
): { values: number[]; converged: boolean } {
  const values: number[] = [];
  for (let i = 0; i < initial; i++) values.push(next(i));
  for (;;) {
    const d = stopDecision(values, rule);
    if (d.stop) return { values, converged: d.converged };
    values.push(next(values.length));
  }
}
