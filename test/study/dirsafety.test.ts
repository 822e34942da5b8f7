/**
 * A sweep touches only what it wrote (issue 11, item 2): a user's files in --out survive,
 * --force replaces only a sweep smpsim wrote, two sweeps never write one folder at once
 * (DIR/sweep.lock), and a folder that cannot be made fails at once with the real reason.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../cli/helpers.js';
import { counts, scenarioFile, sweep } from './helpers.js';

const VARY = ['--vary', 'machine.cpus=1,2'];
const ARGS = [...VARY, '--replications', '2', '--jobs', '1'];

/** The pid of a process that has exited (a stale lock's owner). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.exit(0)']);
  return r.pid!;
}

describe('sweep --out: only its own files', () => {
  it("leaves a user's .tmp file alone", async () => {
    const { dir, file } = scenarioFile();
    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, '.draft.tmp'), 'my notes');
    // Not empty and not a sweep: written only with --force (issue 20), and then none of its files replaced.
    expect((await sweep(file, out, ...ARGS)).code).toBe(2);
    expect(fs.existsSync(path.join(out, 'sweep.json'))).toBe(false);
    const r = await sweep(file, out, ...ARGS, '--force');
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(path.join(out, '.draft.tmp'), 'utf8')).toBe('my notes');
    // Resuming (which cleans up temporary files of ours) leaves it too.
    expect((await sweep(file, out, ...ARGS)).code).toBe(0);
    expect(fs.readFileSync(path.join(out, '.draft.tmp'), 'utf8')).toBe('my notes');
  });

  it('--force refuses a folder that is not a sweep, and deletes nothing there', async () => {
    const { dir, file } = scenarioFile();
    const out = path.join(dir, 'notasweep');
    fs.mkdirSync(path.join(out, 'runs'), { recursive: true });
    fs.writeFileSync(path.join(out, 'runs', 'data.csv'), '1,2,3\n');
    fs.writeFileSync(path.join(out, 'figure.svg'), '<svg/>');
    const r = await sweep(file, out, ...ARGS, '--force');
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^--force: .*notasweep is not a sweep \(no sweep\.json\)/);
    expect(fs.readFileSync(path.join(out, 'runs', 'data.csv'), 'utf8')).toBe('1,2,3\n');
    expect(fs.readFileSync(path.join(out, 'figure.svg'), 'utf8')).toBe('<svg/>');
    expect(fs.existsSync(path.join(out, 'sweep.json'))).toBe(false);
  });

  it('--force on a different sweep removes what that sweep wrote, and nothing else', async () => {
    const { dir, file } = scenarioFile();
    const out = path.join(dir, 'out');
    expect((await sweep(file, out, ...ARGS, '--plot')).code).toBe(0);
    fs.writeFileSync(path.join(out, 'my-figure.svg'), '<svg/>');
    fs.writeFileSync(path.join(out, 'runs', 'notes.txt'), 'mine');
    // A run file name the old sweep could not have written (point 7 of a 2-point sweep).
    fs.writeFileSync(path.join(out, 'runs', '7-0.json'), '{}');
    const r = await sweep(file, out, '--vary', 'machine.cpus=1,2,3', '--replications', '2', '--jobs', '1', '--force');
    expect(r.code, r.stderr).toBe(0);
    expect(counts(r.stderr)).toEqual({ computed: 6, reused: 0 });
    expect(fs.readFileSync(path.join(out, 'my-figure.svg'), 'utf8')).toBe('<svg/>');
    expect(fs.readFileSync(path.join(out, 'runs', 'notes.txt'), 'utf8')).toBe('mine');
    expect(fs.readFileSync(path.join(out, 'runs', '7-0.json'), 'utf8')).toBe('{}');
    // The old sweep's plots are gone with it; the new one wrote none.
    expect(fs.existsSync(path.join(out, 'throughput.svg'))).toBe(false);
    expect(fs.existsSync(path.join(out, 'report.html'))).toBe(false);
  });
});

describe('sweep --out: the lock', () => {
  it('refuses a folder another live sweep holds, naming its pid', async () => {
    const { dir, file } = scenarioFile();
    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600000)'], { stdio: 'ignore' });
    try {
      fs.writeFileSync(path.join(out, 'sweep.lock'), `${other.pid}\n`);
      const r = await sweep(file, out, ...ARGS);
      expect(r.code).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`is in use by another sweep \\(pid ${other.pid}, lock .*sweep\\.lock\\)`));
      expect(fs.existsSync(path.join(out, 'runs'))).toBe(false);
      expect(fs.readFileSync(path.join(out, 'sweep.lock'), 'utf8')).toBe(`${other.pid}\n`);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('takes over a stale lock (its sweep is dead) and removes it at the end', async () => {
    const { dir, file } = scenarioFile();
    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'sweep.lock'), `${deadPid()}\n`);
    const r = await sweep(file, out, ...ARGS);
    expect(r.code, r.stderr).toBe(0);
    expect(counts(r.stderr)).toEqual({ computed: 4, reused: 0 });
    expect(fs.existsSync(path.join(out, 'sweep.lock'))).toBe(false);
  });

  it('two identical sweeps started together compute each run once between them', async () => {
    const { dir, file } = scenarioFile();
    const out = path.join(dir, 'out');
    const start = () =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const c = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli.ts'), 'sweep', file, '--out', out, ...ARGS], {
          cwd: ROOT,
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        c.on('close', (code) => resolve({ code, stderr }));
      });
    const [a, b] = await Promise.all([start(), start()]);
    // Either the second was refused (the first held the lock), or it started after the
    // first had ended and reused everything: never 2 × 4 runs computed.
    let computed = 0;
    for (const r of [a, b]) {
      if (r.code === 0) computed += counts(r.stderr).computed;
      else {
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/is in use by another sweep \(pid \d+/);
      }
    }
    expect(computed).toBe(4);
    expect([a.code, b.code]).toContain(0);
  });
});

describe('sweep and baseline --out that cannot be made', () => {
  // In a child process with a time limit: where this hangs (Node's recursive mkdir loops
  // forever under /proc), the test fails instead of wedging the test runner.
  const smpsim = (args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli.ts'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });

  it('a folder under /proc fails at once with exit 2 (no hang)', () => {
    const { file } = scenarioFile();
    const s = smpsim(['sweep', file, '--out', '/proc/smpsim-no-such/x', ...ARGS]);
    expect(s.status).toBe(2);
    expect(s.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(s.stderr).toMatch(/^--out: cannot create \/proc\/smpsim-no-such\/x: no such file or directory$/m);
    const b = smpsim(['baseline', file, '--out', '/proc/smpsim-no-such/x', '--set', 'stop.ops=100']);
    expect(b.status).toBe(2);
    expect(b.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(b.stderr).toMatch(/^--out: cannot create folder \/proc\/smpsim-no-such\/x: no such file or directory$/m);
  });
});
