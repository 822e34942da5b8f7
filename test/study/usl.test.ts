import { describe, expect, it } from 'vitest';
import { createStream } from '../../src/engine/random.js';
import { amdahlX, fitAmdahl, fitUsl, uslX } from '../../src/study/usl.js';

const NS = [1, 2, 4, 8, 16, 32, 64];

describe('USL fit', () => {
  // X(N) = γN / (1 + α(N−1) + βN(N−1)) at N = [1, 2, 4, 8, 16, 32, 64], computed by hand (Python, 10
  // significant digits) rather than with the production uslX, so a wrong formula in either
  // the fit or uslX fails here.
  const cases = [
    { alpha: 0.03, beta: 0.0005, gamma: 1000, x: [1000, 1939.86421, 3649.635036, 6462.035541, 10191.0828, 13190.43693, 13045.25071] },
    { alpha: 0.2, beta: 0.003, gamma: 157000, x: [157000, 260364.8425, 383863.0807, 489096.5732, 532203.3898, 493710.6918, 391033.6239] },
    { alpha: 0, beta: 0.01, gamma: 50, x: [50, 98.03921569, 178.5714286, 256.4102564, 235.2941176, 146.5201465, 77.44433688] },
    { alpha: 0.1, beta: 0, gamma: 2000000, x: [2000000, 3636363.636, 6153846.154, 9411764.706, 12800000, 15609756.1, 17534246.58] },
  ];

  it('uslX is the USL: γN / (1 + α(N−1) + βN(N−1))', () => {
    for (const t of cases) NS.forEach((n, i) => expect(uslX(t, n) / t.x[i]!).toBeCloseTo(1, 8));
  });

  it('recovers α, β, γ exactly from noiseless data', () => {
    for (const t of cases) {
      const f = fitUsl(NS.map((n, i) => ({ n, x: t.x[i]! })));
      expect(f.alpha).toBeCloseTo(t.alpha, 6);
      expect(f.beta).toBeCloseTo(t.beta, 8);
      expect(f.gamma / t.gamma).toBeCloseTo(1, 6);
      expect(f.r2).toBeCloseTo(1, 8);
      if (t.beta === 0) expect(f.peak_n).toBeNull();
      else expect(f.peak_n!).toBeCloseTo(Math.sqrt((1 - t.alpha) / t.beta), 4);
    }
  });

  it('recovers them within a tight tolerance from noisy data (1% noise, 3 replications per N)', () => {
    const t = cases[0]!;
    for (const seed of [1, 2, 3, 4, 5]) {
      const rng = createStream(seed, 'usl-noise');
      const obs = NS.flatMap((n) => [0, 1, 2].map(() => ({ n, x: t.x[NS.indexOf(n)]! * (1 + 0.01 * 2 * (rng.next() - 0.5) * Math.sqrt(3)) })));
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
    // X(N) = 800·N / (1 + s(N−1)), by hand.
    const data = [
    { serial_fraction: 0, x: [800, 1600, 3200, 6400, 12800, 25600, 51200] },
    { serial_fraction: 0.05, x: [800, 1523.809524, 2782.608696, 4740.740741, 7314.285714, 10039.21569, 12337.3494] },
    { serial_fraction: 0.3, x: [800, 1230.769231, 1684.210526, 2064.516129, 2327.272727, 2485.436893, 2572.864322] },
    ];
    for (const d of data) {
      NS.forEach((n, i) => expect(amdahlX({ serial_fraction: d.serial_fraction, gamma: 800 }, n) / d.x[i]!).toBeCloseTo(1, 8));
      const f = fitAmdahl(NS.map((n, i) => ({ n, x: d.x[i]! })));
      expect(f.serial_fraction).toBeCloseTo(d.serial_fraction, 6);
      expect(f.gamma).toBeCloseTo(800, 4);
      expect(f.r2).toBeCloseTo(1, 8);
    }
    const falling = fitAmdahl(NS.map((n) => ({ n, x: 1000 / n })));
    expect(falling.serial_fraction).toBeLessThanOrEqual(1);
  });
});
