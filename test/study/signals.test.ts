/**
 * Signals (issue 11, item 3): Ctrl-C on a sweep says how to resume; killing the process that
 * launched smpsim (here tsx's launcher, as `npx tsx src/cli.ts` starts it) ends smpsim too,
 * instead of leaving it writing into --out. Count-based polling with generous limits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../cli/helpers.js';
import { counts, scenarioFile, sweep } from './helpers.js';

const SCENARIO = [
  'name: signal-test',
  'seed: 5',
  'machine: {cpus: 2, spinlock: ticket}',
  'workload: {type: locktorture, think: exp(1us), hold: exp(300ns)}',
  'stop: {ops: 40000}',
  '',
].join('\n');
// 4 points × 25 replications: far longer than it takes to see the first run file.
const ARGS = ['--vary', 'machine.cpus=1..4', '--replications', '25', '--jobs', '1'];
const CLI = path.join(ROOT, 'src', 'cli.ts');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function runFiles(out: string): number {
  const runs = path.join(out, 'runs');
  return fs.existsSync(runs) ? fs.readdirSync(runs).filter((f) => /^\d+-\d+\.json$/.test(f)).length : 0;
}

/** Poll every 50 ms until `ok()` (bounded only by the test timeout, never by the machine's speed); returns whether it became true. */
async function until(ok: () => boolean, tries = Infinity): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (ok()) return true;
    await sleep(50);
  }
  return ok();
}

/** Alive and not a zombie (a container's pid 1 may not reap orphans). */
function running(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The pids whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function exited(c: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => c.on('exit', (code, signal) => resolve({ code, signal })));
}

describe('signals', () => {
  it('Ctrl-C on a sweep: exit 130 and one line saying the same command resumes; it does', async () => {
    const { dir, file } = scenarioFile(SCENARIO);
    const out = path.join(dir, 'out');
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'sweep', file, '--out', out, ...ARGS], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = exited(child);
    expect(await until(() => runFiles(out) >= 1)).toBe(true);
    child.kill('SIGINT');
    const { code } = await done;
    expect(code).toBe(130);
    expect(stderr).toMatch(/^smpsim: sweep interrupted \(SIGINT\); the finished runs are kept in .*runs: run the same command again to resume$/m);
    expect(fs.existsSync(path.join(out, 'sweep.lock'))).toBe(false);
    const kept = runFiles(out);
    expect(kept).toBeGreaterThanOrEqual(1);
    expect(kept).toBeLessThan(100);
    const resumed = await sweep(file, out, ...ARGS, '--quiet', '--replications', '25');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(runFiles(out)).toBe(100);
  });

  it('killing the launcher alone (tsx, SIGKILL) ends the smpsim process it started', async () => {
    const { dir, file } = scenarioFile(SCENARIO);
    const out = path.join(dir, 'out');
    // Its own process group, as a command typed at a shell is: the launcher leads it.
    const launcher = spawn(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [CLI, 'sweep', file, '--out', out, ...ARGS], {
      cwd: ROOT,
      stdio: 'ignore',
      detached: true,
    });
    const launcherGone = exited(launcher);
    let smpsim: number[] = [];
    try {
      expect(await until(() => runFiles(out) >= 1)).toBe(true);
      smpsim = childrenOf(launcher.pid!);
      expect(smpsim.length).toBe(1);
      launcher.kill('SIGKILL');
      await launcherGone;
      expect(await until(() => !running(smpsim[0]!))).toBe(true);
      // Nothing writes into --out any more, and the lock was released.
      const n = runFiles(out);
      await sleep(500);
      expect(runFiles(out)).toBe(n);
      expect(fs.existsSync(path.join(out, 'sweep.lock'))).toBe(false);
    } finally {
      for (const p of smpsim) if (running(p)) process.kill(p, 'SIGKILL');
    }
  });
});
