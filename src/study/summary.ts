/**
 * From the replications of every sweep point to the summary: per point and metric the mean
 * and the 95% CI half-width (Student t), and, when machine.cpus is varied, the scaling of
 * each series (a series = the points that share every other --vary assignment): speedup,
 * efficiency, an Amdahl fit and a Universal Scalability Law fit of ops/s against N.
 *
 * Everything here is a pure function of the results in point and replication order, so the
 * summary is byte-identical whatever --jobs was and whether the sweep was resumed.
 */
import { CATEGORY_NAMES } from '../cpu/accounting.js';
import { formatDuration, formatDurationExact } from '../engine/units.js';
import { BOTTLENECK_COLUMN, formatBottleneckCell, meanResourceUses, pickBottleneck, type Bottleneck } from '../report/bottleneck.js';
import { csvField } from '../report/csv.js';
import { PERCENTILE_NOTE, SAME_BUCKET, formatWithCi, isPercentileMetric } from '../report/percentile.js';
import { fmtInt, renderTable } from '../report/format.js';
import { metricRows, type MetricKind } from '../report/metrics.js';
import type { Result } from '../report/result.js';
import type { Warmup } from '../scenario/types.js';
import { VERSION } from '../version.js';
import { meanCi, relativePrecision } from './ci.js';
import { SUMMARY_SCHEMA } from './files.js';
import type { WarmupChoice } from './series.js';
import { MIN_FIT_R2, fitAmdahl, fitHolds, fitUsl, type AmdahlFit, type UslFit } from './usl.js';

/** The scaling axis. */
export const CPUS_PATH = 'machine.cpus';
/** The throughput metric of the scaling analysis and the default --metric. */
export const THROUGHPUT = 'ops.per_sec';
export const LOCK_WAIT_SHARE = 'lock_wait_share';

export interface MetricInfo {
  label: string;
  kind: MetricKind;
}

export interface MetricStats {
  n: number;
  mean: number;
  /** Half-width of the 95% CI of the mean; null with one replication. */
  ci95: number | null;
  sd: number | null;
}

export interface PointSummary {
  index: number;
  /** Canonical form of the assignments (the seed derivation's point key). */
  key: string;
  assignments: Record<string, string>;
  replications: number;
  /** --precision: whether the target was reached before --max-replications; null without --precision. */
  converged: boolean | null;
  /** Half-width / |mean| of --metric at the end; null with one replication or a zero mean. */
  rel_precision: number | null;
  /** The stop.warmup the replications ran with. */
  warmup: Warmup | null;
  /** --warmup auto: what MSER-5 found on the pilot run. */
  warmup_auto: Pick<WarmupChoice, 'truncate_bins' | 'bins' | 'bin_ns' | 'warmup_ns' | 'warmup_ops' | 'at_limit'> | null;
  metrics: Record<string, MetricStats>;
  /**
   * The resource at saturation, from each resource's utilisation averaged over the
   * replications (src/report/bottleneck.ts meanResourceUses, pickBottleneck).
   */
  bottleneck: Bottleneck;
}

export interface ScalingPoint {
  n: number;
  point: number;
  mean: number;
  ci95: number | null;
  /** X(N)/X(1); without an N = 1 point, N₀·X(N)/X(N₀) for the smallest N₀ (linear up to N₀ assumed). */
  speedup: number;
  efficiency: number;
}

export interface SeriesScaling {
  /** The other assignments, `path=value` joined by spaces; "all" when only machine.cpus varies. */
  label: string;
  assignments: Record<string, string>;
  points: ScalingPoint[];
  /** Null with fewer than 3 (USL) or 2 (Amdahl) different N. */
  usl: UslFit | null;
  amdahl: AmdahlFit | null;
}

export interface SweepSummary {
  schema: typeof SUMMARY_SCHEMA;
  version: string;
  scenario: { name: string; description: string };
  vary: Array<{ path: string; values: string[] }>;
  zip: boolean;
  replications: number;
  precision: number | null;
  metric: string;
  max_replications: number | null;
  warmup: 'scenario' | 'auto';
  confidence: number;
  /** Metric names in column order, with label and kind (how they print). */
  metrics: Record<string, MetricInfo>;
  points: PointSummary[];
  scaling: { x: string; metric: string; series: SeriesScaling[] } | null;
}

