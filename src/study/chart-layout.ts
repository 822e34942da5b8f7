/**
 * How a sweep summary maps onto its charts (src/study/charts.ts): the x axis (machine.cpus
 * when varied, numeric; else the first --vary key, as categories), the series (the other
 * varied keys), their colours (src/report/palette.ts), and one data row per point.
 */
import { MAX_BARS } from '../report/groups.js';
import { CHART_AXIS, CHART_FONT } from '../report/chart-style.js';
import { CPUS_PATH, type SweepSummary } from './summary.js';
import { TABLEAU10, seriesColours } from '../report/palette.js';

export type Row = Record<string, string | number | null>;

/** A metric name as a Vega field: dots would mean nested access. */
export function field(metric: string): string {
  return metric.replace(/[.[\]]/g, '_');
}

export const WIDTH = 460;
export const HEIGHT = 300;

export interface Axis {
  /** Field name in the rows. */
  field: string;
  title: string;
  /** Short name for chart titles: "CPUs", or the varied key. */
  name: string;
  /** Quantitative (machine.cpus) or categories (another path). */
  quantitative: boolean;
  log2: boolean;
}

/**
 * How a summary maps onto the charts: the x axis (machine.cpus when varied, else the first
 * --vary key, as categories), and the series (the other varied keys, each point's values
 * joined by spaces), with the colours of their values (src/report/palette.ts). With no other
 * key there is one series and no legend; on categorical x each category then has its colour.
 */
export interface Layout {
  xPath: string | null;
  axis: Axis;
  xValues: string[];
  seriesPaths: string[];
  /** Series labels in order of first appearance. */
  series: string[];
  /** The colour encoding every chart uses. */
  color: Record<string, unknown>;
}

/** The series label of a point: its values of the varied keys other than x. */
export function seriesLabel(paths: readonly string[], assignments: Record<string, string>): string {
  return paths.map((p) => assignments[p]).join(' ');
}

function axisOf(s: SweepSummary): { path: string | null; axis: Axis } {
  const cpus = s.vary.find((v) => v.path === CPUS_PATH);
  if (cpus !== undefined) {
    const ns = s.points.map((p) => Number(p.assignments[CPUS_PATH]));
    const ok = ns.every((n) => Number.isFinite(n) && n > 0);
    const log2 = ok && Math.max(...ns) / Math.min(...ns) >= 8;
    return { path: CPUS_PATH, axis: { field: 'x', title: 'CPUs (machine.cpus)', name: 'CPUs', quantitative: ok, log2 } };
  }
  const first = s.vary[0];
  return { path: first?.path ?? null, axis: { field: 'x', title: first?.path ?? 'point', name: first?.path ?? 'point', quantitative: false, log2: false } };
}

export function layoutOf(s: SweepSummary): Layout {
  const { path: xPath, axis } = axisOf(s);
  const xValues = [...new Set(s.points.map((p) => (xPath === null ? String(p.index) : p.assignments[xPath]!)))];
  if (axis.quantitative) xValues.sort((u, v) => Number(u) - Number(v));
  const seriesPaths = s.vary.map((v) => v.path).filter((p) => p !== xPath);
  const series = [...new Set(s.points.map((p) => seriesLabel(seriesPaths, p.assignments)))];
  let color: Record<string, unknown>;
  if (seriesPaths.length > 0) {
    const colours = seriesColours(seriesPaths.length === 1 ? seriesPaths[0]! : null, series);
    color = { field: 'series', type: 'nominal', title: seriesPaths.join(' · '), scale: { domain: series, range: colours } };
  } else if (!axis.quantitative) {
    color = { field: 'x', type: 'nominal', legend: null, scale: { domain: xValues, range: seriesColours(xPath, xValues) } };
  } else {
    color = { value: TABLEAU10[0] };
  }
  return { xPath, axis, xValues, seriesPaths, series, color };
}

export function xEncoding(a: Axis, xValues: readonly string[]): Record<string, unknown> {
  // Ordered by a numeric field: a list of hundreds of labels overflows Vega's expression compiler.
  if (!a.quantitative) return { field: a.field, type: 'nominal', title: a.title, sort: { field: 'xorder', op: 'min' }, axis: { labelAngle: xValues.length > MAX_BARS ? -90 : 0 } };
  return {
    field: a.field,
    type: 'quantitative',
    title: a.title,
    scale: a.log2 ? { type: 'log', base: 2 } : { zero: false },
    axis: a.log2 ? { values: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024], format: 'd' } : { format: 'd' },
  };
}

/** One row per point: x, series, and every metric's mean, lo and hi. */
export function pointRows(s: SweepSummary, l: Layout): Row[] {
  return s.points.map((p) => {
    const row: Row = {
      x: l.xPath === null ? String(p.index) : l.axis.quantitative ? Number(p.assignments[l.xPath]) : p.assignments[l.xPath]!,
      series: seriesLabel(l.seriesPaths, p.assignments),
      point: p.index,
      xorder: l.xValues.indexOf(l.xPath === null ? String(p.index) : p.assignments[l.xPath]!),
    };
    for (const [name, m] of Object.entries(p.metrics)) {
      row[field(name)] = m.mean;
      row[`${field(name)}_lo`] = m.ci95 === null ? m.mean : m.mean - m.ci95;
      row[`${field(name)}_hi`] = m.ci95 === null ? m.mean : m.mean + m.ci95;
    }
    return row;
  });
}

export function base(title: string, rows: Row[]): Record<string, unknown> {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, anchor: 'start', fontSize: 14 },
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    config: { font: CHART_FONT, legend: { orient: 'right', labelLimit: 260, titleLimit: 320 }, axis: CHART_AXIS },
    data: { values: rows },
  };
}
