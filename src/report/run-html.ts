/**
 * `smpsim run --html FILE`: one run as a self-contained HTML page, like the sweep's
 * report.html: inline SVG charts (Vega-Lite rendered headless in Node, no script), inline CSS,
 * nothing fetched — it opens offline.
 *
 *   summary        the bottleneck line (src/report/bottleneck.ts) and the perf-stat-like
 *                  figures (ops, ops/s, CPU time per op, latency, simulated time)
 *   CPU time       per CPU, stacked bars of the time by category (fixed colours, palette.ts)
 *   latency        the distribution of one op's latency: histogram and CDF (log x when the
 *                  latencies span a decade, else linear), from the
 *                  same log-bucketed histogram the percentiles come from
 *   lock_stat      the /proc/lock_stat columns in two tables that fit the page (waits, holds;
 *                  one row per class), then the contention and contending points
 *   counters       TLB/IPI, kmap, vmap, bounce, device, memory bus
 *   scenario       the scenario as `smpsim resolve` prints it (units, distributions as
 *                  written) and the full text report
 *
 * Loaded only when --html is given (vega is heavy; `run` starts without it).
 */
import type * as vl from 'vega-lite';
import { CATEGORY_NAMES } from '../cpu/accounting.js';
import { MAX_BARS, groupConsecutive, groupLabel } from './groups.js';
import { Histogram } from '../engine/stats.js';
import { formatDuration, formatSize } from '../engine/units.js';
import { renderSvg } from './render-svg.js';
import { fmtInt, ratio } from './format.js';
import { LOCKSTAT_COLUMNS, lockstatTimeGrouped, sortedClasses } from './lockstat.js';
import { counterLabel as L } from './metrics.js';
import { CATEGORY_COLOURS, categoryScale } from './palette.js';
import { PERCENTILE_NOTE } from './percentile.js';
import type { Result } from './result.js';
import { formatTextReport } from './text.js';
import { CHART_AXIS, CHART_FONT, escapeHtml as esc } from './chart-style.js';
import { SATURATED, bottleneckOf, formatBottleneck, type Bottleneck } from './bottleneck.js';
import { metricRows } from './metrics.js';
import { fittedScale, linearScale, logScale } from './axis-scale.js';
import { resolvedHeader, scenarioFileYaml } from '../scenario/unresolve.js';
import { versionLabel } from '../kernel/versions.js';


function table(head: readonly string[], rows: readonly (readonly string[])[], numeric: (col: number) => boolean, id?: string): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const tr = rows.map((r) => `<tr>${r.map((c, i) => `<td${numeric(i) ? ' class="n"' : ''}>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<div class="scroll"><table${id === undefined ? '' : ` id="${id}"`}>\n<tr>${th}</tr>\n${tr}\n</table></div>`;
}

function spec(title: string, body: Record<string, unknown>): vl.TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, anchor: 'start', fontSize: 14 },
    background: 'white',
    config: { font: CHART_FONT, axis: CHART_AXIS, legend: { orient: 'right' } },
    ...body,
  } as unknown as vl.TopLevelSpec;
}

/**
 * Stacked bars: each CPU's simulated time by category, as shares. Beyond MAX_BARS CPUs, one
 * bar per group of consecutive CPUs (their times summed), labelled CPUa–b.
 */
function cpuTimeSpec(r: Result): vl.TopLevelSpec {
  const rows: Array<Record<string, string | number>> = [];
  const groups = groupConsecutive(r.cpus);
  const grouped = groups.length < r.cpus.length;
  groups.forEach((g, order) => {
    const label = groupLabel(String(g[0]!.cpu), String(g[g.length - 1]!.cpu), 'CPU');
    const time = CATEGORY_NAMES.map((cat) => g.reduce((s, c) => s + c.time_ns[cat], 0));
    const sum = time.reduce((a, b) => a + b, 0);
    CATEGORY_NAMES.forEach((cat, rank) => {
      if (time[rank]! > 0) rows.push({ cpu: label, order, category: cat, share: ratio(time[rank]!, sum), rank });
    });
  });
  const title = grouped
    ? `Where the CPUs' time goes (share of simulated time, by category; ${r.cpus.length} CPUs in ${groups.length} groups of consecutive CPUs)`
    : "Where each CPU's time goes (share of simulated time, by category)";
  return spec(title, {
    width: Math.max(160, Math.min(720, 44 * groups.length)),
    height: 260,
    data: { values: rows },
    mark: 'bar',
    encoding: {
      x: {
        field: 'cpu',
        type: 'nominal',
        title: grouped ? 'CPUs (groups)' : 'CPU',
        // By a numeric field: a list of thousands of labels overflows Vega's expression compiler.
        sort: { field: 'order', op: 'min' },
        axis: { labelAngle: grouped ? -45 : 0 },
      },
      y: { field: 'share', type: 'quantitative', title: 'share of simulated time', axis: { format: '%' }, scale: { domain: [0, 1] } },
      color: { field: 'category', type: 'nominal', title: 'category', sort: [...CATEGORY_NAMES], scale: categoryScale() },
      order: { field: 'rank', sort: 'ascending' },
      tooltip: [{ field: 'cpu' }, { field: 'category' }, { field: 'share', format: '.1%' }],
    },
  });
}