/** Total wait of every lock class / (measured simulated time × CPUs). */
export function lockWaitShare(r: Result): number {
  const cpuTime = r.sim_time_ns * r.scenario.machine.cpus;
  if (!(cpuTime > 0)) return 0;
  let wait = 0;
  for (const l of Object.values(r.locks)) wait += l.wait_ns.total;
  return wait / cpuTime;
}

/** Every metric of one point's results: name → info and one value per replication. */
export function pointMetricValues(results: readonly Result[]): Map<string, { info: MetricInfo; values: number[] }> {
  const out = new Map<string, { info: MetricInfo; values: number[] }>();
  for (const row of metricRows(results, false)) {
    if (row.key.startsWith('cpu_share.') && !out.has(LOCK_WAIT_SHARE)) {
      out.set(LOCK_WAIT_SHARE, { info: { label: 'lock wait share', kind: 'share' }, values: results.map(lockWaitShare) });
    }
    // A lock class some replications never took: 0 contentions, 0 wait.
    out.set(row.key, { info: { label: row.label, kind: row.kind }, values: row.values.map((v) => v ?? 0) });
  }
  return out;
}

/** The value of `metric` in each result (0 where a lock class was never taken). */
export function metricValues(results: readonly Result[], metric: string): number[] {
  const m = pointMetricValues(results).get(metric);
  return m === undefined ? results.map(() => 0) : m.values;
}

/** Metric names --metric accepts without knowing the results yet. */
export function isKnownMetric(name: string): boolean {
  if (/^locks\.[^.]+\.(contentions|wait_ns\.total)$/.test(name)) return true;
  if (name === LOCK_WAIT_SHARE) return true;
  if (name.startsWith('cpu_share.')) return (CATEGORY_NAMES as readonly string[]).includes(name.slice('cpu_share.'.length));
  return metricRows([], false).some((r) => r.key === name);
}

export function knownMetricNames(): string[] {
  return [...metricRows([], false).map((r) => r.key), LOCK_WAIT_SHARE, 'locks.<class>.contentions', 'locks.<class>.wait_ns.total'];
}

export interface PointInput {
  index: number;
  key: string;
  assignments: Array<[string, string]>;
  results: Result[];
  converged: boolean | null;
  warmup: Warmup | null;
  warmupChoice: WarmupChoice | null;
}

export interface SummaryHeader {
  scenario: { name: string; description: string };
  vary: Array<{ path: string; values: string[] }>;
  zip: boolean;
  replications: number;
  precision: number | null;
  metric: string;
  maxReplications: number | null;
  warmup: 'scenario' | 'auto';
}

