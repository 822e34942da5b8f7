import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { Progress } from '../../src/cli/progress.js';
import { BUNDLED, cli, fakeIo, tempDir } from './helpers.js';

function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('progress bar', () => {
  it('stays off for the first second, then draws on stderr and erases itself', () => {
    const { io, out, err } = fakeIo({ isTTY: true, env: {} });
    const c = clock();
    const p = new Progress(io, 2, c.now);
    p.update(0, 0.3, 'ticket');
    expect(err).toEqual([]);
    c.advance(1500);
    p.update(0, 0.5, 'ticket');
    expect(p.active).toBe(true);
    const drawn = err.join('');
    expect(drawn).toContain('25%');
    expect(drawn).toContain('run 1/2 ticket');
    expect(drawn).toContain('\u001b[36m'); // colour on a TTY without NO_COLOR
    c.advance(1500);
    p.update(1, 1, 'tas');
    p.stop();
    expect(p.active).toBe(false);
    expect(out).toEqual([]);
  });

  it('no colour with NO_COLOR', () => {
    const { io, err } = fakeIo({ isTTY: true, env: { NO_COLOR: '1' } });
    const c = clock();
    const p = new Progress(io, 1, c.now);
    c.advance(2000);
    p.update(0, 0.5, '');
    p.stop();
    expect(err.join('')).toContain('50%');
    expect(err.join('')).not.toContain('\u001b[36m');
  });

  it('never on a non-TTY', () => {
    const { io, err } = fakeIo({ isTTY: false });
    const c = clock();
    const p = new Progress(io, 1, c.now);
    c.advance(5000);
    p.update(0, 0.5, '');
    p.stop();
    expect(err).toEqual([]);
  });

  // The two below run the CLI with an injected clock, so they hold on any machine: a run
  // that (by the clock) ends within the delay draws nothing, one that outlasts it draws a
  // bar and erases it.
  it('a run that ends within the delay draws nothing on a TTY', async () => {
    const r = await cli(['run', BUNDLED, '--set', 'stop.ops=1000', '--format', 'json'], { isTTY: true, now: () => 0 });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ ops: { completed: 1000 } });
  });

  it('a run that outlasts the delay draws a bar on a TTY, and erases it', async () => {
    let t = 0;
    const r = await cli(['run', BUNDLED, '--set', 'stop.ops=1000', '--format', 'json'], { isTTY: true, now: () => (t += 2000) });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/smpsim \[.*\] \d+%/);
    expect(r.stderr).toContain('\u001b[2K'); // cleared on completion
    expect(JSON.parse(r.stdout)).toMatchObject({ ops: { completed: 1000 } });
  });
});

describe('progress when stderr is not a terminal (CI, pipes)', () => {
  it('prints a plain line every ~10 s with runs done and an ETA, nothing before', () => {
    const { io, err } = fakeIo({ isTTY: false });
    const c = clock();
    const p = new Progress(io, 4, c.now);
    c.advance(9_000);
    p.update(0, 0.9, 'ticket');
    expect(err).toEqual([]);
    c.advance(1_000); // 10 s: 1 of 4 runs done
    p.update(1, 0, 'tas');
    expect(err).toEqual(['smpsim: progress: 1/4 runs done (25%), ETA 30s - tas\n']);
    c.advance(5_000);
    p.update(1, 0.5, 'tas');
    expect(err).toHaveLength(1); // not again within 10 s
    c.advance(5_000); // 20 s: 2 of 4
    p.update(2, 0, 'mcs');
    expect(err[1]).toBe('smpsim: progress: 2/4 runs done (50%), ETA 20s - mcs\n');
    p.stop();
    expect(err.join('')).not.toContain('\u001b'); // no escape codes in logs
  });

  it('a single long run says how much of it is done', () => {
    const { io, err } = fakeIo({ isTTY: false });
    const c = clock();
    const p = new Progress(io, 1, c.now);
    c.advance(60_000);
    p.update(0, 0.25, '');
    expect(err).toEqual(['smpsim: progress: 25% of the run done, ETA 3m 00s\n']);
  });

  it('--quiet silences both the bar and the plain lines', () => {
    for (const isTTY of [true, false]) {
      const { io, err } = fakeIo({ isTTY, env: {} });
      let t = 0;
      const p = Progress.create({ ...io, now: () => t }, 3, true);
      t = 60_000;
      p.update(1, 0.5, 'x');
      p.stop();
      expect(err).toEqual([]);
    }
  });

  it('sweep: the TTY bar shows the run counter and the ETA', async () => {
    const dir = tempDir();
    let t = 0;
    const r = await cli(['sweep', BUNDLED, '--set', 'stop.ops=300', '--vary', 'machine.cpus=1,2', '--replications', '2', '--jobs', '1', '--out', dir], {
      isTTY: true,
      env: { NO_COLOR: '1' },
      now: () => (t += 2000),
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/ETA /);
    expect(r.stderr).toMatch(/run \d\/4 /);
  });

  it('sweep, run and baseline print plain progress lines on a pipe (and none with --quiet)', async () => {
    const dir = tempDir();
    let t = 0;
    const now = () => (t += 4000);
    const sweep = await cli(['sweep', BUNDLED, '--set', 'stop.ops=300', '--vary', 'machine.cpus=1,2', '--jobs', '1', '--out', dir], { now });
    expect(sweep.code).toBe(0);
    expect(sweep.stderr).toMatch(/^smpsim: progress: \d\/\d+ runs done \(\d+%\), ETA \S+/m);
    const run = await cli(['run', BUNDLED, '--set', 'stop.ops=2000', '--format', 'json'], { now: () => (t += 11_000) });
    expect(run.stderr).toMatch(/^smpsim: progress: \d+% of the run done, ETA /m);
    const quiet = await cli(['run', BUNDLED, '--set', 'stop.ops=2000', '--quiet'], { now: () => (t += 11_000) });
    expect(quiet.stderr).toBe('');
    const base = await cli(['baseline', BUNDLED, '--set', 'stop.ops=2000', '--replications', '2', '--out', path.join(dir, 'b')], { now: () => (t += 11_000) });
    expect(base.code).toBe(0);
    expect(base.stderr).toMatch(/^smpsim: progress: \d\/2 runs done/m);
  });
});

describe('progress after a note', () => {
  it('resume() redraws the bar where it was, not at 0%', () => {
    const { io, err } = fakeIo({ isTTY: true, env: { NO_COLOR: '1' } });
    const c = clock();
    const p = new Progress(io, 1, c.now);
    c.advance(2000);
    p.report(3, 4, 'x');
    p.stop();
    err.length = 0;
    p.resume();
    expect(err.join('')).toContain('75%');
    p.stop();
  });
});
