/**
 * The charts of a sweep summary, as Vega-Lite specs rendered to SVG (src/report/render-svg.ts):
 *   throughput.svg  ops/s vs x per series, 95% CI error bars, fitted USL curves (dashed; over CPUs only)
 *   speedup.svg     speedup vs CPUs per series, with the ideal (linear) line (over CPUs only)
 *   latency.svg     latency p50 and p99 vs x (log scale when they span a decade)
 *   cpuperop.svg    CPU time per op (µs) vs x: what differs when the device is the limit
 *   ipis.svg        IPIs per op vs x
 *   lockwait.svg    lock wait share vs x
 *   cputime.svg     where the CPU time goes (share by category) vs x, one panel per series
 * x is machine.cpus when varied (numeric: lines through the points); otherwise the first
 * --vary key as categories, drawn as dots with CI whiskers (categories are not joined by a
 * line). Titles and axis names come from the varied keys; colours from src/report/palette.ts
 * (fixed per strategy, spinlock, map API and CPU-time category).
 */
import type * as vl from 'vega-lite';
import { CATEGORY_NAMES } from '../cpu/accounting.js';
import { groupConsecutive, groupLabel } from '../report/groups.js';
import { categoryScale } from '../report/palette.js';
import { CHART_AXIS, CHART_FONT } from '../report/chart-style.js';
import { renderSvg } from '../report/render-svg.js';
import { LOCK_WAIT_SHARE, THROUGHPUT, type SweepSummary } from './summary.js';
import { uslCurve } from './usl.js';
import { fittedScale, linearScale, logScale } from '../report/axis-scale.js';
import { base, field, layoutOf, pointRows, seriesLabel, xEncoding, type Layout, type Row } from './chart-layout.js';

export interface Chart {
  file: string;
  title: string;
  caption: string;
  svg: string;
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
  const raw = rows.flatMap((r) =>
    (['p50', 'p99'] as const).map((q) => ({
      x: r.x!,
      series: r.series!,
      percentile: q,
      offset: `${r.series} ${q}`,
      us: (r[field(`ops.latency_ns.${q}`)] as number) / 1000,
      lo: (r[`${field(`ops.latency_ns.${q}`)}_lo`] as number) / 1000,
      hi: (r[`${field(`ops.latency_ns.${q}`)}_hi`] as number) / 1000,
    })),
  );
  // Log only when the data span a decade (src/report/axis-scale.ts), and then over their range.
  const log = fittedScale(raw.flatMap((r) => [r.us, r.hi, ...(r.lo > 0 ? [r.lo] : [])])).log;
  // A log axis cannot show a CI reaching 0 or below: the whisker stops at a tenth of the mean.
  const long: Row[] = raw.map((r) => (log ? { ...r, lo: Math.max(r.lo, r.us / 10) } : r));
  const ys = long.flatMap((r) => [r.us as number, r.lo as number, r.hi as number]);
  const y = log ? logScale(Math.min(...ys), Math.max(...ys)) : linearScale(Math.min(...ys), Math.max(...ys));
  const yTitle = log ? 'latency (µs, log)' : 'latency (µs)';
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
              y: { field: 'us', type: 'quantitative', title: yTitle, scale: y.scale },
              fill: { condition: { test: "datum.percentile === 'p50'", ...l.color }, value: 'white' },
            },
          }
        : { mark: { type: 'line', point: { filled: true, size: 30 } }, encoding: { y: { field: 'us', type: 'quantitative', title: yTitle, scale: y.scale } } },
      { mark: { type: 'errorbar', ticks: { size: 5 } }, encoding: { y: { field: 'lo', type: 'quantitative', title: yTitle }, y2: { field: 'hi' } } },
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
    config: { font: CHART_FONT, axis: CHART_AXIS },
    data: { values: rows },
    ...(facet
      ? { facet: { column: { field: 'series', type: 'nominal', title: l.seriesPaths.join(' · '), sort: l.series } }, spec: panel }
      : panel),
  } as unknown as vl.TopLevelSpec;
}

/** per_op.cpu_ns in µs: mean, lo, hi as the rows' `per_op_cpu_us` fields. */
const CPU_NS = 'per_op.cpu_ns';

function cpuPerOpChart(s: SweepSummary, rows: Row[], l: Layout): vl.TopLevelSpec | null {
  if (s.metrics[CPU_NS] === undefined) return null;
  const f = field(CPU_NS);
  const us = rows.map((r) => ({ ...r, per_op_cpu_us: (r[f] as number) / 1000, per_op_cpu_us_lo: (r[`${f}_lo`] as number) / 1000, per_op_cpu_us_hi: (r[`${f}_hi`] as number) / 1000 }));
  return metricChart(`CPU time per op vs ${l.axis.name} (mean, 95% CI)`, 'per_op.cpu_us', 'CPU time per op (µs)', us, l, { zero: true });
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
  await add('cpuperop.svg', 'CPU time per op', 'CPU time the machine spent per completed op: the non-idle time of all CPUs (work, copy, spin, IPI wait, interrupts, TLB, mapping, scheduling) / ops, mean over replications with 95% CIs. With the device saturated, ops/s and latency are the same for every strategy; this is what differs.', cpuPerOpChart(s, rows, l));
  await add('ipis.svg', 'IPIs per op', 'Inter-processor interrupts sent per completed op (TLB shootdowns, pkmap flushes).', metricChart(`IPIs per op vs ${x}`, 'per_op.ipis', 'IPIs per op', rows, l, { zero: true }));
  await add('lockwait.svg', 'Lock wait share', 'Total time spent waiting for spinlocks (all classes) as a share of all CPU time: wait / (simulated time × CPUs).', metricChart(`Lock wait share vs ${x}`, LOCK_WAIT_SHARE, 'share of CPU time waiting for locks', rows, l, { zero: true }, '%'));
  await add('cputime.svg', 'CPU time', 'Share of all CPUs’ time by category (work, copy, spin, ipi_wait, irq, tlb, map, sched, idle), mean over replications; each category has the same colour in every report.', cpuTimeChart(s, l));
  return charts;
}
