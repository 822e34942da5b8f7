/**
 * `smpsim robustness` end to end on real (short) runs: byte-identical with --jobs 1 and
 * --jobs 2 and after an interrupted study resumes; bad input is one line and exit 2.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from '../cli/helpers.js';
import { counts, read } from '../study/helpers.js';
import { ROBUST_ARGS } from './helpers.js';


describe('smpsim robustness', () => {
  it('gives the same robustness.json with --jobs 1, --jobs 2, and after resuming a damaged study', async () => {
    const dir = tempDir('smpsim-robust-');
    const a = await cli(['robustness', ...ROBUST_ARGS, '--jobs', '1', '--out', path.join(dir, 'a'), '--html', path.join(dir, 'a.html')]);
    expect(a.code, a.stderr).toBe(0);
    const b = await cli(['robustness', ...ROBUST_ARGS, '--jobs', '2', '--out', path.join(dir, 'b')]);
    expect(b.code, b.stderr).toBe(0);
    const json = read(path.join(dir, 'a', 'robustness.json'));
    expect(read(path.join(dir, 'b', 'robustness.json'))).toBe(json);
    expect(read(path.join(dir, 'b', 'tornado.svg'))).toBe(read(path.join(dir, 'a', 'tornado.svg')));
    expect(a.stdout).toContain('nominal ranking: bounce < vmap');
    expect(read(path.join(dir, 'a.html'))).toContain('<svg');
    // Common random numbers: every run of the study has the scenario's seed (replication 0).
    const run = JSON.parse(read(path.join(dir, 'a', 'design', 'runs', '3-0.json'))) as { seed: number };
    expect(run.seed).toBe(2000);
    // Damage: runs gone from two batches; the rerun recomputes only those.
    fs.rmSync(path.join(dir, 'a', 'design', 'runs', '0-0.json'));
    fs.rmSync(path.join(dir, 'a', 'nominal', 'runs', '1-1.json'));
    const again = await cli(['robustness', ...ROBUST_ARGS, '--jobs', '2', '--out', path.join(dir, 'a')]);
    expect(again.code, again.stderr).toBe(0);
    expect(counts(again.stderr).computed).toBe(2);
    expect(read(path.join(dir, 'a', 'robustness.json'))).toBe(json);
  });

  it('bad input: one line naming the option or field, exit 2', async () => {
    const dir = tempDir('smpsim-robust-');
    const cases: Array<[string[], RegExp]> = [
      [['lkml-2000-4way', '--method', 'saltelli'], /--method: expected one of morris, sobol/],
      [['lkml-2000-4way', '--inputs', 'costs.nope'], /--inputs: "costs.nope" matches no uncertain input/],
      [['lkml-2000-4way', '--vary', 'kernel.strategy=kmap'], /--vary: robustness ranks variants/],
      [['lkml-2000-4way', '--metric', 'nope'], /--metric: expected one of/],
    ];
    for (const [args, re] of cases) {
      const r = await cli(['robustness', ...args, '--out', path.join(dir, 'x')]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const file = path.join(dir, 'u.yaml');
    fs.writeFileSync(file, `extends: ${path.resolve(__dirname, '../../scenarios/lkml-2000-4way.yaml')}\nuncertain:\n  workload.read_fraction: 0.5..1.5\n`);
    const r = await cli(['robustness', file, '--out', path.join(dir, 'y')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/uncertain\.workload\.read_fraction: the range 0\.5\.\.1\.5 leaves the field's allowed values at its high end/);
  });
});
