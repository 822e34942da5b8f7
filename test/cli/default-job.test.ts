import { describe, expect, it } from 'vitest';
import { DEFAULT_JOB, defaultJobArgs, robustnessPointer } from '../../src/cli/default-job.js';
import { expandVary } from '../../src/cli/vary.js';
import { STACK_FRAME, cli, tempDir } from './helpers.js';

describe('smpsim with no arguments: the default job', () => {
  it('is data: a bundled scenario and its --vary', () => {
    expect(DEFAULT_JOB.scenario).toMatch(/^scenarios\/[\w.-]+\.yaml$/);
    expect(DEFAULT_JOB.vary.length + (DEFAULT_JOB.variants ?? []).length).toBeGreaterThan(0);
  });

  it('shows vmap with and without the flush on map, each column labelled with kernel.vmalloc_flush_on_map', () => {
    const { variants } = expandVary(DEFAULT_JOB.vary, { variants: DEFAULT_JOB.variants });
    expect(variants.map((v) => v.label)).toEqual([
      'bounce',
      'vmap kernel.vmalloc_flush_on_map=true',
      'vmap kernel.vmalloc_flush_on_map=false',
      'kmap',
      'direct',
    ]);
  });

  it('runs through the --vary path and prints the side-by-side table, from any cwd', async () => {
    const r = await cli([], { env: { SMPSIM_DEFAULT_OPS: '500' }, cwd: tempDir() });
    expect(r.code).toBe(0);
    const [note, ...rest] = r.stderr.trimEnd().split('\n');
    expect(note).toBe(
      `smpsim: no command given: running the default job, smpsim run ${defaultJobArgs(DEFAULT_JOB).join(' ')} --set stop.ops=500 (see smpsim --help)`,
    );
    // 500 ops end before the scenario's warm-up: each variant says it was measured from t=0.
    for (const line of rest) expect(line).toMatch(/^smpsim: warning: the warm-up .* was never reached.*\(variant /);
    const header = r.stdout.split('\n').find((l) => l.startsWith('metric'))!;
    const { variants } = expandVary(DEFAULT_JOB.vary, { variants: DEFAULT_JOB.variants });
    expect(header.split(/\s{2,}/)).toEqual(['metric', ...variants.map((v) => v.label)]);
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
