/**
 * A run's time series, for warm-up detection: ops completed and their latencies in bins of
 * simulated time, fed by runScenario's `onOpSample` hook (one call per completed op).
 *
 * Bin width adapts to the run length without knowing it in advance: bins start 1 µs wide,
 * and whenever a sample falls past the last of MAX_BINS bins, neighbouring bins are merged
 * pairwise and the width doubles. A run of any length ends with between MAX_BINS/2 and
 * MAX_BINS bins (fewer only when it is shorter than MAX_BINS µs).
 */
import type { Warmup } from '../scenario/types.js';
import { mser, type MserResult } from './mser.js';

export const MAX_BINS = 1024;
export const FIRST_BIN_NS = 1000;

export interface RunSeries {
  /** Width of one bin, ns. Bin i covers [i·bin_ns, (i+1)·bin_ns). */
  bin_ns: number;
  /** Ops completed in each bin. */
  ops: number[];
  /** Sum of the latencies (ns) of the ops completed in each bin. */
  latency_sum_ns: number[];
}

export class SeriesCollector {
  private width: number;
  private readonly ops: Float64Array;
  private readonly lat: Float64Array;

  constructor(
    firstBinNs = FIRST_BIN_NS,
    private readonly maxBins = MAX_BINS,
  ) {
    if (!(maxBins >= 2 && maxBins % 2 === 0)) throw new RangeError(`SeriesCollector: maxBins must be even and >= 2, got ${maxBins}`);
    this.width = firstBinNs;
    this.ops = new Float64Array(maxBins);
    this.lat = new Float64Array(maxBins);
  }

  /** One op completed at `nowNs` after `latencyNs`. */
  add = (nowNs: number, latencyNs: number): void => {
    let i = Math.floor(nowNs / this.width);
    while (i >= this.maxBins) {
      this.halve();
      i = Math.floor(nowNs / this.width);
    }
    this.ops[i]! += 1;
    this.lat[i]! += latencyNs;
  };

  /** Merge bins pairwise: half as many, twice as wide. */
  private halve(): void {
    const half = this.maxBins / 2;
    for (let j = 0; j < half; j++) {
      this.ops[j] = this.ops[2 * j]! + this.ops[2 * j + 1]!;
      this.lat[j] = this.lat[2 * j]! + this.lat[2 * j + 1]!;
    }
    this.ops.fill(0, half);
    this.lat.fill(0, half);
    this.width *= 2;
  }

  /** The complete bins of a run that ended at `endNs` (a trailing partial bin is dropped). */
  finish(endNs: number): RunSeries {
    while (Math.floor(endNs / this.width) > this.maxBins) this.halve();
    const n = Math.min(this.maxBins, Math.floor(endNs / this.width));
    return { bin_ns: this.width, ops: Array.from(this.ops.subarray(0, n)), latency_sum_ns: Array.from(this.lat.subarray(0, n)) };
  }
}

export interface WarmupChoice {
  /** Bins discarded: the later of the two MSER-5 truncations. */
  truncate_bins: number;
  bins: number;
  bin_ns: number;
  /** Simulated time and ops discarded. */
  warmup_ns: number;
  warmup_ops: number;
  /** MSER-5 on ops per bin (throughput). */
  throughput: MserResult;
  /** MSER-5 on the mean latency per bin (bins without ops left out). */
  latency: MserResult;
  /** Either minimum sat at the end of the search range: the run is too short. */
  at_limit: boolean;
}

/** Truncation point of a pilot run's series: MSER-5 on its throughput and latency series. */
export function chooseWarmup(s: RunSeries): WarmupChoice {
  const throughput = mser(s.ops);
  const latIdx: number[] = [];
  const lat: number[] = [];
  s.ops.forEach((n, i) => {
    if (n > 0) {
      latIdx.push(i);
      lat.push(s.latency_sum_ns[i]! / n);
    }
  });
  const latency = mser(lat);
  const latBins = latency.truncate > 0 ? latIdx[latency.truncate]! : 0;
  const truncate = Math.max(throughput.truncate, latBins);
  let warmupOps = 0;
  for (let i = 0; i < truncate; i++) warmupOps += s.ops[i]!;
  return {
    truncate_bins: truncate,
    bins: s.ops.length,
    bin_ns: s.bin_ns,
    warmup_ns: truncate * s.bin_ns,
    warmup_ops: warmupOps,
    throughput,
    latency,
    at_limit: throughput.atLimit || latency.atLimit,
  };
}

/**
 * The stop.warmup to give the point's replications: none when nothing is truncated; else
 * in the unit that ended the pilot (time for a run stopped by stop.time, ops otherwise).
 */
export function warmupSetting(choice: WarmupChoice, pilotStoppedBy: 'ops' | 'time'): Warmup | null {
  if (choice.truncate_bins === 0) return null;
  if (pilotStoppedBy === 'time') return { time_ns: choice.warmup_ns };
  return choice.warmup_ops > 0 ? { ops: choice.warmup_ops } : null;
}
