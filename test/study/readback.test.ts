/**
 * The sweep charts plot the summary (issue 23, item 5): each dot, whisker and bar is read
 * back out of the rendered SVG through its axis (test/study/svg-read.ts) and compared with
 * summary.json's means and 95% CI half-widths; and (item 3) the latency axis spans the data:
 * linear when the latencies span less than a decade, log over exactly their range otherwise.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderCharts } from '../../src/study/charts.js';
import { reportHtml } from '../../src/study/report-html.js';
import { BOTTLENECK_COLUMN, type Bottleneck } from '../../src/report/bottleneck.js';
import type { SweepSummary } from '../../src/study/summary.js';
import { ROOT, tempDir } from '../cli/helpers.js';
import { axisScale, plotSize, rects, rules, symbols } from './svg-read.js';
import { sweep } from './helpers.js';

const IO = path.join(ROOT, 'scenarios', 'lkml-2000-4way.yaml');
const STRATEGIES = ['bounce', 'vmap', 'kmap', 'direct'];
/** Vega writes mark coordinates with full precision: a hundredth of a pixel is generous. */
const PX = 0.01;

let summary: SweepSummary;
let svg: Record<string, string>;

beforeAll(async () => {
  const out = path.join(tempDir('smpsim-readback-'), 'out');
  const r = await sweep(IO, out, '--set', 'stop.ops=300', '--set', 'stop.warmup=50ms', '--vary', `kernel.strategy=${STRATEGIES.join(',')}`, '--replications', '3', '--jobs', '1', '--plot', '--quiet');
  expect(r.code, r.stderr).toBe(0);
  summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')) as SweepSummary;
  svg = Object.fromEntries(['throughput', 'cpuperop', 'latency', 'cputime'].map((n) => [n, fs.readFileSync(path.join(out, `${n}.svg`), 'utf8')]));
});

const point = (strategy: string) => summary.points.find((p) => p.assignments['kernel.strategy'] === strategy)!;

/** Each strategy's dot at its mean and its whisker at mean ± ci95 (in the chart's unit: `scale`). */
function expectMeansAndCis(file: string, metric: string, scale: number): void {
  const s = svg[file]!;
  const y = axisScale(s, 'Y', plotSize(s).height);
  const dots = symbols(s);
  const whiskers = rules(s);
  expect(dots.map((d) => d.aria.x)).toEqual(STRATEGIES);
  for (const strategy of STRATEGIES) {
    const m = point(strategy).metrics[metric]!;
    const dot = dots.find((d) => d.aria.x === strategy)!;
    expect(Math.abs(dot.y - y.px(m.mean / scale)), `${file} ${strategy} mean`).toBeLessThan(PX);
    const w = whiskers.find((r) => r.aria.x === strategy)!;
    expect(w.x).toBeCloseTo(dot.x, 6);
    const [top, bottom] = [Math.min(w.y1, w.y2), Math.max(w.y1, w.y2)];
    expect(Math.abs(top - y.px((m.mean + m.ci95!) / scale)), `${file} ${strategy} CI high`).toBeLessThan(PX);
    expect(Math.abs(bottom - y.px((m.mean - m.ci95!) / scale)), `${file} ${strategy} CI low`).toBeLessThan(PX);
  }
}

describe('sweep charts read back', () => {
  it('throughput: each dot is the mean ops/s, each whisker the 95% CI', () => {
    expectMeansAndCis('throughput', 'ops.per_sec', 1);
  });

  it('CPU time per op (µs): dots and whiskers are per_op.cpu_ns / 1000 ± ci95; the report table has the column', () => {
    expectMeansAndCis('cpuperop', 'per_op.cpu_ns', 1000);
    // What decides the default study: copying (bounce) and vmap's flushes cost more CPU per op than kmap.
    const cpu = (s: string) => point(s).metrics['per_op.cpu_ns']!.mean;
    expect(cpu('bounce')).toBeGreaterThan(cpu('kmap'));
    expect(cpu('vmap')).toBeGreaterThan(cpu('kmap'));
  });

  it('latency: each p50 (filled) and p99 (hollow) dot is the mean percentile in µs', () => {
    const s = svg.latency!;
    const y = axisScale(s, 'Y', plotSize(s).height);
    const dots = symbols(s);
    expect(dots).toHaveLength(STRATEGIES.length * 2);
    for (const d of dots) {
      const q = d.aria.offset!.trim() as 'p50' | 'p99';
      const m = point(d.aria.x!).metrics[`ops.latency_ns.${q}`]!;
      expect(Math.abs(d.y - y.px(m.mean / 1000)), `${d.aria.x} ${q}`).toBeLessThan(PX);
    }
  });

  it('where the CPU time goes: each bar segment is the mean cpu_share of its category, stacked to 100%', () => {
    const s = svg.cputime!;
    const y = axisScale(s, 'Y', plotSize(s).height);
    expect(y.kind).toBe('linear');
    const bars = rects(s);
    for (const strategy of STRATEGIES) {
      const mine = bars.filter((b) => b.aria['kernel.strategy'] === strategy);
      const shares = point(strategy).metrics;
      const expected = Object.entries(shares).filter(([k, m]) => k.startsWith('cpu_share.') && m.mean > 0);
      expect(mine.map((b) => b.aria.category).sort()).toEqual(expected.map(([k]) => k.slice('cpu_share.'.length)).sort());
      for (const b of mine) {
        const share = y.value(b.y) - y.value(b.y + b.h);
        expect(share, `${strategy} ${b.aria.category}`).toBeCloseTo(shares[`cpu_share.${b.aria.category}`]!.mean, 6);
      }
      // Stacked: from 0 to the sum of the shares (1).
      expect(y.value(Math.max(...mine.map((b) => b.y + b.h)))).toBeCloseTo(0, 6);
      expect(y.value(Math.min(...mine.map((b) => b.y)))).toBeCloseTo(1, 6);
    }
  });
});

