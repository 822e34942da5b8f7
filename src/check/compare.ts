/**
 * Verdicts: a scenario's runs now against its baseline.
 *
 *   1. Equal fingerprints: the same run, pass.
 *   2. Otherwise every metric of the baseline is compared:
 *      - single runs: |now − baseline| ≤ max(relative·|baseline|, absolute) passes;
 *      - replications (baseline n > 1, as many runs now): Welch's two-sided t-test on the
 *        means; p < alpha fails, unless the means differ by no more than the metric's
 *        absolute floor (near-zero metrics do not flap).
 *      A metric of the baseline missing now fails; a metric the baseline's patterns select
 *      now but that the baseline lacks (a new lock class) fails when beyond its floor.
 */
import type { ResolvedScenario } from '../scenario/schema.js';
import { isSample, type Baseline, type BaselineMetric } from './baseline.js';
import { defaultTolerance, expandPatterns, metricValues, type Tolerance } from './metrics.js';
import type { ScenarioRuns } from './runs.js';
import { summarize, welchTest } from './stats.js';

export type MetricStatus = 'same' | 'within' | 'moved' | 'missing' | 'new';

export interface MetricComparison {
  metric: string;
  /** The baseline's value, or mean over its replications. */
  baseline: number | null;
  /** The value now, or mean over the replications now. */
  now: number | null;
  delta: number | null;
  /** delta / |baseline| × 100, null when the baseline is 0. */
  delta_pct: number | null;
  test: 'tolerance' | 'welch';
  tolerance: Tolerance;
  /** Welch: the samples' standard deviations and size, t, df and the two-sided p-value. */
  baseline_sd?: number | null;
  now_sd?: number | null;
  n?: number;
  t?: number;
  df?: number;
  p?: number;
  status: MetricStatus;
  verdict: 'pass' | 'fail';
}

export interface ScenarioCheck {
  name: string;
  /** The scenario file as given. */
  file: string;
  baseline_file: string;
  replications: number;
  /** `now` is null when the run was aborted. */
  fingerprint: { baseline: string; now: string | null; equal: boolean };
  /** `error`: the run was aborted (deadlock, event or wall-time limit). */
  verdict: 'pass' | 'fail' | 'error';
  /** Why the run was aborted (verdict `error`). */
  error?: string;
  /** --update recorded the scenario's first baseline: nothing was compared. */
  created?: boolean;
  metrics: MetricComparison[];
  /** Resolved-scenario fields that differ from the baseline's ("path: old -> new"). */
  scenario_changes: string[];
  wall_ms: number;
}

export interface CompareOptions {
  alpha: number;
  /** A relative tolerance overriding the baseline's, by metric name (--tolerance). */
  relative?: (metric: string) => number | undefined;
  /** Only these metrics (already expanded against the baseline); default: all. */
  only?: readonly string[];
}

function pct(delta: number | null, base: number | null): number | null {
  if (delta === null || base === null || base === 0) return null;
  return (delta / Math.abs(base)) * 100;
}

function toleranceOf(name: string, m: BaselineMetric | undefined, opts: CompareOptions): Tolerance {
  const base = m?.tolerance ?? defaultTolerance(name);
  const rel = opts.relative?.(name);
  return rel === undefined ? base : { ...base, relative: rel };
}

function finite(v: number | undefined): number | null {
  return v === undefined || !Number.isFinite(v) ? null : v;
}

function compareSingle(name: string, base: number | null, now: number | null, tol: Tolerance): MetricComparison {
  const out = { metric: name, baseline: base, now, test: 'tolerance' as const, tolerance: tol };
  if (base === null || now === null) {
    const same = base === now;
    return { ...out, delta: null, delta_pct: null, status: same ? 'same' : 'moved', verdict: same ? 'pass' : 'fail' };
  }
  const delta = now - base;
  const allowed = Math.max(tol.relative * Math.abs(base), tol.absolute);
  const status: MetricStatus = delta === 0 ? 'same' : Math.abs(delta) <= allowed ? 'within' : 'moved';
  return { ...out, delta, delta_pct: pct(delta, base), status, verdict: status === 'moved' ? 'fail' : 'pass' };
}

