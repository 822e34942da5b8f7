/**
 * CSV of results: a header line, then one row per run. Columns are flattened dotted metric
 * names (`ops.per_sec`, `locks.kmap_lock.contentions`, `cpus.0.time_ns.spin`), preceded by
 * one column per --vary or --variant key, named by it (`kernel.strategy`: the run's value,
 * as written; none without --vary; empty for a run whose --variant does not set it) and
 * `scenario.name`. The
 * rest of the resolved scenario and the lock contention points are left out. When runs
 * differ in their columns (a lock class only one strategy takes), the header is the union
 * in first-seen order and missing cells are empty.
 */
import type { Result } from './result.js';

export type CsvCell = string | number | boolean | null;

export interface CsvRun {
  /** The run's --vary assignments (path, value), in --vary order; empty without --vary. */
  values: ReadonlyArray<readonly [string, string]>;
  result: Result;
}

function flattenInto(value: unknown, prefix: string, out: Map<string, CsvCell>): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => flattenInto(v, `${prefix}.${i}`, out));
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'contention_points' || k === 'contending_points') continue;
      flattenInto(v, prefix === '' ? k : `${prefix}.${k}`, out);
    }
  } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null) {
    out.set(prefix, value);
  }
}

/** One result → ordered (column, value) pairs. */
export function flattenResult(r: Result, values: CsvRun['values']): Map<string, CsvCell> {
  const out = new Map<string, CsvCell>();
  // One column per varied key (a spreadsheet filters on it), not "a=x b=y" in one cell.
  for (const [key, value] of values) out.set(key, value);
  out.set('scenario.name', r.scenario.name);
  for (const [k, v] of Object.entries(r)) {
    if (k === 'scenario' || k === 'scenario_file') continue;
    flattenInto(v, k, out);
  }
  return out;
}

/** RFC 4180 quoting: only when needed. */
export function csvField(v: CsvCell | undefined): string {
  if (v === undefined || v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function formatCsv(runs: readonly CsvRun[]): string {
  const flat = runs.map((r) => flattenResult(r.result, r.values));
  const columns: string[] = [];
  const seen = new Set<string>();
  // The varied keys first, even one only a later run sets (--variant columns differ).
  for (const r of runs) {
    for (const [key] of r.values) {
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
    }
  }
  for (const row of flat) {
    for (const k of row.keys()) {
      if (!seen.has(k)) {
        seen.add(k);
        columns.push(k);
      }
    }
  }
  const lines = [columns.map((c) => csvField(c)).join(',')];
  for (const row of flat) lines.push(columns.map((c) => csvField(row.get(c))).join(','));
  return `${lines.join('\n')}\n`;
}
