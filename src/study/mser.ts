/**
 * MSER-5 warm-up truncation (White, "An effective truncation heuristic for bias reduction
 * in simulation output", Simulation 69(6), 1997; White, Cobb & Spratt, WSC 2000).
 *
 * The output series y_1..y_n is cut into m = ⌊n/5⌋ batches of 5 and replaced by the batch
 * means Z_1..Z_m. For each candidate truncation d (in batches), the statistic
 *
 *     MSER(d) = 1/(m − d)² · Σ_{j=d+1..m} (Z_j − Z̄_{d})²,   Z̄_d = mean of Z_{d+1..m}
 *
 * trades the bias of keeping transient batches against the variance of a shorter
 * remainder; the truncation is the d that minimises it, searched over the first half of
 * the batches only (d ≤ m/2): a minimum at the end of that range means the run was too
 * short to show a steady state.
 */

export const MSER_BATCH = 5;

export interface MserResult {
  /** Observations to discard (a multiple of the batch size). */
  truncate: number;
  /** The same, in batches. */
  batches: number;
  /** Batches available (m). */
  totalBatches: number;
  /** MSER at the chosen d. */
  statistic: number;
  /** The minimum lies at the last candidate (d = ⌊m/2⌋): no steady state seen; run longer. */
  atLimit: boolean;
}

/** MSER with batches of `batch` observations (5: MSER-5; 1: plain MSER). */
export function mser(series: readonly number[], batch = MSER_BATCH): MserResult {
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`MSER batch size must be an integer >= 1, got ${batch}`);
  const m = Math.floor(series.length / batch);
  if (m < 2) return { truncate: 0, batches: 0, totalBatches: m, statistic: Number.NaN, atLimit: false };
  const z = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    let s = 0;
    for (let k = 0; k < batch; k++) s += series[j * batch + k]!;
    z[j] = s / batch;
  }
  // Suffix sums of Z and Z² around a shift (the overall mean) to avoid cancellation.
  let shift = 0;
  for (const v of z) shift += v / m;
  const s1 = new Float64Array(m + 1);
  const s2 = new Float64Array(m + 1);
  for (let j = m - 1; j >= 0; j--) {
    const v = z[j]! - shift;
    s1[j] = s1[j + 1]! + v;
    s2[j] = s2[j + 1]! + v * v;
  }
  const dMax = Math.floor(m / 2);
  let best = 0;
  let bestStat = Number.POSITIVE_INFINITY;
  for (let d = 0; d <= dMax; d++) {
    const k = m - d;
    const sse = Math.max(0, s2[d]! - (s1[d]! * s1[d]!) / k);
    const stat = sse / (k * k);
    if (stat < bestStat) {
      bestStat = stat;
      best = d;
    }
  }
  return { truncate: best * batch, batches: best, totalBatches: m, statistic: bestStat, atLimit: best === dMax && dMax > 0 };
}
