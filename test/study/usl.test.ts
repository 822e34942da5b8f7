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

// Gunther's ray-tracer benchmark (Guerrilla Capacity Planning, 2007), as shipped in R's
// `usl` package (data(raytracer)). Published results of usl 3.x (tests/confint.Rout.save):
//   all 11 rows: alpha 0.0578 [0.033677, 0.081864], beta 0 [-0.000214, 0.000214], gamma 21.8488 [17.868380, 25.829306]
//   rows 1..6:   alpha 0.02444 [0.00754, 0.04135], beta 0.00163 [0.00110, 0.00215], gamma 20.85605 [19.26717, 22.44492]
// R's confint is coef ± SE·qt(0.95, n − 1), so SE = half-width / qt(0.95, n − 1).
describe('USL/Amdahl parameter uncertainty', () => {
  const N = [1, 4, 8, 12, 16, 20, 24, 28, 32, 48, 64];
  const X = [20, 78, 130, 170, 190, 200, 210, 230, 260, 280, 310];
  const obs = (k: number) => N.slice(0, k).map((n, i) => ({ n, x: X[i]! }));
  const qt95 = { 5: 2.015048, 10: 1.812461 }; // qt(0.95, df), one-sided, from printed tables

  it('standard errors equal those R\'s usl package publishes for the raytracer data', () => {
    const cases = [
      { k: 11, coef: { alpha: 0.0578, gamma: 21.8488 }, half: { alpha: (0.081864 - 0.033677) / 2, beta: 0.000214, gamma: (25.829306 - 17.86838) / 2 } },
      { k: 6, coef: { alpha: 0.02444, beta: 0.00163, gamma: 20.85605 }, half: { alpha: (0.04135 - 0.00754) / 2, beta: (0.00215 - 0.0011) / 2, gamma: (22.44492 - 19.26717) / 2 } },
    ] as const;
    for (const c of cases) {
      const f = fitUsl(obs(c.k));
      for (const [k, v] of Object.entries(c.coef)) expect(f[k as 'alpha']).toBeCloseTo(v, k === 'gamma' ? 3 : 4);
      const u = f.uncertainty!;
      expect(u.df).toBe(c.k - 3);
      const q = qt95[c.k === 11 ? 10 : 5];
      for (const [k, half] of Object.entries(c.half)) {
        // R prints 3 significant digits: agree to 1%.
        expect(Math.abs(u.se[k as 'alpha'] / (half / q) - 1)).toBeLessThan(0.01);
      }
    }
  });

  it('95% CI half-widths are t(0.975, n−p)·SE, as computed independently (scipy curve_fit)', () => {
    // scipy.optimize.curve_fit(bounds=…) on rows 1..6: sqrt(diag(pcov)) · t.ppf(0.975, 3)
    const u = fitUsl(obs(6)).uncertainty!;
    expect(u.ci95.alpha).toBeCloseTo(2.67028618e-2, 5);
    expect(u.ci95.beta).toBeCloseTo(8.31890825e-4, 7);
    expect(u.ci95.gamma).toBeCloseTo(2.50938083, 3);
    // Amdahl on all 11 rows: σ 0.05777077 ± 0.01189438, γ 21.84884 ± 2.84529295 (t(0.975, 9))
    const a = fitAmdahl(obs(11));
    expect(a.serial_fraction).toBeCloseTo(0.05777077, 5);
    expect(a.uncertainty!.ci95.serial_fraction).toBeCloseTo(0.01189438, 5);
    expect(a.uncertainty!.ci95.gamma).toBeCloseTo(2.84529295, 3);
  });

  it('no uncertainty without residual degrees of freedom (n ≤ p)', () => {
    expect(fitUsl(obs(3)).uncertainty).toBeNull();
    expect(fitAmdahl(obs(2)).uncertainty).toBeNull();
    expect(fitUsl(obs(4)).uncertainty).not.toBeNull();
  });
});
