/** `smpsim run … --trace FILE [--trace-window A:B] [--trace-limit N]` end to end. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeIo, cli } from '../cli/helpers.js';
import { SimulationAborted } from '../../src/engine/sim.js';
import { runScenario } from '../../src/model/run.js';
import { TraceSession } from '../../src/cli/trace.js';
import { LKML, load, tempDir } from './helpers.js';
import { checkTrace, ns, readTrace } from './validate.js';

const SHORT = ['--set', 'kernel.strategy=vmap', '--set', 'stop.time=10ms', '--set', 'stop.warmup=0'];

describe('smpsim run --trace', () => {
  it('writes the trace atomically next to the result, and nothing else', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'vmap.json');
    const r = await cli(['run', LKML, ...SHORT, '--trace', file, '--trace-window', '2ms:4ms', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).schema).toBe('smpsim.result/1');
    expect(fs.readdirSync(dir)).toEqual(['vmap.json']); // no temporary file left behind
    const doc = readTrace(file);
    expect(checkTrace(doc, { cpus: 4, window: { start: 2_000_000, end: 4_000_000 } })).toEqual([]);
    expect(doc.otherData).toMatchObject({ scenario: 'lkml-2000-4way', seed: 2000, strategy: 'vmap', window_end_ns: 4_000_000 });
    const proc = doc.traceEvents.find((e) => e.ph === 'M' && e.name === 'process_name')!;
    expect(proc.args!.name).toContain('lkml-2000-4way');
  });

  it('warns once on stderr when the limit cuts the trace, and keeps the file valid', async () => {
    const file = path.join(tempDir(), 't.json');
    const r = await cli(['run', LKML, ...SHORT, '--trace', file, '--trace-limit', '300', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(''); // --quiet: errors only
    const loud = await cli(['run', LKML, ...SHORT, '--trace', file, '--trace-limit', '300', '--format', 'json']);
    expect(loud.code).toBe(0);
    const lines = loud.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^smpsim: warning: --trace: .*t\.json reached the limit of 300 events at t=[\d.]+(ns|us|ms|s); later events were dropped/);
    const doc = readTrace(file);
    expect(doc.traceEvents.filter((e) => e.ph !== 'M').length).toBeLessThanOrEqual(300);
    expect(checkTrace(doc, { cpus: 4 })).toEqual([]);
  });

  const bad: Array<[string[], RegExp]> = [
    [['--trace-window', 'abc'], /^--trace-window: expected START:END in simulated time, e\.g\. 1ms:2ms/],
    [['--trace-window', '1ms'], /^--trace-window: expected START:END/],
    [['--trace-window', '1ms:2ms:3ms'], /^--trace-window: expected START:END/],
    [['--trace-window', '2ms:1ms'], /^--trace-window: the end \(1ms\) must be after the start \(2ms\)/],
    [['--trace-window', '1ms:1ms'], /^--trace-window: the end \(1ms\) must be after the start \(1ms\)/],
    [['--trace-window', '1xs:2ms'], /^--trace-window: start "1xs": expected a duration/],
    [['--trace-window', '1ms:5'], /^--trace-window: end "5": expected a duration/],
    [['--trace-window', '-1ms:2ms'], /^--trace-window: start "-1ms": expected a duration/],
    [['--trace-limit', '0'], /^--trace-limit: expected an integer >= 1/],
    [['--trace-limit', '1e6'], /^--trace-limit: expected an integer >= 1/],
  ];
  for (const [args, message] of bad) {
    it(`refuses --trace with ${args.join(' ')} (exit 2, one line, no file)`, async () => {
      const dir = tempDir();
      const file = path.join(dir, 't.json');
      const r = await cli(['run', LKML, ...SHORT, '--trace', file, ...args]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.split('\n').filter((l) => l !== '')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(fs.readdirSync(dir)).toEqual([]);
    });
  }

  it('refuses the trace options without --trace, with --vary, or into a missing directory', async () => {
    const only = await cli(['run', LKML, ...SHORT, '--trace-window', '1ms:2ms']);
    expect(only.code).toBe(2);
    expect(only.stderr).toBe('--trace-window: only with --trace FILE\n');
    const limit = await cli(['run', LKML, ...SHORT, '--trace-limit', '10']);
    expect(limit.code).toBe(2);
    expect(limit.stderr).toBe('--trace-limit: only with --trace FILE\n');
    const dir = tempDir();
    const vary = await cli(['run', LKML, ...SHORT, '--trace', path.join(dir, 't.json'), '--vary', 'kernel.strategy=kmap,vmap']);
    expect(vary.code).toBe(2);
    expect(vary.stderr).toMatch(/^--trace: traces a single run, so it cannot be combined with --vary/);
    expect(fs.readdirSync(dir)).toEqual([]);
    const missing = await cli(['run', LKML, ...SHORT, '--trace', path.join(dir, 'no', 't.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^--trace: cannot write .*t\.json: no directory /);
  });

  it('publishes the trace up to the abort when a run is aborted, and drops it on other errors', () => {
    const dir = tempDir();
    const { io, err } = fakeIo({ cwd: dir });
    const s = load(LKML, ['kernel.strategy=vmap', 'stop.warmup=0']);
    const session = TraceSession.open(io, { file: 'aborted.json', window: undefined, limit: 100_000 }, s);
    let aborted: unknown = null;
    try {
      runScenario(s, { trace: session.tracer, limits: { maxEvents: 20_000 } });
    } catch (e) {
      aborted = e;
    }
    expect(aborted).toBeInstanceOf(SimulationAborted);
    session.close(io, false, aborted);
    expect(err.join('')).toMatch(/^smpsim: note: --trace: aborted\.json was written up to the abort at t=/);
    const doc = readTrace(path.join(dir, 'aborted.json'));
    expect(checkTrace(doc, { cpus: 4 })).toEqual([]);
    const end = Math.max(...doc.traceEvents.filter((e) => e.ph === 'X').map((e) => ns(e.ts) + ns(e.dur!)));
    expect(end).toBeGreaterThan(0);

    const other = TraceSession.open(io, { file: 'other.json', window: undefined, limit: 100 }, s);
    other.close(io, false, new Error('boom'));
    expect(fs.readdirSync(dir)).toEqual(['aborted.json']);
  });
});
