/**
 * Statistics that models register and the reporter dumps uniformly (each has toJSON or
 * summary). Recording is O(1) and allocation-free: these sit on the simulator's hot path.
 */

/** A plain event count. */
export class Counter {
  value = 0;

  inc(n = 1): void {
    this.value += n;
  }

  /** Forget everything counted so far (end of warm-up). */
  reset(): void {
    this.value = 0;
  }

  toJSON(): number {
    return this.value;
  }
}

export interface TallyJSON {
  count: number;
  min: number;
  max: number;
  mean: number;
  stddev: number;
  sum: number;
}

/** Running count/mean/variance/min/max by Welford's update: one pass, numerically stable. */
export class Tally {
  count = 0;
  sum = 0;
  private lo = Infinity;
  private hi = -Infinity;
  private m = 0; // running mean
  private m2 = 0; // sum of squared deviations from the running mean

  add(x: number): void {
    this.count++;
    this.sum += x;
    const d = x - this.m;
    this.m += d / this.count;
    this.m2 += d * (x - this.m);
    if (x < this.lo) this.lo = x;
    if (x > this.hi) this.hi = x;
  }

  /** 0 when empty, so dumps never carry Infinity. */
  get min(): number {
    return this.count === 0 ? 0 : this.lo;
  }
  get max(): number {
    return this.count === 0 ? 0 : this.hi;
  }
  get mean(): number {
    return this.m;
  }
  /** Sample variance (n−1); 0 with fewer than two values. */
  get variance(): number {
    return this.count < 2 ? 0 : this.m2 / (this.count - 1);
  }
  get stddev(): number {
    return Math.sqrt(this.variance);
  }

  /** Adds `other`'s values into this one (Chan et al. parallel combination), as if concatenated. */
  merge(other: Tally): void {
    if (other.count === 0) return;
    const n = this.count + other.count;
    const d = other.m - this.m;
    this.m2 += other.m2 + (d * d * this.count * other.count) / n;
    this.m += (d * other.count) / n;
    this.count = n;
    this.sum += other.sum;
    if (other.lo < this.lo) this.lo = other.lo;
    if (other.hi > this.hi) this.hi = other.hi;
  }

  reset(): void {
    this.count = 0;
    this.sum = 0;
    this.lo = Infinity;
    this.hi = -Infinity;
    this.m = 0;
    this.m2 = 0;
  }

  toJSON(): TallyJSON {
    return { count: this.count, min: this.min, max: this.max, mean: this.mean, stddev: this.stddev, sum: this.sum };
  }
}

export interface TimeWeightedJSON {
  value: number;
  max: number;
  mean: number;
}

/**
 * A gauge whose average is weighted by how long each value was held (pool occupancy,
 * queue length): mean = integral of v dt / (tEnd − t0).
 */
export class TimeWeighted {
  private t0: number;
  private tLast: number;
  private v: number;
  private integral = 0;
  private peak: number;

  constructor(t0 = 0, v0 = 0) {
    this.t0 = t0;
    this.tLast = t0;
    this.v = v0;
    this.peak = v0;
  }

  /** The value changes to `v` at time `t`. Time may not go backwards (a model bug). */
  set(t: number, v: number): void {
    if (t < this.tLast) throw new RangeError(`TimeWeighted.set: time went backwards (${t} < ${this.tLast})`);
    this.integral += this.v * (t - this.tLast);
    this.tLast = t;
    this.v = v;
    if (v > this.peak) this.peak = v;
  }

  add(t: number, delta: number): void {
    this.set(t, this.v + delta);
  }

  get value(): number {
    return this.v;
  }

  /** Largest value held since construction or the last reset. */
  get max(): number {
    return this.peak;
  }

  /** Time average over [t0, tEnd]; the current value if the interval is empty. */
  mean(tEnd: number): number {
    const span = tEnd - this.t0;
    if (span <= 0) return this.v;
    return (this.integral + this.v * (tEnd - this.tLast)) / span;
  }

  /** Restart integration at `t`, keeping the current value (end of warm-up). */
  reset(t: number): void {
    this.t0 = t;
    this.tLast = t;
    this.integral = 0;
    this.peak = this.v;
  }

  summary(tEnd: number): TimeWeightedJSON {
    return { value: this.v, max: this.peak, mean: this.mean(tEnd) };
  }
}

export interface HistogramJSON {
  count: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
}

/*
 * Log-linear layout (as in HdrHistogram). Values in [0, 256) get width-1 buckets, exact for
 * integers. Each octave [2^k, 2^(k+1)), k >= 8, is split into 128 linear sub-buckets of width
 * 2^(k-7), so a bucket's width is at most 1/128 of its lower bound and its midpoint is within
 * 1/256 of any value in it. Octaves stop at 2^64 (~584 years of ns): at most 7424 buckets.
 */
const SUB_BITS = 7;
const SUB = 1 << SUB_BITS; // 128 sub-buckets per octave
const LINEAR = 2 * SUB; // [0, 256) stored one unit per bucket
const MAX_OCTAVE = 64;
const MAX_VALUE = 2 ** MAX_OCTAVE;
const MAX_BUCKETS = (MAX_OCTAVE - SUB_BITS) * SUB + SUB; // index of 2^64, i.e. one past the last
const INITIAL_BUCKETS = LINEAR + 8 * SUB; // up to 2^16: small histograms stay small
const TWO32 = 2 ** 32;

