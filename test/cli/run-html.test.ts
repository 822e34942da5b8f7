import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LatencyCollector } from '../../src/report/latency-collector.js';
import { runScenario } from '../../src/model/run.js';
import { loadScenario } from '../../src/scenario/load.js';
import { BUNDLED, ROOT, cli, tempDir } from './helpers.js';

const IO_SCENARIO = path.join(ROOT, 'scenarios', 'lkml-2000-4way.yaml');

describe('run --html FILE', () => {
  it('writes one self-contained page: summary, per-CPU stacked bars, latency histogram and CDF, lock_stat, counters, scenario', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'run.html');
    const r = await cli(['run', IO_SCENARIO, '--set', 'stop.ops=400', '--set', 'stop.warmup=0', '--html', file, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ops: { completed: 400 } }); // stdout unchanged
    const html = fs.readFileSync(file, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    for (const id of ['summary', 'cputime', 'cpu-table', 'latency-histogram', 'latency-cdf', 'lockstat', 'counters', 'scenario']) expect(html, id).toContain(`id="${id}"`);
    expect((html.match(/<svg/g) ?? []).length).toBe(3);
    // Offline: no script, no external resource.
    expect(html).not.toMatch(/<script|<link|<img|src="http|href="http|@import/);
    expect(html).toContain('kmap_lock');
    expect(html).toContain('flush_all_zero_pkmaps');
    expect(html).toContain('name: lkml-2000-4way');
    expect(html).toContain('within 1/256');
  });

  it('the latency distribution is the measured window, warm-up excluded, as the result’s percentiles', () => {
    for (const warmup of ['{ops: 100}', '100us', '0']) {
      const s = loadScenario(BUNDLED, { set: ['stop.ops=1500', `stop.warmup=${warmup}`] });
      const c = new LatencyCollector(s.stop.warmup);
      const r = runScenario(s, { onOpSample: c.add });
      expect(c.histogram.count, warmup).toBe(r.ops.completed);
      expect(c.histogram.percentile(50)).toBe(r.ops.latency_ns.p50);
      expect(c.histogram.percentile(99)).toBe(r.ops.latency_ns.p99);
      expect(c.histogram.max).toBe(r.ops.latency_ns.max);
    }
  });

  it('bad uses: with --vary, or a FILE that cannot be written (exit 2, one line, nothing run)', async () => {
    const dir = tempDir();
    const vary = await cli(['run', BUNDLED, '--vary', 'machine.spinlock=ticket,tas', '--html', path.join(dir, 'x.html')]);
    expect(vary.code).toBe(2);
    expect(vary.stderr).toMatch(/--html: reports a single run/);
    const nodir = await cli(['run', BUNDLED, '--html', path.join(dir, 'nope', 'x.html')]);
    expect(nodir.code).toBe(2);
    expect(nodir.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(nodir.stderr).toMatch(/--html: cannot write .*no directory/);
    const isdir = await cli(['run', BUNDLED, '--html', dir]);
    expect(isdir.code).toBe(2);
    expect(isdir.stderr).toMatch(/--html: cannot write .*is a directory/);
  });
});