export function summarize(h: SummaryHeader, inputs: readonly PointInput[]): SweepSummary {
  const metricInfo = new Map<string, MetricInfo>();
  const points: PointSummary[] = inputs.map((p) => {
    const values = pointMetricValues(p.results);
    const metrics: Record<string, MetricStats> = {};
    for (const [name, { info, values: v }] of values) {
      if (!metricInfo.has(name)) metricInfo.set(name, info);
      const ci = meanCi(v);
      metrics[name] = { n: ci.n, mean: ci.mean, ci95: ci.ci95, sd: ci.sd };
    }
    const rel = relativePrecision(meanCi(values.get(h.metric)?.values ?? p.results.map(() => 0)));
    const c = p.warmupChoice;
    return {
      index: p.index,
      key: p.key,
      assignments: Object.fromEntries(p.assignments),
      replications: p.results.length,
      converged: p.converged,
      rel_precision: rel === null || !Number.isFinite(rel) ? null : rel,
      warmup: p.warmup,
      warmup_auto:
        c === null
          ? null
          : { truncate_bins: c.truncate_bins, bins: c.bins, bin_ns: c.bin_ns, warmup_ns: c.warmup_ns, warmup_ops: c.warmup_ops, at_limit: c.at_limit },
      metrics,
      bottleneck: pickBottleneck(meanResourceUses(p.results)),
    };
  });
  // Every point lists every metric (a lock class another point took: 0 here).
  const order = orderMetrics([...metricInfo.keys()]);
  for (const p of points) {
    const m: Record<string, MetricStats> = {};
    for (const name of order) m[name] = p.metrics[name] ?? { n: p.replications, mean: 0, ci95: p.replications > 1 ? 0 : null, sd: p.replications > 1 ? 0 : null };
    p.metrics = m;
  }
  const summary: SweepSummary = {
    schema: SUMMARY_SCHEMA,
    version: VERSION,
    scenario: h.scenario,
    vary: h.vary,
    zip: h.zip,
    replications: h.replications,
    precision: h.precision,
    metric: h.metric,
    max_replications: h.maxReplications,
    warmup: h.warmup,
    confidence: 0.95,
    metrics: Object.fromEntries(order.map((k) => [k, metricInfo.get(k)!])),
    points,
    scaling: null,
  };
  summary.scaling = scalingOf(summary);
  return summary;
}

/** Base metrics, lock wait share, lock classes (first seen), CPU shares. */
function orderMetrics(names: string[]): string[] {
  const rank = (n: string) => (n.startsWith('locks.') ? 2 : n.startsWith('cpu_share.') ? 3 : n === LOCK_WAIT_SHARE ? 1 : 0);
  return names.map((n, i) => ({ n, i })).sort((a, b) => rank(a.n) - rank(b.n) || a.i - b.i).map((x) => x.n);
}

/** Series over machine.cpus, in order of first appearance; null when machine.cpus is not varied. */
function scalingOf(s: SweepSummary): SweepSummary['scaling'] {
  if (!s.vary.some((v) => v.path === CPUS_PATH)) return null;
  const others = s.vary.map((v) => v.path).filter((p) => p !== CPUS_PATH);
  const groups = new Map<string, PointSummary[]>();
  for (const p of s.points) {
    const label = others.map((o) => `${o}=${p.assignments[o]}`).join(' ') || 'all';
    const g = groups.get(label);
    if (g === undefined) groups.set(label, [p]);
    else g.push(p);
  }
  const series: SeriesScaling[] = [];
  for (const [label, pts] of groups) {
    const withN = pts
      .map((p) => ({ p, n: Number(p.assignments[CPUS_PATH]) }))
      .filter((x) => Number.isInteger(x.n) && x.n >= 1)
      .sort((a, b) => a.n - b.n || a.p.index - b.p.index);
    if (withN.length === 0) continue;
    const base = withN[0]!;
    const xBase = base.p.metrics[THROUGHPUT]!.mean;
    const points: ScalingPoint[] = withN.map(({ p, n }) => {
      const m = p.metrics[THROUGHPUT]!;
      const speedup = xBase > 0 ? (base.n * m.mean) / xBase : 0;
      return { n, point: p.index, mean: m.mean, ci95: m.ci95, speedup, efficiency: speedup / n };
    });
    const obs = points.map((q) => ({ n: q.n, x: q.mean }));
    const distinct = new Set(obs.map((o) => o.n)).size;
    series.push({
      label,
      assignments: Object.fromEntries(others.map((o) => [o, pts[0]!.assignments[o]!])),
      points,
      usl: distinct >= 3 ? fitUsl(obs) : null,
      amdahl: distinct >= 2 ? fitAmdahl(obs) : null,
    });
  }
  return { x: CPUS_PATH, metric: THROUGHPUT, series };
}

// ---------------------------------------------------------------------------------------
// Output

/** summary.json: two-space JSON, newline-terminated. */
export function summaryJson(s: SweepSummary): string {
  return `${JSON.stringify(s, null, 2)}\n`;
}

function warmupText(w: Warmup | null): string {
  if (w === null) return '';
  return 'time_ns' in w ? formatDurationExact(w.time_ns) : `${w.ops} ops`;
}

