/**
 * Charts of many CPUs or many points aggregate instead of overflowing (issue 20, item 4):
 * `run --html` with 4096 CPUs and a sweep over machine.cpus=1..1000 with --plot ended in
 * "Maximum call stack size exceeded" inside Vega (an explicit sort order of thousands of
 * labels compiles to a nested expression). Bars beyond MAX_BARS are drawn per group of
 * consecutive CPUs / x values, labelled as such.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_BARS, groupConsecutive } from '../../src/report/groups.js';
import { renderCharts } from '../../src/study/charts.js';
import { readSummary } from '../../src/study/summary-file.js';
import type { SweepSummary } from '../../src/study/summary.js';
import { cli, tempDir } from '../cli/helpers.js';
import { scenarioFile, sweep } from './helpers.js';

describe('groupConsecutive', () => {
  it('4096 CPUs: 64 groups of 64; 1000 values: 64 groups of 15 or 16, in order, none lost', () => {
    const cpus = Array.from({ length: 4096 }, (_, i) => i);
    const g = groupConsecutive(cpus);
    expect(g).toHaveLength(MAX_BARS);
    expect(g.every((x) => x.length === 64)).toBe(true);
    expect(g[63]).toEqual(cpus.slice(4032));
    const xs = Array.from({ length: 1000 }, (_, i) => i + 1);
    const h = groupConsecutive(xs);
    expect(h).toHaveLength(64);
    expect(new Set(h.map((x) => x.length))).toEqual(new Set([15, 16]));
    expect(h.flat()).toEqual(xs);
    expect(groupConsecutive([1, 2, 3])).toEqual([[1], [2], [3]]);
  });
});

describe('charts beyond MAX_BARS', () => {
  it('run --html with 4096 CPUs: exit 0, 64 bars of CPU groups, every CPU in the table', async () => {
    const dir = tempDir('smpsim-charts-');
    const f = path.join(dir, 'wide.yaml');
    fs.writeFileSync(f, 'name: wide\nmachine: {cpus: 4096}\nworkload: {type: locktorture, think: exp(1us), hold: exp(200ns)}\nstop: {ops: 5000}\n');
    const html = path.join(dir, 'r.html');
    const r = await cli(['run', f, '--html', html, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const text = fs.readFileSync(html, 'utf8');
    expect(text).toContain('CPU0–63');
    expect(text).toContain('CPU4032–4095');
    expect(text).toContain('4096 CPUs in 64 groups');
    expect(text).not.toContain('>CPU4095<');
    // The table keeps every CPU.
    expect(text).toMatch(/<td[^>]*>4095<\/td>/);
  });

  it('a sweep over machine.cpus=1..1000 plots: the CPU-time bars in 64 groups of x values', async () => {
    // A real 4-point sweep, its summary widened to 1000 points (running 1000 points is not the point).
    const { dir, file } = scenarioFile();
    const out = path.join(dir, 'out');
    const r = await sweep(file, out, '--vary', 'machine.cpus=1..4', '--replications', '2', '--jobs', '1');
    expect(r.code, r.stderr).toBe(0);
    const s = readSummary(out);
    const points = Array.from({ length: 1000 }, (_, i) => ({ ...s.points[i % 4]!, index: i, assignments: { 'machine.cpus': String(i + 1) } }));
    const wide: SweepSummary = { ...s, vary: [{ path: 'machine.cpus', values: points.map((p) => p.assignments['machine.cpus']) }], points };
    const charts = await renderCharts(wide);
    const cpu = charts.find((c) => c.file === 'cputime.svg')!;
    expect(cpu.svg).toContain('in 64 groups');
    expect(cpu.svg).toContain('>1–15<');
    expect(cpu.svg).toContain('>985–1000<');
    // Categorical x with 1000 values (another varied key) renders too.
    const cat: SweepSummary = {
      ...wide,
      vary: [{ path: 'workload.tasks', values: wide.vary[0]!.values }],
      points: points.map((p) => ({ ...p, assignments: { 'workload.tasks': p.assignments['machine.cpus'] } })),
      scaling: null,
    };
    expect((await renderCharts(cat)).length).toBeGreaterThan(3);
  });
});
