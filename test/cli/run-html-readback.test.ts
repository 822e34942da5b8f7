/**
 * `run --html` shows the run (issue 23, items 1, 2, 3, 5): the stacked CPU-time bars, the
 * latency CDF and histogram are read back out of the rendered SVG through their axes
 * (test/study/svg-read.ts) and compared with the result's time_ns and the latency histogram;
 * the latency axis spans the data; the lock_stat columns are all in tables that fit the page
 * (test/browser checks the width); the scenario is the `smpsim resolve` form, which loads back
 * to the very scenario the run used; the page names the bottleneck and CPU time per op.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CATEGORY_NAMES } from '../../src/cpu/accounting.js';
import { runScenario } from '../../src/model/run.js';
import { bottleneckOf } from '../../src/report/bottleneck.js';
import { LatencyCollector } from '../../src/report/latency-collector.js';
import { LOCKSTAT_COLUMNS, lockstatTime } from '../../src/report/lockstat.js';
import type { Result } from '../../src/report/result.js';
import { runReportHtml } from '../../src/report/run-html.js';
import { loadScenario } from '../../src/scenario/load.js';
import type { Histogram } from '../../src/engine/stats.js';
import { axisScale, figureSvg, lineVertices, plotSize, rects } from '../study/svg-read.js';
import { ROOT, tempDir } from './helpers.js';

const IO = path.join(ROOT, 'scenarios', 'lkml-2000-4way.yaml');
const PX = 0.01;

let r: Result;
let h: Histogram;
let html: string;

beforeAll(async () => {
  const s = loadScenario(IO, { set: ['stop.ops=1000'] });
  const c = new LatencyCollector(s.stop.warmup);
  r = runScenario(s, { onOpSample: c.add });
  h = c.histogram;
  html = await runReportHtml(r, h);
});

const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');

/** The cells of the table with this id, row by row (the header first). */
function tableCells(id: string): string[][] {
  const at = html.indexOf(`<table id="${id}">`);
  if (at < 0) throw new Error(`no table ${id}`);
  const body = html.slice(at, html.indexOf('</table>', at));
  return [...body.matchAll(/<tr>(.*?)<\/tr>/g)].map((m) => [...m[1]!.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map((c) => unescape(c[1]!)));
}

describe('run --html reads back', () => {
  it('each stacked bar segment is its CPU’s time_ns of that category / the CPU’s total', () => {
    const svg = figureSvg(html, 'cputime');
    const y = axisScale(svg, 'Y', plotSize(svg).height);
    const bars = rects(svg);
    for (const c of r.cpus) {
      const total = CATEGORY_NAMES.reduce((s, cat) => s + c.time_ns[cat], 0);
      const mine = bars.filter((b) => b.aria.cpu === `CPU${c.cpu}`);
      expect(mine.map((b) => b.aria.category).sort()).toEqual(CATEGORY_NAMES.filter((cat) => c.time_ns[cat] > 0).sort());
      for (const b of mine) {
        const share = y.value(b.y) - y.value(b.y + b.h);
        expect(share, `CPU${c.cpu} ${b.aria.category}`).toBeCloseTo(c.time_ns[b.aria.category as (typeof CATEGORY_NAMES)[number]] / total, 9);
      }
      expect(y.value(Math.max(...mine.map((b) => b.y + b.h)))).toBeCloseTo(0, 9);
      expect(y.value(Math.min(...mine.map((b) => b.y)))).toBeCloseTo(1, 9);
    }
  });

  it('the CDF steps through every histogram bucket: (latency µs, share of ops at or below)', () => {
    const svg = figureSvg(html, 'latency-cdf');
    const { width, height } = plotSize(svg);
    const x = axisScale(svg, 'X', width);
    const y = axisScale(svg, 'Y', height);
    const [line] = lineVertices(svg);
    // Step-after: each datum, then a horizontal run to the next datum's x.
    const points = line!.filter((_, i) => i % 2 === 0);
    const buckets = h.buckets();
    expect(points).toHaveLength(buckets.length);
    let cum = 0;
    buckets.forEach((b, i) => {
      cum += b.count;
      const [px, py] = points[i]!;
      expect(Math.abs(px - x.px(b.value / 1000)), `bucket ${i} latency`).toBeLessThan(PX);
      expect(Math.abs(py - y.px(cum / h.count)), `bucket ${i} share`).toBeLessThan(PX);
    });
    expect(y.value(points[points.length - 1]![1])).toBeCloseTo(1, 4);
  });

  it('the histogram: each bar’s height is the share of ops whose latency falls in its x extent; the bars tile the data’s range', () => {
    const svg = figureSvg(html, 'latency-histogram');
    const { width, height } = plotSize(svg);
    const x = axisScale(svg, 'X', width);
    const y = axisScale(svg, 'Y', height);
    const bars = rects(svg)
      .map((b) => ({ from: x.value(b.x), to: x.value(b.x + b.w), share: y.value(b.y) - y.value(b.y + b.h) }))
      .sort((a, b) => a.from - b.from);
    const buckets = h.buckets();
    const lo = buckets[0]!.value / 1000;
    const hi = buckets[buckets.length - 1]!.value / 1000;
    expect(bars[0]!.from).toBeCloseTo(lo, 6);
    expect(bars[bars.length - 1]!.to).toBeCloseTo(hi, 6);
    for (let i = 1; i < bars.length; i++) expect(bars[i]!.from).toBeCloseTo(bars[i - 1]!.to, 6);
    bars.forEach((bar, i) => {
      const last = i === bars.length - 1;
      const n = buckets.filter((b) => b.value / 1000 >= bar.from - 1e-9 && (last ? b.value / 1000 <= bar.to + 1e-9 : b.value / 1000 < bar.to - 1e-9)).reduce((s, b) => s + b.count, 0);
      expect(bar.share, `bar ${i} [${bar.from}, ${bar.to})`).toBeCloseTo(n / h.count, 9);
    });
  });

  it('latencies within a decade (here 4-9 ms): linear x axes over the data, not decades of log axis', () => {
    const buckets = h.buckets();
    const lo = buckets[0]!.value / 1000;
    const hi = buckets[buckets.length - 1]!.value / 1000;
    expect(hi / lo).toBeLessThan(10);
    for (const id of ['latency-histogram', 'latency-cdf']) {
      const svg = figureSvg(html, id);
      const x = axisScale(svg, 'X', plotSize(svg).width);
      expect(x.kind, id).toBe('linear');
      // The data's range and 5% of it either side (src/report/axis-scale.ts).
      expect(x.domain[0], id).toBeCloseTo(lo - (hi - lo) * 0.05, 6);
      expect(x.domain[1], id).toBeCloseTo(hi + (hi - lo) * 0.05, 6);
    }
  });
});

describe('run --html tables and scenario', () => {
  it('lock_stat: every /proc/lock_stat column, waits and holds in two tables, one row per class; every contention and contending point', () => {
    const wait = tableCells('lockstat-wait');
    const hold = tableCells('lockstat-hold');
    const cols = [...wait[0]!, ...hold[0]!.slice(1)].map((c) => c.replace(/ \(µs\)$/, ''));
    expect(new Set(cols)).toEqual(new Set(LOCKSTAT_COLUMNS));
    const taken = Object.entries(r.locks).filter(([, l]) => l.acquisitions > 0);
    expect(wait.slice(1).map((row) => row[0])).toEqual(hold.slice(1).map((row) => row[0]));
    expect(new Set(wait.slice(1).map((row) => row[0]))).toEqual(new Set(taken.map(([n]) => n)));
    for (const [name, l] of taken) {
      const w = wait.find((row) => row[0] === name)!;
      const k = hold.find((row) => row[0] === name)!;
      expect(Number(w[wait[0]!.indexOf('contentions')]!.replace(/,/g, ''))).toBe(l.contentions);
      expect(Number(k[hold[0]!.indexOf('acquisitions')]!.replace(/,/g, ''))).toBe(l.acquisitions);
      // holdtime-total in µs with two decimals (snprint_time), thousands separated.
      expect(k[hold[0]!.indexOf('holdtime-total (µs)')]!.replace(/,/g, '')).toBe(lockstatTime(l.hold_ns.total));
    }
    const expected = taken.flatMap(([name, l]) => [...l.contention_points.map((p) => [name, p.site, p.count]), ...l.contending_points.map((p) => [name, p.site, p.count])]);
    expect(expected.length).toBeGreaterThan(0);
    const points = tableCells('lockstat-points').slice(1).map((row) => [row[0], row[2], Number(row[3]!.replace(/,/g, ''))]);
    expect(points.sort()).toEqual(expected.sort());
    // One way of writing numbers: no run of four digits without a separator, in any lock table.
    for (const id of ['lockstat-wait', 'lockstat-hold', 'lockstat-points']) {
      for (const row of tableCells(id).slice(1)) for (const c of row.slice(1)) expect(c, id).not.toMatch(/\d{4}/);
    }
  });

  it('the scenario is the smpsim resolve form (units, distributions as written) and loads back to the run’s scenario', () => {
    const m = /<pre id="scenario">([^]*?)<\/pre>/.exec(html);
    const text = unescape(m![1]!);
    expect(text).toMatch(/^# smpsim run lkml-2000-4way/);
    expect(text).toMatch(/latency: exp\(\d+(us|ms|ns)\)/);
    expect(text).not.toMatch(/kind: exp/);
    const file = path.join(tempDir('smpsim-resolved-'), 'resolved.yaml');
    fs.writeFileSync(file, text);
    expect(loadScenario(file)).toEqual(r.scenario);
  });

  it('names the bottleneck (the disk, saturated) and the CPU time per op', () => {
    const b = bottleneckOf(r);
    expect(b).toMatchObject({ resource: 'device', kind: 'device', saturated: true });
    expect(html).toContain(`<p id="bottleneck" class="saturated"><strong>bottleneck: device ${(b.utilisation * 100).toFixed(1)}% (saturated)</strong>`);
    const summary = tableCells('summary');
    const cpu = summary.find((row) => row[0] === 'CPU time per op')!;
    let busy = 0;
    for (const c of r.cpus) for (const cat of CATEGORY_NAMES) if (cat !== 'idle') busy += c.time_ns[cat];
    const us = busy / r.ops.completed / 1000;
    expect(cpu[1]).toMatch(/us$/);
    expect(Number(cpu[1]!.replace(/us$/, ''))).toBeCloseTo(us, 1);
  });
});