/**
 * summary.csv: one row per point; the bottleneck (resource, utilisation, saturated), then
 * per metric `<name>.mean` and `<name>.ci95`.
 */
export function summaryCsv(s: SweepSummary): string {
  const paths = s.vary.map((v) => v.path);
  const names = Object.keys(s.metrics);
  const header = [
    'point',
    ...paths,
    'replications',
    'converged',
    'warmup',
    'bottleneck.resource',
    'bottleneck.utilisation',
    'bottleneck.saturated',
    ...names.flatMap((n) => [`${n}.mean`, `${n}.ci95`]),
  ];
  const rows = s.points.map((p) => [
    p.index,
    ...paths.map((q) => p.assignments[q] ?? ''),
    p.replications,
    p.converged,
    warmupText(p.warmup),
    p.bottleneck.resource,
    p.bottleneck.utilisation,
    p.bottleneck.saturated,
    ...names.flatMap((n) => [p.metrics[n]!.mean, p.metrics[n]!.ci95]),
  ]);
  return [header, ...rows].map((r) => r.map((c) => csvField(c)).join(',')).join('\n') + '\n';
}

const TABLE_METRICS = ['ops.per_sec', 'ops.latency_ns.p50', 'ops.latency_ns.p99', 'per_op.cpu_ns', 'per_op.ipis', 'per_op.shootdowns', LOCK_WAIT_SHARE];

function withCi(name: string, kind: MetricKind, m: MetricStats): string {
  return formatWithCi(name, kind, m.mean, m.ci95);
}

/** What a fit's parameter cells say when the fit does not hold (usl.ts fitHolds). */
export const NO_FIT = 'no fit';

/** R² to 4 decimals, without a "-0.0000". */
function fmtR2(r2: number): string {
  const t = r2.toFixed(4);
  return t === '-0.0000' ? '0.0000' : t;
}

function fmtNum(x: number, digits: number): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 0.01 && a < 1e5) return x.toFixed(digits);
  return x.toExponential(2);
}

/**
 * The tables `smpsim sweep` prints: points with means ± CI and their bottleneck (from the
 * mean utilisations), then the scaling summary.
 */
export function formatSummaryText(s: SweepSummary, dir: string): string {
  const paths = s.vary.map((v) => v.path);
  const reps = new Set(s.points.map((p) => p.replications));
  const repText = reps.size === 1 ? `${[...reps][0]} replication${[...reps][0] === 1 ? '' : 's'}` : `${Math.min(...reps)}–${Math.max(...reps)} replications`;
  const lines: string[] = [];
  lines.push(
    ` sweep of '${s.scenario.name}': ${s.points.length} point${s.points.length === 1 ? '' : 's'} x ${repText} (mean ± 95% CI half-width); files in ${dir}`,
    '',
  );
  const cols = TABLE_METRICS.filter((m) => s.metrics[m] !== undefined);
  const header = [...(paths.length > 0 ? paths : ['point']), 'reps', ...cols.map((m) => s.metrics[m]!.label), BOTTLENECK_COLUMN];
  if (s.precision !== null) header.splice(header.indexOf('reps') + 1, 0, 'converged');
  if (s.warmup === 'auto') header.splice(header.indexOf('reps') + 1, 0, 'warm-up');
  const rows: string[][] = [header];
  for (const p of s.points) {
    const row = [...(paths.length > 0 ? paths.map((q) => p.assignments[q] ?? '') : [String(p.index)]), String(p.replications)];
    if (s.warmup === 'auto') row.push(p.warmup === null ? '0' : 'time_ns' in p.warmup ? formatDuration(p.warmup.time_ns) : `${p.warmup.ops} ops`);
    if (s.precision !== null) row.push(p.converged === true ? 'yes' : 'no');
    for (const m of cols) row.push(withCi(m, s.metrics[m]!.kind, p.metrics[m]!));
    row.push(formatBottleneckCell(p.bottleneck));
    rows.push(row);
  }
  const align = header.map((_, i) => (i < Math.max(1, paths.length) ? 'l' : 'r') as 'l' | 'r');
  lines.push(...renderTable(rows, align, 2, ' '));
  if (cols.some(isPercentileMetric)) lines.push('', ` ${PERCENTILE_NOTE}; "${SAME_BUCKET}": every replication's value fell in the same bucket (CI below that resolution)`);
  if (s.scaling !== null && s.scaling.series.length > 0) {
    lines.push('', ...formatScalingText(s.scaling));
  }
  return `${lines.join('\n')}\n`;
}

