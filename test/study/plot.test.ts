import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { cli } from '../cli/helpers.js';
import { CATEGORY_COLOURS } from '../../src/report/palette.js';
import { read, scenarioFile, sweep } from './helpers.js';

const SPIN_COLOURS = { ticket: '#4e79a7', tas: '#e15759' };

describe('smpsim plot / sweep --plot', () => {
  it('writes SVG charts and one self-contained HTML report', async () => {
    const { dir, file } = scenarioFile();
    const out = path.join(dir, 'out');
    const r = await sweep(file, out, '--vary', 'machine.cpus=1..4', '--vary', 'machine.spinlock=ticket,tas', '--replications', '2', '--jobs', '1', '--plot');
    expect(r.code, r.stderr).toBe(0);
    const svgs = ['throughput', 'speedup', 'latency', 'cpuperop', 'ipis', 'lockwait', 'cputime'].map((n) => path.join(out, `${n}.svg`));
    for (const f of svgs) {
      const svg = read(f);
      expect(svg.startsWith('<svg'), f).toBe(true);
      expect(svg).toMatch(/<\/svg>$/);
    }
    const thr = read(svgs[0]!);
    expect(thr).toContain('Throughput vs CPUs');
    // Legend: the varied key as its title, the values as labels, each value in its fixed colour.
    expect(thr).toContain('>machine.spinlock<');
    expect(thr).toContain('>tas<');
    expect(thr).toContain(`stroke="${SPIN_COLOURS.tas}"`);
    // The USL curves are dashed paths.
    expect(thr).toMatch(/stroke-dasharray="5,4"/);
    const html = read(path.join(out, 'report.html'));
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect((html.match(/<svg/g) ?? []).length).toBe(svgs.length);
    // Opens offline: no scripts, no stylesheets or images from elsewhere.
    expect(html).not.toMatch(/<script|<link|<img|src="http|href="http|@import/);
    expect(html).toContain('USL fit');

    // `smpsim plot DIR` redraws them from summary.json alone.
    for (const f of svgs) fs.rmSync(f);
    const p = await cli(['plot', out]);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toMatch(/wrote .*throughput\.svg/);
    for (const f of svgs) expect(fs.existsSync(f)).toBe(true);
  });

  it('a categorical x (a varied key other than machine.cpus): dots with whiskers, titles from the key, no USL, fixed colours', async () => {
    const { dir, file } = scenarioFile();
    const out = path.join(dir, 'out');
    // Vega-Lite's warnings (conflicting scales, dropped encodings) go to the console: none.
    const warn = vi.spyOn(console, 'warn');
    const r = await sweep(file, out, '--vary', 'machine.spinlock=ticket,tas', '--replications', '2', '--precision', '50%', '--max-replications', '3', '--warmup', 'auto', '--jobs', '1', '--plot');
    expect(r.code, r.stderr).toBe(0);
    expect(warn.mock.calls).toEqual([]);
    warn.mockRestore();
    const thr = read(path.join(out, 'throughput.svg'));
    expect(thr).toContain('Throughput vs machine.spinlock');
    expect(thr).not.toContain('CPUs');
    expect(thr).not.toContain('USL');
    // Categories are not joined by a line: symbols (dots) and rules (whiskers) only.
    expect(thr).not.toContain('mark-line');
    expect(thr).toContain('mark-symbol');
    expect(thr).toContain('mark-rule');
    // One series: no legend (no "series: all"); each category in its fixed colour.
    expect(thr).not.toMatch(/>series<|>all</);
    expect(thr).toContain(`fill="${SPIN_COLOURS.ticket}"`);
    expect(thr).toContain(`fill="${SPIN_COLOURS.tas}"`);
    for (const f of ['latency', 'ipis', 'lockwait', 'cputime']) expect(read(path.join(out, `${f}.svg`)), f).toContain('machine.spinlock');
    expect(fs.existsSync(path.join(out, 'speedup.svg'))).toBe(false);
    // CPU time categories keep their colours whatever subset a report shows.
    const cpu = read(path.join(out, 'cputime.svg'));
    for (const c of ['work', 'spin', 'idle'] as const) expect(cpu, c).toContain(`fill="${CATEGORY_COLOURS[c]}"`);
    const html = read(path.join(out, 'report.html'));
    expect(html).not.toContain('Universal Scalability Law');
    // The points table has the columns the sweep prints: warm-up and converged.
    const header = /<table id="points">\n<tr>(.*)<\/tr>/.exec(html)![1]!;
    expect(header).toContain('<th>warm-up</th>');
    expect(header).toContain('<th>converged</th>');
  });

  it('says so when DIR holds no sweep (exit 2, one line)', async () => {
    const { dir } = scenarioFile();
    const r = await cli(['plot', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/summary\.json: no such file \(run smpsim sweep --out/);
  });
});