/** 2^-s for s in [0, 64): scaling by a power of two is exact, unlike a division by a variable. */
const INV_POW2 = new Float64Array(MAX_OCTAVE);
for (let s = 0; s < MAX_OCTAVE; s++) INV_POW2[s] = 2 ** -s;

function log2Floor(v: number): number {
  // clz32 truncates its argument to uint32, which is the floor we want.
  return v < TWO32 ? 31 - Math.clz32(v) : 63 - Math.clz32(v / TWO32);
}

function bucketIndex(v: number): number {
  if (v < LINEAR) return Math.floor(v);
  const shift = log2Floor(v) - SUB_BITS;
  // floor(v / 2^shift) is in [128, 256); octave k = shift + 7 starts at index shift * 128 + 128.
  return shift * SUB + Math.floor(v * (INV_POW2[shift] as number));
}

/** The value reported for a bucket: its lower bound in the exact range, else its midpoint. */
function bucketValue(i: number): number {
  if (i < LINEAR) return i;
  const shift = Math.floor(i / SUB) - 1;
  const m = i - shift * SUB;
  const width = 2 ** shift;
  return m * width + width / 2;
}

/** Log-bucketed histogram of non-negative values: bounded memory, mergeable, ≤ 1% percentile error. */
export class Histogram {
  private counts = new Float64Array(INITIAL_BUCKETS);
  private n = 0;
  private total = 0;
  private lo = Infinity;
  private hi = -Infinity;

  /** Record `count` occurrences of `v` (v in [0, 2^64)). The 1% bound holds for integers or v >= 128. */
  record(v: number, count = 1): void {
    if (!(v >= 0 && v < MAX_VALUE)) throw new RangeError(`Histogram.record: value ${v} outside [0, 2^64)`);
    if (!(count > 0)) {
      if (count === 0) return;
      throw new RangeError(`Histogram.record: count ${count} must be >= 0`);
    }
    const i = bucketIndex(v);
    if (i >= this.counts.length) this.grow(i);
    this.counts[i] += count;
    this.n += count;
    this.total += v * count;
    if (v < this.lo) this.lo = v;
    if (v > this.hi) this.hi = v;
  }

  /** Grow to cover bucket `i` plus a few octaves of headroom, so growth happens rarely. */
  private grow(i: number): void {
    const wanted = Math.min(MAX_BUCKETS, (Math.floor(i / SUB) + 4) * SUB);
    const next = new Float64Array(wanted);
    next.set(this.counts);
    this.counts = next;
  }

  get count(): number {
    return this.n;
  }
  get min(): number {
    return this.n === 0 ? 0 : this.lo;
  }
  get max(): number {
    return this.n === 0 ? 0 : this.hi;
  }
  /** Exact mean of the recorded values (the sum is kept apart from the buckets). */
  get mean(): number {
    return this.n === 0 ? 0 : this.total / this.n;
  }
  /** Allocated buckets, for checking that memory stays bounded. */
  get bucketCount(): number {
    return this.counts.length;
  }

  /**
   * Value at percentile p in [0, 100], by nearest rank (rank ceil(p/100 · n), at least 1):
   * the representative of the bucket holding that rank, clamped to [min, max]. 0 when empty.
   */
  percentile(p: number): number {
    if (!(p >= 0 && p <= 100)) throw new RangeError(`Histogram.percentile: p ${p} outside [0, 100]`);
    if (this.n === 0) return 0;
    const rank = Math.max(1, Math.ceil((p * this.n) / 100));
    const counts = this.counts;
    let seen = 0;
    for (let i = 0; i < counts.length; i++) {
      seen += counts[i] as number;
      if (seen >= rank) return Math.min(this.hi, Math.max(this.lo, bucketValue(i)));
    }
    return this.hi;
  }

  /** The non-empty buckets in increasing order: each bucket's reported value and its count (for plotting the distribution). */
  buckets(): Array<{ value: number; count: number }> {
    const out: Array<{ value: number; count: number }> = [];
    const counts = this.counts;
    for (let i = 0; i < counts.length; i++) {
      const c = counts[i] as number;
      if (c > 0) out.push({ value: Math.min(this.hi, Math.max(this.lo, bucketValue(i))), count: c });
    }
    return out;
  }

  /** Adds `other`'s counts into this one: same result as recording the union. */
  merge(other: Histogram): void {
    if (other.n === 0) return;
    if (other.counts.length > this.counts.length) this.grow(other.counts.length - 1);
    const mine = this.counts;
    const theirs = other.counts;
    for (let i = 0; i < theirs.length; i++) mine[i] = (mine[i] as number) + (theirs[i] as number);
    this.n += other.n;
    this.total += other.total;
    if (other.lo < this.lo) this.lo = other.lo;
    if (other.hi > this.hi) this.hi = other.hi;
  }

  /** Forget all values, keeping the allocated buckets (end of warm-up). */
  reset(): void {
    this.counts.fill(0);
    this.n = 0;
    this.total = 0;
    this.lo = Infinity;
    this.hi = -Infinity;
  }

  toJSON(): HistogramJSON {
    return {
      count: this.n,
      min: this.min,
      max: this.max,
      mean: this.mean,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      p999: this.percentile(99.9),
    };
  }
}
