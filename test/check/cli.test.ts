import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBaseline, type Baseline } from '../../src/check/baseline.js';
import { STACK_FRAME, cli, workspace } from './helpers.js';

function readBaseline(file: string): Baseline {
  const r = parseBaseline(fs.readFileSync(file, 'utf8'), file);
  if (!r.ok) throw new Error(r.problem);
  return r.value;
}

/** A workspace with a recorded baseline for scenarios/check-lt.yaml. */
async function recorded(extra: string[] = []) {
  const ws = workspace();
  const r = await cli(['baseline', 'scenarios', '--out', 'baselines', ...extra], ws.dir);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return { ...ws, file: path.join(ws.baselines, 'check-lt.json') };
}

describe('smpsim baseline', () => {
  it('records fingerprint, default metrics with tolerances, version and resolved scenario', async () => {
    const ws = await recorded();
    const b = readBaseline(ws.file);
    expect(b.name).toBe('check-lt');
    expect(b.replications).toBe(1);
    expect(b.seeds).toEqual([7]);
    expect(b.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(b.smpsim_version).toMatch(/^\d+\.\d+\.\d+/);
    expect(b.scenario.machine.cpus).toBe(4);
    for (const m of ['ops.per_sec', 'ops.latency_ns.p99', 'per_op.tlb.ipis_sent', 'per_op.tlb.shootdowns', 'per_op.kmap.flushes', 'per_op.bounce.bytes_copied']) {
      expect(b.metrics[m], m).toBeDefined();
    }
    expect(b.metrics['per_op.locks.torture_spinlock.contentions']).toBeDefined();
    expect(b.metrics['per_op.locks.torture_spinlock.wait_ns.total']).toBeDefined();
    expect(b.metrics['ops.per_sec']!.tolerance).toEqual({ relative: 0.05, absolute: 1 });
    expect(b.metrics['per_op.tlb.ipis_sent']!.tolerance.absolute).toBeGreaterThan(0);
    // No temporary file is left next to it.
    expect(fs.readdirSync(ws.baselines)).toEqual(['.smpsim-manifest', 'check-lt.json']);
  });

  it('records mean, sd and n per metric with replications', async () => {
    const ws = await recorded(['--replications', '3']);
    const b = readBaseline(ws.file);
    expect(b.replications).toBe(3);
    expect(b.seeds[0]).toBe(7);
    expect(new Set(b.seeds).size).toBe(3);
    expect(b.fingerprints).toHaveLength(3);
    const m = b.metrics['ops.per_sec']!;
    expect('n' in m && m.n).toBe(3);
    expect('sd' in m && m.sd! > 0).toBe(true);
  });

  it('refuses a --metric that names nothing, writing nothing', async () => {
    const ws = workspace();
    const r = await cli(['baseline', 'scenarios', '--out', 'baselines', '--metric', 'ops.per_secc'], ws.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--metric ops.per_secc: no such metric in the result of check-lt (did you mean ops.per_sec?)');
    expect(fs.readdirSync(ws.baselines)).toEqual([]);
  });
});

describe('smpsim check', () => {
  it('passes an unchanged model on its fingerprint', async () => {
    const ws = await recorded();
    const r = await cli(['check', 'scenarios', '--baseline', 'baselines'], ws.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PASS {2}check-lt: fingerprint [0-9a-f]{16} unchanged/m);
    expect(r.stdout).toContain('check: 1 passed, 0 failed');
  });

  it('fails a changed cost and names the metrics that moved', async () => {
    const ws = await recorded();
    const r = await cli(['check', 'scenarios', '--baseline', 'baselines', '--set', 'costs.line_transfer_local=200ns'], ws.dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL {2}check-lt: fingerprint [0-9a-f]{16} -> [0-9a-f]{16}; \d+ metrics moved: .*ops\.per_sec/m);
    expect(r.stdout).toContain('scenario changed since the baseline: costs.line_transfer_local: 37 -> 200');
    expect(r.stdout).toMatch(/^\s+metric\s+baseline\s+now\s+delta\s+delta%\s+test\s+verdict$/m);
    expect(r.stdout).toMatch(/^\s+ops\.per_sec\s+\S+\s+\S+\s+-\S+\s+-\S+%\s+±5% or ±1\s+FAIL$/m);
    expect(r.stdout).toMatch(/^\s+per_op\.locks\.torture_spinlock\.wait_ns\.total\s.*FAIL$/m);
  });

  it('passes a change that stays inside the tolerances', async () => {
    const ws = await recorded();
    // 1 ns more per handoff: the trajectory changes, the metrics move by a few per cent at most.
    const r = await cli(['check', 'scenarios', '--baseline', 'baselines', '--set', 'costs.line_transfer_local=38ns'], ws.dir);
    expect(r.stdout).toMatch(/^PASS {2}check-lt: fingerprint [0-9a-f]{16} -> [0-9a-f]{16}; every metric within its tolerance/m);
    expect(r.stdout).toMatch(/^\s+ops\.per_sec\s.*\s+ok$/m);
    expect(r.code).toBe(0);
    // The same change fails a tighter tolerance.
    const tight = await cli(['check', 'scenarios', '--baseline', 'baselines', '--set', 'costs.line_transfer_local=38ns', '--tolerance', '0.1%'], ws.dir);
    expect(tight.code).toBe(1);
  });

  it('holds each metric to the tolerance recorded in the baseline file', async () => {
    const ws = await recorded();
    const b = JSON.parse(fs.readFileSync(ws.file, 'utf8')) as Baseline & { metrics: Record<string, { value: number }> };
    b.fingerprint = '0000000000000000'; // as if the model had changed
    b.metrics['ops.per_sec']!.value *= 1.03; // within 5%
    fs.writeFileSync(ws.file, JSON.stringify(b));
    expect((await cli(['check', 'scenarios', '--baseline', 'baselines'], ws.dir)).code).toBe(0);
    b.metrics['ops.per_sec']!.value *= 1.1; // now 13% off
    fs.writeFileSync(ws.file, JSON.stringify(b));
    const r = await cli(['check', 'scenarios', '--baseline', 'baselines'], ws.dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('1 metric moved: ops.per_sec');
    // --metric restricts the comparison.
    const only = await cli(['check', 'scenarios', '--baseline', 'baselines', '--metric', 'per_op.locks.*'], ws.dir);
    expect(only.code).toBe(0);
  });

  it('with replications, a Welch t-test fails a real shift and passes the same model', async () => {
    const ws = await recorded(['--replications', '5']);
    const same = await cli(['check', 'scenarios', '--baseline', 'baselines'], ws.dir);
    expect(same.stdout).toContain('unchanged (5 replications');
    expect(same.code).toBe(0);
    const shifted = await cli(['check', 'scenarios', '--baseline', 'baselines', '--set', 'costs.line_transfer_local=200ns', '--format', 'json'], ws.dir);
    expect(shifted.code).toBe(1);
    const report = JSON.parse(shifted.stdout) as { scenarios: Array<{ metrics: Array<{ metric: string; test: string; p: number; verdict: string }> }> };
    const ops = report.scenarios[0]!.metrics.find((m) => m.metric === 'ops.per_sec')!;
    expect(ops.test).toBe('welch');
    expect(ops.p).toBeLessThan(0.01);
    expect(ops.verdict).toBe('fail');
  });

  it('exits 2 naming the scenario when its baseline is missing', async () => {
    const ws = workspace();
    const r = await cli(['check', 'scenarios', '--baseline', 'baselines'], ws.dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `no baseline for check-lt: run smpsim baseline ${path.join('scenarios', 'check-lt.yaml')} --out baselines (expected ${path.join('baselines', 'check-lt.json')})\n`,
    );
  });

  it('exits 2 with one line naming a corrupt baseline, no stack trace', async () => {
    const ws = await recorded();
    const shown = path.join('baselines', 'check-lt.json');
    const cases: Array<[string, RegExp]> = [
      ['{"schema": "smpsim.baseline/1", "name": ', /corrupt baseline: not valid JSON/],
      ['{"schema": "other/1"}', /not a smpsim baseline: expected "schema": "smpsim.baseline\/1", got "other\/1"/],
      [fs.readFileSync(ws.file, 'utf8').replace(/"fingerprint": "[0-9a-f]+"/, '"fingerprint": "xyz"'), /corrupt baseline: fingerprint: expected 16 hex digits/],
    ];
    for (const [text, want] of cases) {
      fs.writeFileSync(ws.file, text);
      const r = await cli(['check', 'scenarios', '--baseline', 'baselines'], ws.dir);
      expect(r.code).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr.startsWith(`${shown}: `)).toBe(true);
      expect(r.stderr).toMatch(want);
      expect(r.stderr).not.toMatch(STACK_FRAME);
    }
  });

  it('exits 2 for bad options and a missing baseline folder', async () => {
    const ws = await recorded();
    const bad = [
      [['--alpha', '2'], /--alpha: expected a significance level/],
      [['--tolerance', 'lots'], /--tolerance: expected a percentage like 5%/],
      [['--metric', 'ops.per_secc'], /--metric ops\.per_secc: not in .*check-lt\.json \(did you mean ops\.per_sec\?\)/],
      [['--baseline', 'nowhere'], /--baseline: no baseline folder nowhere/],
    ] as const;
    for (const [args, want] of bad) {
      const r = await cli(['check', 'scenarios', '--baseline', 'baselines', ...args], ws.dir);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(want);
    }
  });

  it('--update rewrites the baseline atomically and then passes', async () => {
    const ws = await recorded();
    const before = readBaseline(ws.file);
    const r = await cli(['check', 'scenarios', '--baseline', 'baselines', '--set', 'costs.line_transfer_local=200ns', '--update'], ws.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`updated ${path.join('baselines', 'check-lt.json')}`);
    expect(fs.readdirSync(ws.baselines)).toEqual(['.smpsim-manifest', 'check-lt.json']); // no temporary file left
    const after = readBaseline(ws.file); // valid
    expect(after.fingerprint).not.toBe(before.fingerprint);
    expect(after.scenario.costs.line_transfer_local).toBe(200);
    const again = await cli(['check', 'scenarios', '--baseline', 'baselines', '--set', 'costs.line_transfer_local=200ns'], ws.dir);
    expect(again.code).toBe(0);
    // An unchanged model leaves the file alone.
    const mtime = fs.statSync(ws.file).mtimeMs;
    const same = await cli(['check', 'scenarios', '--baseline', 'baselines', '--set', 'costs.line_transfer_local=200ns', '--update'], ws.dir);
    expect(same.stdout).not.toContain('updated');
    expect(fs.statSync(ws.file).mtimeMs).toBe(mtime);
  });

  it('--update records a missing baseline', async () => {
    const ws = workspace();
    const r = await cli(['check', 'scenarios', '--baseline', 'baselines', '--update'], ws.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NEW {3}check-lt: no baseline before/m);
    expect(readBaseline(path.join(ws.baselines, 'check-lt.json')).name).toBe('check-lt');
  });
});
