/**
 * A run can be reproduced from its own output (issue 15, item 1): the scenario `run
 * --verbose` and `resolve` print and the `scenario_file` a result records validate and
 * resolve to the same scenario; `smpsim run result.json` (a result, a sweep run file, a
 * baseline) re-runs exactly that run: same result bytes apart from wall_ms, same fingerprint.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/model/run.js';
import { BUNDLED, ROOT, cli, tempDir } from './helpers.js';

const SMALL = ['--set', 'stop.ops=2000'];
const noWall = (json: string): unknown => {
  const r = JSON.parse(json) as Record<string, unknown>;
  delete r.wall_ms;
  return r;
};

describe('the recorded scenario is a scenario file', () => {
  it('run --verbose prints YAML that validates and resolves to the scenario that ran', async () => {
    const dir = tempDir();
    const r = await cli(['run', BUNDLED, ...SMALL, '--verbose', '--format', 'json', '--out', path.join(dir, 'r.json')]);
    expect(r.code).toBe(0);
    const yaml = r.stdout.slice(0, r.stdout.indexOf('\n# settings from kernel.version'));
    const file = path.join(dir, 'verbose.yaml');
    fs.writeFileSync(file, yaml);
    expect(await cli(['validate', file])).toMatchObject({ code: 0, stderr: '' });
    expect(loadScenario(file)).toEqual(loadScenario(BUNDLED, { set: ['stop.ops=2000'] }));
  });

  it('smpsim resolve prints a valid scenario file (YAML and JSON) of the scenario with --set and --seed', async () => {
    const dir = tempDir();
    for (const format of ['yaml', 'json']) {
      const r = await cli(['resolve', 'bounce-pool-exhaustion', '--set', 'kernel.bounce_pool_pages=8', '--seed', '7', '--format', format]);
      expect(r.code).toBe(0);
      expect(r.stdout).not.toMatch(/_ns\b|_bytes\b|"kind"|kind:/);
      const file = path.join(dir, `resolved.${format}`);
      fs.writeFileSync(file, r.stdout);
      expect(await cli(['validate', file])).toMatchObject({ code: 0 });
      const bundled = path.join(ROOT, 'scenarios', 'bounce-pool-exhaustion.yaml');
      expect(loadScenario(file)).toEqual(loadScenario(bundled, { set: ['kernel.bounce_pool_pages=8'], seed: 7 }));
    }
  });

  it('a result JSON validates as a scenario and records scenario_file in units', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'r.json');
    expect((await cli(['run', BUNDLED, ...SMALL, '--format', 'json', '--out', out])).code).toBe(0);
    const result = JSON.parse(fs.readFileSync(out, 'utf8')) as { scenario_file: { workload: { hold: string } } };
    expect(result.scenario_file.workload.hold).toBe('exp(200ns)');
    expect(await cli(['validate', out])).toMatchObject({ code: 0, stdout: `ok ${out}\n` });
  });
});

describe('smpsim run <output file> re-runs the run it records', () => {
  it('a result: the same JSON apart from wall_ms, also under another seed given at the first run', async () => {
    const dir = tempDir();
    const a = path.join(dir, 'a.json');
    const b = path.join(dir, 'b.json');
    expect((await cli(['run', BUNDLED, ...SMALL, '--seed', '99', '--set', 'machine.cpus=3', '--format', 'json', '--out', a])).code).toBe(0);
    expect((await cli(['run', a, '--format', 'json', '--out', b])).code).toBe(0);
    // Byte for byte, apart from the wall_ms line.
    const bytes = (f: string) => fs.readFileSync(f, 'utf8').replace(/^ {2}"wall_ms": \d+(\.\d+)?,$/m, '');
    expect(bytes(b)).toBe(bytes(a));
    expect(bytes(a)).not.toMatch(/wall_ms/);
    expect((JSON.parse(fs.readFileSync(b, 'utf8')) as { seed: number }).seed).toBe(99);
  });

  it('a result from before scenario_file (a sweep run file holding one): re-run from its resolved scenario', async () => {
    const dir = tempDir();
    const a = path.join(dir, 'a.json');
    expect((await cli(['run', BUNDLED, ...SMALL, '--seed', '5', '--format', 'json', '--out', a])).code).toBe(0);
    const result = JSON.parse(fs.readFileSync(a, 'utf8')) as Record<string, unknown>;
    delete result.scenario_file;
    const runFile = path.join(dir, '0-1.json');
    fs.writeFileSync(runFile, JSON.stringify({ schema: 'smpsim.sweep-run/1', point: 0, point_key: '', rep: 1, seed: 5, warmup: null, result }));
    const r = await cli(['run', runFile, '--format', 'json']);
    expect(r.code).toBe(0);
    const again = noWall(r.stdout) as Record<string, unknown>;
    delete again.scenario_file;
    delete result.wall_ms;
    expect(again).toEqual(result);
  });

  it('a sweep point: runs/<p>-<r>.json re-runs that replication (its own seed), the same result', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'sw');
    const s = await cli(['sweep', BUNDLED, '--set', 'stop.ops=500', '--vary', 'machine.cpus=1,2', '--replications', '2', '--out', out, '--quiet']);
    expect(s.code).toBe(0);
    const file = path.join(out, 'runs', '1-1.json');
    const recorded = (JSON.parse(fs.readFileSync(file, 'utf8')) as { result: Record<string, unknown> }).result;
    const r = await cli(['run', file, '--format', 'json']);
    expect(r.code).toBe(0);
    const again = noWall(r.stdout) as Record<string, unknown>;
    // The sweep fingerprints its runs; run does not.
    const { wall_ms: _w, fingerprint: _f, ...expected } = recorded;
    expect(again).toEqual(expected);
    expect((again.scenario as { machine: { cpus: number } }).machine.cpus).toBe(2);
  });

  it('a baseline: its recorded scenario re-runs to the recorded fingerprint', () => {
    const file = path.join(ROOT, 'baselines', 'inject-skip-pkmap-flush.json');
    const baseline = JSON.parse(fs.readFileSync(file, 'utf8')) as { fingerprint: string; replications: number };
    expect(baseline.replications).toBe(1);
    const s = loadScenario(file);
    expect(runScenario(s, { fingerprint: true }).fingerprint).toBe(baseline.fingerprint);
  });

  it('a --vary result array: one line saying how to pick one, exit 2', async () => {
    const dir = tempDir();
    const f = path.join(dir, 'v.json');
    expect((await cli(['run', BUNDLED, ...SMALL, '--vary', 'machine.cpus=1,2', '--format', 'json', '--out', f])).code).toBe(0);
    const r = await cli(['run', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${f}: holds 2 results (run --vary); re-run one of them: jq '.[0]' ${f} > one.json, then smpsim run one.json\n`);
  });

  it('a recorded file without a scenario is one clear line, exit 2', async () => {
    const dir = tempDir();
    const f = path.join(dir, 'x.json');
    fs.writeFileSync(f, JSON.stringify({ schema: 'smpsim.result/1' }));
    const r = await cli(['run', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${f}: cannot re-run a smpsim.result/1 file without a recorded scenario\n`);
  });
});
