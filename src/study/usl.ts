/**
 * Scalability models fitted to throughput X(N) measured at N CPUs:
 *
 *   Universal Scalability Law (Gunther):  X(N) = γN / (1 + α(N − 1) + βN(N − 1))
 *     α: contention (serialisation, the Amdahl term), β: coherency (crosstalk: a cost that
 *     grows with every pair of CPUs, e.g. an IPI to every other CPU per operation),
 *     γ: throughput of one CPU. With β > 0 throughput peaks at N* = √((1 − α)/β).
 *   Amdahl:  X(N) = γN / (1 + σ(N − 1)),  σ the serial fraction (USL with β = 0).
 *
 * Both are fitted by nonlinear least squares on X (Levenberg–Marquardt with box bounds
 * α, β ≥ 0 and 0 ≤ σ ≤ 1, γ ≥ 0; active-set projection, several starting points, the best
 * kept). R² = 1 − SS_res / SS_tot on X.
 *
 * Parameter uncertainty as in nls() and R's `usl` package (usl.R, after Fox 2002, "Nonlinear
 * Regression and Nonlinear Least Squares"): with J the Jacobian of the model at the fit
 * (n × p) and s² = SS_res / (n − p) the residual variance, Cov(θ) ≈ s²(JᵀJ)⁻¹ and the
 * standard errors are the square roots of its diagonal. The 95% CI half-width is
 * t_{0.975, n−p} · SE (two-sided). R's usl::confint multiplies the same SE by qt(level, n − 1)
 * instead, a one-sided quantile, so its intervals are narrower; the SEs are identical
 * (test/study/usl.test.ts checks them against the package's published raytracer results).
 * A parameter held at a bound (β = 0) keeps the SE of the unconstrained linearisation, as in R.
 */
import { tCritical } from '../engine/tdist.js';

export interface LmProblem {
  /** Model value at observation i for parameters p. */
  f(p: readonly number[], i: number): number;
  /** Partial derivatives ∂f/∂p_k at observation i. */
  grad(p: readonly number[], i: number, out: number[]): void;
  y: readonly number[];
  lower: readonly number[];
  upper: readonly number[];
}

export interface LmResult {
  p: number[];
  sse: number;
  iterations: number;
}

function sseOf(prob: LmProblem, p: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < prob.y.length; i++) {
    const r = prob.y[i]! - prob.f(p, i);
    s += r * r;
  }
  return s;
}

/** Solve A x = b (A symmetric positive definite, small) by Gaussian elimination with pivoting. */
function solve(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[piv]![c]!)) piv = r;
    if (!(Math.abs(m[piv]![c]!) > 1e-300)) return null;
    [m[c], m[piv]] = [m[piv]!, m[c]!];
    for (let r = c + 1; r < n; r++) {
      const k = m[r]![c]! / m[c]![c]!;
      for (let j = c; j <= n; j++) m[r]![j]! -= k * m[c]![j]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let j = r + 1; j < n; j++) s -= m[r]![j]! * x[j]!;
    x[r] = s / m[r]![r]!;
  }
  return x;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/**
 * Levenberg–Marquardt (Marquardt's diagonal scaling) from `p0`, keeping every parameter in
 * [lower, upper]: a parameter at a bound whose descent direction points out of the box is
 * held there for the step (active set), the others are solved for, and the step is
 * projected onto the box. A step is kept only if it lowers the sum of squares.
 */
