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

  it('a short run on a TTY draws nothing', async () => {
    const r = await cli(['run', BUNDLED, '--set', 'stop.ops=1000', '--format', 'json'], { isTTY: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
});
