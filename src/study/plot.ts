/**
 * Charts of a sweep summary (summary.json), as SVG files and one self-contained HTML report
 * (DIR/report.html: the SVGs inlined, no script, no CDN — it opens offline).
 *
 * The charts are Vega-Lite specs compiled to Vega and rendered headless in Node
 * (`new vega.View(…, { renderer: 'none' }).toSVG()`; text widths are Vega's estimates, no
 * canvas needed):
 *   throughput.svg  ops/s vs x per series, 95% CI error bars, fitted USL curves (dashed; over CPUs only)
 *   speedup.svg     speedup vs CPUs per series, with the ideal (linear) line (over CPUs only)
 *   latency.svg     latency p50 and p99 vs x (log scale)
 *   ipis.svg        IPIs per op vs x
 *   lockwait.svg    lock wait share vs x
 *   cputime.svg     where the CPU time goes (share by category) vs x, one panel per series
 * x is machine.cpus when varied (numeric: lines through the points); otherwise the first
 * --vary key as categories, drawn as dots with CI whiskers (categories are not joined by a
 * line). Titles and axis names come from the varied keys; colours from src/report/palette.ts
 * (fixed per strategy, spinlock, map API and CPU-time category).
 */
import path from 'node:path';
import { z } from 'zod';
import { excerpt } from '../input/read.js';
import * as vl from 'vega-lite';
import { CATEGORY_NAMES } from '../cpu/accounting.js';
import { MAX_BARS, groupConsecutive, groupLabel } from '../report/groups.js';
import { formatDuration } from '../engine/units.js';
import { PERCENTILE_NOTE, SAME_BUCKET, formatWithCi } from '../report/percentile.js';
import { CPUS_PATH, LOCK_WAIT_SHARE, THROUGHPUT, formatScalingText, type SweepSummary } from './summary.js';
import { uslCurve } from './usl.js';
import { TABLEAU10, categoryScale, seriesColours } from '../report/palette.js';
import { renderSvg } from '../report/render-svg.js';
import { CHART_FILES, SweepFileError, openOutputDir, readJsonFile, refusalOf, writeOwned, SUMMARY_SCHEMA } from './files.js';

type Row = Record<string, string | number | null>;

/** A metric name as a Vega field: dots would mean nested access. */
function field(metric: string): string {
  return metric.replace(/[.[\]]/g, '_');
}

export interface Chart {
  file: string;
  title: string;
  caption: string;
  svg: string;
}

const WIDTH = 460;
const HEIGHT = 300;
const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

