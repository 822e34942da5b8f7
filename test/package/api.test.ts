/**
 * The library API (src/index.ts, docs/API.md): async runs in slices give the CLI's results,
 * progress and cancellation hooks work, sweeps and baseline checks match the CLI's building
 * blocks.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildBaseline } from '../../src/check/baseline.js';
import { DEFAULT_METRICS } from '../../src/check/metrics.js';
import { runScenario as runModelSync } from '../../src/model/run.js';
import type { Result } from '../../src/report/result.js';
import {
  RunCancelledError,
  ScenarioError,
  checkBaseline,
  loadScenario,
  runScenario,
  runSweep,
} from '../../src/index.js';
import { ROOT } from '../cli/helpers.js';

const LOCKTORTURE = path.join(ROOT, 'scenarios', 'locktorture-ticket-vs-tas.yaml');
/** Everything but the wall time, which differs between any two runs. */
const comparable = (r: Result) => JSON.stringify({ ...r, wall_ms: 0 });

describe('runScenario (async, in slices)', () => {
  it('gives the synchronous run’s result over several slices (200,000 acquisitions ≈ 600,000 events)', async () => {
    const s = loadScenario(LOCKTORTURE, { set: ['stop.ops=200000'] });
    const fractions: number[] = [];
    const sliced = await runScenario(s, { fingerprint: true, onProgress: (f) => fractions.push(f) });
    expect(sliced.events).toBeGreaterThan(2 * (1 << 18)); // three slices: two yields
    expect(comparable(sliced)).toBe(comparable(runModelSync(s, { fingerprint: true })));
    expect(fractions.length).toBeGreaterThan(1);
    expect(fractions.at(-1)).toBe(1);
    expect(fractions.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= fractions[i - 1]!))).toBe(true);
  });

  it('a signal aborted before the start rejects with RunCancelledError carrying its reason', async () => {
    const s = loadScenario('locktorture-ticket-vs-tas', { set: ['stop.ops=1000'] });
    const err = await runScenario(s, { signal: AbortSignal.abort('user') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunCancelledError);
    expect((err as RunCancelledError).reason).toBe('user');
  });

  it('aborting from onProgress stops the run at the next slice', async () => {
    const s = loadScenario(LOCKTORTURE, { set: ['stop.ops=2000000'] });
    const ac = new AbortController();
    let calls = 0;
    const err = await runScenario(s, { signal: ac.signal, onProgress: () => (++calls === 1 ? ac.abort() : undefined) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunCancelledError);
    expect(calls).toBeLessThanOrEqual(2); // not run to the end (≈ 24 slices)
  });

  it('a timer can abort it while it runs: the run yields to the event loop', async () => {
    const s = loadScenario(LOCKTORTURE, { set: ['stop.ops=2000000'] });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 0);
    // Without yields the timer could fire only after the whole run, which would resolve.
    await expect(runScenario(s, { signal: ac.signal })).rejects.toBeInstanceOf(RunCancelledError);
  });
});

describe('loadScenario', () => {
  it('takes a bundled scenario by name, like the CLI', () => {
    expect(loadScenario('locktorture-ticket-vs-tas', { seed: 5 })).toEqual(loadScenario(LOCKTORTURE, { seed: 5 }));
  });

  it('throws ScenarioError naming the field for a bad --set', () => {
    expect(() => loadScenario(LOCKTORTURE, { set: ['machine.cpus=0'] })).toThrow(ScenarioError);
    expect(() => loadScenario(LOCKTORTURE, { set: ['machine.cpus=0'] })).toThrow(/machine\.cpus/);
  });
});

describe('runSweep', () => {
  it('runs every value, in order, with the results of --set runs', async () => {
    const set = ['stop.ops=3000'];
    const progress: Array<[number, number]> = [];
    const runs = await runSweep('locktorture-ticket-vs-tas', {
      set,
      vary: { 'machine.cpus': [1, 4], 'machine.spinlock': ['tas', 'ticket'] },
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(runs.map((r) => r.label)).toEqual(['1, tas', '1, ticket', '4, tas', '4, ticket']);
    expect(runs[3]!.values).toEqual({ 'machine.cpus': '4', 'machine.spinlock': 'ticket' });
    const direct = runModelSync(loadScenario(LOCKTORTURE, { set: [...set, 'machine.cpus=4', 'machine.spinlock=ticket'] }));
    expect(comparable(runs[3]!.result)).toBe(comparable(direct));
    expect(progress.at(-1)).toEqual([4, 4]);
    // The CLI's --vary syntax gives the same runs.
    const again = await runSweep(LOCKTORTURE, { set, vary: ['machine.cpus=1,4', 'machine.spinlock=tas,ticket'] });
    expect(again.map((r) => comparable(r.result))).toEqual(runs.map((r) => comparable(r.result)));
  });
});

describe('checkBaseline', () => {
  it('passes against a baseline of the same run and fails against a moved one', async () => {
    const s = loadScenario(LOCKTORTURE, { set: ['stop.ops=3000'] });
    const run = runModelSync(s, { fingerprint: true });
    const { baseline } = buildBaseline(s, [run], run.fingerprint!, [run.fingerprint!], { patterns: DEFAULT_METRICS });
    const same = await checkBaseline(s, baseline);
    expect(same.verdict).toBe('pass');
    expect(same.fingerprint.equal).toBe(true);

    const metric = Object.keys(baseline.metrics).find((k) => k === 'ops.per_sec')!;
    const moved = structuredClone(baseline);
    moved.fingerprint = 'different';
    const m = moved.metrics[metric]!;
    if ('value' in m && m.value !== null) m.value *= 2;
    const check = await checkBaseline(s, moved);
    expect(check.verdict).toBe('fail');
    expect(check.metrics.find((c) => c.metric === metric)?.status).toBe('moved');
  });
});
