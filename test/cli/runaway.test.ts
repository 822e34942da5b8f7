/**
 * Runaways end quickly, with a diagnosis (issue 11, item 3): the zero-time livelock guard,
 * --max-events / --max-wall on every command that runs scenarios, and a deadlock diagnosis
 * that names every sleeper. Count-based: no test times anything.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STACK_FRAME, TINY_SCENARIO, cli, tempDir } from './helpers.js';

/** think 0, hold 0, zero lock costs (and line transfers: the qspinlock handoff of modern): the clock never leaves t=0 (a zero-time livelock). */
const ZERO_TIME_SCENARIO = [
  'name: zero-time-loop',
  'machine: {cpus: 2}',
  'costs: {lock_acquire: 0ns, lock_handoff: 0ns, line_transfer_local: 0ns, line_transfer_remote: 0ns}',
  'workload: {type: locktorture, think: 0ns, hold: 0ns}',
  'stop: {time: 1ms}',
  '',
].join('\n');

function scenarioFile(text: string, name = 'scenario.yaml'): string {
  const f = path.join(tempDir('smpsim-runaway-'), name);
  fs.writeFileSync(f, text);
  return f;
}

/** A tiny scenario made long: millions of events unless a guard stops it. */
const LONG_SCENARIO = TINY_SCENARIO.replace('stop: {ops: 200}', 'stop: {ops: 100000000}');

describe('zero-time livelock', () => {
  it('run: exit 3 naming the looping tasks, well before the event limit', async () => {
    const r = await cli(['run', scenarioFile(ZERO_TIME_SCENARIO)]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/run aborted: zero-time livelock at t=0 ns: [\d,]+ events in a row without simulated time advancing/);
    expect(r.stderr).toContain('lock_torture_wr/0');
    expect(r.stderr).toContain('lock_torture_wr/1');
    expect(r.stderr).toMatch(/diagnosis/);
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it('sweep: exit 3 with the same reason and the point', async () => {
    const out = tempDir('smpsim-runaway-sweep-');
    const r = await cli(['sweep', scenarioFile(ZERO_TIME_SCENARIO), '--out', out, '--jobs', '1', '--quiet']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/zero-time livelock.*sweep point 0/);
  });
});

describe('--max-events and --max-wall', () => {
  it('run --max-events ends a long run at that count, exit 3', async () => {
    const r = await cli(['run', scenarioFile(LONG_SCENARIO), '--max-events', '200000']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/event limit of 200000 events reached/);
  });

  it('run --max-wall 1ms ends a run of millions of events, exit 3', async () => {
    // No machine runs 65,536 events (one guard period) in under 1 ms.
    const r = await cli(['run', scenarioFile(LONG_SCENARIO), '--max-wall', '1ms']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/wall-time limit of 1 ms reached/);
  });

  it('baseline and check honour --max-events (exit 3, the run named as aborted)', async () => {
    const dir = tempDir('smpsim-runaway-bl-');
    const file = scenarioFile(LONG_SCENARIO);
    const b = await cli(['baseline', file, '--out', dir, '--max-events', '100000', '--quiet']);
    expect(b.code).toBe(3);
    expect(b.stderr).toMatch(/event limit of 100000 events/);
    const c = await cli(['check', file, '--baseline', dir, '--update', '--max-events', '100000']);
    expect(c.code).toBe(3);
    expect(c.stdout + c.stderr).toMatch(/event limit of 100000 events/);
  });

  it('sweep honours --max-events and --max-wall', async () => {
    const r = await cli(['sweep', scenarioFile(LONG_SCENARIO), '--out', tempDir('smpsim-runaway-sw-'), '--jobs', '1', '--quiet', '--max-events', '100000']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/event limit of 100000 events/);
    const w = await cli(['sweep', scenarioFile(LONG_SCENARIO), '--out', tempDir('smpsim-runaway-sw-'), '--jobs', '1', '--quiet', '--max-wall', '1ms']);
    expect(w.code).toBe(3);
    expect(w.stderr).toMatch(/wall-time limit of 1 ms/);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['--max-events', '0', /^--max-events: expected an integer >= 1 .*got "0"$/],
    ['--max-events', 'lots', /^--max-events: expected an integer >= 1 .*got "lots"$/],
    ['--max-events', '1.5', /^--max-events: .*got "1.5"$/],
    ['--max-wall', '10', /^--max-wall: expected a wall-clock time per run with a unit .*got "10"$/],
    ['--max-wall', '-5s', /^--max-wall: .*got "-5s"$/],
    ['--max-wall', '0s', /^--max-wall: .*got "0s"$/],
  ];
  for (const command of ['run', 'sweep', 'baseline', 'check']) {
    for (const [flag, value, msg] of bad) {
      it(`${command} ${flag} ${value}: exit 2, one line`, async () => {
        const out = tempDir('smpsim-runaway-bad-');
        const extra = command === 'sweep' || command === 'baseline' ? ['--out', out] : command === 'check' ? ['--baseline', out] : [];
        const r = await cli([command, scenarioFile(TINY_SCENARIO), ...extra, flag, value]);
        expect(r.code).toBe(2);
        expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
        expect(r.stderr.trimEnd()).toMatch(msg);
        expect(fs.readdirSync(out)).toEqual([]);
      });
    }
  }

  it('accepts 2e9-style counts and minutes', async () => {
    const r = await cli(['run', scenarioFile(TINY_SCENARIO), '--max-events', '1e8', '--max-wall', '10min', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).ops.completed).toBe(200);
  });
});

describe('deadlock diagnosis', () => {
  it("the README's kmap deadlock names every sleeper", async () => {
    // The README's command: 2.3.40's own test-and-set kmap_lock, 100 streaming processes.
    const r = await cli(['run', 'lkml-2000-4way', '--set', 'workload.tasks=100']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/deadlock/);
    for (let t = 0; t < 100; t++) expect(r.stderr).toMatch(new RegExp(`\\bio/${t}\\b`));
    expect(r.stderr).not.toMatch(/\d+ more/);
    expect(r.stderr).toContain('25 on pkmap_map_wait');
  });
});
