/**
 * The key metrics of a run, by flattened dotted name: the rows of the `--vary` side-by-side
 * table and of `smpsim compare`. Per-op figures divide by the ops completed in the
 * measured window; CPU shares divide by the CPU time of all CPUs.
 */
import { CATEGORY_NAMES, type CategoryName } from '../cpu/accounting.js';
import { ratio } from './format.js';

/** The parts of a Result the metrics read (a Result is one). */
export interface MetricSource {
  ops: { completed: number; per_sec: number; latency_ns: { mean: number; p50: number; p99: number } };
  tlb: { ipis_sent: number; shootdowns: number };
  kmap: { flushes: number };
  bounce: { bytes_copied: number };
  locks: Record<string, { acquisitions: number; contentions: number; wait_ns: { total: number } }>;
  cpus: Array<{ time_ns: Partial<Record<CategoryName, number>> }>;
}

/** How a metric's value prints in the human table. */
export type MetricKind = 'rate' | 'duration' | 'per_op' | 'bytes' | 'count' | 'share';

export interface MetricDef {
  key: string;
  label: string;
  kind: MetricKind;
  /** Rows that may be dropped when zero in every column (lock classes, CPU categories). */
  optional: boolean;
}

export interface MetricRow extends MetricDef {
  /** One value per result; undefined where the result lacks the metric (a lock class). */
  values: Array<number | undefined>;
}

const BASE: Array<MetricDef & { get: (r: MetricSource) => number }> = [
  { key: 'ops.per_sec', label: 'ops/s', kind: 'rate', optional: false, get: (r) => r.ops.per_sec },
  { key: 'ops.latency_ns.mean', label: 'latency mean', kind: 'duration', optional: false, get: (r) => r.ops.latency_ns.mean },
  { key: 'ops.latency_ns.p50', label: 'latency p50', kind: 'duration', optional: false, get: (r) => r.ops.latency_ns.p50 },
  { key: 'ops.latency_ns.p99', label: 'latency p99', kind: 'duration', optional: false, get: (r) => r.ops.latency_ns.p99 },
  { key: 'per_op.ipis', label: 'IPIs per op', kind: 'per_op', optional: false, get: (r) => ratio(r.tlb.ipis_sent, r.ops.completed) },
  { key: 'per_op.shootdowns', label: 'shootdowns per op', kind: 'per_op', optional: false, get: (r) => ratio(r.tlb.shootdowns, r.ops.completed) },
  { key: 'per_op.kmap_flushes', label: 'kmap flushes per op', kind: 'per_op', optional: false, get: (r) => ratio(r.kmap.flushes, r.ops.completed) },
  { key: 'per_op.bytes_copied', label: 'bytes copied per op', kind: 'bytes', optional: false, get: (r) => ratio(r.bounce.bytes_copied, r.ops.completed) },
  { key: 'per_op.cpu_ns', label: 'CPU time per op', kind: 'duration', optional: false, get: cpuNsPerOp },
];

/**
 * The run's event counters (result JSON paths), for the side-by-side tables: a counter that
 * is non-zero in any column is shown, so a `--vary kernel.inject_bug=none,skip_pkmap_flush`
 * shows its stale TLB accesses (issue 15, item 5). Counters that have a per-op row above
 * (IPIs sent, shootdowns, kmap flushes, bytes copied) are not repeated.
 */
export const COUNTERS: ReadonlyArray<{ key: string; label: string }> = [
  { key: 'ops.completed', label: 'ops completed' },
  { key: 'tlb.stale_accesses', label: 'stale TLB accesses' },
  { key: 'tlb.local_flushes', label: 'TLB local flushes' },
  { key: 'tlb.page_flushes', label: 'TLB page flushes' },
  { key: 'tlb.ipis_received', label: 'IPIs received' },
  { key: 'tlb.faults', label: 'TLB faults' },
  { key: 'kmap.kmaps', label: 'kmaps' },
  { key: 'kmap.hits', label: 'kmap hits' },
  { key: 'kmap.waits', label: 'kmap waits' },
  { key: 'kmap.atomic', label: 'kmap_atomic maps' },
  { key: 'vmap.allocs', label: 'vmap allocs' },
  { key: 'vmap.frees', label: 'vmap frees' },
  { key: 'vmap.purges', label: 'vmap purges' },
  { key: 'vmap.failures', label: 'vmap failures' },
  { key: 'bounce.pages', label: 'bounce pages' },
  { key: 'bounce.pool_waits', label: 'bounce pool waits' },
  { key: 'bounce.pool_taken', label: 'bounce pool pages taken' },
  { key: 'device.requests', label: 'device requests' },
];

