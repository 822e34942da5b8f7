/**
 * The playground's run worker: a scenario text in, a run (or a --vary series of runs) with
 * the CLI's own model, reports and numbers out. The page stays responsive because all of
 * this happens here; cancel is Worker.terminate(). Progress is posted as the model reports
 * it (src/model/run.ts onProgress, every 2^18 events).
 */
import { SimulationAborted } from '../src/engine/sim.js';
import { runScenario } from '../src/model/run.js';
import { bottleneckOf, formatBottleneck } from '../src/report/bottleneck.js';
import { formatVaryTable } from '../src/report/compare.js';
import { LatencyCollector } from '../src/report/latency-collector.js';
import { metricRows } from '../src/report/metrics.js';
import { opMeaning } from '../src/report/ops.js';
import type { Result } from '../src/report/result.js';
import { runReportHtml } from '../src/report/run-html.js';
import { formatTextReport } from '../src/report/text.js';
import { renderSvg } from '../src/report/render-svg.js';
import { MemoryBudgetError } from '../src/scenario/memory.js';
import { ScenarioError } from '../src/scenario/errors.js';
import { StringSink } from '../src/trace/file.js';
import { ChromeTimeline } from '../src/trace/timeline.js';
import type { Reply, Request, TimelineData, VaryRow } from './protocol.js';
import { loadScenarioText } from './scenario.js';
import { varySpec } from './vary-chart.js';

/** The timeline shows the run's first TIMELINE_NS of simulated time (1 ms). */
export const TIMELINE_NS = 1_000_000;
/** At most this many trace events (the page draws them all as SVG). */
export const TIMELINE_LIMIT = 20_000;

const post = (m: Reply) => (self as unknown as { postMessage(m: Reply): void }).postMessage(m);

/** The result JSON as `smpsim run --format json` writes it. */
export const resultJson = (r: Result | Result[]) => `${JSON.stringify(r, null, 2)}\n`;

interface TraceEvent {
  ph: string;
  name: string;
  cat?: string;
  ts: number;
  dur?: number;
  tid: number;
  id?: number;
  args?: Record<string, unknown>;
}

/** The Chrome trace (src/trace/chrome.ts) → the slices and flows the page draws. */
function timelineOf(text: string, cutAt: number | null, events: number): TimelineData {
  const trace = JSON.parse(text) as { traceEvents: TraceEvent[] };
  const names = new Map<number, string>();
  const sort = new Map<number, number>();
  const slices: TimelineData['slices'] = [];
  const flowStart = new Map<number, { tid: number; ts: number; name: string }>();
  const flows: TimelineData['flows'] = [];
  for (const e of trace.traceEvents) {
    if (e.ph === 'M' && e.name === 'thread_name') names.set(e.tid, String(e.args?.name));
    else if (e.ph === 'M' && e.name === 'thread_sort_index') sort.set(e.tid, Number(e.args?.sort_index));
    else if (e.ph === 'X') {
      const detail = e.args === undefined ? '' : Object.entries(e.args).map(([k, v]) => `${k}=${String(v)}`).join(' ');
      slices.push({ track: e.tid, ts: e.ts, dur: e.dur ?? 0, name: e.name, cat: e.cat ?? '', detail });
    } else if (e.ph === 's' && e.id !== undefined) flowStart.set(e.id, { tid: e.tid, ts: e.ts, name: e.name });
    else if ((e.ph === 'f' || e.ph === 't') && e.id !== undefined) {
      const s = flowStart.get(e.id);
      if (s !== undefined) flows.push({ from: s.tid, to: e.tid, ts: s.ts, tsEnd: e.ts, name: s.name });
    }
  }
  const tracks = [...names].filter(([id]) => id !== 0).sort((a, b) => (sort.get(a[0]) ?? a[0]) - (sort.get(b[0]) ?? b[0])).map(([id, name]) => ({ id, name }));
  return { startUs: 0, endUs: TIMELINE_NS / 1000, tracks, slices, flows, events, cutUs: cutAt === null ? null : cutAt / 1000 };
}