export function levenbergMarquardt(prob: LmProblem, p0: readonly number[], maxIter = 1000): LmResult {
  const np = p0.length;
  const n = prob.y.length;
  let p = p0.map((v, k) => clamp(v, prob.lower[k]!, prob.upper[k]!));
  let sse = sseOf(prob, p);
  let lambda = 1e-3;
  const g = new Array<number>(np).fill(0);
  let it = 0;
  for (; it < maxIter; it++) {
    // Normal equations JᵀJ δ = Jᵀr at p.
    const jtj = Array.from({ length: np }, () => new Array<number>(np).fill(0));
    const jtr = new Array<number>(np).fill(0);
    for (let i = 0; i < n; i++) {
      prob.grad(p, i, g);
      const r = prob.y[i]! - prob.f(p, i);
      for (let a = 0; a < np; a++) {
        jtr[a]! += g[a]! * r;
        for (let b = 0; b < np; b++) jtj[a]![b]! += g[a]! * g[b]!;
      }
    }
    // Active set: at a bound with the gradient step pushing outward.
    const free: number[] = [];
    for (let k = 0; k < np; k++) {
      const atLo = p[k]! <= prob.lower[k]! && jtr[k]! < 0;
      const atHi = p[k]! >= prob.upper[k]! && jtr[k]! > 0;
      if (!atLo && !atHi) free.push(k);
    }
    if (free.length === 0) break;
    let improved = false;
    for (let tries = 0; tries < 60; tries++) {
      const a = free.map((r) => free.map((c) => jtj[r]![c]! + (r === c ? lambda * Math.max(jtj[r]![r]!, 1e-300) : 0)));
      const b = free.map((r) => jtr[r]!);
      const d = solve(a, b);
      if (d === null) {
        lambda *= 10;
        continue;
      }
      const q = [...p];
      free.forEach((k, j) => {
        q[k] = clamp(p[k]! + d[j]!, prob.lower[k]!, prob.upper[k]!);
      });
      const s2 = sseOf(prob, q);
      if (s2 < sse) {
        const rel = (sse - s2) / Math.max(sse, 1e-300);
        const moved = q.some((v, k) => Math.abs(v - p[k]!) > 1e-15 * Math.max(1, Math.abs(p[k]!)));
        p = q;
        sse = s2;
        lambda = Math.max(lambda / 10, 1e-12);
        improved = moved && rel > 1e-15;
        break;
      }
      lambda *= 10;
      if (lambda > 1e16) break;
    }
    if (!improved) break;
  }
  return { p, sse, iterations: it };
}

export interface Observation {
  n: number;
  x: number;
}

/** Standard errors and 95% CI half-widths of fitted parameters; null with n ≤ p observations. */
export interface ParamUncertainty<K extends string> {
  /** Residual degrees of freedom n − p. */
  df: number;
  se: Record<K, number>;
  ci95: Record<K, number>;
}

export interface UslFit {
  alpha: number;
  beta: number;
  gamma: number;
  /** SE and CI of α, β, γ (Jacobian of the least-squares fit); null with fewer than 4 observations. */
  uncertainty: ParamUncertainty<'alpha' | 'beta' | 'gamma'> | null;
  /**
   * N* = √((1 − α)/β): where throughput peaks; null when β = 0 (no peak: ∞). Below 1 (0 when
   * α ≥ 1) it says throughput falls from the first CPU on.
   */
  peak_n: number | null;
  r2: number;
}

export interface AmdahlFit {
  serial_fraction: number;
  gamma: number;
  /** SE and CI of σ and γ; null with fewer than 3 observations. */
  uncertainty: ParamUncertainty<'serial_fraction' | 'gamma'> | null;
  r2: number;
}

/** USL throughput at N. */
export function uslX(f: { alpha: number; beta: number; gamma: number }, n: number): number {
  return (f.gamma * n) / (1 + f.alpha * (n - 1) + f.beta * n * (n - 1));
}

/** Amdahl throughput at N. */
export function amdahlX(f: { serial_fraction: number; gamma: number }, n: number): number {
  return (f.gamma * n) / (1 + f.serial_fraction * (n - 1));
}

function rSquared(obs: readonly Observation[], model: (n: number) => number): number {
  const mean = obs.reduce((s, o) => s + o.x, 0) / obs.length;
  let ssRes = 0;
  let ssTot = 0;
  for (const o of obs) {
    ssRes += (o.x - model(o.n)) ** 2;
    ssTot += (o.x - mean) ** 2;
  }
  if (ssTot === 0) return ssRes === 0 ? 1 : 0;
  return 1 - ssRes / ssTot;
}

/** Invert a small symmetric positive definite matrix (column by column); null when singular. */
function invert(a: number[][]): number[][] | null {
  const n = a.length;
  const cols: number[][] = [];
  for (let c = 0; c < n; c++) {
    const x = solve(a, a.map((_, r) => (r === c ? 1 : 0)));
    if (x === null) return null;
    cols.push(x);
  }
  return a.map((_, r) => cols.map((col) => col[r]!));
}

