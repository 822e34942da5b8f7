/**
 * `smpsim run --html FILE`: one run as a self-contained HTML page, like the sweep's
 * report.html: inline SVG charts (Vega-Lite rendered headless in Node, no script), inline CSS,
 * nothing fetched — it opens offline.
 *
 *   summary        the perf-stat-like figures (ops, ops/s, latency, simulated time)
 *   CPU time       per CPU, stacked bars of the time by category (fixed colours, palette.ts)
 *   latency        the distribution of one op's latency: histogram (log x) and CDF, from the
 *                  same log-bucketed histogram the percentiles come from
 *   lock_stat      one row per lock class, the /proc/lock_stat columns, with contention points
 *   counters       TLB/IPI, kmap, vmap, bounce, device, memory bus
 *   scenario       the resolved scenario (YAML) and the full text report
 *
 * Loaded only when --html is given (vega is heavy; `run` starts without it).
 */
import YAML from 'yaml';
import type * as vl from 'vega-lite';
import { CATEGORY_NAMES } from '../cpu/accounting.js';
import { MAX_BARS, groupConsecutive, groupLabel } from './groups.js';
import { Histogram } from '../engine/stats.js';
import { formatDuration, formatSize } from '../engine/units.js';
import { renderSvg } from '../study/plot.js';
import { fmtInt, ratio } from './format.js';
import { LOCKSTAT_COLUMNS, lockstatTimeGrouped, sortedClasses } from './lockstat.js';
import { counterLabel as L } from './metrics.js';
import { CATEGORY_COLOURS, categoryScale } from './palette.js';
import { PERCENTILE_NOTE } from './percentile.js';
import type { Result } from './result.js';
import { formatTextReport } from './text.js';

const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

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
    config: { font: FONT, axis: { gridColor: '#e6e6e6' }, legend: { orient: 'right' } },
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

/** Histogram of latencies in log-spaced bins (µs), from the histogram's buckets. */
function latencySpecs(h: Histogram): { hist: vl.TopLevelSpec; cdf: vl.TopLevelSpec } | null {
  const buckets = h.buckets();
  if (buckets.length === 0) return null;
  const lo = Math.max(1, buckets[0]!.value);
  const hi = Math.max(lo * 1.01, buckets[buckets.length - 1]!.value);
  const BINS = 40;
  const step = Math.log(hi / lo) / BINS;
  const counts = new Array<number>(BINS).fill(0);
  for (const b of buckets) {
    const i = Math.min(BINS - 1, Math.max(0, Math.floor(Math.log(Math.max(b.value, lo) / lo) / step)));
    counts[i]! += b.count;
  }
  const total = h.count;
  const bins = counts.map((c, i) => ({ from: (lo * Math.exp(i * step)) / 1000, to: (lo * Math.exp((i + 1) * step)) / 1000, share: c / total }));
  let cum = 0;
  const cdf = buckets.map((b) => {
    cum += b.count;
    return { us: Math.max(b.value, lo) / 1000, fraction: cum / total };
  });
  const x = { type: 'quantitative', title: 'latency (µs, log)', scale: { type: 'log' } };
  return {
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

function lockRows(r: Result): string[][] {
  return sortedClasses(r.locks).map(([name, l]) => {
    const avg = (t: { total: number }, n: number) => (n > 0 ? Math.trunc(t.total / n) : 0);
    return [
      name,
      fmtInt(l.con_bounces),
      fmtInt(l.contentions),
      lockstatTimeGrouped(l.wait_ns.min),
      lockstatTimeGrouped(l.wait_ns.max),
      lockstatTimeGrouped(l.wait_ns.total),
      lockstatTimeGrouped(avg(l.wait_ns, l.contentions)),
      fmtInt(l.acq_bounces),
      fmtInt(l.acquisitions),
      lockstatTimeGrouped(l.hold_ns.min),
      lockstatTimeGrouped(l.hold_ns.max),
      lockstatTimeGrouped(l.hold_ns.total),
      lockstatTimeGrouped(avg(l.hold_ns, l.acquisitions)),
      l.contention_points.map((p) => `${p.site} (${fmtInt(p.count)})`).join(', '),
    ];
  });
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
      : figure('latency-histogram', 'Distribution', await renderSvg(lat.hist), `Share of the ${fmtInt(latency!.count)} measured ops by latency, 40 log-spaced bins.`) +
        '\n' +
        figure('latency-cdf', 'Cumulative distribution', await renderSvg(lat.cdf), 'Share of ops completed within a latency; read the percentiles off it.');
  const legend = CATEGORY_NAMES.map((c) => `<span class="sw" style="background:${CATEGORY_COLOURS[c]}"></span>${c}`).join(' ');
  const locks = lockRows(r);
  const { costs_source: _c, version_source: _v, ...scenario } = s;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>smpsim run: ${esc(s.name)}</title>
<style>
body { font-family: ${FONT}; margin: 2em auto; max-width: 1100px; color: #222; padding: 0 1em; }
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
<p>${esc(`${s.machine.cpus} CPUs, ${s.machine.spinlock} spinlock, ${s.costs_preset} costs, kernel ${s.kernel.version}, ${s.workload.type} workload, seed ${r.seed}; smpsim ${r.version}`)}</p>
<h2>Summary</h2>
${table(['figure', 'value', ''], summaryRows(r), (i) => i === 1, 'summary')}
<p class="note">${esc(PERCENTILE_NOTE)}.</p>
<h2>CPU time</h2>
${figure('cputime', 'By CPU and category', cpuSvg, r.cpus.length > MAX_BARS ? `Each bar is a group of consecutive CPUs (${r.cpus.length} CPUs in ${MAX_BARS} groups): their simulated time summed and split by category; the table below has every CPU. Colours are the same in every smpsim report.` : 'Each bar is one CPU’s simulated time split by category; the categories of a CPU sum to the simulated time. Colours are the same in every smpsim report.')}
<p class="note">${legend}</p>
${table(['CPU', ...CATEGORY_NAMES], cpuShareRows(r), (i) => i > 0, 'cpu-table')}
<h2>Latency</h2>
${latFigures}
<h2>lock_stat</h2>
${locks.length === 0 ? '<p>No lock was taken.</p>' : table([...LOCKSTAT_COLUMNS, 'contention points'], locks, (i) => i > 0 && i < 13, 'lockstat')}
<p class="note">Times in µs, as /proc/lock_stat prints them; wait averages are over contentions, hold averages over acquisitions.</p>
<h2>Counters</h2>
${table(['subsystem', 'counter', 'total', 'per op'], counterRows(r), (i) => i > 1, 'counters')}
<h2>Scenario</h2>
<p>The resolved scenario this run used (every default filled in):</p>
<pre id="scenario">${esc(YAML.stringify(scenario, { lineWidth: 0 }))}</pre>
<details><summary>The text report (<code>smpsim run</code>)</summary>
<pre>${esc(formatTextReport(r))}</pre>
</details>
</body>
</html>
`;
}