/** The histogram's bins, log-spaced on a log axis and even on a linear one. */
export const LATENCY_BINS = 40;

/**
 * Histogram of latencies in LATENCY_BINS bins (µs) and the CDF, from the histogram's buckets.
 * The x axis spans the data (src/report/axis-scale.ts): log, with log-spaced bins, when they
 * span a decade; linear, with even bins, otherwise.
 */
function latencySpecs(h: Histogram): { hist: vl.TopLevelSpec; cdf: vl.TopLevelSpec; log: boolean } | null {
  const buckets = h.buckets();
  if (buckets.length === 0) return null;
  const lo = Math.max(1, buckets[0]!.value);
  const hi = Math.max(lo * 1.01, buckets[buckets.length - 1]!.value);
  const axis = fittedScale([lo / 1000, hi / 1000]);
  const edge = axis.log ? (i: number) => lo * Math.exp((i * Math.log(hi / lo)) / LATENCY_BINS) : (i: number) => lo + (i * (hi - lo)) / LATENCY_BINS;
  const binOf = axis.log
    ? (v: number) => Math.floor(Math.log(Math.max(v, lo) / lo) / (Math.log(hi / lo) / LATENCY_BINS))
    : (v: number) => Math.floor(((Math.max(v, lo) - lo) / (hi - lo)) * LATENCY_BINS);
  const counts = new Array<number>(LATENCY_BINS).fill(0);
  for (const b of buckets) counts[Math.min(LATENCY_BINS - 1, Math.max(0, binOf(b.value)))]! += b.count;
  const total = h.count;
  const bins = counts.map((c, i) => ({ from: edge(i) / 1000, to: edge(i + 1) / 1000, share: c / total }));
  let cum = 0;
  const cdf = buckets.map((b) => {
    cum += b.count;
    return { us: Math.max(b.value, lo) / 1000, fraction: cum / total };
  });
  const x = { type: 'quantitative', title: axis.log ? 'latency (µs, log)' : 'latency (µs)', scale: (axis.log ? logScale : linearScale)(lo / 1000, hi / 1000).scale };
  return {
    log: axis.log,
    hist: spec('Latency of one op: distribution', {
      width: 460,
      height: 240,
      data: { values: bins },
      mark: { type: 'rect', color: '#4e79a7' },
      encoding: {
        x: { field: 'from', ...x },
        x2: { field: 'to' },
        y: { field: 'share', type: 'quantitative', title: 'share of ops', axis: { format: '%' } },
      },
    }),
    cdf: spec('Latency of one op: cumulative distribution', {
      width: 460,
      height: 240,
      data: { values: cdf },
      mark: { type: 'line', interpolate: 'step-after', color: '#4e79a7' },
      encoding: {
        x: { field: 'us', ...x },
        y: { field: 'fraction', type: 'quantitative', title: 'share of ops at or below', axis: { format: '%' }, scale: { domain: [0, 1] } },
      },
    }),
  };
}

