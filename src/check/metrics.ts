/**
 * The metrics a baseline records and a check compares, by name:
 *
 *   - any number of the result, by its dotted path: `ops.per_sec`, `tlb.stale_accesses`,
 *     `locks.kmap_lock.contentions`, `cpus.0.time_ns.spin` (lock class names may contain
 *     dots: `locks.vmap_block_queue.lock.contentions`);
 *   - `per_op.<path>`: that number divided by the ops completed in the measured window
 *     (0 when no op completed): `per_op.tlb.ipis_sent`;
 *   - `cpu_share.<category>`: the share of all CPUs' time (0..1), as in `smpsim compare`.
 *
 * A pattern may hold `*`, which matches any non-empty part of a name (dots included):
 * `per_op.locks.*.contentions` is the contentions per op of every lock class.
 */
import { CATEGORY_NAMES } from '../cpu/accounting.js';
import { ratio } from '../report/format.js';
import { cpuShares, type MetricSource } from '../report/metrics.js';
import type { Result } from '../report/result.js';

/** The default metrics of a baseline (docs/CHECK.md). */
export const DEFAULT_METRICS: readonly string[] = [
  'ops.per_sec',
  'ops.latency_ns.p99',
  'per_op.tlb.ipis_sent',
  'per_op.tlb.shootdowns',
  'per_op.kmap.flushes',
  'per_op.bounce.bytes_copied',
  'per_op.locks.*.contentions',
  'per_op.locks.*.wait_ns.total',
];

/** How far a metric may move and still pass: |now − baseline| ≤ max(relative·|baseline|, absolute). */
export interface Tolerance {
  relative: number;
  absolute: number;
}

export const DEFAULT_RELATIVE = 0.05;

/**
 * The default tolerance of a metric: 5% relative, and an absolute floor sized to the
 * metric's unit so that near-zero metrics do not flap (0.001 IPIs per op is noise, not a
 * regression).
 */
export function defaultTolerance(name: string, relative = DEFAULT_RELATIVE): Tolerance {
  return { relative, absolute: absoluteFloor(name) };
}

function absoluteFloor(name: string): number {
  const leaf = name.slice(name.lastIndexOf('.') + 1);
  if (name.startsWith('per_op.')) {
    if (name.includes('bytes')) return 1; // bytes per op
    if (name.includes('_ns')) return 1; // ns per op
    return 0.001; // events per op
  }
  if (name.startsWith('cpu_share.') || leaf.includes('fraction')) return 0.001;
  if (leaf === 'mean_queue') return 0.01;
  return 1; // counts, ns, ops/s
}

/** Top-level fields that are not measurements. */
const NOT_METRICS = new Set(['schema', 'version', 'scenario', 'scenario_file', 'seed', 'wall_ms', 'fingerprint', 'stop_reason']);
/** Sub-trees left out of the flattened names (lists of call sites, not numbers to compare). */
const SKIP_KEYS = new Set(['contention_points', 'contending_points', 'locks']);

/** Every number of a result under its dotted name, in the result's own key order. */
export function flattenResult(result: Result | MetricSource): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (v: unknown, prefix: string): void => {
    if (typeof v === 'number') {
      out.set(prefix, v);
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, `${prefix}.${i}`));
      return;
    }
    for (const [k, child] of Object.entries(v)) {
      if (SKIP_KEYS.has(k)) continue;
      walk(child, prefix === '' ? k : `${prefix}.${k}`);
    }
  };
  for (const [k, v] of Object.entries(result)) {
    if (!NOT_METRICS.has(k)) walk(v, k);
  }
  return out;
}

/** Every metric name of a result with its value (raw numbers, per-op ratios, CPU shares). */
export function metricValues(result: Result): Map<string, number> {
  const raw = flattenResult(result);
  const out = new Map(raw);
  const ops = result.ops.completed;
  for (const [k, v] of raw) out.set(`per_op.${k}`, ratio(v, ops));
  const shares = cpuShares(result);
  for (const cat of CATEGORY_NAMES) out.set(`cpu_share.${cat}`, shares[cat]);
  return out;
}

function escapeRegex(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/** A metric pattern as a regular expression (`*` matches any non-empty text). */
export function patternRegex(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map(escapeRegex).join('.+')}$`);
}

/** Whether a --metric value is well-formed; a message if not. */
export function patternProblem(pattern: string): string | undefined {
  if (pattern.trim() === '') return 'expected a metric name, got an empty string';
  if (/\s/.test(pattern)) return `expected a metric name without spaces, got ${JSON.stringify(pattern)}`;
  if (pattern.startsWith('.') || pattern.endsWith('.') || pattern.includes('..')) {
    return `expected a dotted metric name, got ${JSON.stringify(pattern)}`;
  }
  return undefined;
}

/**
 * The metric names `patterns` select among `available`, in pattern order then in the
 * order of `available`, without duplicates. A pattern without `*` that names nothing is
 * returned in `unknown`.
 */
export function expandPatterns(patterns: readonly string[], available: Iterable<string>): { names: string[]; unknown: string[] } {
  const all = [...available];
  const names: string[] = [];
  const seen = new Set<string>();
  const unknown: string[] = [];
  for (const p of patterns) {
    if (!p.includes('*')) {
      if (all.includes(p)) {
        if (!seen.has(p)) names.push(p);
        seen.add(p);
      } else unknown.push(p);
      continue;
    }
    const re = patternRegex(p);
    let matched = false;
    for (const n of all) {
      if (!re.test(n)) continue;
      matched = true;
      if (!seen.has(n)) {
        seen.add(n);
        names.push(n);
      }
    }
    // A pattern that matches nothing records nothing: bad input (issue 20), not 0 metrics.
    if (!matched) unknown.push(p);
  }
  return { names, unknown };
}

/** The closest known metric name to `name`, for "did you mean" (edit distance ≤ 3). */
export function suggestMetric(name: string, available: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = 4;
  for (const cand of available) {
    const d = editDistance(name, cand, bestD);
    if (d < bestD) {
      bestD = d;
      best = cand;
    }
  }
  return best;
}

function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin >= cap) return cap;
    prev = cur;
  }
  return prev[b.length]!;
}
