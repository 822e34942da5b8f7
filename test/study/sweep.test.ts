import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSeed } from '../../src/model/seeds.js';
import type { SweepSummary } from '../../src/study/summary.js';
import { counts, read, scenarioFile, sweep } from './helpers.js';

const VARY = ['--vary', 'machine.cpus=1..4x2', '--vary', 'machine.spinlock=ticket,tas'];

describe('smpsim sweep', () => {
  it('gives byte-identical summaries with --jobs 1 and --jobs 2', async () => {
    const { dir, file } = scenarioFile();
    const a = await sweep(file, path.join(dir, 'j1'), ...VARY, '--replications', '2', '--jobs', '1');
    const b = await sweep(file, path.join(dir, 'j2'), ...VARY, '--replications', '2', '--jobs', '2');
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(counts(b.stderr)).toEqual({ computed: 12, reused: 0 });
    for (const f of ['summary.json', 'summary.csv']) expect(read(path.join(dir, 'j2', f))).toBe(read(path.join(dir, 'j1', f)));
    expect(b.stdout).toBe(a.stdout.replace(path.join(dir, 'j1'), path.join(dir, 'j2')));
    // Each run file holds the run of its seed: runSeed(scenario seed, rep, point key).
    const run = JSON.parse(read(path.join(dir, 'j2', 'runs', '3-1.json'))) as { seed: number; point_key: string; result: { seed: number } };
    expect(run.point_key).toBe('{"machine.cpus":"2","machine.spinlock":"tas"}');
    expect(run.seed).toBe(runSeed(7, 1, run.point_key));
    expect(run.result.seed).toBe(run.seed);
    const s = JSON.parse(read(path.join(dir, 'j1', 'summary.json'))) as SweepSummary;
    expect(s.points.map((p) => p.key)).toHaveLength(6);
    expect(s.points[0]!.metrics['ops.per_sec']!.n).toBe(2);
    expect(s.scaling!.series.map((x) => x.label)).toEqual(['machine.spinlock=ticket', 'machine.spinlock=tas']);
    expect(s.scaling!.series[0]!.usl).not.toBeNull();
  });

  it('resumes a killed sweep: recomputes only missing or damaged runs, same summary', async () => {
    const { dir, file } = scenarioFile();
    const out = path.join(dir, 'out');
    const ref = path.join(dir, 'ref');
    expect((await sweep(file, ref, ...VARY, '--replications', '3', '--jobs', '1')).code).toBe(0);
    const first = await sweep(file, out, ...VARY, '--replications', '3', '--jobs', '1');
    expect(counts(first.stderr)).toEqual({ computed: 18, reused: 0 });
    const runs = path.join(out, 'runs');
    // What a kill leaves behind, and worse: files gone, a truncated file, a foreign file, a temp file.
    fs.rmSync(path.join(runs, '0-0.json'));
    fs.rmSync(path.join(runs, '5-2.json'));
    const t = read(path.join(runs, '2-1.json'));
    fs.writeFileSync(path.join(runs, '2-1.json'), t.slice(0, t.length >> 1));
    fs.writeFileSync(path.join(runs, '4-0.json'), read(path.join(runs, '4-1.json')));
    fs.writeFileSync(path.join(runs, '.3-0.json.999.1.tmp'), '{"half');
    fs.rmSync(path.join(out, 'summary.json'));
    const again = await sweep(file, out, ...VARY, '--replications', '3', '--jobs', '2');
    expect(again.code, again.stderr).toBe(0);
    expect(counts(again.stderr)).toEqual({ computed: 4, reused: 14 });
    expect(again.stderr).toMatch(/runs\/2-1\.json: not valid JSON .*; recomputing it/);
    expect(again.stderr).toMatch(/runs\/4-0\.json: holds point 4 replication 1, expected point 4 replication 0; recomputing it/);
    expect(fs.readdirSync(runs).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    for (const f of ['summary.json', 'summary.csv']) expect(read(path.join(out, f))).toBe(read(path.join(ref, f)));
    // A third run finds everything done.
    const third = await sweep(file, out, ...VARY, '--replications', '3', '--jobs', '1');
    expect(counts(third.stderr)).toEqual({ computed: 0, reused: 18 });
  });

  it('refuses a directory holding a different sweep, unless --force', async () => {
    const { dir, file } = scenarioFile();
    const out = path.join(dir, 'out');
    expect((await sweep(file, out, ...VARY, '--replications', '2', '--jobs', '1')).code).toBe(0);
    const other = await sweep(file, out, ...VARY, '--replications', '3', '--jobs', '1');
    expect(other.code).toBe(2);
    expect(other.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(other.stderr).toMatch(/holds a different sweep \(replications: 3 now, 2 there\); use --force/);
    const changed = await sweep(file, out, ...VARY, '--replications', '2', '--jobs', '1', '--set', 'workload.hold=exp(400ns)');
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(/holds a different sweep \(set: /);
    const forced = await sweep(file, out, ...VARY, '--replications', '3', '--jobs', '1', '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(counts(forced.stderr)).toEqual({ computed: 18, reused: 0 });
  });

  it('--precision adds replications until the CI is tight enough, capped by --max-replications', async () => {
    const { dir, file } = scenarioFile();
    const args = [...VARY, '--precision', '1%', '--max-replications', '8', '--metric', 'ops.per_sec'];
    const a = await sweep(file, path.join(dir, 'p1'), ...args, '--jobs', '1');
    expect(a.code, a.stderr).toBe(0);
    const s = JSON.parse(read(path.join(dir, 'p1', 'summary.json'))) as SweepSummary;
    expect(s.replications).toBe(3);
    for (const p of s.points) {
      expect(p.replications).toBeGreaterThanOrEqual(3);
      expect(p.replications).toBeLessThanOrEqual(8);
      if (p.converged) expect(p.rel_precision!).toBeLessThanOrEqual(0.01);
      else expect(p.replications).toBe(8);
    }
    // Both outcomes occur on this scenario (the test would not tell otherwise).
    expect(new Set(s.points.map((p) => p.converged))).toEqual(new Set([true, false]));
    // The same decisions in parallel.
    const b = await sweep(file, path.join(dir, 'p2'), ...args, '--jobs', '2');
    expect(read(path.join(dir, 'p2', 'summary.json'))).toBe(read(path.join(dir, 'p1', 'summary.json')));
    expect(counts(b.stderr).computed).toBe(s.points.reduce((n, p) => n + p.replications, 0));
  });

  it('--warmup auto: MSER-5 on a pilot run per point, then the replications with that warm-up', async () => {
    const { dir, file } = scenarioFile(
      [
        'name: warm',
        'seed: 3',
        'machine: {cpus: 4, highmem: 1GiB}',
        'kernel: {strategy: kmap}',
        'device: {latency: exp(20us), bandwidth: 4GiB/s}',
        'workload: {type: io, working_set_pages: 20000, size: 8KiB}',
        'stop: {time: 4ms}',
        '',
      ].join('\n'),
    );
    const out = path.join(dir, 'out');
    const r = await sweep(file, out, '--vary', 'machine.cpus=1,4', '--replications', '2', '--warmup', 'auto', '--jobs', '2');
    expect(r.code, r.stderr).toBe(0);
    expect(counts(r.stderr)).toEqual({ computed: 6, reused: 0 });
    const s = JSON.parse(read(path.join(out, 'summary.json'))) as SweepSummary;
    for (const p of s.points) {
      const pilot = JSON.parse(read(path.join(out, 'runs', `${p.index}-pilot.json`))) as { choice: { warmup_ns: number; truncate_bins: number } };
      expect(p.warmup_auto!.warmup_ns).toBe(pilot.choice.warmup_ns);
      expect(p.warmup_auto!.warmup_ns).toBeLessThanOrEqual(2_000_000); // first half only
      const run = JSON.parse(read(path.join(out, 'runs', `${p.index}-1.json`))) as { result: { warmup_ns: number; scenario: { stop: { warmup: unknown } } } };
      expect(run.result.scenario.stop.warmup).toEqual(p.warmup);
      if (p.warmup !== null) expect(run.result.warmup_ns).toBe(p.warmup_auto!.warmup_ns);
    }
    expect(r.stdout).toMatch(/warm-up/);
    const again = await sweep(file, out, '--vary', 'machine.cpus=1,4', '--replications', '2', '--warmup', 'auto', '--jobs', '1');
    expect(counts(again.stderr)).toEqual({ computed: 0, reused: 6 });
  });

  it('--zip runs the paired points only', async () => {
    const { dir, file } = scenarioFile();
    const r = await sweep(file, path.join(dir, 'z'), '--zip', '--vary', 'machine.cpus=1..4x2', '--vary', 'machine.spinlock=ticket,tas,ticket', '--replications', '2', '--jobs', '1');
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(read(path.join(dir, 'z', 'summary.json'))) as SweepSummary;
    expect(s.zip).toBe(true);
    expect(s.points.map((p) => p.assignments)).toEqual([
      { 'machine.cpus': '1', 'machine.spinlock': 'ticket' },
      { 'machine.cpus': '2', 'machine.spinlock': 'tas' },
      { 'machine.cpus': '4', 'machine.spinlock': 'ticket' },
    ]);
    expect(counts(r.stderr)).toEqual({ computed: 6, reused: 0 });
  });
});