function summaryRows(r: Result): string[][] {
  const lat = r.ops.latency_ns;
  const rows: string[][] = [
    ['ops completed', fmtInt(r.ops.completed), `stopped by ${r.stop_reason === 'ops' ? 'the ops target' : 'the time limit'}`],
    ['ops/s', fmtInt(Math.round(r.ops.per_sec)), 'of simulated time'],
    ['CPU time per op', formatDuration(cpuNsPerOp(r)), 'non-idle time of all CPUs / ops completed'],
    ['latency mean', formatDuration(lat.mean), ''],
    ['latency p50', formatDuration(lat.p50), 'percentiles: log-bucketed, within 1/256 of exact'],
    ['latency p90', formatDuration(lat.p90), ''],
    ['latency p99', formatDuration(lat.p99), ''],
    ['latency p99.9', formatDuration(lat.p999), ''],
    ['latency max', formatDuration(lat.max), ''],
    ['simulated time', formatDuration(r.sim_time_ns), r.warmup_ns > 0 ? `after ${formatDuration(r.warmup_ns)} of warm-up` : ''],
    ['events', fmtInt(r.events), ''],
  ];
  if (!r.warmup_reached) rows.push(['warning', 'warm-up not reached', 'measured from t=0']);
  return rows;
}

/** per_op.cpu_ns, as every table names it (src/report/metrics.ts). */
function cpuNsPerOp(r: Result): number {
  return metricRows([r], false).find((m) => m.key === 'per_op.cpu_ns')!.values[0] ?? 0;
}

/** The bottleneck line, and what its utilisation measures. */
function bottleneckHtml(r: Result): string {
  const b = bottleneckOf(r);
  const what: Record<Bottleneck['kind'], string> = {
    device: 'the larger of the device channel’s share of its bandwidth and its queue slots’ occupancy',
    memory_bus: 'the bytes moved as a share of the memory bus’s capacity',
    cpu: 'the CPU’s non-idle share of its time',
    lock: 'the lock’s hold time as a share of the measured time',
    none: `no resource reached ${SATURATED * 100}%; the busiest is named`,
  };
  return `<p id="bottleneck" class="${b.saturated ? 'saturated' : 'unsaturated'}"><strong>bottleneck: ${esc(formatBottleneck(b))}</strong> <span class="note">(${esc(what[b.kind])})</span></p>`;
}

/** A lock_stat time (µs with two decimals, snprint_time) with thousands separators, as every number on the page. */
const lockTime = lockstatTimeGrouped;

const avgOf = (t: { total: number }, n: number) => (n > 0 ? Math.trunc(t.total / n) : 0);

/**
 * /proc/lock_stat's thirteen columns are 1,700 px wide: here they are two tables that fit the
 * page, the waits (contentions) and the holds (acquisitions), one row per class in both.
 */
function lockWaitRows(r: Result): string[][] {
  return sortedClasses(r.locks).map(([name, l]) => [
    name,
    fmtInt(l.con_bounces),
    fmtInt(l.contentions),
    ...[l.wait_ns.min, l.wait_ns.max, l.wait_ns.total, avgOf(l.wait_ns, l.contentions)].map(lockTime),
  ]);
}

function lockHoldRows(r: Result): string[][] {
  return sortedClasses(r.locks).map(([name, l]) => [
    name,
    fmtInt(l.acq_bounces),
    fmtInt(l.acquisitions),
    ...[l.hold_ns.min, l.hold_ns.max, l.hold_ns.total, avgOf(l.hold_ns, l.acquisitions)].map(lockTime),
  ]);
}

/** The contention points (where waiters waited) and contending points (where the holder had acquired the lock), one row each. */
function lockPointRows(r: Result): string[][] {
  return sortedClasses(r.locks).flatMap(([name, l]) => [
    ...l.contention_points.map((p) => [name, 'contention point (waiter)', p.site, fmtInt(p.count)]),
    ...(l.contending_points ?? []).map((p) => [name, 'contending point (holder)', p.site, fmtInt(p.count)]),
  ]);
}

function lockSection(r: Result): string {
  const classes = sortedClasses(r.locks);
  if (classes.length === 0) return '<section id="lockstat"><p>No lock was taken.</p></section>';
  const points = lockPointRows(r);
  const time = (c: string) => `${c} (µs)`;
  const [name, conB, cont, wmin, wmax, wtot, wavg, acqB, acq, hmin, hmax, htot, havg] = LOCKSTAT_COLUMNS;
  return `<section id="lockstat">
<h3>Waits</h3>
${table([name, conB, cont, ...[wmin, wmax, wtot, wavg].map(time)], lockWaitRows(r), (i) => i > 0, 'lockstat-wait')}
<h3>Holds</h3>
${table([name, acqB, acq, ...[hmin, hmax, htot, havg].map(time)], lockHoldRows(r), (i) => i > 0, 'lockstat-hold')}
<h3>Contention points</h3>
${points.length === 0 ? '<p>No lock was contended.</p>' : table(['class name', 'point', 'call site', 'count'], points, (i) => i === 3, 'lockstat-points')}
</section>`;
}

