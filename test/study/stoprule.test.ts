import { describe, expect, it } from 'vitest';
import { createStream } from '../../src/engine/random.js';
import { meanCi, relativePrecision, replicateUntil, stopDecision } from '../../src/study/ci.js';

describe('JMT stop rule (--precision)', () => {
  const rule = { precision: 0.03, maxReplications: 30 };

  it('does not decide before two values', () => {
    expect(stopDecision([100], rule)).toEqual({ stop: false });
  });

  it('stops as soon as half-width / |mean| <= precision', () => {
    // 100 ± 1: after 3 values t_{0.975,2}·s/√3 = 4.303·1/1.732 = 2.48% → converged.
    expect(stopDecision([99, 100, 101], rule)).toEqual({ stop: true, converged: true });
    // 100 ± 10: 24.8% → go on.
    expect(stopDecision([90, 100, 110], rule)).toEqual({ stop: false });
    // The stop comes at the first n where the precision is reached, not later.
    const values = [100, 104, 97, 101, 99, 103, 98, 100, 102, 99];
    const out = replicateUntil((i) => values[i]!, 3, rule);
    const firstOk = values.findIndex((_, i) => i >= 1 && relativePrecision(meanCi(values.slice(0, i + 1)))! <= 0.03) + 1;
    expect(out.converged).toBe(true);
    expect(out.values.length).toBe(Math.max(3, firstOk));
    expect(relativePrecision(meanCi(out.values))).toBeLessThanOrEqual(0.03);
    expect(relativePrecision(meanCi(out.values.slice(0, -1)))).toBeGreaterThan(0.03);
  });

  it('caps at --max-replications, not converged', () => {
    const rng = createStream(1, 'noisy');
    const out = replicateUntil(() => 100 * (1 + 2 * (rng.next() - 0.5)), 3, { precision: 0.001, maxReplications: 12 });
    expect(out).toMatchObject({ converged: false });
    expect(out.values.length).toBe(12);
  });

  it('counts identical values (even zeros) as converged, a zero mean with spread as not', () => {
    expect(stopDecision([0, 0, 0], rule)).toEqual({ stop: true, converged: true });
    expect(stopDecision([-1, 1, 0], rule)).toEqual({ stop: false });
  });

  it('takes more replications for a tighter target', () => {
    const draw = (seed: number) => {
      const rng = createStream(seed, 'tight');
      return () => 1000 * (1 + 0.1 * (rng.next() - 0.5));
    };
    const loose = replicateUntil(draw(7), 3, { precision: 0.05, maxReplications: 200 });
    const tight = replicateUntil(draw(7), 3, { precision: 0.005, maxReplications: 200 });
    expect(loose.converged && tight.converged).toBe(true);
    expect(tight.values.length).toBeGreaterThan(loose.values.length);
  });
});
