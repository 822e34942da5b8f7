/**
 * `smpsim robustness` (issue 21): how far a study's ranking of its variants can be trusted
 * over the uncertainty box of its inputs.
 *
 *   1. Inputs: the scenario's uncertain inputs (./inputs.ts), each a coordinate u ∈ [0, 1].
 *   2. Design: Morris trajectories (default) or a Saltelli design (./methods.ts).
 *   3. Every variant (--vary) at every design point, with common random numbers: all runs
 *      use the same seeds (SweepPoint.seedKey ''), so a difference between two points or
 *      two variants is the inputs', not the random streams'. The runs are sweeps
 *      (src/study/sweep.ts), one folder per batch: resumable, --jobs, --queue.
 *   4. Noise floor: every variant at nominal over `seeds` replications (replication 0 is the
 *      design's seed); per pair ε = 2 × sd of log(metric_A / metric_B) over the seeds. A pair
 *      differs at a point only if |log ratio| > ε; inside it is a tie, never a flip.
 *   5. Per pair (oriented by the nominal ranking, A < B): the share of points where A < B
 *      (Wilson 95% CI), where B < A beyond noise (flipped), ties; the 5–95% range of A/B;
 *      per input Morris μ*, σ (or Sobol S1, ST with bootstrap CIs) of the log ratio; the
 *      share of points where the whole nominal ranking holds.
 *   6. Break-even: for each pair, its `bisectInputs` most influential inputs are moved alone
 *      to each end of their range (others nominal); where the pair flips beyond noise, the
 *      value where log(A/B) crosses 0 is found by bisection (`bisectSteps` halvings of the
 *      coordinate between nominal and that end).
 *
 * The study knows nothing of the CLI: it gets the variants as --set lists and runs its
 * batches through `runBatch` (the CLI's: runSweep on a folder of --out).
 */
import { loadScenario, ScenarioError } from '../scenario/load.js';
import type { ResolvedScenario } from '../scenario/types.js';
import type { Result } from '../report/result.js';
import { metricValues } from '../study/summary.js';
import type { SweepPoint } from '../study/sweep.js';
import { InputError, coordinateOf, displayText, rangeText, setTextAt, uncertainInputs, valueAt, valueText, type UncertainInput } from './inputs.js';
import { morrisDesign, morrisIndices, quantile, saltelliDesign, sd, sobolIndices, wilson, SALTELLI_MAX_INPUTS } from './methods.js';

export const ROBUSTNESS_SCHEMA = 'smpsim.robustness/1';

export interface RobustVariant {
  /** Column label (the --vary values). */
  label: string;
  /** `path=value` --set assignments of the variant. */
  sets: string[];
  values: Array<[string, string]>;
}

export interface RobustnessSpec {
  scenarioFile: string;
  set: string[];
  seed?: number;
  variants: RobustVariant[];
  metric: string;
  method: 'morris' | 'sobol';
  /** Morris: trajectories; Sobol: base rows N (N(k+2) points). */
  samples: number;
  levels: number;
  /** Keep only these inputs (paths, or prefixes ending in *). */
  inputs: string[];
  /** Replications at nominal for the noise floor. */
  seeds: number;
  bisectInputs: number;
  bisectSteps: number;
  /** The metric of each result (default: the sweep summary's metricValues). Tests plant closed forms here. */
  extract?: (results: Result[], metric: string) => number[];
}

/** Runs one batch (a sweep in its own folder) and gives each point's results in replication order. */
export type BatchRunner = (name: string, points: SweepPoint[], replications: number) => Promise<Result[][]>;

export interface InputReport {
  path: string;
  quality: string;
  nominal: number;
  nominal_text: string;
  range: string;
  lo: number;
  hi: number;
  scale: 'linear' | 'log';
  range_source: string;
  /** Per variant: Morris μ*, σ of the metric (metric units per the input's whole range), or Sobol S1/ST. */
  per_variant: Record<string, SensitivityOf>;
}