function counterRows(r: Result): string[][] {
  const ops = r.ops.completed;
  const per = (n: number) => (ops > 0 ? (n / ops).toFixed(3) : '-');
  const t = r.tlb;
  const rows: string[][] = [
    ['TLB', L('tlb.local_flushes'), fmtInt(t.local_flushes), per(t.local_flushes)],
    ['TLB', L('tlb.page_flushes'), fmtInt(t.page_flushes), per(t.page_flushes)],
    ['TLB', L('tlb.shootdowns'), fmtInt(t.shootdowns), per(t.shootdowns)],
    ['IPI', L('tlb.ipis_sent'), fmtInt(t.ipis_sent), per(t.ipis_sent)],
    ['IPI', L('tlb.ipis_received'), fmtInt(t.ipis_received), per(t.ipis_received)],
    ['TLB', L('tlb.faults'), fmtInt(t.faults), per(t.faults)],
    ['TLB', L('tlb.stale_accesses'), fmtInt(t.stale_accesses), per(t.stale_accesses)],
    ['kmap', L('kmap.kmaps'), fmtInt(r.kmap.kmaps), per(r.kmap.kmaps)],
    ['kmap', L('kmap.hits'), fmtInt(r.kmap.hits), per(r.kmap.hits)],
    ['kmap', L('kmap.flushes'), fmtInt(r.kmap.flushes), per(r.kmap.flushes)],
    ['kmap', L('kmap.waits'), fmtInt(r.kmap.waits), per(r.kmap.waits)],
    ['kmap', L('kmap.atomic'), fmtInt(r.kmap.atomic), per(r.kmap.atomic)],
    ['vmap', L('vmap.allocs'), fmtInt(r.vmap.allocs), per(r.vmap.allocs)],
    ['vmap', L('vmap.frees'), fmtInt(r.vmap.frees), per(r.vmap.frees)],
    ['vmap', L('vmap.purges'), fmtInt(r.vmap.purges), per(r.vmap.purges)],
    ['vmap', L('vmap.failures'), fmtInt(r.vmap.failures), per(r.vmap.failures)],
    ['bounce', L('bounce.pages'), fmtInt(r.bounce.pages), per(r.bounce.pages)],
    ['bounce', L('bounce.bytes_copied'), formatSize(r.bounce.bytes_copied), ops > 0 ? formatSize(r.bounce.bytes_copied / ops) : '-'],
    ['bounce', L('bounce.pool_taken'), fmtInt(r.bounce.pool_taken), per(r.bounce.pool_taken)],
    ['bounce', L('bounce.pool_waits'), fmtInt(r.bounce.pool_waits), per(r.bounce.pool_waits)],
  ];
  if (r.device.requests > 0) {
    rows.push(
      ['device', L('device.requests'), fmtInt(r.device.requests), per(r.device.requests)],
      ['device', 'transferred', formatSize(r.device.bytes), ops > 0 ? formatSize(r.device.bytes / ops) : '-'],
      ['device', 'busy', `${(r.device.busy_fraction * 100).toFixed(1)}%`, ''],
    );
  }
  if (r.memory_bus.bytes > 0) rows.push(['memory bus', 'moved', formatSize(r.memory_bus.bytes), `${(r.memory_bus.utilisation * 100).toFixed(1)}% of bandwidth`]);
  return rows;
}

function cpuShareRows(r: Result): string[][] {
  return r.cpus.map((c) => {
    const sum = CATEGORY_NAMES.reduce((s, cat) => s + c.time_ns[cat], 0);
    return [String(c.cpu), ...CATEGORY_NAMES.map((cat) => `${(ratio(c.time_ns[cat], sum) * 100).toFixed(1)}%`)];
  });
}