/** Speedup/efficiency per N, then the USL and Amdahl fits, one row per series. */
export function formatScalingText(sc: NonNullable<SweepSummary['scaling']>): string[] {
  const ns = [...new Set(sc.series.flatMap((x) => x.points.map((p) => p.n)))].sort((a, b) => a - b);
  const lines: string[] = [];
  lines.push(` Scaling over ${sc.x}: speedup (efficiency) of ops/s`, '');
  const rows: string[][] = [['series', ...ns.map((n) => `N=${n}`)]];
  for (const x of sc.series) {
    rows.push([
      x.label,
      ...ns.map((n) => {
        const p = x.points.find((q) => q.n === n);
        return p === undefined ? '-' : `${p.speedup.toFixed(2)} (${Math.round(p.efficiency * 100)}%)`;
      }),
    ]);
  }
  lines.push(...renderTable(rows, [], 2, ' '), '');
  lines.push(
    ' USL fit X(N) = γN / (1 + α(N−1) + βN(N−1)), peak N* = √((1−α)/β); Amdahl X(N) = γN / (1 + σ(N−1))',
    ' (± : 95% CI half-width from the fit\'s standard errors, t with n−p degrees of freedom; "-" with too few N)',
    '',
  );
  const fits: string[][] = [['series', 'α (contention)', 'β (coherency)', 'γ (ops/s)', 'N*', 'R²', 'Amdahl σ', 'R²']];
  const pm = (v: number, ci: number | undefined, f: (x: number) => string) => (ci === undefined ? f(v) : `${f(v)} ± ${f(ci)}`);
  let noFit = false;
  for (const x of sc.series) {
    // A fit below MIN_FIT_R2 explains nothing: its parameters are not printed as if it did.
    const u = x.usl === null ? null : fitHolds(x.usl.r2) ? x.usl : 'none';
    const a = x.amdahl === null ? null : fitHolds(x.amdahl.r2) ? x.amdahl : 'none';
    if (u === 'none' || a === 'none') noFit = true;
    const uc = u === null || u === 'none' ? undefined : u.uncertainty?.ci95;
    const ac = a === null || a === 'none' ? undefined : a.uncertainty?.ci95;
    const usl = (f: (v: UslFit) => string) => (u === null ? '-' : u === 'none' ? NO_FIT : f(u));
    fits.push([
      x.label,
      usl((v) => pm(v.alpha, uc?.alpha, (n) => fmtNum(n, 4))),
      usl((v) => pm(v.beta, uc?.beta, (n) => fmtNum(n, 6))),
      usl((v) => pm(v.gamma, uc?.gamma, fmtInt)),
      usl((v) => (v.peak_n === null ? '∞' : v.peak_n < 1 ? '<1' : v.peak_n.toFixed(1))),
      x.usl === null ? '-' : fmtR2(x.usl.r2),
      a === null ? '-' : a === 'none' ? NO_FIT : pm(a.serial_fraction, ac?.serial_fraction, (v) => fmtNum(v, 4)),
      x.amdahl === null ? '-' : fmtR2(x.amdahl.r2),
    ]);
  }
  lines.push(...renderTable(fits, [], 2, ' '));
  if (noFit) {
    lines.push(
      '',
      ` "${NO_FIT}": R² below ${MIN_FIT_R2}: the model explains less than half of how ops/s varies with N, so its parameters would describe noise (flat ops/s: something other than the CPUs limits it; see the bottleneck column)`,
    );
  }
  return lines;
}
