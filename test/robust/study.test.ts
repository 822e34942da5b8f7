/**
 * The robustness study's logic on planted closed forms: a fake batch runner gives each run a
 * metric computed from its scenario's costs, so the break-even of a pair is known exactly
 * (no simulation). The runs through the real sweep machinery: test/robust/cli.test.ts.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Result } from '../../src/report/result.js';
import type { ResolvedScenario } from '../../src/scenario/types.js';
import { runRobustness, type BatchRunner, type RobustnessSpec } from '../../src/robust/study.js';
import { formatRobustnessText, tornadoSvg } from '../../src/robust/report.js';

const SCENARIO = path.resolve(__dirname, '../../scenarios/lkml-2000-4way.yaml');

/** A "result" that carries its scenario; the planted metric reads it. */
type Fake = { scenario: ResolvedScenario };

function fakeRunner(metric: (s: ResolvedScenario, rep: number) => number): { runner: BatchRunner; batches: string[]; extract: RobustnessSpec['extract'] } {
  const batches: string[] = [];
  const runner: BatchRunner = async (name, points, reps) => {
    batches.push(name);
    return points.map((p) => Array.from({ length: reps }, (_, r) => ({ scenario: p.scenario, rep: r }) as unknown as Result));
  };
  const extract = (rs: Result[]) => rs.map((r) => metric((r as unknown as Fake).scenario, (r as unknown as { rep: number }).rep));
  return { runner, batches, extract };
}

function spec(extra: Partial<RobustnessSpec>): RobustnessSpec {
  return {
    scenarioFile: SCENARIO,
    set: [],
    variants: ['bounce', 'vmap'].map((v) => ({ label: v, sets: [`kernel.strategy=${v}`], values: [['kernel.strategy', v]] })),
    metric: 'planted',
    method: 'morris',
    samples: 6,
    levels: 4,
    inputs: ['costs.context_switch', 'costs.memcpy_page'],
    seeds: 3,
    bisectInputs: 2,
    bisectSteps: 10,
    ...extra,
  };
}

/**
 * Planted: bounce costs 200 µs + 10·memcpy_page, vmap 100 µs + 100·context_switch.
 * Nominal (era2000: memcpy_page 10 µs, context_switch 3 µs, an estimate): bounce 300 µs < vmap 400 µs.
 * Others nominal, vmap drops to bounce's cost at context_switch = (300 − 100)/100 µs = 2 µs,
 * inside its range 1.5..6 µs; memcpy_page would have to reach 14 µs, outside 7..13 µs.
 */
const planted = (s: ResolvedScenario) =>
  s.kernel.strategy === 'bounce' ? 200_000 + 10 * s.costs.memcpy_page : 100_000 + 100 * s.costs.context_switch;

describe('robustness study on a planted break-even', () => {
  it('finds context_switch = 2 µs within its bisection bracket, and no flip by memcpy_page', async () => {
    const f = fakeRunner(planted);
    const r = await runRobustness(spec({ extract: f.extract }), f.runner);
    expect(r.nominal_ranking).toBe('bounce < vmap');
    const p = r.pairs[0]!;
    expect([p.a, p.b]).toEqual(['bounce', 'vmap']);
    expect(p.noise_log_ratio).toBe(0);
    expect(p.break_even.map((b) => b.input)).toEqual(['costs.context_switch']);
    const be = p.break_even[0]!;
    // The bracket holds the closed form (values are rounded to whole ns: ±1 ns).
    expect(be.bracket[0]).toBeLessThanOrEqual(2000 + 1);
    expect(be.bracket[1]).toBeGreaterThanOrEqual(2000 - 1);
    // 10 halvings of the log coordinate between nominal and 1.5 µs: width ln(4)/1024 relative at most.
    expect(be.bracket[1] / be.bracket[0]).toBeLessThan(Math.exp(Math.log(4) / 1024) + 1e-12);
    expect(be.side).toBe('lo');
    expect(p.examined.find((e) => e.input === 'costs.memcpy_page')!.flips).toBe(false);
    // Share of the box: vmap < bounce exactly where 100 + 0.1·t < 200 + 0.01·m (µs, ns) — count it.
    expect(p.holds + p.flipped + p.ties).toBeCloseTo(1, 12);
    expect(p.flipped).toBeGreaterThan(0);
    // Morris μ* of ln ratio ranks context_switch first.
    expect(p.influence[0]!.input).toBe('costs.context_switch');
    const text = formatRobustnessText(r, 'out');
    expect(text).toContain('bounce < vmap holds in');
    expect(text).toMatch(/decided by costs\.context_switch, which flips it at 2(\.0\d*)?us|decided by costs\.context_switch, which flips it at 1\.99\dus/);
    expect(tornadoSvg(r)).toContain('flips at');
    expect(f.batches.slice(0, 3)).toEqual(['nominal', 'design', 'ends']);
    expect(f.batches.filter((b) => b.startsWith('bisect-'))).toHaveLength(10);
  });

  it('the share of the box is the exact count of design points where A < B', async () => {
    const f = fakeRunner(planted);
    const r = await runRobustness(spec({ extract: f.extract, bisectInputs: 0 }), f.runner);
    expect(f.batches).toEqual(['nominal', 'design']);
    const p = r.pairs[0]!;
    expect(p.points).toBe(6 * 3);
    expect(Number.isInteger(p.holds * p.points)).toBe(true);
  });

  it('reports a difference within the noise floor as a tie, never as a flip', async () => {
    // vmap = bounce × (1 + 1%), and ±5% of seed noise on vmap only: the 1% is below the noise.
    const f = fakeRunner((s, rep) => (s.kernel.strategy === 'bounce' ? 300_000 : 303_000 * (1 + 0.05 * [0, 1, -1][rep]!)));
    const r = await runRobustness(spec({ extract: f.extract }), f.runner);
    const p = r.pairs[0]!;
    expect(p.nominal_tie).toBe(true);
    expect(p.break_even).toEqual([]);
    expect(r.nominal_ranking).toBe('bounce ≈ vmap');
    expect(formatRobustnessText(r, 'out')).toContain('within the noise floor at nominal');
  });

  it('Sobol: S1/ST of the planted ln ratio put context_switch first; box share from the A and B rows', async () => {
    const f = fakeRunner(planted);
    const r = await runRobustness(spec({ extract: f.extract, method: 'sobol', samples: 32, bisectInputs: 0 }), f.runner);
    const p = r.pairs[0]!;
    expect(p.points).toBe(64);
    expect(p.influence[0]!.input).toBe('costs.context_switch');
    expect(p.influence[0]!.st!).toBeGreaterThan(0.5);
    expect(r.design_points).toBe(32 * 4);
  });
});
