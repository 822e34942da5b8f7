/**
 * The human report of one run, in the manner of `perf stat`: a header naming the scenario,
 * counter lines `<value>  <name>  # <derived figure>`, the per-CPU time table by category,
 * the TLB/IPI counters, the kmap/vmap/bounce/device counters when the run used them, and
 * the lock table as /proc/lock_stat prints it (src/report/lockstat.ts).
 */
import { versionLabel } from '../kernel/versions.js';
import { CATEGORY_NAMES } from '../cpu/accounting.js';
import { formatDuration, formatSize } from '../engine/units.js';
import { fmtFixed, fmtInt, padLeft, padRight, ratio, renderTable } from './format.js';
import { bottleneckOf, formatBottleneck } from './bottleneck.js';
import { formatLockStat } from './lockstat.js';
import { counterLabel as L, cpuNsPerOp } from './metrics.js';
import { LOCK_WAIT_VS_SPIN, opMeaning } from './ops.js';
import { warmupNotReached, type Result } from './result.js';

const VALUE_WIDTH = 18;
const NAME_WIDTH = 26;

/** One counter line: right-aligned value, name, optional `# comment`. */
function counter(value: string, name: string, comment?: string): string {
  const head = `${padLeft(value, VALUE_WIDTH)}      ${comment === undefined ? name : padRight(name, NAME_WIDTH)}`;
  return comment === undefined ? head : `${head}#  ${comment}`;
}

function perOp(n: number, ops: number): string {
  return `${ratio(n, ops).toFixed(3)} per op`;
}

/** "1.93 M/sec" */
function rate(perSec: number): string {
  if (perSec >= 1e9) return `${(perSec / 1e9).toFixed(3)} G/sec`;
  if (perSec >= 1e6) return `${(perSec / 1e6).toFixed(3)} M/sec`;
  if (perSec >= 1e3) return `${(perSec / 1e3).toFixed(3)} K/sec`;
  return `${perSec.toFixed(3)} /sec`;
}

function describeRun(r: Result): string {
  const s = r.scenario;
  const w = s.workload;
  const strategy = w.type === 'locktorture' ? '' : `, ${s.kernel.strategy}`;
  return `${s.machine.cpus} CPUs, ${s.machine.spinlock} spinlock, ${s.costs_preset} costs, kernel ${versionLabel(s.kernel.version)}, ${w.type}${strategy}, seed ${r.seed}`;
}

function cpuTable(r: Result): string[] {
  const header = ['CPU', ...CATEGORY_NAMES];
  const rows: string[][] = [header];
  const totals = CATEGORY_NAMES.map(() => 0);
  let grand = 0;
  for (const c of r.cpus) {
    const sum = CATEGORY_NAMES.reduce((s, cat) => s + c.time_ns[cat], 0);
    grand += sum;
    rows.push([
      String(c.cpu),
      ...CATEGORY_NAMES.map((cat, i) => {
        totals[i]! += c.time_ns[cat];
        return (ratio(c.time_ns[cat], sum) * 100).toFixed(1);
      }),
    ]);
  }
  if (r.cpus.length > 1) rows.push(['all', ...totals.map((t) => (ratio(t, grand) * 100).toFixed(1))]);
  const lines = [' CPU time by category (% of simulated time):', '', ...renderTable(rows, ['r'], 2, '   ')];
  // The lock_stat wait times below and the spin column measure different things.
  if (Object.values(r.locks).some((l) => l.contentions > 0)) lines.push('', ` ${LOCK_WAIT_VS_SPIN}`);
  return lines;
}

function section(title: string, lines: string[]): string[] {
  return [` ${title}:`, '', ...lines];
}

const anyNonZero = (o: Record<string, number>) => Object.values(o).some((v) => v !== 0);

