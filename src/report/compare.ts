/**
 * Side-by-side tables of key metrics (src/report/metrics.ts): one column per `--vary`
 * variant, or two results with their absolute and relative deltas (`smpsim compare`).
 */
import { formatDuration, formatSize } from '../engine/units.js';
import { BOTTLENECK_COLUMN, formatBottleneckCell, type Bottleneck } from './bottleneck.js';
import { fmtFixed, fmtInt, fmtPercent, fmtPlain, renderTable, type Align } from './format.js';
import { metricRows, type MetricKind, type MetricSource } from './metrics.js';
import { LOCK_WAIT_VS_SPIN } from './ops.js';

/** A metric value for people: units for durations and sizes, separators for counts. */
export function formatMetric(kind: MetricKind, v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '-';
  switch (kind) {
    case 'rate':
      return fmtFixed(v, 0);
    case 'duration':
      return formatDuration(v);
    case 'per_op':
      return Math.abs(v) >= 1000 ? fmtFixed(v, 0) : v.toFixed(3);
    case 'bytes':
      return formatSize(v);
    case 'count':
      return fmtInt(v);
    case 'share':
      return fmtPercent(v);
  }
}

export interface Column {
  /** Column header: the variant's values, or the file name. */
  label: string;
  result: MetricSource;
  /** The run's bottleneck (src/report/bottleneck.ts); a row of the --vary table when given. */
  bottleneck?: Bottleneck;
}


/**
 * The `--vary` table: a title line, a blank line, then metric rows × variant columns (with
 * a bottleneck row after CPU time per op when the columns carry one); when
 * lock wait rows and the CPU spin share both show, a note on how they differ.
 */
export function formatVaryTable(title: string, columns: readonly Column[]): string {
  const rows = metricRows(columns.map((c) => c.result), true, true);
  const table: string[][] = [['metric', ...columns.map((c) => c.label)]];
  for (const r of rows) {
    table.push([r.label, ...r.values.map((v) => formatMetric(r.kind, v))]);
    // After CPU time per op: what limits each column (issue 23, item 1).
    if (r.key === 'per_op.cpu_ns' && columns.some((c) => c.bottleneck !== undefined)) {
      table.push([BOTTLENECK_COLUMN, ...columns.map((c) => (c.bottleneck === undefined ? '-' : formatBottleneckCell(c.bottleneck)))]);
    }
  }
  const both = rows.some((r) => r.key.endsWith('.wait_ns.total')) && rows.some((r) => r.key === 'cpu_share.spin');
  return `${title}\n\n${renderTable(table).join('\n')}\n${both ? `\n ${LOCK_WAIT_VS_SPIN}\n` : ''}`;
}

/** (b − a) / |a| as a signed percentage; "n/a" when a is 0 and b is not. */
export function relativeDelta(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined) return 'n/a';
  if (a === b) return '0.0%';
  if (a === 0) return 'n/a';
  const d = ((b - a) / Math.abs(a)) * 100;
  return `${d > 0 ? '+' : ''}${d.toFixed(1)}%`;
}

function absoluteDelta(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined) return 'n/a';
  const d = b - a;
  // Rounding noise of two float sums must not print as a tiny non-zero delta.
  const clean = Math.abs(d) < 1e-12 * Math.max(Math.abs(a), Math.abs(b), 1) ? 0 : d;
  return `${clean > 0 ? '+' : ''}${fmtPlain(clean)}`;
}

/**
 * `smpsim compare`: flattened metric names, both values, b − a and (b − a)/a. Rows present
 * in either result are shown; zero-everywhere optional rows are left out. The bottleneck
 * (when either file has one) follows per_op.cpu_ns.
 */
export function formatCompare(a: Column, b: Column): string {
  const rows = metricRows([a.result, b.result], true, true);
  const table: string[][] = [['metric', a.label, b.label, 'delta', 'delta%']];
  for (const r of rows) {
    const [va, vb] = r.values as [number | undefined, number | undefined];
    table.push([
      r.key,
      va === undefined ? '-' : fmtPlain(va),
      vb === undefined ? '-' : fmtPlain(vb),
      absoluteDelta(va, vb),
      relativeDelta(va, vb),
    ]);
    if (r.key === 'per_op.cpu_ns' && (a.bottleneck !== undefined || b.bottleneck !== undefined)) {
      const cell = (x: Bottleneck | undefined) => (x === undefined ? '-' : formatBottleneckCell(x));
      const [ca, cb] = [cell(a.bottleneck), cell(b.bottleneck)];
      table.push(['bottleneck', ca, cb, ca === cb ? 'same' : 'changed']);
    }
  }
  const align: Align[] = ['l', 'r', 'r', 'r', 'r'];
  return `${renderTable(table, align).join('\n')}\n`;
}