/**
 * The name of a result counter (dotted path) in every report — the single-run text and
 * HTML, the --vary table, compare (issue 23, item 4: one name per counter): COUNTERS, and
 * the counters that have a per-op row instead.
 */
const OTHER_LABELS: Readonly<Record<string, string>> = {
  'tlb.shootdowns': 'shootdowns',
  'tlb.ipis_sent': 'IPIs sent',
  'kmap.flushes': 'kmap flushes',
  'bounce.bytes_copied': 'bytes copied',
};

export function counterLabel(key: string): string {
  const label = COUNTERS.find((c) => c.key === key)?.label ?? OTHER_LABELS[key];
  if (label === undefined) throw new Error(`no label for counter ${key}`);
  return label;
}

/** The number at a dotted path of a result, or undefined (a result from an older version). */
function numberAt(r: MetricSource, dotted: string): number | undefined {
  let v: unknown = r;
  for (const k of dotted.split('.')) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined;
  return typeof v === 'number' ? v : undefined;
}

/** CPU time of all CPUs that is not idle: what the ops cost the machine. */
function busyNs(r: Pick<MetricSource, 'cpus'>): number {
  let busy = 0;
  for (const c of r.cpus) for (const cat of CATEGORY_NAMES) if (cat !== 'idle') busy += c.time_ns[cat] ?? 0;
  return busy;
}

/** CPU time per op (`per_op.cpu_ns`): busy time of all CPUs / ops completed, ns. */
export function cpuNsPerOp(r: Pick<MetricSource, 'cpus' | 'ops'>): number {
  return ratio(busyNs(r), r.ops.completed);
}

/** Share of all CPUs' time per category (0..1). */
export function cpuShares(r: MetricSource): Record<CategoryName, number> {
  const sums = {} as Record<CategoryName, number>;
  let total = 0;
  for (const cat of CATEGORY_NAMES) {
    sums[cat] = r.cpus.reduce((s, c) => s + (c.time_ns[cat] ?? 0), 0);
    total += sums[cat];
  }
  for (const cat of CATEGORY_NAMES) sums[cat] = ratio(sums[cat], total);
  return sums;
}

/** Lock classes taken at least once in any of the results, in first-seen order. */
function lockClasses(results: readonly MetricSource[]): string[] {
  const names: string[] = [];
  for (const r of results) {
    for (const [name, s] of Object.entries(r.locks)) if (s.acquisitions > 0 && !names.includes(name)) names.push(name);
  }
  return names;
}

/**
 * The metric rows for a set of results (columns), in a fixed order: throughput and latency,
 * per-op counters, per lock class contentions and wait total, CPU share per category.
 * With `dropZero`, optional rows that are zero (or absent) in every result are left out.
 * With `counters`, the event counters (COUNTERS) follow the per-op rows.
 */
export function metricRows(results: readonly MetricSource[], dropZero = true, counters = false): MetricRow[] {
  const rows: MetricRow[] = BASE.map(({ get, ...def }) => ({ ...def, values: results.map(get) }));
  if (counters) {
    for (const c of COUNTERS) rows.push({ ...c, kind: 'count', optional: true, values: results.map((r) => numberAt(r, c.key)) });
  }
  for (const name of lockClasses(results)) {
    rows.push({
      key: `locks.${name}.contentions`,
      label: `${name} contentions`,
      kind: 'count',
      optional: true,
      values: results.map((r) => r.locks[name]?.contentions),
    });
    rows.push({
      key: `locks.${name}.wait_ns.total`,
      label: `${name} wait total`,
      kind: 'duration',
      optional: true,
      values: results.map((r) => r.locks[name]?.wait_ns.total),
    });
  }
  const shares = results.map(cpuShares);
  for (const cat of CATEGORY_NAMES) {
    rows.push({
      key: `cpu_share.${cat}`,
      label: `CPU ${cat}`,
      kind: 'share',
      optional: true,
      values: shares.map((s) => s[cat]),
    });
  }
  return dropZero ? rows.filter((r) => !r.optional || r.values.some((v) => v !== undefined && v !== 0)) : rows;
}