export interface SensitivityOf {
  mu_star?: number;
  sigma?: number;
  s1?: number;
  st?: number;
  s1_ci?: [number, number];
  st_ci?: [number, number];
}

export interface BreakEven {
  input: string;
  /** Where log(A/B) crosses 0, others nominal: the midpoint of the final bracket. */
  value: number;
  value_text: string;
  bracket: [number, number];
  bracket_text: [string, string];
  /** Which end of the range the flip lies towards. */
  side: 'lo' | 'hi';
  evaluations: number;
}

export interface PairReport {
  a: string;
  b: string;
  /** A and B are within the noise floor of each other at nominal: no ranking to hold. */
  nominal_tie: boolean;
  nominal_ratio: number;
  noise_log_ratio: number;
  points: number;
  holds: number;
  holds_ci: [number, number];
  flipped: number;
  ties: number;
  ratio_p05: number;
  ratio_p95: number;
  /** Inputs by influence on log(A/B), most influential first. */
  influence: Array<{ input: string } & SensitivityOf>;
  /** Per examined input: a break-even, or why none. */
  break_even: BreakEven[];
  examined: Array<{ input: string; lo_ratio: number; hi_ratio: number; flips: boolean }>;
}

export interface RobustnessReport {
  schema: typeof ROBUSTNESS_SCHEMA;
  scenario: { name: string; file: string; seed: number };
  set: string[];
  variants: string[];
  metric: string;
  method: 'morris' | 'sobol';
  samples: number;
  levels: number | null;
  seeds: number;
  inputs: InputReport[];
  design_points: number;
  runs: number;
  nominal: Record<string, { mean: number; sd: number; values: number[] }>;
  /** Variants in nominal order (lowest metric first); ties within noise are joined by ≈. */
  nominal_ranking: string;
  ranking_holds: number;
  ranking_holds_ci: [number, number];
  pairs: PairReport[];
}

export class RobustnessError extends Error {}

function variantScenario(spec: RobustnessSpec, v: RobustVariant, extra: string[]): ResolvedScenario {
  return loadScenario(spec.scenarioFile, { set: [...spec.set, ...v.sets, ...extra], ...(spec.seed === undefined ? {} : { seed: spec.seed }) });
}

/** The inputs, checked: the same nominal in every variant, and both ends of each range valid. */
export function robustInputs(spec: RobustnessSpec): { base: ResolvedScenario; inputs: UncertainInput[] } {
  const base = variantScenario(spec, spec.variants[0]!, []);
  let inputs: UncertainInput[];
  try {
    inputs = uncertainInputs(base, spec.inputs);
  } catch (e) {
    if (e instanceof InputError) throw new RobustnessError(e.message);
    throw e;
  }
  if (inputs.length === 0) throw new RobustnessError('robustness: the scenario has no uncertain input (every cost is 0 and it has no uncertain: block)');
  if (spec.method === 'sobol' && inputs.length > SALTELLI_MAX_INPUTS) {
    throw new RobustnessError(`--method sobol: at most ${SALTELLI_MAX_INPUTS} inputs, got ${inputs.length}; choose some with --inputs`);
  }
  for (const v of spec.variants.slice(1)) {
    const s = variantScenario(spec, v, []);
    const other = uncertainInputs(s, spec.inputs);
    for (const i of inputs) {
      const o = other.find((x) => x.path === i.path);
      if (o === undefined || o.nominal !== i.nominal) {
        throw new RobustnessError(`--vary: variant ${v.label} changes uncertain input ${i.path} (${i.nominal} → ${o?.nominal ?? 'absent'}); vary only what the inputs do not depend on`);
      }
    }
  }
  // Both ends of every range must make a valid scenario (a fraction above 1, a size of 0 B…).
  for (const i of inputs) {
    for (const u of [0, 1]) {
      try {
        variantScenario(spec, spec.variants[0]!, [setTextAt(i, u)]);
      } catch (e) {
        if (e instanceof ScenarioError) {
          const why = e.problems.map((p) => `${p.path.join('.')}: ${p.message}`).join('; ');
          throw new RobustnessError(`uncertain.${i.path}: the range ${rangeText(i)} leaves the field's allowed values at its ${u === 0 ? 'low' : 'high'} end (${why})`);
        }
        throw e;
      }
    }
  }
  return { base, inputs };
}

