import { describe, expect, it } from 'vitest';
import { makeSampler } from '../../src/engine/distributions.js';
import { createStream } from '../../src/engine/random.js';
import { Counter, Histogram, Tally, TimeWeighted } from '../../src/engine/stats.js';

describe('Counter', () => {
  it('counts and resets', () => {
    const c = new Counter();
    c.inc();
    c.inc(4);
    expect(c.value).toBe(5);
    expect(JSON.stringify({ c })).toBe('{"c":5}');
    c.reset();
    expect(c.value).toBe(0);
  });
});

function twoPass(xs: readonly number[]): { mean: number; variance: number; sum: number } {
  const sum = xs.reduce((a, b) => a + b, 0);
  const mean = sum / xs.length;
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1);
  return { mean, variance, sum };
}

function randomData(name: string, n: number, offset: number): number[] {
  const rng = createStream(5, name);
  // A large offset makes the naive sum-of-squares formula lose all digits; Welford must not.
  return Array.from({ length: n }, () => offset + 1000 * rng.next());
}

describe('Tally', () => {
  it('matches a two-pass computation on random data', () => {
    const xs = randomData('tally', 10_000, 1e9);
    const t = new Tally();
    for (const x of xs) t.add(x);
    const ref = twoPass(xs);
    expect(t.count).toBe(xs.length);
    expect(Math.abs(t.mean - ref.mean) / ref.mean).toBeLessThan(1e-13);
    expect(t.variance / ref.variance).toBeCloseTo(1, 9);
    expect(t.stddev / Math.sqrt(ref.variance)).toBeCloseTo(1, 9);
    expect(t.sum / ref.sum).toBeCloseTo(1, 12);
    expect(t.min).toBe(Math.min(...xs));
    expect(t.max).toBe(Math.max(...xs));
  });

  it('merge equals the tally of the concatenation', () => {
    const a = randomData('a', 3000, 50);
    const b = randomData('b', 7000, 900);
    const ta = new Tally();
    const tb = new Tally();
    const all = new Tally();
    for (const x of a) ta.add(x);
    for (const x of b) tb.add(x);
    for (const x of [...a, ...b]) all.add(x);
    ta.merge(tb);
    expect(ta.count).toBe(all.count);
    expect(ta.mean).toBeCloseTo(all.mean, 9);
    expect(ta.variance / all.variance).toBeCloseTo(1, 9);
    expect(ta.min).toBe(all.min);
    expect(ta.max).toBe(all.max);
    expect(ta.sum).toBeCloseTo(all.sum, 6);
  });

  it('merges into and from empty tallies', () => {
    const t = new Tally();
    t.add(3);
    t.add(5);
    const empty = new Tally();
    empty.merge(t);
    expect(empty.toJSON()).toEqual(t.toJSON());
    t.merge(new Tally());
    expect(t.toJSON()).toEqual({ count: 2, min: 3, max: 5, mean: 4, stddev: Math.SQRT2, sum: 8 });
  });

  it('reports zeros when empty and 0 variance for one value', () => {
    const t = new Tally();
    expect(t.toJSON()).toEqual({ count: 0, min: 0, max: 0, mean: 0, stddev: 0, sum: 0 });
    t.add(7);
    expect(t.variance).toBe(0);
    t.reset();
    expect(t.count).toBe(0);
    expect(t.max).toBe(0);
  });
});

describe('TimeWeighted', () => {
  it('weights each value by how long it was held', () => {
    const g = new TimeWeighted(0, 2);
    g.set(3, 5);
    expect(g.mean(4)).toBe(2.75); // 2 for 3 ns, then 5 for 1 ns
    expect(g.max).toBe(5);
    expect(g.value).toBe(5);
  });

  it('supports add, a non-zero start and repeated times', () => {
    const g = new TimeWeighted(10);
    g.add(10, 1); // 1 over [10,12)
    g.add(12, 2); // 3 over [12,12): zero length
    g.add(12, -1); // 2 over [12,20)
    expect(g.mean(20)).toBe((1 * 2 + 2 * 8) / 10);
    expect(g.max).toBe(3);
    expect(g.summary(20)).toEqual({ value: 2, max: 3, mean: 1.8 });
  });

  it('reset restarts integration keeping the current value', () => {
    const g = new TimeWeighted(0, 10);
    g.set(100, 1); // warm-up at 10
    g.reset(100);
    expect(g.max).toBe(1);
    g.set(150, 3);
    expect(g.mean(200)).toBe((1 * 50 + 3 * 50) / 100);
    expect(g.mean(100)).toBe(3); // empty interval: the current value
  });

  it('refuses time going backwards', () => {
    const g = new TimeWeighted();
    g.set(5, 1);
    expect(() => g.set(4, 2)).toThrow(RangeError);
  });
});

/** Nearest-rank percentile of sorted values, the definition the histogram approximates. */
function exactPercentile(sorted: Float64Array, p: number): number {
  const rank = Math.max(1, Math.ceil((p * sorted.length) / 100));
  return sorted[rank - 1] as number;
}

const PERCENTILES = [0, 0.1, 1, 5, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100];