/** The whole report, newline-terminated. */
export function formatTextReport(r: Result): string {
  const ops = r.ops.completed;
  const lat = r.ops.latency_ns;
  const wallS = r.wall_ms / 1000;
  const out: string[] = [];
  out.push(` Performance counter stats for scenario '${r.scenario.name}' (${describeRun(r)}):`, ` (${opMeaning(r.scenario.workload)})`, '');
  const missed = warmupNotReached(r);
  // Said first: every number below includes what the warm-up was meant to discard.
  if (missed !== undefined) out.push(` warning: ${missed.replace(/^run aborted: /, '')}; measured from t=0`, '');
  out.push(
    counter(fmtInt(ops), 'ops completed', `stopped by ${r.stop_reason === 'ops' ? 'the ops target' : 'the time limit'}`),
    counter(fmtFixed(r.ops.per_sec, 0), 'ops/s', rate(r.ops.per_sec) + ' of simulated time'),
    counter(formatDuration(lat.mean), 'latency mean'),
    counter(formatDuration(lat.p50), 'latency p50', 'percentiles: log-bucketed, within 1/256 of exact'),
    counter(formatDuration(lat.p90), 'latency p90'),
    counter(formatDuration(lat.p99), 'latency p99'),
    counter(formatDuration(lat.p999), 'latency p99.9'),
    counter(formatDuration(lat.max), 'latency max'),
    counter(formatDuration(cpuNsPerOp(r)), 'CPU time per op', 'all CPUs, not idle'),
    counter(fmtInt(r.events), 'events', `${rate(ratio(r.events, wallS))} of wall time`),
    counter(
      formatDuration(r.sim_time_ns),
      'simulated time',
      r.warmup_ns > 0 ? `after ${formatDuration(r.warmup_ns)} of warm-up` : undefined,
    ),
    counter(`${(r.wall_ms / 1000).toFixed(3)}s`, 'wall time'),
    '',
    // What limits the run: the resource at saturation, or the busiest one (issue 23).
    ` bottleneck: ${formatBottleneck(bottleneckOf(r))}`,
    '',
  );
  out.push(...cpuTable(r), '');

  const t = r.tlb;
  out.push(
    ...section('TLB and IPIs', [
      counter(fmtInt(t.local_flushes), L('tlb.local_flushes'), 'local_flush_tlb'),
      counter(fmtInt(t.page_flushes), L('tlb.page_flushes'), '__flush_tlb_one (invlpg)'),
      counter(fmtInt(t.shootdowns), L('tlb.shootdowns'), perOp(t.shootdowns, ops)),
      counter(fmtInt(t.ipis_sent), L('tlb.ipis_sent'), perOp(t.ipis_sent, ops)),
      counter(fmtInt(t.ipis_received), L('tlb.ipis_received')),
      counter(fmtInt(t.faults), L('tlb.faults')),
      counter(fmtInt(t.stale_accesses), L('tlb.stale_accesses'), t.stale_accesses > 0 ? 'COHERENCE BUG: a flush was skipped' : undefined),
    ]),
    '',
  );
  if (anyNonZero(r.kmap)) {
    out.push(
      ...section('kmap', [
        counter(fmtInt(r.kmap.kmaps), L('kmap.kmaps'), `kmap_high calls, ${perOp(r.kmap.kmaps, ops)}`),
        counter(fmtInt(r.kmap.hits), L('kmap.hits'), `already mapped: ${(ratio(r.kmap.hits, r.kmap.kmaps) * 100).toFixed(1)}% of kmaps`),
        counter(fmtInt(r.kmap.flushes), L('kmap.flushes'), `flush_all_zero_pkmaps, ${perOp(r.kmap.flushes, ops)}`),
        counter(fmtInt(r.kmap.waits), L('kmap.waits'), 'sleeps on pkmap_map_wait'),
        counter(fmtInt(r.kmap.atomic), L('kmap.atomic')),
      ]),
      '',
    );
  }
  if (anyNonZero(r.vmap)) {
    out.push(
      ...section('vmap', [
        counter(fmtInt(r.vmap.allocs), L('vmap.allocs'), 'areas allocated'),
        counter(fmtInt(r.vmap.frees), L('vmap.frees'), 'areas freed'),
        counter(fmtInt(r.vmap.purges), L('vmap.purges'), 'lazy purges'),
        counter(fmtInt(r.vmap.failures), L('vmap.failures'), 'allocation failures'),
      ]),
      '',
    );
  }
  if (anyNonZero(r.bounce)) {
    out.push(
      ...section('bounce', [
        counter(fmtInt(r.bounce.pages), L('bounce.pages')),
        counter(formatSize(r.bounce.bytes_copied), L('bounce.bytes_copied'), `${formatSize(ratio(r.bounce.bytes_copied, ops))} per op`),
        counter(fmtInt(r.bounce.pool_taken), L('bounce.pool_taken')),
        counter(fmtInt(r.bounce.pool_waits), L('bounce.pool_waits')),
      ]),
      '',
    );
  }
  if (r.device.requests > 0) {
    out.push(
      ...section('device', [
        counter(fmtInt(r.device.requests), L('device.requests')),
        counter(formatSize(r.device.bytes), 'transferred'),
        counter(`${(r.device.busy_fraction * 100).toFixed(1)}%`, 'busy'),
        counter(r.device.mean_queue.toFixed(2), 'mean queue length'),
      ]),
      '',
    );
  }
  if (r.memory_bus.bytes > 0) {
    out.push(
      ...section('memory bus', [
        counter(formatSize(r.memory_bus.bytes), 'moved (copy reads + writes, DMA)'),
        counter(`${(r.memory_bus.utilisation * 100).toFixed(1)}%`, 'of machine.memory_bandwidth'),
      ]),
      '',
    );
  }
  return `${out.join('\n')}\n${formatLockStat(r.locks)}`;
}
