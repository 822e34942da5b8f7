import { describe, expect, it } from 'vitest';
import { createStream } from '../../src/engine/random.js';
import { amdahlX, fitAmdahl, fitUsl, uslX } from '../../src/study/usl.js';

const NS = [1, 2, 4, 8, 16, 32, 64];

describe('USL fit', () => {
  const cases = [
    { alpha: 0.03, beta: 0.0005, gamma: 1000 },
    { alpha: 0.2, beta: 0.003, gamma: 157_000 },
    { alpha: 0, beta: 0.01, gamma: 50 },
    { alpha: 0.1, beta: 0, gamma: 2e6 },
  ];

  it('recovers α, β, γ exactly from noiseless data', () => {
    for (const t of cases) {
      const f = fitUsl(NS.map((n) => ({ n, x: uslX(t, n) })));
      expect(f.alpha).toBeCloseTo(t.alpha, 7);
      expect(f.beta).toBeCloseTo(t.beta, 9);
      expect(f.gamma / t.gamma).toBeCloseTo(1, 7);
      expect(f.r2).toBeCloseTo(1, 10);
      if (t.beta === 0) expect(f.peak_n).toBeNull();
      else expect(f.peak_n!).toBeCloseTo(Math.sqrt((1 - t.alpha) / t.beta), 4);
    }
  });

  it('recovers them within a tight tolerance from noisy data (1% noise, 3 replications per N)', () => {
    const t = { alpha: 0.03, beta: 0.0005, gamma: 1000 };
    for (const seed of [1, 2, 3, 4, 5]) {
      const rng = createStream(seed, 'usl-noise');
      const obs = NS.flatMap((n) => [0, 1, 2].map(() => ({ n, x: uslX(t, n) * (1 + 0.01 * 2 * (rng.next() - 0.5) * Math.sqrt(3)) })));
      const f = fitUsl(obs);
      expect(Math.abs(f.alpha - t.alpha), `seed ${seed}`).toBeLessThan(0.005);
      expect(Math.abs(f.beta - t.beta) / t.beta, `seed ${seed}`).toBeLessThan(0.1);
      expect(Math.abs(f.gamma - t.gamma) / t.gamma, `seed ${seed}`).toBeLessThan(0.02);
      expect(f.r2).toBeGreaterThan(0.99);
    }
  });

  it('keeps α, β >= 0 for super-linear data', () => {
    const f = fitUsl(NS.map((n) => ({ n, x: 100 * n ** 1.1 })));
    expect(f.alpha).toBeGreaterThanOrEqual(0);
    expect(f.beta).toBeGreaterThanOrEqual(0);
  });

  it('needs 3 different N', () => {
    expect(() => fitUsl([{ n: 1, x: 1 }, { n: 2, x: 2 }, { n: 2, x: 2.1 }])).toThrow(/3 or more/);
  });
});

describe('Amdahl fit', () => {
  it('recovers the serial fraction, bounded to [0, 1]', () => {
    for (const s of [0, 0.05, 0.3]) {
      const f = fitAmdahl(NS.map((n) => ({ n, x: amdahlX({ serial_fraction: s, gamma: 800 }, n) })));
      expect(f.serial_fraction).toBeCloseTo(s, 7);
      expect(f.gamma).toBeCloseTo(800, 4);
      expect(f.r2).toBeCloseTo(1, 10);
    }
    const falling = fitAmdahl(NS.map((n) => ({ n, x: 1000 / n })));
    expect(falling.serial_fraction).toBeLessThanOrEqual(1);
  });
});
