import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, cli } from '../cli/helpers.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smpsim-validation-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const SCENARIO = {
  name: 'tiny-lock',
  machine: { cpus: 2 },
  workload: { type: 'locktorture', tasks: 2, think: '1us', hold: '200ns' },
  stop: { ops: 2000 },
};

/** A targets file around a tiny locktorture scenario; `checks` decide the verdicts. */
function targetsFile(name: string, checks: unknown[], set: string[] = []): string {
  fs.writeFileSync(path.join(dir, 'tiny.json'), JSON.stringify(SCENARIO));
  const file = path.join(dir, name);
  fs.writeFileSync(
    file,
    JSON.stringify({
      schema: 'smpsim.validation-targets/1',
      targets: [
        {
          id: 'tiny',
          title: 'tiny',
          scenario: 'tiny.json',
          source: 'synthetic',
          cells: {
            one: { set: ['machine.cpus=1', 'workload.tasks=1', ...set], metric: 'ops.per_sec', published: 1 },
            two: { set: [...set], metric: 'ops.per_sec', published: 2 },
          },
          checks,
        },
      ],
    }),
  );
  return file;
}

describe('smpsim validation', () => {
  it('a recorded pass that still holds and a recorded miss that still fails: exit 0', async () => {
    const f = targetsFile('ok.json', [
      { id: 'scales', kind: 'ratio', num: 'two', den: 'one', tolerance: 0.2, status: 'pass' },
      { id: 'absurd', kind: 'value', cell: 'one', tolerance: 0.1, status: 'miss' },
    ]);
    const r = await cli(['validation', f]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/scales .* pass/);
    expect(r.stdout).toMatch(/absurd .* miss \(recorded\)/);
    expect(r.stdout).toContain('validation: 1 pass, 1 miss (recorded), 0 improved, 0 regressed');
  });

  it('a recorded pass that no longer holds is a regression: exit 1', async () => {
    const f = targetsFile('regressed.json', [{ id: 'flat', kind: 'ratio', num: 'two', den: 'one', published: 1, tolerance: 0.1, status: 'pass' }]);
    const r = await cli(['validation', f]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/flat .* REGRESSED/);
  });

  it('an override of a field smpsim does not know is dropped and flagged, not a crash', async () => {
    const f = targetsFile('future.json', [{ id: 'scales', kind: 'ratio', num: 'two', den: 'one', tolerance: 0.2, status: 'pass' }], [
      'kernel.future_knob=2.6.27',
    ]);
    const r = await cli(['validation', f, '--format', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { targets: Array<{ cells: Record<string, { dropped: string[]; simulated: number }> }> };
    expect(j.targets[0]!.cells.one!.dropped).toEqual(['kernel.future_knob=2.6.27']);
    expect(j.targets[0]!.cells.one!.simulated).toBeGreaterThan(0);
  });

  it('a bad targets file is bad input: one line per problem, exit 2', async () => {
    const f = targetsFile('bad.json', [{ id: 'x', kind: 'value', cell: 'nope', tolerance: 0.1, status: 'pass' }]);
    const r = await cli(['validation', f]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`${f}: tiny: check "x" names unknown cell "nope"`]);
  });

  it('the bundled lock-collapse target runs and keeps its recorded verdicts', async () => {
    const r = await cli(['validation', '--only', 'boydwickizer-2012-ticket-collapse']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('== boydwickizer-2012-ticket-collapse');
    expect(r.stdout).not.toContain('REGRESSED');
    expect(fs.existsSync(path.join(ROOT, 'scenarios', 'validation', 'targets.json'))).toBe(true);
  });
});