/**
 * Standard errors of least-squares parameters from the model's Jacobian rows at the fit
 * (`jacobian[i][k]` = ∂f_i/∂θ_k) and the residuals: √diag(s²(JᵀJ)⁻¹), s² = SS_res/(n − p);
 * with the 95% CI half-widths t_{0.975, n−p}·SE. Null when n ≤ p or JᵀJ is singular.
 */
export function nlsUncertainty<K extends string>(names: readonly K[], jacobian: readonly (readonly number[])[], residuals: readonly number[]): ParamUncertainty<K> | null {
  const p = names.length;
  const n = residuals.length;
  const df = n - p;
  if (df <= 0) return null;
  const jtj = names.map((_, a) => names.map((_, b) => jacobian.reduce((s, row) => s + row[a]! * row[b]!, 0)));
  const inv = invert(jtj);
  if (inv === null) return null;
  const s2 = residuals.reduce((s, r) => s + r * r, 0) / df;
  const t = tCritical(0.95, df);
  const se = {} as Record<K, number>;
  const ci95 = {} as Record<K, number>;
  for (const [k, name] of names.entries()) {
    const v = inv[k]![k]! * s2;
    if (!(v >= 0) || !Number.isFinite(v)) return null;
    se[name] = Math.sqrt(v);
    ci95[name] = t * se[name];
  }
  return { df, se, ci95 };
}

/** γ as a starting point: the best per-CPU throughput at the smallest N. */
function gammaStart(obs: readonly Observation[]): number {
  const first = [...obs].sort((a, b) => a.n - b.n)[0]!;
  return first.x / first.n;
}

function checkObservations(obs: readonly Observation[], min: number, what: string): void {
  const ns = new Set(obs.map((o) => o.n));
  if (ns.size < min) throw new RangeError(`${what} fit needs throughput at ${min} or more different N, got ${ns.size}`);
  for (const o of obs) {
    if (!(o.n >= 1) || !Number.isFinite(o.x) || o.x < 0) throw new RangeError(`${what} fit: bad observation N=${o.n}, X=${o.x}`);
  }
}

/** Fit the USL (α, β ≥ 0) to throughput observations at ≥ 3 different N. */
export function fitUsl(obs: readonly Observation[]): UslFit {
  checkObservations(obs, 3, 'USL');
  // Work on X scaled to at most 1 so that the parameters have comparable scales.
  const scale = Math.max(...obs.map((o) => o.x)) || 1;
  const y = obs.map((o) => o.x / scale);
  const ns = obs.map((o) => o.n);
  const prob: LmProblem = {
    y,
    lower: [0, 0, 0],
    upper: [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY],
    f: (p, i) => {
      const n = ns[i]!;
      return (p[0]! * n) / (1 + p[1]! * (n - 1) + p[2]! * n * (n - 1));
    },
    grad: (p, i, out) => {
      const n = ns[i]!;
      const d = 1 + p[1]! * (n - 1) + p[2]! * n * (n - 1);
      out[0] = n / d;
      out[1] = (-p[0]! * n * (n - 1)) / (d * d);
      out[2] = (-p[0]! * n * n * (n - 1)) / (d * d);
    },
  };
  const g0 = gammaStart(obs) / scale;
  // Interior fits from a grid of starts, and the fits on the faces α = 0 and β = 0 (LM only
  // approaches a bound asymptotically; a face fit lands on it). A face fit wins ties.
  const fits: LmResult[] = [];
  const face = (k: 1 | 2) => ({ ...prob, upper: prob.upper.map((u, i) => (i === k ? 0 : u)) });
  for (const a0 of [0, 0.01, 0.1, 0.5]) fits.push(levenbergMarquardt(face(2), [g0, a0, 0]));
  for (const b0 of [1e-4, 1e-3, 1e-2, 0.1]) fits.push(levenbergMarquardt(face(1), [g0, 0, b0]));
  const faces = fits.length;
  for (const a0 of [0, 0.01, 0.1, 0.5]) {
    for (const b0 of [0, 1e-4, 1e-3, 1e-2, 0.1]) fits.push(levenbergMarquardt(prob, [g0, a0, b0]));
  }
  let best = fits[0]!;
  fits.forEach((r, i) => {
    const tol = i < faces ? 0 : 1e-12 * best.sse + 1e-30;
    if (r.sse < best.sse - tol) best = r;
  });
  const [g, alpha, beta] = best.p as [number, number, number];
  const fit = { alpha, beta, gamma: g * scale };
  // Jacobian in the original units (as R's gradient.usl), for the standard errors.
  const jac = obs.map(({ n }) => {
    const d = 1 + fit.alpha * (n - 1) + fit.beta * n * (n - 1);
    return [(-fit.gamma * n * (n - 1)) / (d * d), (-fit.gamma * n * n * (n - 1)) / (d * d), n / d];
  });
  return {
    ...fit,
    peak_n: beta > 0 ? Math.sqrt(Math.max(0, 1 - alpha) / beta) : null,
    r2: rSquared(obs, (n) => uslX(fit, n)),
    uncertainty: nlsUncertainty(['alpha', 'beta', 'gamma'] as const, jac, obs.map((o) => o.x - uslX(fit, o.n))),
  };
}