function uKey(u: readonly number[]): string {
  return u.map((x) => x.toFixed(12)).join(',');
}

/** Build the sweep points of a batch: each (u, variant), deduplicated by u. */
function batchPoints(spec: RobustnessSpec, inputs: UncertainInput[], us: ReadonlyArray<readonly number[]>, variants: RobustVariant[]): { points: SweepPoint[]; at: Map<string, number> } {
  const points: SweepPoint[] = [];
  const at = new Map<string, number>();
  for (const u of us) {
    const ku = uKey(u);
    for (const v of variants) {
      const key = `${ku}|${v.label}`;
      if (at.has(key)) continue;
      const sets = inputs.map((inp, j) => setTextAt(inp, u[j]!));
      const scenario = variantScenario(spec, v, sets);
      at.set(key, points.length);
      points.push({
        index: points.length,
        assignments: [...v.values, ...inputs.map((inp, j): [string, string] => [inp.path, valueText(inp, valueAt(inp, u[j]!))])],
        scenario,
        seedKey: '',
      });
    }
  }
  return { points, at };
}

const LN = Math.log;

/** Sign of a log ratio beyond the noise floor: -1 (A < B), 1 (B < A), 0 (tie). */
function side(l: number, eps: number): -1 | 0 | 1 {
  return l < -eps ? -1 : l > eps ? 1 : 0;
}

