import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../cli/helpers.js';
import { read, scenarioFile, sweep } from './helpers.js';

describe('smpsim plot / sweep --plot', () => {
  it('writes SVG charts and one self-contained HTML report', async () => {
    const { dir, file } = scenarioFile();
    const out = path.join(dir, 'out');
    const r = await sweep(file, out, '--vary', 'machine.cpus=1..4', '--vary', 'machine.spinlock=ticket,tas', '--replications', '2', '--jobs', '1', '--plot');
    expect(r.code, r.stderr).toBe(0);
    const svgs = ['throughput', 'speedup', 'latency', 'ipis', 'lockwait', 'cputime'].map((n) => path.join(out, `${n}.svg`));
    for (const f of svgs) {
      const svg = read(f);
      expect(svg.startsWith('<svg'), f).toBe(true);
      expect(svg).toMatch(/<\/svg>$/);
    }
    const thr = read(svgs[0]!);
    expect(thr).toContain('Throughput vs CPUs');
    expect(thr).toContain('machine.spinlock=tas');
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

  it('says so when DIR holds no sweep (exit 2, one line)', async () => {
    const { dir } = scenarioFile();
    const r = await cli(['plot', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/summary\.json: no such file \(run smpsim sweep --out/);
  });
});