function drawer(name: string): () => number {
  const rng = createStream(3, name);
  switch (name) {
    case 'lognormal(10us,5us)': {
      const s = makeSampler({ kind: 'lognormal', mean: 10_000, sd: 5000 });
      return () => s(rng);
    }
    case 'lognormal(1ms,10ms)': {
      const s = makeSampler({ kind: 'lognormal', mean: 1e6, sd: 1e7 });
      return () => s(rng);
    }
    case 'uniform integers in [0,1e9)':
      return () => Math.floor(rng.next() * 1e9);
    case 'integers in [0,300)':
      return () => Math.floor(rng.next() * 300);
    default: // reals in [128, 1e12)
      return () => 128 + rng.next() * (1e12 - 128);
  }
}

describe('Histogram', () => {
  it.each([
    'lognormal(10us,5us)',
    'lognormal(1ms,10ms)',
    'uniform integers in [0,1e9)',
    'integers in [0,300)',
    'reals in [128,1e12)',
  ])('percentiles of 100,000 draws of %s are within 1%% of an exact sort', (name) => {
    const draw = drawer(name);
    const n = 100_000;
    const xs = new Float64Array(n);
    const h = new Histogram();
    for (let i = 0; i < n; i++) {
      const x = draw();
      xs[i] = x;
      h.record(x);
    }
    xs.sort();
    for (const p of PERCENTILES) {
      const exact = exactPercentile(xs, p);
      expect(Math.abs(h.percentile(p) - exact)).toBeLessThanOrEqual(0.01 * exact);
    }
    expect(h.count).toBe(n);
    expect(h.min).toBe(xs[0]);
    expect(h.max).toBe(xs[n - 1]);
    const sum = xs.reduce((a, b) => a + b, 0);
    expect(h.mean / (sum / n)).toBeCloseTo(1, 12);
  });

  it('is exact for integers below 256', () => {
    const h = new Histogram();
    for (let v = 0; v < 256; v++) h.record(v);
    for (let v = 0; v < 256; v++) expect(h.percentile(((v + 1) * 100) / 256)).toBe(v);
  });

  it('puts values around every power of two within 1/256 of their bucket value', () => {
    const values: number[] = [];
    for (let v = 1; v < 2 ** 16; v += 13) values.push(v);
    for (let k = 8; k < 64; k++) for (const d of [-2, -1, 0, 1, 2]) values.push(2 ** k + d * 2 ** Math.max(0, k - 8));
    for (const v of values) {
      const h = new Histogram();
      // 0 and a larger value around v keep the clamp to [min, max] from hiding the bucket value.
      h.record(0);
      h.record(v);
      h.record(Math.min(2 * v + 1, 2 ** 64 - 2 ** 12));
      expect(Math.abs(h.percentile(50) - v)).toBeLessThanOrEqual(v / 256);
    }
  });

  it('merge equals the histogram of the union', () => {
    const ra = createStream(4, 'merge-a');
    const rb = createStream(4, 'merge-b');
    const a = new Histogram();
    const b = new Histogram();
    const union = new Histogram();
    for (let i = 0; i < 50_000; i++) {
      const x = Math.floor(ra.next() * 1e6);
      const y = Math.floor(rb.next() * 1e10); // b reaches octaves that a has not allocated
      a.record(x);
      union.record(x);
      b.record(y, 2);
      union.record(y, 2);
    }
    a.merge(b);
    expect(a.toJSON()).toEqual(union.toJSON());
    for (let p = 0; p <= 100; p += 0.5) expect(a.percentile(p)).toBe(union.percentile(p));
    expect(a.count).toBe(150_000);
  });

  it('keeps memory bounded: 1e6 values spanning 1..1e12 use < 10,000 buckets', () => {
    const h = new Histogram();
    const rng = createStream(4, 'span');
    for (let i = 0; i < 1_000_000; i++) h.record(Math.floor(Math.exp(rng.next() * Math.log(1e12))));
    h.record(1e12);
    expect(h.bucketCount).toBeLessThan(10_000);
    const top = new Histogram();
    top.record(2 ** 64 - 2 ** 20); // even the top of the range fits the bound
    expect(top.bucketCount).toBeLessThan(10_000);
  });

  it('rejects values it cannot hold and bad percentiles', () => {
    const h = new Histogram();
    expect(() => h.record(-1)).toThrow(RangeError);
    expect(() => h.record(Number.NaN)).toThrow(RangeError);
    expect(() => h.record(2 ** 64)).toThrow(RangeError);
    expect(() => h.record(5, -1)).toThrow(RangeError);
    expect(() => h.percentile(101)).toThrow(RangeError);
  });

  it('reports zeros when empty, and reset forgets everything', () => {
    const h = new Histogram();
    const zeros = { count: 0, min: 0, max: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0 };
    expect(h.toJSON()).toEqual(zeros);
    h.record(1e6, 3);
    h.record(5);
    expect(h.toJSON()).toMatchObject({ count: 4, min: 5, max: 1e6, p50: 1e6 });
    h.reset();
    expect(h.toJSON()).toEqual(zeros);
    h.record(42);
    expect(h.percentile(50)).toBe(42);
  });
});
