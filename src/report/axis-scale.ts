/**
 * The scale of a value axis fitted to the data it shows (issue 23, item 3): a log axis only
 * when the data span at least a decade, and then over the data's own range, not over whole
 * decades (Vega's "nice" log domain drew 1,000–100,000 µs for data at 6,000–8,000 µs); a
 * linear axis over the data's range otherwise, a margin either side.
 */

/** A log axis needs the data to span at least this ratio (a decade): below, it is linear. */
export const LOG_AXIS_MIN_RATIO = 10;
/** The margin either side of a linear domain, as a share of the data's span. */
export const LINEAR_MARGIN = 0.05;

export interface FittedScale {
  log: boolean;
  /** min and max of the data. */
  lo: number;
  hi: number;
  /** The Vega-Lite `scale` of the axis. */
  scale: Record<string, unknown>;
}

/** The scale for these values (non-finite ones ignored). */
export function fittedScale(values: readonly number[]): FittedScale {
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length === 0) return { log: false, lo: 0, hi: 0, scale: { zero: false } };
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  return lo > 0 && hi / lo >= LOG_AXIS_MIN_RATIO ? logScale(lo, hi) : linearScale(lo, hi);
}

/** A log axis over exactly [lo, hi] (lo > 0). */
export function logScale(lo: number, hi: number): FittedScale {
  return { log: true, lo, hi, scale: { type: 'log', domain: [lo, hi], nice: false } };
}

/** A linear axis over [lo, hi] and a margin either side; never below 0 for non-negative data. */
export function linearScale(lo: number, hi: number): FittedScale {
  const margin = hi > lo ? (hi - lo) * LINEAR_MARGIN : Math.abs(lo) * LINEAR_MARGIN || 1;
  const from = lo >= 0 ? Math.max(0, lo - margin) : lo - margin;
  return { log: false, lo, hi, scale: { type: 'linear', domain: [from, hi + margin], nice: false, zero: false } };
}