/**
 * Below this R² a fit is reported as "no fit" (issue 23, item 4): the model explains less
 * than half the variation of X over N, so its parameters and their CIs describe noise (a
 * flat X(N), when something other than the CPUs limits throughput, fits σ = 1 with R² ≈ 0).
 * A reporting threshold (estimate), not a statistical test.
 */
export const MIN_FIT_R2 = 0.5;

/** Whether a fit with this R² is reported as a fit. */
export function fitHolds(r2: number): boolean {
  return r2 >= MIN_FIT_R2;
}

/** Fit Amdahl's law (0 ≤ σ ≤ 1) to throughput observations at ≥ 2 different N. */
export function fitAmdahl(obs: readonly Observation[]): AmdahlFit {
  checkObservations(obs, 2, 'Amdahl');
  const scale = Math.max(...obs.map((o) => o.x)) || 1;
  const y = obs.map((o) => o.x / scale);
  const ns = obs.map((o) => o.n);
  const prob: LmProblem = {
    y,
    lower: [0, 0],
    upper: [Number.POSITIVE_INFINITY, 1],
    f: (p, i) => (p[0]! * ns[i]!) / (1 + p[1]! * (ns[i]! - 1)),
    grad: (p, i, out) => {
      const n = ns[i]!;
      const d = 1 + p[1]! * (n - 1);
      out[0] = n / d;
      out[1] = (-p[0]! * n * (n - 1)) / (d * d);
    },
  };
  const g0 = gammaStart(obs) / scale;
  let best: LmResult | null = null;
  for (const s0 of [0, 0.01, 0.1, 0.5, 0.9]) {
    const r = levenbergMarquardt(prob, [g0, s0]);
    if (best === null || r.sse < best.sse) best = r;
  }
  const [g, sigma] = best!.p as [number, number];
  const fit = { serial_fraction: sigma, gamma: g * scale };
  const jac = obs.map(({ n }) => {
    const d = 1 + fit.serial_fraction * (n - 1);
    return [(-fit.gamma * n * (n - 1)) / (d * d), n / d];
  });
  return {
    ...fit,
    r2: rSquared(obs, (n) => amdahlX(fit, n)),
    uncertainty: nlsUncertainty(['serial_fraction', 'gamma'] as const, jac, obs.map((o) => o.x - amdahlX(fit, o.n))),
  };
}

/** Points (N, X) of a fitted USL curve from nMin to nMax, evenly spaced (in log N if `log`). */
export function uslCurve(f: { alpha: number; beta: number; gamma: number }, nMin: number, nMax: number, count: number, log: boolean): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < count; i++) {
    const t = count === 1 ? 0 : i / (count - 1);
    const n = log ? nMin * (nMax / nMin) ** t : nMin + (nMax - nMin) * t;
    out.push([n, uslX(f, n)]);
  }
  return out;
}
