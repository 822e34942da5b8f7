import { describe, expect, it } from 'vitest';
import { DEFAULT_JOB, robustnessPointer } from '../../src/cli/default-job.js';
import { STACK_FRAME, cli, tempDir } from './helpers.js';

describe('smpsim with no arguments: the default job', () => {
  it('is data: a bundled scenario and its --vary', () => {
    expect(DEFAULT_JOB.scenario).toMatch(/^scenarios\/[\w.-]+\.yaml$/);
    expect(DEFAULT_JOB.vary.length).toBeGreaterThan(0);
  });

  it('runs through the --vary path and prints the side-by-side table, from any cwd', async () => {
    const r = await cli([], { env: { SMPSIM_DEFAULT_OPS: '500' }, cwd: tempDir() });
    expect(r.code).toBe(0);
    const [note, ...rest] = r.stderr.trimEnd().split('\n');
    expect(note).toBe(
      `smpsim: no command given: running the default job, smpsim run ${DEFAULT_JOB.scenario} ${DEFAULT_JOB.vary.map((v) => `--vary ${v}`).join(' ')} --set stop.ops=500 (see smpsim --help)`,
    );
    // 500 ops end before the scenario's warm-up: each variant says it was measured from t=0.
    for (const line of rest) expect(line).toMatch(/^smpsim: warning: the warm-up .* was never reached.*\(variant /);
    const header = r.stdout.split('\n').find((l) => l.startsWith('metric'))!;
    const values = DEFAULT_JOB.vary.map((v) => v.slice(v.indexOf('=') + 1).split(','));
    expect(header.split(/\s{2,}/).length).toBe(1 + values.reduce((n, v) => n * v.length, 1));
    expect(r.stdout).toMatch(/^ops\/s  /m);
    // It ends with a one-line pointer to the ranking's robustness (issue 21).
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(robustnessPointer());
    expect(robustnessPointer()).toContain('smpsim robustness lkml-2000-4way');
  });

  it('refuses a bad SMPSIM_DEFAULT_OPS', async () => {
    const r = await cli([], { env: { SMPSIM_DEFAULT_OPS: 'lots' } });
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'SMPSIM_DEFAULT_OPS: expected an integer >= 1, got "lots"\n' });
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });
});