export async function runRobustness(spec: RobustnessSpec, runBatch: BatchRunner): Promise<RobustnessReport> {
  const { base, inputs } = robustInputs(spec);
  const k = inputs.length;
  const labels = spec.variants.map((v) => v.label);
  const u0 = inputs.map((i) => coordinateOf(i, i.nominal));
  let runs = 0;
  const metricOf = (rs: Result[]): number[] => (spec.extract ?? metricValues)(rs, spec.metric);

  // Noise floor and nominal: every variant at nominal, `seeds` replications (CRN across variants).
  const nom = batchPoints(spec, inputs, [u0], spec.variants);
  // At nominal, the inputs are the scenario's own values: run the variants as they are.
  nom.points.forEach((p, j) => {
    p.scenario = variantScenario(spec, spec.variants[j]!, []);
    p.assignments = [...spec.variants[j]!.values];
  });
  const nomResults = await runBatch('nominal', nom.points, spec.seeds);
  runs += spec.seeds * nom.points.length;
  const nominal: RobustnessReport['nominal'] = {};
  const nomVals = nomResults.map(metricOf);
  labels.forEach((l, j) => {
    const vs = nomVals[j]!;
    nominal[l] = { mean: vs[0]!, sd: sd(vs), values: vs };
  });

  // The design.
  const morris = spec.method === 'morris' ? morrisDesign(k, spec.samples, base.seed, spec.levels) : null;
  const saltelli = spec.method === 'sobol' ? saltelliDesign(k, spec.samples) : null;
  const us = (morris ?? saltelli)!.points;
  const design = batchPoints(spec, inputs, us, spec.variants);
  const designResults = await runBatch('design', design.points, 1);
  runs += design.points.length;
  const y = (u: readonly number[], label: string): number => metricOf(designResults[design.at.get(`${uKey(u)}|${label}`)!]!)[0]!;
  const Y: Record<string, number[]> = {};
  for (const l of labels) Y[l] = us.map((u) => y(u, l));

  // Sensitivity of a value per design point.
  const sens = (vals: number[]): SensitivityOf[] => {
    if (morris) return morrisIndices(morris, vals).map((m) => ({ mu_star: m.mu_star, sigma: m.sigma }));
    return sobolIndices(saltelli!, vals, base.seed).map((s) => ({ s1: s.s1, st: s.st, s1_ci: s.s1_ci, st_ci: s.st_ci }));
  };
  const weight = (s: SensitivityOf) => s.mu_star ?? s.st ?? 0;

  const inputReports: InputReport[] = inputs.map((i) => ({
    path: i.path,
    quality: i.quality,
    nominal: i.nominal,
    nominal_text: displayText(i, i.nominal),
    range: rangeText(i),
    lo: i.lo,
    hi: i.hi,
    scale: i.scale,
    range_source: i.range_source,
    per_variant: {},
  }));
  for (const l of labels) sens(Y[l]!).forEach((s, j) => (inputReports[j]!.per_variant[l] = s));

  // The points that sample the box: Sobol's A and B rows; every Morris point.
  const boxRows = saltelli ? Array.from({ length: 2 * saltelli.n }, (_, j) => j) : us.map((_, j) => j);

  // Pairs, oriented by the nominal ranking.
  const order = [...labels].sort((a, b) => nominal[a]!.mean - nominal[b]!.mean || labels.indexOf(a) - labels.indexOf(b));
  const pairs: PairReport[] = [];
  const pairSides: Array<{ eps: number; tie: boolean; sides: number[] }> = [];
  for (let x = 0; x < order.length; x++) {
    for (let z = x + 1; z < order.length; z++) {
      const a = order[x]!;
      const b = order[z]!;
      const ls = nominal[a]!.values.map((va, s) => LN(va / nominal[b]!.values[s]!));
      const eps = 2 * sd(ls);
      const l0 = ls[0]!;
      const tie = side(l0, eps) === 0;
      const lr = us.map((_, j) => LN(Y[a]![j]! / Y[b]![j]!));
      const sides = boxRows.map((j) => side(lr[j]!, eps));
      const holds = sides.filter((s) => s === -1).length;
      const flipped = sides.filter((s) => s === 1).length;
      const ratios = boxRows.map((j) => Math.exp(lr[j]!));
      const influence = sens(lr)
        .map((s, j) => ({ input: inputs[j]!.path, ...s }))
        .sort((p, q) => weight(q) - weight(p));
      pairs.push({
        a,
        b,
        nominal_tie: tie,
        nominal_ratio: Math.exp(l0),
        noise_log_ratio: eps,
        points: boxRows.length,
        holds: holds / boxRows.length,
        holds_ci: wilson(holds, boxRows.length),
        flipped: flipped / boxRows.length,
        ties: (boxRows.length - holds - flipped) / boxRows.length,
        ratio_p05: quantile(ratios, 0.05),
        ratio_p95: quantile(ratios, 0.95),
        influence,
        break_even: [],
        examined: [],
      });
      pairSides.push({ eps, tie, sides });
    }
  }
  // The whole nominal ranking holds at a point when no pair that differs at nominal is tied or flipped there.
  let whole = 0;
  for (let r = 0; r < boxRows.length; r++) {
    if (pairSides.every((p) => p.tie || p.sides[r] === -1)) whole++;
  }

  // Break-even: each non-tied pair's most influential inputs, moved alone to each end.
  const cands: Array<{ pair: number; input: number }> = [];
  pairs.forEach((p, pi) => {
    if (p.nominal_tie) return;
    for (const inf of p.influence.slice(0, spec.bisectInputs)) {
      if (weight(inf) > 0) cands.push({ pair: pi, input: inputs.findIndex((i) => i.path === inf.input) });
    }
  });
  const variantOf = (l: string) => spec.variants[labels.indexOf(l)]!;
  const oneAt = (input: number, u: number) => u0.map((x, j) => (j === input ? u : x));
  const evalBatch = async (name: string, asks: Array<{ pair: number; u: number[] }>): Promise<number[]> => {
    // Only the variants of the pairs asked: a point per (u, variant of its pair).
    const pts: SweepPoint[] = [];
    const at = new Map<string, number>();
    for (const q of asks) {
      for (const l of [pairs[q.pair]!.a, pairs[q.pair]!.b]) {
        const key = `${uKey(q.u)}|${l}`;
        if (at.has(key)) continue;
        const one = batchPoints(spec, inputs, [q.u], [variantOf(l)]).points[0]!;
        at.set(key, pts.length);
        pts.push({ ...one, index: pts.length });
      }
    }
    const res = await runBatch(name, pts, 1);
    runs += pts.length;
    return asks.map((q) => {
      const m = (l: string) => metricOf(res[at.get(`${uKey(q.u)}|${l}`)!]!)[0]!;
      return LN(m(pairs[q.pair]!.a) / m(pairs[q.pair]!.b));
    });
  };
  if (cands.length > 0) {
    const endAsks = cands.flatMap((c) => [{ pair: c.pair, u: oneAt(c.input, 0) }, { pair: c.pair, u: oneAt(c.input, 1) }]);
    const ends = await evalBatch('ends', endAsks);
    type Active = { c: (typeof cands)[number]; lo: number; hi: number; gLo: number; sideTo: 'lo' | 'hi'; evals: number };
    const active: Active[] = [];
    cands.forEach((c, j) => {
      const p = pairs[c.pair]!;
      const eps = pairSides[c.pair]!.eps;
      const lLo = ends[2 * j]!;
      const lHi = ends[2 * j + 1]!;
      const flipLo = side(lLo, eps) === 1;
      const flipHi = side(lHi, eps) === 1;
      p.examined.push({ input: inputs[c.input]!.path, lo_ratio: Math.exp(lLo), hi_ratio: Math.exp(lHi), flips: flipLo || flipHi });
      const l0 = LN(p.nominal_ratio);
      // Bisect between nominal (A < B) and the end where B < A beyond noise.
      if (flipHi) active.push({ c, lo: u0[c.input]!, hi: 1, gLo: l0, sideTo: 'hi', evals: 2 });
      else if (flipLo) active.push({ c, lo: u0[c.input]!, hi: 0, gLo: l0, sideTo: 'lo', evals: 2 });
    });
    for (let step = 1; step <= spec.bisectSteps && active.length > 0; step++) {
      const mids = active.map((a) => (a.lo + a.hi) / 2);
      const g = await evalBatch(`bisect-${step}`, active.map((a, j) => ({ pair: a.c.pair, u: oneAt(a.c.input, mids[j]!) })));
      active.forEach((a, j) => {
        a.evals++;
        if (Math.sign(g[j]!) === Math.sign(a.gLo) && g[j] !== 0) {
          a.lo = mids[j]!;
          a.gLo = g[j]!;
        } else a.hi = mids[j]!;
      });
    }
    for (const a of active) {
      const inp = inputs[a.c.input]!;
      const v1 = valueAt(inp, Math.min(a.lo, a.hi));
      const v2 = valueAt(inp, Math.max(a.lo, a.hi));
      const mid = valueAt(inp, (a.lo + a.hi) / 2);
      pairs[a.c.pair]!.break_even.push({
        input: inp.path,
        value: mid,
        value_text: displayText(inp, mid),
        bracket: [v1, v2],
        bracket_text: [displayText(inp, v1), displayText(inp, v2)],
        side: a.sideTo,
        evaluations: a.evals,
      });
    }
  }

  // Nominal ranking text: lowest first, ≈ between neighbours within noise.
  let rankingText = order[0]!;
  for (let x = 1; x < order.length; x++) {
    const p = pairs.find((q) => q.a === order[x - 1] && q.b === order[x])!;
    rankingText += `${p.nominal_tie ? ' ≈ ' : ' < '}${order[x]}`;
  }

  return {
    schema: ROBUSTNESS_SCHEMA,
    scenario: { name: base.name, file: spec.scenarioFile, seed: base.seed },
    set: spec.set,
    variants: labels,
    metric: spec.metric,
    method: spec.method,
    samples: spec.samples,
    levels: spec.method === 'morris' ? spec.levels : null,
    seeds: spec.seeds,
    inputs: inputReports,
    design_points: us.length,
    runs,
    nominal,
    nominal_ranking: rankingText,
    ranking_holds: whole / boxRows.length,
    ranking_holds_ci: wilson(whole, boxRows.length),
    pairs,
  };
}

