/**
 * The sweep's self-contained HTML report (DIR/report.html): the summary table and every
 * chart's SVG inlined, inline CSS, no script, no CDN — it opens offline.
 */
import { formatDuration } from '../engine/units.js';
import { PERCENTILE_NOTE, SAME_BUCKET, formatWithCi } from '../report/percentile.js';
import { CHART_FONT, escapeHtml as esc } from '../report/chart-style.js';
import { LOCK_WAIT_SHARE, THROUGHPUT, formatScalingText, type SweepSummary } from './summary.js';
import type { Chart } from './charts.js';
import { BOTTLENECK_COLUMN, formatBottleneckCell, type Bottleneck } from '../report/bottleneck.js';

const TABLE_METRICS = [THROUGHPUT, 'ops.latency_ns.p50', 'ops.latency_ns.p99', 'per_op.cpu_ns', 'per_op.ipis', 'per_op.shootdowns', LOCK_WAIT_SHARE];

/**
 * A point's bottleneck (src/report/bottleneck.ts), when the summary records one per point
 * (`points[i].bottleneck`: from the mean utilisations of its replications); summaries
 * written before it show no column.
 */
function pointBottleneck(p: SweepSummary['points'][number]): Bottleneck | null {
  const b = (p as { bottleneck?: unknown }).bottleneck;
  if (typeof b !== 'object' || b === null) return null;
  const { resource, kind, utilisation, saturated, busiest } = b as Partial<Bottleneck>;
  const ok = typeof resource === 'string' && typeof kind === 'string' && typeof utilisation === 'number' && typeof saturated === 'boolean' && typeof busiest === 'string';
  return ok ? (b as Bottleneck) : null;
}

/** As the sweep's text table prints it: "device 99.8%" bold when saturated, "none (cpu0 62.1%)" otherwise. */
function bottleneckCell(b: Bottleneck | null): string {
  if (b === null) return '-';
  const text = esc(formatBottleneckCell(b));
  return b.saturated ? `<strong>${text}</strong>` : text;
}

/** The self-contained HTML report: summary tables and every chart inlined. */
export function reportHtml(s: SweepSummary, charts: readonly Chart[]): string {
  const paths = s.vary.map((v) => v.path);
  const metrics = TABLE_METRICS.filter((m) => s.metrics[m] !== undefined);
  // The same columns as the table `smpsim sweep` prints: warm-up (auto) and converged (--precision).
  const auto = s.warmup === 'auto';
  const precision = s.precision !== null;
  const bottleneck = s.points.some((p) => pointBottleneck(p) !== null);
  const head = [...paths, 'reps', ...(auto ? ['warm-up'] : []), ...(precision ? ['converged'] : []), ...(bottleneck ? [BOTTLENECK_COLUMN] : []), ...metrics.map((m) => s.metrics[m]!.label)];
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
        (bottleneck ? `<td class="wrap">${bottleneckCell(pointBottleneck(p))}</td>` : '') +
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
body { font-family: ${CHART_FONT}; margin: 2em auto; max-width: 1100px; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
table { border-collapse: collapse; font-size: 0.85em; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: left; white-space: nowrap; }
th { white-space: normal; vertical-align: bottom; min-width: 3em; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
td.wrap { white-space: normal; min-width: 6em; }
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