/** The page. `latency` is the collector's histogram (null: no distribution charts). */
export async function runReportHtml(r: Result, latency: Histogram | null): Promise<string> {
  const s = r.scenario;
  const figure = (id: string, title: string, svg: string, caption: string) =>
    `<figure id="${id}">\n<h3>${esc(title)}</h3>\n${svg}\n<figcaption>${esc(caption)}</figcaption>\n</figure>`;
  const cpuSvg = await renderSvg(cpuTimeSpec(r));
  const lat = latency === null ? null : latencySpecs(latency);
  const latFigures =
    lat === null
      ? '<p>No op completed in the measured window.</p>'
      : figure('latency-histogram', 'Distribution', await renderSvg(lat.hist), `Share of the ${fmtInt(latency!.count)} measured ops by latency, ${LATENCY_BINS} ${lat.log ? 'log-spaced' : 'even'} bins.`) +
        '\n' +
        figure('latency-cdf', 'Cumulative distribution', await renderSvg(lat.cdf), 'Share of ops completed within a latency; read the percentiles off it.');
  const legend = CATEGORY_NAMES.map((c) => `<span class="sw" style="background:${CATEGORY_COLOURS[c]}"></span>${c}`).join(' ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>smpsim run: ${esc(s.name)}</title>
<style>
body { font-family: ${CHART_FONT}; margin: 2em auto; max-width: 1100px; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.6em; } h3 { font-size: 1em; }
table { border-collapse: collapse; font-size: 0.85em; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: left; white-space: nowrap; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
pre { font-size: 0.8em; background: #f7f7f7; padding: 0.8em; overflow-x: auto; }
.scroll { overflow-x: auto; max-width: 100%; }
svg { max-width: 100%; height: auto; }
figure { margin: 1em 0; } figcaption, .note { font-size: 0.85em; color: #555; max-width: 760px; }
.desc { color: #444; max-width: 820px; }
.sw { display: inline-block; width: 0.8em; height: 0.8em; margin: 0 0.25em 0 0.6em; vertical-align: baseline; }
</style>
</head>
<body>
<h1>smpsim run: ${esc(s.name)}</h1>
<p class="desc">${esc(s.description)}</p>
<p>${esc(`${s.machine.cpus} CPUs, ${s.machine.spinlock} spinlock, ${s.costs_preset} costs, kernel ${versionLabel(s.kernel.version)}, ${s.workload.type} workload, seed ${r.seed}; smpsim ${r.version}`)}</p>
<h2>Summary</h2>
${bottleneckHtml(r)}
${table(['figure', 'value', ''], summaryRows(r), (i) => i === 1, 'summary')}
<p class="note">${esc(PERCENTILE_NOTE)}.</p>
<h2>CPU time</h2>
${figure('cputime', 'By CPU and category', cpuSvg, r.cpus.length > MAX_BARS ? `Each bar is a group of consecutive CPUs (${r.cpus.length} CPUs in ${MAX_BARS} groups): their simulated time summed and split by category; the table below has every CPU. Colours are the same in every smpsim report.` : 'Each bar is one CPU’s simulated time split by category; the categories of a CPU sum to the simulated time. Colours are the same in every smpsim report.')}
<p class="note">${legend}</p>
${table(['CPU', ...CATEGORY_NAMES], cpuShareRows(r), (i) => i > 0, 'cpu-table')}
<h2>Latency</h2>
${latFigures}
<h2>lock_stat</h2>
${lockSection(r)}
<p class="note">The columns of /proc/lock_stat (kernel/locking/lockdep_proc.c), times in µs as it prints them; wait averages are over contentions, hold averages over acquisitions. Classes sorted by contentions, as lock_stat sorts them.</p>
<h2>Counters</h2>
${table(['subsystem', 'counter', 'total', 'per op'], counterRows(r), (i) => i > 1, 'counters')}
<h2>Scenario</h2>
<p>The scenario this run used, every default filled in, as <code>smpsim resolve</code> prints it (a scenario file: <code>smpsim run</code> reads it back):</p>
<pre id="scenario">${esc(scenarioFileYaml(s, resolvedHeader(s, `smpsim run ${s.name} (seed ${r.seed})`)))}</pre>
<details><summary>The text report (<code>smpsim run</code>)</summary>
<pre>${esc(formatTextReport(r))}</pre>
</details>
</body>
</html>
`;
}
