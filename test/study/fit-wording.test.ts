/**
 * Issue 23, item 4: a scaling fit that explains nothing (R² below MIN_FIT_R2) says "no fit"
 * instead of printing parameters such as `σ 1.0000 ± 2.5675` as if they meant something.
 */
import { describe, expect, it } from 'vitest';
import { NO_FIT, formatScalingText, type SeriesScaling } from '../../src/study/summary.js';
import { MIN_FIT_R2, fitAmdahl, fitUsl, type Observation } from '../../src/study/usl.js';

function series(label: string, obs: Observation[]): SeriesScaling {
  const x1 = obs[0]!.x;
  return {
    label,
    assignments: {},
    points: obs.map((o, i) => ({ n: o.n, point: i, mean: o.x, ci95: null, speedup: o.x / x1, efficiency: o.x / x1 / o.n })),
    usl: fitUsl(obs),
    amdahl: fitAmdahl(obs),
  };
}

describe('scaling fits that do not fit', () => {
  // Throughput that does not change with N (a saturated disk), with 1% noise.
  const flat = [1, 2, 4, 8].map((n, i) => ({ n, x: [100, 101, 99, 100.5][i]! }));
  // Amdahl's law exactly, σ = 0.1: X(N) = 100 N / (1 + 0.1 (N − 1)).
  const amdahl = [1, 2, 4, 8].map((n) => ({ n, x: (100 * n) / (1 + 0.1 * (n - 1)) }));

  it('R² of a flat noisy series is below MIN_FIT_R2; of an exact Amdahl curve 1', () => {
    expect(MIN_FIT_R2).toBe(0.5);
    expect(fitAmdahl(flat).r2).toBeLessThan(MIN_FIT_R2);
    expect(fitUsl(flat).r2).toBeLessThan(MIN_FIT_R2);
    expect(fitAmdahl(amdahl).r2).toBeCloseTo(1, 9);
  });

  it('prints "no fit" for the flat series\' parameters, keeps its R², explains once; the good fit keeps its numbers', () => {
    const lines = formatScalingText({ x: 'machine.cpus', metric: 'ops.per_sec', series: [series('flat', flat), series('amdahl', amdahl)] });
    const row = (label: string) => lines.find((l) => l.trimStart().startsWith(`${label} `) && !l.includes('%'))!;
    const cells = row('flat').trim().split(/\s{2,}/);
    // series, α, β, γ, N*, R², Amdahl σ, R²
    expect(cells).toEqual(['flat', NO_FIT, NO_FIT, NO_FIT, NO_FIT, fitUsl(flat).r2.toFixed(4), NO_FIT, '0.0000']);
    expect(row('flat')).not.toContain('±');
    expect(row('amdahl')).toMatch(/ 0\.1000 ± 0 +1\.0000$/);
    expect(lines.filter((l) => l.includes(`"${NO_FIT}": R² below ${MIN_FIT_R2}`))).toHaveLength(1);
  });

  it('says nothing about "no fit" when every fit holds', () => {
    const lines = formatScalingText({ x: 'machine.cpus', metric: 'ops.per_sec', series: [series('amdahl', amdahl)] });
    expect(lines.join('\n')).not.toContain(NO_FIT);
  });
});
