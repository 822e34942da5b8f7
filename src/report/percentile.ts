/**
 * Latency percentiles come from a log-bucketed histogram (src/engine/stats.ts, HdrHistogram
 * layout): exact below 256 ns, and above that each reported value is its bucket's midpoint,
 * within 1/256 of any value in the bucket. Two consequences the output must say:
 *   - a percentile is exact only to that resolution (≤ 1/256 relative error);
 *   - replications whose percentile falls in the same bucket report the same value, so a CI
 *     half-width of 0 means "below the histogram's resolution", not "no variation".
 */
import { formatMetric } from './compare.js';
import type { MetricKind } from './metrics.js';

/** The relative resolution of a reported percentile. */
export const PERCENTILE_RESOLUTION = 1 / 256;

/** A note for tables that print percentiles. */
export const PERCENTILE_NOTE = 'latency percentiles are log-bucketed: each is within 1/256 (0.4%) of the exact value';

/** Note shown instead of "± 0" for a percentile whose replications all fell in one bucket. */
export const SAME_BUCKET = '(one bucket)';

/** Whether a metric name is a latency percentile (ops.latency_ns.p50, …). */
export function isPercentileMetric(name: string): boolean {
  return /(^|\.)latency_ns\.p\d+$/.test(name);
}

/**
 * "mean ± half-width", or the mean alone without a CI; for a percentile with a CI of 0 over
 * several replications, "mean (one bucket)": every replication fell in the same histogram bucket.
 */
export function formatWithCi(name: string, kind: MetricKind, mean: number, ci95: number | null): string {
  const m = formatMetric(kind, mean);
  if (ci95 === null) return m;
  if (ci95 === 0 && isPercentileMetric(name)) return `${m} ${SAME_BUCKET}`;
  return `${m} ± ${formatMetric(kind, ci95)}`;
}
