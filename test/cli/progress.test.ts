import { describe, expect, it } from 'vitest';
import { Progress } from '../../src/cli/progress.js';
import { BUNDLED, cli, fakeIo } from './helpers.js';

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