interface Axis {
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
interface Layout {
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
function seriesLabel(paths: readonly string[], assignments: Record<string, string>): string {
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

function layoutOf(s: SweepSummary): Layout {
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

function xEncoding(a: Axis, xValues: readonly string[]): Record<string, unknown> {
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
function pointRows(s: SweepSummary, l: Layout): Row[] {
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

function base(title: string, rows: Row[]): Record<string, unknown> {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, anchor: 'start', fontSize: 14 },
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    config: { font: FONT, legend: { orient: 'right', labelLimit: 260, titleLimit: 320 }, axis: { gridColor: '#e6e6e6' } },
    data: { values: rows },
  };
}

/**
 * Mean per series with the 95% CI as error bars: on a numeric x, lines through the points; on
 * categories, dots with whiskers side by side (no line: categories have no order to join).
 */
function metricChart(title: string, metric: string, yTitle: string, rows: Row[], l: Layout, yScale: Record<string, unknown> = {}, format?: string): vl.TopLevelSpec {
  const f = field(metric);
  const y = { field: f, type: 'quantitative', title: yTitle, scale: yScale, ...(format === undefined ? {} : { axis: { format } }) };
  const categorical = !l.axis.quantitative;
  const offset = categorical && l.seriesPaths.length > 0 ? { xOffset: { field: 'series', type: 'nominal', sort: l.series } } : {};
  return {
    ...base(title, rows),
    encoding: { x: xEncoding(l.axis, l.xValues), color: l.color, ...offset },
    layer: [
      categorical
        ? { mark: { type: 'point', filled: true, size: 90, opacity: 1 }, encoding: { y } }
        : { mark: { type: 'line', point: { filled: true, size: 40 } }, encoding: { y } },
      {
        mark: { type: 'errorbar', ticks: { size: 6 }, thickness: 1.5 },
        encoding: { y: { field: `${f}_lo`, type: 'quantitative', title: yTitle }, y2: { field: `${f}_hi` } },
      },
    ],
  } as unknown as vl.TopLevelSpec;
}

/** The USL curves to draw: only on a numeric CPUs axis, for the series with a fit. */
function uslCurves(s: SweepSummary, l: Layout): Row[] {
  const curves: Row[] = [];
  if (!l.axis.quantitative) return curves;
  for (const ser of s.scaling?.series ?? []) {
    if (ser.usl === null) continue;
    for (const [n, x] of uslCurve(ser.usl, Math.min(...ser.points.map((p) => p.n)), Math.max(...ser.points.map((p) => p.n)), 80, l.axis.log2)) {
      curves.push({ x: n, series: seriesLabel(l.seriesPaths, ser.assignments), fit: x });
    }
  }
  return curves;
}

function throughputChart(s: SweepSummary, rows: Row[], l: Layout, curves: Row[]): vl.TopLevelSpec {
  const title = `Throughput vs ${l.axis.name} (mean, 95% CI${curves.length > 0 ? '; dashed: USL fit' : ''})`;
  const spec = metricChart(title, THROUGHPUT, 'ops/s', rows, l, { zero: true }, '~s') as unknown as {
    layer: unknown[];
  };
  if (curves.length > 0) {
    spec.layer.push({
      data: { values: curves },
      mark: { type: 'line', strokeDash: [5, 4], strokeWidth: 1.5, opacity: 0.9 },
      encoding: { y: { field: 'fit', type: 'quantitative' } },
    });
  }
  return spec as unknown as vl.TopLevelSpec;
}

function speedupChart(s: SweepSummary, l: Layout): vl.TopLevelSpec | null {
  const sc = s.scaling;
  const a = l.axis;
  if (sc === null || !a.quantitative) return null;
  const rows: Row[] = sc.series.flatMap((ser) => ser.points.map((p) => ({ x: p.n, series: seriesLabel(l.seriesPaths, ser.assignments), speedup: p.speedup })));
  const ns = [...new Set(rows.map((r) => r.x as number))].sort((x, y) => x - y);
  const ideal: Row[] = ns.map((n) => ({ x: n, ideal: n }));
  return {
    ...base('Speedup vs CPUs (grey: linear)', rows),
    encoding: { x: xEncoding(a, l.xValues) },
    layer: [
      { data: { values: ideal }, mark: { type: 'line', color: '#999', strokeDash: [2, 3] }, encoding: { y: { field: 'ideal', type: 'quantitative' } } },
      {
        mark: { type: 'line', point: { filled: true, size: 40 } },
        encoding: { y: { field: 'speedup', type: 'quantitative', title: 'speedup', scale: a.log2 ? { type: 'log', base: 2 } : {} }, color: l.color },
      },
    ],
  } as unknown as vl.TopLevelSpec;
}

function latencyChart(rows: Row[], l: Layout): vl.TopLevelSpec {
  const categorical = !l.axis.quantitative;
  const long: Row[] = rows.flatMap((r) =>
    (['p50', 'p99'] as const).map((q) => ({
      x: r.x!,
      series: r.series!,
      percentile: q,
      offset: `${r.series} ${q}`,
      us: (r[field(`ops.latency_ns.${q}`)] as number) / 1000,
      // A log axis cannot show a CI reaching 0 or below: the whisker stops at a tenth of the mean.
      lo: Math.max((r[`${field(`ops.latency_ns.${q}`)}_lo`] as number) / 1000, (r[field(`ops.latency_ns.${q}`)] as number) / 10000),
      hi: (r[`${field(`ops.latency_ns.${q}`)}_hi`] as number) / 1000,
    })),
  );
  return {
    ...base(`Latency of one op vs ${l.axis.name} (${categorical ? 'p50 filled, p99 hollow' : 'p50 solid, p99 dashed'})`, long),
    encoding: {
      x: xEncoding(l.axis, l.xValues),
      color: l.color,
      // An explicit order: left to itself Vega-Lite unions the layers' offset domains with conflicting sorts (and warns).
      ...(categorical ? { xOffset: { field: 'offset', type: 'nominal', sort: l.series.flatMap((x) => [`${x} p50`, `${x} p99`]) } } : {}),
      ...(categorical
        ? {}
        : {
            strokeDash: {
              field: 'percentile',
              type: 'nominal',
              title: 'percentile',
              scale: { domain: ['p50', 'p99'], range: [[1, 0], [5, 3]] },
              legend: null, // said in the title: line legends drawn by Vega's headless renderer lose the dash
            },
          }),
    },
    layer: [
      categorical
        ? {
            mark: { type: 'point', size: 80, strokeWidth: 2 },
            encoding: {
              y: { field: 'us', type: 'quantitative', title: 'latency (µs, log)', scale: { type: 'log' } },
              fill: { condition: { test: "datum.percentile === 'p50'", ...l.color }, value: 'white' },
            },
          }
        : { mark: { type: 'line', point: { filled: true, size: 30 } }, encoding: { y: { field: 'us', type: 'quantitative', title: 'latency (µs, log)', scale: { type: 'log' } } } },
      { mark: { type: 'errorbar', ticks: { size: 5 } }, encoding: { y: { field: 'lo', type: 'quantitative', title: 'latency (µs, log)' }, y2: { field: 'hi' } } },
    ],
  } as unknown as vl.TopLevelSpec;
}

/**
 * Stacked bars of the CPU time shares per x value; beyond MAX_BARS x values, per group of
 * consecutive x values (the mean of its points' shares), labelled "a–b".
 */
function cpuTimeChart(s: SweepSummary, l: Layout): vl.TopLevelSpec {
  const { xPath, axis: a } = l;
  const groups = groupConsecutive(l.xValues);
  const grouped = groups.length < l.xValues.length;
  const groupOf = new Map<string, number>();
  groups.forEach((g, i) => g.forEach((x) => groupOf.set(x, i)));
  const labels = groups.map((g) => groupLabel(g[0]!, g[g.length - 1]!));
  // Sum and count per (group, series, category): the mean share over the group's points.
  const acc = new Map<string, { x: string; order: number; series: string; category: string; rank: number; sum: number; n: number }>();
  for (const p of s.points) {
    const g = groupOf.get(xPath === null ? String(p.index) : p.assignments[xPath]!)!;
    const series = seriesLabel(l.seriesPaths, p.assignments);
    for (const cat of CATEGORY_NAMES) {
      const m = p.metrics[`cpu_share.${cat}`];
      if (m === undefined) continue;
      const key = JSON.stringify([g, series, cat]);
      const e = acc.get(key) ?? { x: labels[g]!, order: g, series, category: cat, rank: CATEGORY_NAMES.indexOf(cat), sum: 0, n: 0 };
      e.sum += m.mean;
      e.n++;
      acc.set(key, e);
    }
  }
  const rows: Row[] = [];
  for (const e of acc.values()) {
    if (e.sum === 0) continue;
    rows.push({ x: e.x, order: e.order, series: e.series, category: e.category, share: e.sum / e.n, rank: e.rank });
  }
  const facet = l.seriesPaths.length > 0;
  const panel = {
    width: Math.max(120, Math.min(grouped ? 720 : 260, 36 * groups.length)),
    height: 220,
    mark: 'bar',
    encoding: {
      x: { field: 'x', type: 'ordinal', title: grouped ? `${a.title}, in ${groups.length} groups (mean over each group)` : a.title, sort: { field: 'order', op: 'min' }, axis: { labelAngle: grouped ? -45 : 0 } },
      y: { field: 'share', type: 'quantitative', title: 'share of CPU time', axis: { format: '%' }, scale: { domain: [0, 1] } },
      color: { field: 'category', type: 'nominal', title: 'category', sort: [...CATEGORY_NAMES], scale: categoryScale() },
      order: { field: 'rank', sort: 'ascending' },
    },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `Where the CPU time goes, by ${a.name} (share of all CPUs' time)`, anchor: 'start', fontSize: 14 },
    background: 'white',
    config: { font: FONT, axis: { gridColor: '#e6e6e6' } },
    data: { values: rows },
    ...(facet
      ? { facet: { column: { field: 'series', type: 'nominal', title: l.seriesPaths.join(' · '), sort: l.series } }, spec: panel }
      : panel),
  } as unknown as vl.TopLevelSpec;
}

/** Every chart of a summary, rendered. */
export async function renderCharts(s: SweepSummary): Promise<Chart[]> {
  const l = layoutOf(s);
  const rows = pointRows(s, l);
  const curves = uslCurves(s, l);
  const x = l.axis.name;
  const charts: Chart[] = [];
  const add = async (file: string, title: string, caption: string, spec: vl.TopLevelSpec | null) => {
    if (spec !== null) charts.push({ file, title, caption, svg: await renderSvg(spec) });
  };
  await add(
    'throughput.svg',
    'Throughput',
    `Mean ops/s of simulated time per point, with 95% confidence intervals of the mean over replications${curves.length > 0 ? '; dashed lines are the fitted Universal Scalability Law curves' : ''}.`,
    throughputChart(s, rows, l, curves),
  );
  await add('speedup.svg', 'Speedup', 'X(N)/X(1) per series (relative to the smallest N when N = 1 was not run); the grey line is linear speedup.', speedupChart(s, l));
  await add('latency.svg', 'Latency', 'Latency of one op (submission to end of teardown), median and 99th percentile, means over replications with 95% CIs. Percentiles are log-bucketed (within 1/256 of the exact value).', latencyChart(rows, l));
  await add('ipis.svg', 'IPIs per op', 'Inter-processor interrupts sent per completed op (TLB shootdowns, pkmap flushes).', metricChart(`IPIs per op vs ${x}`, 'per_op.ipis', 'IPIs per op', rows, l, { zero: true }));
  await add('lockwait.svg', 'Lock wait share', 'Total time spent waiting for spinlocks (all classes) as a share of all CPU time: wait / (simulated time × CPUs).', metricChart(`Lock wait share vs ${x}`, LOCK_WAIT_SHARE, 'share of CPU time waiting for locks', rows, l, { zero: true }, '%'));
  await add('cputime.svg', 'CPU time', 'Share of all CPUs’ time by category (work, copy, spin, ipi_wait, irq, tlb, map, sched, idle), mean over replications; each category has the same colour in every report.', cpuTimeChart(s, l));
  return charts;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const TABLE_METRICS = [THROUGHPUT, 'ops.latency_ns.p50', 'ops.latency_ns.p99', 'per_op.ipis', 'per_op.shootdowns', LOCK_WAIT_SHARE];

/** The self-contained HTML report: summary tables and every chart inlined. */
export function reportHtml(s: SweepSummary, charts: readonly Chart[]): string {
  const paths = s.vary.map((v) => v.path);
  const metrics = TABLE_METRICS.filter((m) => s.metrics[m] !== undefined);
  // The same columns as the table `smpsim sweep` prints: warm-up (auto) and converged (--precision).
  const auto = s.warmup === 'auto';
  const precision = s.precision !== null;
  const head = [...paths, 'reps', ...(auto ? ['warm-up'] : []), ...(precision ? ['converged'] : []), ...metrics.map((m) => s.metrics[m]!.label)];
  const cell = (m: string, p: SweepSummary['points'][number]) => {
    // A metric some points lack (a lock class only some variants take) shows as "-".
    const st = p.metrics[m];
    if (st === undefined) return '-';
    // The CI on its own line, so that the table fits a 1200 px window.
    const [mean, ...ci] = formatWithCi(m, s.metrics[m]!.kind, st.mean, st.ci95).split(' ');
    return ci.length === 0 ? esc(mean!) : `${esc(mean!)}<span class="ci">${esc(ci.join(' '))}</span>`;
  };
  const warm = (p: SweepSummary['points'][number]) => {
    const w = p.warmup ?? null;
    return w === null ? '0' : 'time_ns' in w ? formatDuration(w.time_ns) : `${w.ops} ops`;
  };
  const pointRowsHtml = s.points
    .map(
      (p) =>
        `<tr>${paths.map((q) => `<td>${esc(p.assignments[q] ?? '')}</td>`).join('')}<td class="n">${p.replications}</td>` +
        (auto ? `<td class="n">${esc(warm(p))}</td>` : '') +
        (precision ? `<td>${p.converged === true ? 'yes' : 'no'}</td>` : '') +
        `${metrics.map((m) => `<td class="n">${cell(m, p)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  const scaling = s.scaling === null ? '' : `<h2>Scaling</h2>\n<pre>${esc(formatScalingText(s.scaling).join('\n'))}</pre>`;
  const spec = [
    `vary: ${s.vary.map((v) => `${v.path}=${v.values.join(',')}`).join('; ') || '(none)'}${s.zip ? ' (zipped)' : ''}`,
    `replications: ${s.replications}${s.precision === null ? '' : `, until the 95% CI half-width of ${s.metric} is within ${s.precision * 100}% of its mean (at most ${s.max_replications})`}`,
    `warm-up: ${s.warmup === 'auto' ? 'MSER-5 on a pilot run per point' : "the scenario's stop.warmup"}`,
  ];
  const figures = charts
    .map((c) => `<figure id="${esc(c.file.replace(/\.svg$/, ''))}">\n<h2>${esc(c.title)}</h2>\n${c.svg}\n<figcaption>${esc(c.caption)}</figcaption>\n</figure>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>smpsim sweep: ${esc(s.scenario.name)}</title>
<style>
body { font-family: ${FONT}; margin: 2em auto; max-width: 1100px; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
table { border-collapse: collapse; font-size: 0.85em; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: left; white-space: nowrap; }
th { white-space: normal; vertical-align: bottom; min-width: 3em; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
pre { font-size: 0.8em; background: #f7f7f7; padding: 0.8em; overflow-x: auto; }
.scroll { overflow-x: auto; max-width: 100%; }
td .ci { display: block; font-size: 0.85em; color: #666; }
svg { max-width: 100%; height: auto; }
.note { font-size: 0.85em; color: #555; }
figure { margin: 1em 0; } figcaption { font-size: 0.85em; color: #555; max-width: 760px; }
.desc { color: #444; max-width: 820px; }
</style>
</head>
<body>
<h1>smpsim sweep: ${esc(s.scenario.name)}</h1>
<p class="desc">${esc(s.scenario.description)}</p>
<ul>${spec.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>
<p>smpsim ${esc(s.version)}. Values are means over replications ± the half-width of the 95% confidence interval (Student t).</p>
${scaling}
<h2>Points</h2>
<div class="scroll">
<table id="points">
<tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>
${pointRowsHtml}
</table>
</div>
<p class="note">${esc(PERCENTILE_NOTE)}; “${esc(SAME_BUCKET)}”: every replication fell in the same bucket, so the CI is below that resolution.</p>
${figures}
</body>
</html>
`;
}

/** Read DIR/summary.json (written by `smpsim sweep`). */
/**
 * What the charts and the report read of a summary.json: checked before any is drawn, so
 * that a hand-edited or truncated summary is one line naming the field, not a TypeError.
 */
const num = z.number();
const stats = z.looseObject({ mean: num, ci95: num.nullable() });
const fit = z.looseObject({ alpha: num, beta: num, gamma: num, peak_n: num.nullable(), r2: num }).nullable();
const SummaryFile = z.looseObject({
  schema: z.literal(SUMMARY_SCHEMA),
  version: z.string(),
  confidence: num,
  scenario: z.looseObject({ name: z.string(), description: z.string() }),
  vary: z.array(z.looseObject({ path: z.string(), values: z.array(z.string()) })),
  zip: z.boolean(),
  replications: num,
  precision: num.nullable(),
  metric: z.string(),
  max_replications: num.nullable(),
  warmup: z.enum(['scenario', 'auto']),
  metrics: z.record(z.string(), z.looseObject({ label: z.string(), kind: z.enum(['rate', 'duration', 'per_op', 'bytes', 'count', 'share']) })),
  points: z.array(
    z.looseObject({ index: num, assignments: z.record(z.string(), z.string()), replications: num, metrics: z.record(z.string(), stats) }),
  ),
  scaling: z
    .looseObject({
      x: z.string(),
      metric: z.string(),
      series: z.array(
        z.looseObject({
          label: z.string(),
          points: z.array(z.looseObject({ n: num, point: num, mean: num, ci95: num.nullable(), speedup: num, efficiency: num })),
          usl: fit,
          amdahl: z.looseObject({ serial_fraction: num, gamma: num, r2: num }).nullable(),
        }),
      ),
    })
    .nullable(),
});

export function readSummary(dir: string): SweepSummary {
  const file = path.join(dir, 'summary.json');
  const v = readJsonFile(file);
  if (v === undefined) throw new SweepFileError(`${file}: no such file (run smpsim sweep --out ${dir} first)`);
  if (typeof v !== 'object' || v === null || (v as { schema?: unknown }).schema !== SUMMARY_SCHEMA) {
    throw new SweepFileError(`${file}: not a sweep summary (expected "schema": "${SUMMARY_SCHEMA}")`);
  }
  const parsed = SummaryFile.safeParse(v);
  if (!parsed.success) {
    const iss = parsed.error.issues[0]!;
    const at = iss.path.map(String).join('.');
    throw new SweepFileError(`${file}: corrupt sweep summary: ${at === '' ? '' : `${excerpt(at, 80)}: `}${iss.message.split('\n')[0]}`);
  }
  // Every point names a value for every varied path (the charts' x axis and series).
  const d = parsed.data;
  for (const [i, pt] of d.points.entries()) {
    const missing = d.vary.find((q) => typeof pt.assignments[q.path] !== 'string');
    if (missing !== undefined) {
      throw new SweepFileError(`${file}: corrupt sweep summary: points.${i}.assignments: expected a value for ${excerpt(missing.path)}, got none`);
    }
  }
  // The data as read (zod's copy drops nothing here, but the summary is the file's).
  return v as SweepSummary;
}

/** Write every chart as DIR/<name>.svg and DIR/report.html; returns the files written. */
export async function writePlots(dir: string, s: SweepSummary): Promise<string[]> {
  const charts = await renderCharts(s);
  // Only files absent or smpsim's are written; a link planted in DIR is refused (manifest.ts).
  const out = openOutputDir(dir);
  const htmlText = reportHtml(s, charts);
  for (const [rel, text] of [...charts.map((c) => [c.file, c.svg] as const), ['report.html', htmlText] as const]) {
    const why = refusalOf(out, rel, text);
    if (why !== null) throw new SweepFileError(why);
  }
  const files: string[] = [];
  for (const c of charts) {
    // `sweep --force` removes only the files it knows a sweep writes: keep the list true.
    if (!(CHART_FILES as readonly string[]).includes(c.file)) throw new Error(`chart ${c.file} is missing from CHART_FILES (study/files.ts)`);
    const f = path.join(dir, c.file);
    writeOwned(out, c.file, c.svg);
    files.push(f);
  }
  const html = path.join(dir, 'report.html');
  writeOwned(out, 'report.html', htmlText);
  files.push(html);
  return files;
}
