/**
 * Global sensitivity analysis on the unit hypercube, knowing nothing of smpsim: designs (the
 * points to evaluate) and the indices computed from the values found there.
 *
 * - Morris elementary effects (Morris 1991, with μ* of Campolongo, Cariboni & Saltelli 2007):
 *   r one-at-a-time trajectories on a p-level grid, step Δ = p / (2(p − 1)).
 * - Sobol indices from a Saltelli design (Saltelli et al. 2010): N rows of matrices A and B
 *   (the Sobol sequence of dimension 2k, its first point skipped) and the k matrices AB_i
 *   (A with column i from B); first-order S1 by Saltelli 2010, total ST by Jansen 1999 —
 *   the estimators of SALib and of scipy.stats.sobol_indices (outputs centred on their mean,
 *   Sobol' & Levitan 1999, as SciPy does); 95% CIs by bootstrap over the
 *   N rows (percentile).
 * - Wilson score interval of a proportion, quantiles (linear interpolation, type 7).
 *
 * Everything is deterministic: random choices come from a named stream of a seed.
 */
import { createStream, type Rng } from '../engine/random.js';
import { SOBOL_MAX_DIM, sobolPoints } from './sobol-sequence.js';

// ---------------------------------------------------------------------------------------
// Morris

export interface MorrisDesign {
  k: number;
  levels: number;
  delta: number;
  /** r trajectories of k+1 points each; points[t*(k+1) + j]. */
  points: number[][];
  /** For each trajectory and step j (1..k): the input moved and the sign of the move. */
  steps: Array<Array<{ input: number; sign: 1 | -1 }>>;
}

function randInt(rng: Rng, n: number): number {
  return Math.min(n - 1, Math.floor(rng.next() * n));
}

/** r Morris trajectories over k inputs on a `levels`-level grid (levels even, >= 2). */
export function morrisDesign(k: number, r: number, seed: number, levels = 4): MorrisDesign {
  if (!(k >= 1 && r >= 1 && levels >= 2 && levels % 2 === 0)) throw new RangeError('morrisDesign: k >= 1, r >= 1, levels even >= 2');
  const rng = createStream(seed, 'robustness-morris');
  const delta = levels / (2 * (levels - 1));
  // Grid levels from which a step of +delta stays in [0, 1].
  const bases = levels / 2;
  const points: number[][] = [];
  const steps: MorrisDesign['steps'] = [];
  for (let t = 0; t < r; t++) {
    const x = new Array<number>(k);
    const dir = new Array<1 | -1>(k);
    for (let i = 0; i < k; i++) {
      const base = randInt(rng, bases) / (levels - 1);
      dir[i] = rng.next() < 0.5 ? 1 : -1;
      x[i] = dir[i] === 1 ? base : base + delta;
    }
    // Fisher-Yates: the order in which the inputs move.
    const order = Array.from({ length: k }, (_, i) => i);
    for (let i = k - 1; i > 0; i--) {
      const j = randInt(rng, i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    points.push([...x]);
    const trajectory: Array<{ input: number; sign: 1 | -1 }> = [];
    for (const i of order) {
      x[i] = x[i]! + dir[i]! * delta;
      // Round to the grid so that the same level prints the same everywhere.
      x[i] = Math.round(x[i]! * (levels - 1)) / (levels - 1);
      points.push([...x]);
      trajectory.push({ input: i, sign: dir[i]! });
    }
    steps.push(trajectory);
  }
  return { k, levels, delta, points, steps };
}

export interface MorrisIndex {
  /** Mean of |elementary effect| (Campolongo 2007): the input's overall influence. */
  mu_star: number;
  /** Mean of the signed effects (Morris 1991). */
  mu: number;
  /** Standard deviation of the effects: non-linearity or interaction with other inputs. */
  sigma: number;
  /** The r effects, (y(after) − y(before)) / (sign·Δ), in metric units per unit of the input's range. */
  effects: number[];
}

/** Morris indices from the values y at the design's points (same order). */
export function morrisIndices(d: MorrisDesign, y: readonly number[]): MorrisIndex[] {
  if (y.length !== d.points.length) throw new RangeError(`morrisIndices: ${d.points.length} values needed, got ${y.length}`);
  const effects: number[][] = Array.from({ length: d.k }, () => []);
  for (const [t, steps] of d.steps.entries()) {
    const at = t * (d.k + 1);
    for (const [j, s] of steps.entries()) {
      effects[s.input]!.push((y[at + j + 1]! - y[at + j]!) / (s.sign * d.delta));
    }
  }
  return effects.map((e) => {
    const mu = mean(e);
    const mu_star = mean(e.map(Math.abs));
    const sigma = e.length > 1 ? Math.sqrt(e.reduce((s, v) => s + (v - mu) ** 2, 0) / (e.length - 1)) : 0;
    return { mu_star, mu, sigma, effects: e };
  });
}

// ---------------------------------------------------------------------------------------
// Sobol indices (Saltelli design)

export interface SaltelliDesign {
  k: number;
  n: number;
  /** Rows of A (n), then B (n), then AB_0 (n), …, AB_{k-1} (n): n(k+2) points. */
  points: number[][];
}

export const SALTELLI_MAX_INPUTS = Math.floor(SOBOL_MAX_DIM / 2);

/** A, B and AB_i from the first n+1 points of the 2k-dimensional Sobol sequence (point 0 skipped). */
export function saltelliDesign(k: number, n: number): SaltelliDesign {
  if (!(k >= 1 && k <= SALTELLI_MAX_INPUTS)) throw new RangeError(`saltelliDesign: 1..${SALTELLI_MAX_INPUTS} inputs, got ${k}`);
  const seq = sobolPoints(n + 1, 2 * k).slice(1);
  const A = seq.map((p) => p.slice(0, k));
  const B = seq.map((p) => p.slice(k));
  const points: number[][] = [...A, ...B];
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < n; j++) {
      const row = [...A[j]!];
      row[i] = B[j]![i]!;
      points.push(row);
    }
  }
  return { k, n, points };
}