/** The summary with every point's latency percentiles (ns) replaced: [p50, p99] mean and ci95 by strategy. */
function withLatency(s: SweepSummary, lat: (i: number) => { p50: number; p99: number; ci: number }): SweepSummary {
  const copy = structuredClone(s);
  copy.points.forEach((p, i) => {
    const l = lat(i);
    p.metrics['ops.latency_ns.p50'] = { n: 3, mean: l.p50, ci95: l.ci, sd: null };
    p.metrics['ops.latency_ns.p99'] = { n: 3, mean: l.p99, ci95: l.ci, sd: null };
  });
  return copy;
}

async function latencyAxis(s: SweepSummary) {
  const chart = (await renderCharts(s)).find((c) => c.file === 'latency.svg')!.svg;
  return { y: axisScale(chart, 'Y', plotSize(chart).height), svg: chart };
}

describe('the latency axis spans the data (issue 23, item 3)', () => {
  it('data at 6,000-8,000 µs: a linear axis over the data and 5% either side, not 1,000-100,000 µs', async () => {
    // p50 6,000 + 100i µs, p99 7,600 + 100i µs, CI ± 100 µs: the data run from 5,900 to 8,000 µs.
    const { y, svg: chart } = await latencyAxis(withLatency(summary, (i) => ({ p50: 6_000_000 + 100_000 * i, p99: 7_600_000 + 100_000 * i, ci: 100_000 })));
    expect(y.kind).toBe('linear');
    const [lo, hi] = [5900, 8000];
    const margin = (hi - lo) * 0.05;
    expect(y.domain[0]).toBeCloseTo(lo - margin, 3);
    expect(y.domain[1]).toBeCloseTo(hi + margin, 3);
    expect(chart).toContain('latency (µs)<');
    expect(chart).not.toContain('µs, log');
  });

  it('data over more than a decade (100-5,000 µs): a log axis over exactly their range', async () => {
    // p50 100 µs, p99 5,000 µs, CI 0 (one bucket): the data are exactly 100 and 5,000 µs.
    const { y, svg: chart } = await latencyAxis(withLatency(summary, () => ({ p50: 100_000, p99: 5_000_000, ci: 0 })));
    expect(y.kind).toBe('log');
    expect(y.domain[0]).toBeCloseTo(100, 6);
    expect(y.domain[1]).toBeCloseTo(5000, 3);
    expect(chart).toContain('latency (µs, log)');
  });
});

describe('the sweep report table', () => {
  it('has CPU time per op for every point, and the bottleneck column when the summary records one per point', () => {
    const header = (h: string) => /<table id="points">\n<tr>(.*)<\/tr>/.exec(h)![1]!;
    const plain = structuredClone(summary);
    for (const p of plain.points) delete (p as { bottleneck?: unknown }).bottleneck;
    const without = reportHtml(plain, []);
    expect(header(without)).toContain('<th>CPU time per op</th>');
    expect(header(without)).not.toContain('bottleneck');
    const withB = structuredClone(plain);
    const device: Bottleneck = { resource: 'device', kind: 'device', utilisation: 0.998, saturated: true, busiest: 'device' };
    const none: Bottleneck = { resource: 'none saturated', kind: 'none', utilisation: 0.621, saturated: false, busiest: 'cpu0' };
    withB.points.forEach((p, i) => Object.assign(p, { bottleneck: i === 0 ? none : device }));
    const html = reportHtml(withB, []);
    expect(header(html)).toContain(`<th>${BOTTLENECK_COLUMN.replace('>', '&gt;')}</th>`);
    const rows = [...html.matchAll(/<tr><td>(\w+)<\/td>.*?<\/tr>/g)].map((m) => m[0]);
    expect(rows).toHaveLength(STRATEGIES.length);
    expect(rows[0]).toContain('<td class="wrap">none (cpu0 62.1%)</td>');
    for (const row of rows.slice(1)) expect(row).toContain('<td class="wrap"><strong>device 99.8%</strong></td>');
  });
});
