import { describe, expect, it } from 'vitest';
import { createStream } from '../../src/engine/random.js';
import { mser } from '../../src/study/mser.js';
import { SeriesCollector, chooseWarmup, warmupSetting } from '../../src/study/series.js';

function gauss(rng: { next(): number }): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

/** Steady state N(10, 1) after an initial bias decaying linearly from +`bias` to 0 over `transient` observations. */
function withTransient(n: number, transient: number, bias: number, seed: number): number[] {
  const rng = createStream(seed, 'mser');
  return Array.from({ length: n }, (_, i) => 10 + gauss(rng) + (i < transient ? bias * (1 - i / transient) : 0));
}

describe('MSER-5', () => {
  it('finds the end of a known transient', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const r = mser(withTransient(4000, 500, 8, seed));
      expect(r.truncate % 5).toBe(0);
      // The bias is below 1 sd (of a batch mean: 1/√5 ≈ 0.45) only in its last ~6%.
      expect(r.truncate, `seed ${seed}`).toBeGreaterThanOrEqual(350);
      expect(r.truncate, `seed ${seed}`).toBeLessThanOrEqual(650);
      expect(r.atLimit).toBe(false);
    }
  });

  it('truncates little of a stationary series', () => {
    const r = mser(withTransient(4000, 0, 0, 9));
    expect(r.truncate).toBeLessThan(400);
  });

  it('computes the statistic of the definition', () => {
    const z = [9, 1, 3, 1, 3, 1, 3];
    const r = mser(z, 1);
    // d = 0: SSE 48 / 7² = 0.98; d = 1: mean 2, SSE 6 / 6² = 0.167; d = 2: SSE 4.8 / 5² = 0.192;
    // d = 3 (= ⌊7/2⌋, the last candidate): SSE 4 / 4² = 0.25.
    expect(r.batches).toBe(1);
    expect(r.statistic).toBeCloseTo(1 / 6, 12);
    expect(mser(z, 1).totalBatches).toBe(7);
  });

  it('flags a run too short to settle (minimum at the end of the first half)', () => {
    const rising = Array.from({ length: 1000 }, (_, i) => i);
    expect(mser(rising).atLimit).toBe(true);
  });
});

describe('run series and the warm-up choice', () => {
  it('bins ops in adaptive time bins without losing any', () => {
    const c = new SeriesCollector(1000, 16);
    for (let t = 0; t < 100_000; t += 100) c.add(t, 50);
    const s = c.finish(100_000);
    expect(s.bin_ns).toBe(8000); // 1 µs doubled until 100 µs fits in 16 bins
    expect(s.ops.length).toBe(12); // 12 complete 8 µs bins in 100 µs
    expect(s.ops.every((n) => n === 80)).toBe(true);
    expect(s.latency_sum_ns[0]).toBe(80 * 50);
  });

  it('chooses the warm-up from a throughput and latency transient', () => {
    // 2000 bins of 1 µs: throughput ramps up for 300 µs, latency settles at the same time.
    const rng = createStream(3, 'series');
    const c = new SeriesCollector(1000, 4096);
    for (let bin = 0; bin < 2000; bin++) {
      const ramp = bin < 300 ? bin / 300 : 1;
      const n = Math.round(20 * ramp + 2 * gauss(rng)) + 2;
      for (let k = 0; k < n; k++) c.add(bin * 1000 + k, 5000 + (1 - ramp) * 20000 + 300 * gauss(rng));
    }
    const choice = chooseWarmup(c.finish(2_000_000));
    expect(choice.bin_ns).toBe(1000);
    expect(choice.truncate_bins).toBeGreaterThanOrEqual(200);
    expect(choice.truncate_bins).toBeLessThanOrEqual(400);
    expect(choice.warmup_ns).toBe(choice.truncate_bins * 1000);
    expect(warmupSetting(choice, 'time')).toEqual({ time_ns: choice.warmup_ns });
    expect(warmupSetting(choice, 'ops')).toEqual({ ops: choice.warmup_ops });
  });
});