export interface SobolIndex {
  s1: number;
  st: number;
  /** 95% bootstrap percentile intervals. */
  s1_ci: [number, number];
  st_ci: [number, number];
}

function sobolFromRows(k: number, rows: readonly number[], fA: readonly number[], fB: readonly number[], fAB: readonly (readonly number[])[]): Array<{ s1: number; st: number }> {
  const all: number[] = [];
  for (const j of rows) all.push(fA[j]!, fB[j]!);
  const m = mean(all);
  const v = all.reduce((s, x) => s + (x - m) ** 2, 0) / all.length;
  const out: Array<{ s1: number; st: number }> = [];
  for (let i = 0; i < k; i++) {
    let a = 0;
    let b = 0;
    for (const j of rows) {
      const ab = fAB[i]![j]!;
      // Outputs centred on their mean first (Sobol' & Levitan 1999), as SciPy does.
      a += (fB[j]! - m) * (ab - fA[j]!);
      b += (fA[j]! - ab) ** 2;
    }
    const n = rows.length;
    out.push(v > 0 ? { s1: a / n / v, st: (0.5 * b) / n / v } : { s1: 0, st: 0 });
  }
  return out;
}

/** S1 and ST (with bootstrap CIs over the rows) from the values at a Saltelli design. */
export function sobolIndices(d: SaltelliDesign, y: readonly number[], seed: number, resamples = 200): SobolIndex[] {
  if (y.length !== d.points.length) throw new RangeError(`sobolIndices: ${d.points.length} values needed, got ${y.length}`);
  const { k, n } = d;
  const fA = y.slice(0, n);
  const fB = y.slice(n, 2 * n);
  const fAB = Array.from({ length: k }, (_, i) => y.slice((2 + i) * n, (3 + i) * n));
  const rows = Array.from({ length: n }, (_, j) => j);
  const est = sobolFromRows(k, rows, fA, fB, fAB);
  const rng = createStream(seed, 'robustness-bootstrap');
  const boots: Array<Array<{ s1: number; st: number }>> = [];
  for (let b = 0; b < resamples; b++) {
    const pick = rows.map(() => randInt(rng, n));
    boots.push(sobolFromRows(k, pick, fA, fB, fAB));
  }
  return est.map((e, i) => {
    const s1s = boots.map((bt) => bt[i]!.s1);
    const sts = boots.map((bt) => bt[i]!.st);
    return { s1: e.s1, st: e.st, s1_ci: [quantile(s1s, 0.025), quantile(s1s, 0.975)], st_ci: [quantile(sts, 0.025), quantile(sts, 0.975)] };
  });
}

// ---------------------------------------------------------------------------------------
// Small statistics

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : xs.reduce((s, x) => s + x, 0) / xs.length;
}

export function sd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Quantile q of xs (linear interpolation between order statistics, R's type 7). */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo]! + (h - lo) * (s[hi]! - s[lo]!);
}

/** Wilson score interval of a proportion x/n at 95% (z = 1.96). */
export function wilson(x: number, n: number, z = 1.959963984540054): [number, number] {
  if (n === 0) return [0, 1];
  const p = x / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}