function fail(err: unknown): void {
  if (err instanceof ScenarioError) post({ kind: 'error', lines: err.message.split('\n') });
  else if (err instanceof SimulationAborted || err instanceof MemoryBudgetError) post({ kind: 'error', lines: [`smpsim: ${err.message}`] });
  else post({ kind: 'error', lines: [`smpsim: internal error: ${err instanceof Error ? err.message : String(err)}`] });
}

async function run(req: Extract<Request, { kind: 'run' }>): Promise<void> {
  const scenario = loadScenarioText(req.text, req.origin, { set: req.set });
  const latency = req.report ? new LatencyCollector(scenario.stop.warmup) : undefined;
  const sink = new StringSink();
  const trace = req.report ? new ChromeTimeline(sink, { window: { start: 0, end: TIMELINE_NS }, limit: TIMELINE_LIMIT, processName: scenario.name }) : undefined;
  const result = runScenario(scenario, {
    onProgress: (f) => post({ kind: 'progress', done: 0, total: 1, label: scenario.name, fraction: f }),
    onOpSample: latency?.add,
    trace,
  });
  const summary = trace?.finish();
  post({ kind: 'progress', done: 1, total: 1, label: 'drawing', fraction: 1 });
  post({
    kind: 'result',
    json: resultJson(result),
    text: formatTextReport(result),
    bottleneck: formatBottleneck(bottleneckOf(result)),
    html: latency === undefined ? '' : await runReportHtml(result, latency.histogram),
    timeline: summary === undefined ? null : timelineOf(sink.text(), summary.cutAt, summary.events),
    events: result.events,
    wallMs: result.wall_ms,
  });
}

/** `per_op.cpu_ns` as the tables compute it (src/report/metrics.ts). */
function cpuNsPerOp(r: Result): number {
  return metricRows([r], false).find((m) => m.key === 'per_op.cpu_ns')?.values[0] ?? 0;
}

async function vary(req: Extract<Request, { kind: 'vary' }>): Promise<void> {
  // Every variant resolved before the first run (the CLI's rule): a bad value fails fast.
  const scenarios = req.values.map((v) => loadScenarioText(req.text, req.origin, { set: [...req.set, `${req.path}=${v}`] }));
  const results: Result[] = [];
  const start = performance.now();
  for (const [i, s] of scenarios.entries()) {
    const label = req.values[i]!;
    post({ kind: 'progress', done: i, total: scenarios.length, label, fraction: 0 });
    results.push(runScenario(s, { onProgress: (f) => post({ kind: 'progress', done: i, total: scenarios.length, label, fraction: f }) }));
  }
  const first = results[0]!;
  const title = ` scenario '${first.scenario.name}' (seed ${first.seed}), one column per --vary ${req.path}:\n (${opMeaning(first.scenario.workload)})`;
  const table = formatVaryTable(
    title,
    results.map((r, i) => ({ label: req.values[i]!, result: r, bottleneck: bottleneckOf(r) })),
  );
  const rows: VaryRow[] = results.map((r, i) => ({
    label: req.values[i]!,
    opsPerSec: r.ops.per_sec,
    cpuNsPerOp: cpuNsPerOp(r),
    p99Ns: r.ops.latency_ns.p99,
    bottleneck: formatBottleneck(bottleneckOf(r)),
  }));
  const svg = await renderSvg(varySpec(req.path, rows));
  post({ kind: 'vary', path: req.path, table, rows, svg, json: resultJson(results), events: results.reduce((a, r) => a + r.events, 0), wallMs: performance.now() - start });
}

self.onmessage = (ev: MessageEvent<Request>) => {
  const req = ev.data;
  (req.kind === 'run' ? run(req) : vary(req)).catch(fail);
};