function compareSample(name: string, m: { mean: number | null; sd: number | null; n: number }, nowValues: number[], tol: Tolerance, alpha: number): MetricComparison {
  const now = summarize(nowValues);
  const nowMean = finite(now.mean);
  const nowSd = finite(now.sd);
  const out = { metric: name, baseline: m.mean, now: nowMean, test: 'welch' as const, tolerance: tol, baseline_sd: m.sd, now_sd: nowSd, n: m.n };
  if (m.mean === null || m.sd === null || nowMean === null || nowSd === null) {
    const same = m.mean === nowMean;
    return { ...out, delta: null, delta_pct: null, status: same ? 'same' : 'moved', verdict: same ? 'pass' : 'fail' };
  }
  const delta = nowMean - m.mean;
  const w = welchTest({ mean: m.mean, sd: m.sd, n: m.n }, { mean: nowMean, sd: nowSd, n: now.n });
  const significant = w.p < alpha && Math.abs(delta) > tol.absolute;
  const status: MetricStatus = delta === 0 && m.sd === nowSd ? 'same' : significant ? 'moved' : 'within';
  return { ...out, delta, delta_pct: pct(delta, m.mean), t: w.t, df: w.df, p: w.p, status, verdict: significant ? 'fail' : 'pass' };
}

/** Resolved-scenario differences, "path: old -> new", at most `max` (then a count). */
export function scenarioChanges(before: ResolvedScenario, after: ResolvedScenario, max = 8): string[] {
  const flat = (v: unknown, prefix: string, out: Map<string, string>): Map<string, string> => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      for (const [k, c] of Object.entries(v)) flat(c, prefix === '' ? k : `${prefix}.${k}`, out);
    } else out.set(prefix, JSON.stringify(v) ?? 'undefined');
    return out;
  };
  const a = flat(before, '', new Map());
  const b = flat(after, '', new Map());
  const changes: string[] = [];
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(k) ?? '(none)';
    const y = b.get(k) ?? '(none)';
    if (x !== y) changes.push(`${k}: ${x} -> ${y}`);
  }
  return changes.length > max ? [...changes.slice(0, max), `… and ${changes.length - max} more`] : changes;
}

export function checkAgainstBaseline(
  names: { name: string; file: string; baselineFile: string },
  baseline: Baseline,
  scenario: ResolvedScenario,
  runs: ScenarioRuns,
  opts: CompareOptions,
): ScenarioCheck {
  const values = runs.results.map(metricValues);
  const selected = opts.only ?? Object.keys(baseline.metrics);
  const metrics: MetricComparison[] = [];
  for (const name of selected) {
    const m = baseline.metrics[name]!;
    const tol = toleranceOf(name, m, opts);
    const nowValues = values.map((v) => v.get(name));
    if (nowValues.some((v) => v === undefined)) {
      const base = isSample(m) ? m.mean : m.value;
      metrics.push({ metric: name, baseline: base, now: null, delta: null, delta_pct: null, test: 'tolerance', tolerance: tol, status: 'missing', verdict: 'fail' });
      continue;
    }
    const nums = nowValues as number[];
    if (isSample(m) && nums.length > 1) metrics.push(compareSample(name, m, nums, tol, opts.alpha));
    else metrics.push(compareSingle(name, isSample(m) ? m.mean : m.value, finite(nums[0]), tol));
  }
  if (opts.only === undefined) {
    // Metrics the baseline's patterns select now but the baseline does not have.
    const { names: nowNames } = expandPatterns(baseline.metric_patterns, values[0]!.keys());
    for (const name of nowNames) {
      if (name in baseline.metrics) continue;
      const tol = toleranceOf(name, undefined, opts);
      const now = finite(summarize(values.map((v) => v.get(name)!)).mean);
      const beyond = now === null || Math.abs(now) > tol.absolute;
      metrics.push({ metric: name, baseline: null, now, delta: null, delta_pct: null, test: 'tolerance', tolerance: tol, status: 'new', verdict: beyond ? 'fail' : 'pass' });
    }
  }
  const equal = runs.fingerprint === baseline.fingerprint;
  return {
    name: names.name,
    file: names.file,
    baseline_file: names.baselineFile,
    replications: runs.results.length,
    fingerprint: { baseline: baseline.fingerprint, now: runs.fingerprint, equal },
    verdict: equal || metrics.every((m) => m.verdict === 'pass') ? 'pass' : 'fail',
    metrics,
    scenario_changes: scenarioChanges(baseline.scenario, scenario),
    wall_ms: Math.round(runs.wallMs),
  };
}

/** The check of a scenario whose run was aborted: an error, no metrics. */
export function abortedCheck(
  names: { name: string; file: string; baselineFile: string },
  baseline: Baseline,
  scenario: ResolvedScenario,
  message: string,
  wallMs: number,
): ScenarioCheck {
  return {
    name: names.name,
    file: names.file,
    baseline_file: names.baselineFile,
    replications: baseline.replications,
    fingerprint: { baseline: baseline.fingerprint, now: null, equal: false },
    verdict: 'error',
    error: message,
    metrics: [],
    scenario_changes: scenarioChanges(baseline.scenario, scenario),
    wall_ms: Math.round(wallMs),
  };
}
