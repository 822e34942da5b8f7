/**
 * Distributed sweeps (issue 16) against a real redis-server on a free loopback port (no
 * mock): workers are real `smpsim worker` processes, the coordinator runs in-process (or as
 * a process, to be killed). The Redis requires a password, so every URL carries one and
 * every test also checks that it is never printed nor written. Each test uses its own
 * Redis database: job ids are deterministic, so results from one test would be found by
 * the next one in the same database.
 *
 * Everything waits on events (files written, jobs active, a process gone), never on elapsed
 * time: no test has a time limit of its own (vitest.config.ts's backstop catches a hang), and
 * no worker's lock can lapse while it lives (LOCK_MS), so a starved host cannot make a live
 * worker's job look stalled, re-run it, then fail it. A killed worker's job moves on because
 * the test does, at once, what the lapse of its lock would do (expireLocks), and the next
 * worker's stalled check at its start finds it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveScenario } from '../../src/scenario/load.js';
import { modelFingerprint } from '../../src/study/fingerprint.js';
import { QUEUE_NAME, jobIdOf, type QueueJobData } from '../../src/study/queue.js';
import { VERSION } from '../../src/version.js';
import { ROOT, cli, tempDir } from '../cli/helpers.js';
import { freePort, requireRedis, skipRedis, startRedisServer } from './redis-server.js';

const SECRET = 'pw-7Hq2-do-not-print';
const SKIP = skipRedis('test/queue/queue.test.ts');
const SCENARIO = path.join(ROOT, 'scenarios', 'scaling-1-32.yaml');
// 8 short runs: 2 × 2 points × 2 replications.
const SWEEP = [SCENARIO, '--vary', 'machine.cpus=1,2', '--vary', 'kernel.strategy=kmap,vmap', '--replications', '2', '--set', 'stop.time=5ms', '--set', 'stop.warmup=1ms', '--quiet'];
const RUNS = 8;
/**
 * Every worker's --lock-duration (ms): the most the CLI accepts (an hour). BullMQ renews a
 * lock every half of it and checks for stalled jobs at a worker's start and then every
 * LOCK_MS: within a test, only at starts.
 */
const LOCK_MS = '3600000';

let redis: ChildProcess | null = null;
let port = 0;
let reference = '';
const children: ChildProcess[] = [];

const url = (db: number, password = SECRET) => `redis://:${password}@127.0.0.1:${port}/${db}`;

const tick = () => new Promise((r) => setTimeout(r, 100));

/**
 * Poll `ok` until true (a count, a line). Fails at once when one of `alive` (processes the
 * wait depends on) has exited, with its output; otherwise bounded by vitest's backstop only.
 */
async function until(ok: () => boolean | Promise<boolean>, alive: Proc[] = []): Promise<void> {
  while (!(await ok())) {
    for (const p of alive) {
      if (p.child.exitCode !== null || p.child.signalCode !== null) throw new Error(`a process the test waits on has exited (${p.child.exitCode ?? p.child.signalCode}):\n${p.out()}`);
    }
    await tick();
  }
}

interface Proc {
  child: ChildProcess;
  out: () => string;
  exit: Promise<number | null>;
}

function start(args: string[]): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => text, exit };
}

async function startWorker(db: number, concurrency = 1, more: string[] = []): Promise<Proc> {
  const w = start(['worker', '--queue', url(db), '--concurrency', String(concurrency), '--lock-duration', LOCK_MS, ...more]);
  await until(() => w.out().includes('taking runs from') || w.child.exitCode !== null);
  expect(w.out()).toContain('taking runs from');
  return w;
}

function runFiles(dir: string): number {
  try {
    return fs.readdirSync(path.join(dir, 'runs')).filter((n) => /^\d+-\d+\.json$/.test(n)).length;
  } catch {
    return 0;
  }
}

/** Every file under `dir`, as text. */
function allText(dir: string): string {
  let s = '';
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) s += fs.readFileSync(path.join(e.parentPath, e.name), 'utf8');
  }
  return s;
}

function noSecret(...texts: string[]): void {
  for (const t of texts) expect(t.includes(SECRET), 'the password was printed or written').toBe(false);
}

const connection = (db: number) => ({ host: '127.0.0.1', port, db, password: SECRET, maxRetriesPerRequest: null });

/**
 * What the lapse of a dead worker's locks does, done now: each active job's lock gone and the
 * job marked as seen by a stalled check (BullMQ moveStalledJobsToWait-9.lua), and the check's
 * own throttle key gone, so the next worker's check at its start moves the jobs to wait.
 * Returns the ids of the jobs so released.
 */
async function expireLocks(queue: Queue, db: number): Promise<string[]> {
  const ids = (await queue.getActive()).map((j) => String(j.id));
  const { Redis } = await import('ioredis');
  const r = new Redis(connection(db));
  try {
    for (const id of ids) await r.del(`${queue.toKey(id)}:lock`);
    if (ids.length > 0) await r.sadd(queue.keys.stalled!, ...ids);
    await r.del(queue.keys['stalled-check']!);
  } finally {
    r.disconnect();
  }
  return ids;
}

/** A redis-server on `p` (no persistence), once it answers a ping. */
async function startRedis(p: number, password: string | null): Promise<ChildProcess> {
  const child = await startRedisServer(p, tempDir('smpsim-redis-'), password);
  children.push(child);
  return child;
}

beforeAll(async () => {
  // Skipped only on SMPSIM_SKIP_REDIS=1 (loudly); .ci/run installs Debian's redis-server when missing.
  if (SKIP) return;
  requireRedis();
  port = await freePort();
  redis = await startRedis(port, SECRET);
  const out = tempDir();
  const r = await cli(['sweep', ...SWEEP, '--jobs', '1', '--out', path.join(out, 'local')]);
  expect(r.code, r.stderr).toBe(0);
  reference = fs.readFileSync(path.join(out, 'local', 'summary.json'), 'utf8');
});

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

describe.skipIf(SKIP)('sweep --queue with smpsim worker processes (real Redis)', () => {
  it('two workers: the same summary.json bytes as --jobs 1; SIGTERM stops a worker with exit 0', async () => {
    const [a, b] = await Promise.all([startWorker(1), startWorker(1)]);
    const out = path.join(tempDir(), 'q');
    // A clock 11 s further at each look: every progress report prints its plain line.
    let t = 0;
    const r = await cli(['sweep', ...SWEEP.filter((x) => x !== '--quiet'), '--queue', url(1), '--out', out], { now: () => (t += 11_000) });
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')).toBe(reference);
    expect(r.stderr).toMatch(/smpsim: progress: 8\/8 runs done \(100%\), ETA 0s - [12] workers seen/);
    expect(r.stderr).toContain(`8 runs (8 computed, 0 reused) on redis://:***@127.0.0.1:${port}/1`);
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    expect(await a.exit).toBe(0);
    expect(await b.exit).toBe(0);
    expect(a.out() + b.out()).toMatch(/stopped after \d+ runs/);
    noSecret(r.stdout, r.stderr, a.out(), b.out(), allText(out));
  });

  it('a sweep whose runs an earlier sweep finished in Redis says so: found finished, not computed', async () => {
    const w = await startWorker(9);
    const dir = tempDir();
    const first = await cli(['sweep', ...SWEEP, '--queue', url(9), '--out', path.join(dir, 'a')]);
    expect(first.code, first.stderr).toBe(0);
    w.child.kill('SIGTERM');
    expect(await w.exit).toBe(0);
    // No worker now: every run of a second sweep into a new directory is already in Redis.
    const again = await cli(['sweep', ...SWEEP.filter((x) => x !== '--quiet'), '--queue', url(9), '--out', path.join(dir, 'b')]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`${RUNS} runs (0 computed, ${RUNS} found finished in Redis, 0 reused)`);
    expect(fs.readFileSync(path.join(dir, 'b', 'summary.json'), 'utf8')).toBe(reference);
  });

  it('--warmup auto pilots and --precision replications go through the queue too: same bytes', async () => {
    const w = await startWorker(5);
    const adaptive = [SCENARIO, '--vary', 'machine.cpus=1,2', '--replications', '2', '--set', 'stop.time=20ms', '--warmup', 'auto', '--precision', '1%', '--max-replications', '5', '--quiet'];
    const dir = tempDir();
    const local = await cli(['sweep', ...adaptive, '--jobs', '1', '--out', path.join(dir, 'l')]);
    expect(local.code, local.stderr).toBe(0);
    const r = await cli(['sweep', ...adaptive, '--queue', url(5), '--out', path.join(dir, 'q')]);
    expect(r.code, r.stderr).toBe(0);
    const summary = fs.readFileSync(path.join(dir, 'q', 'summary.json'), 'utf8');
    expect(summary).toBe(fs.readFileSync(path.join(dir, 'l', 'summary.json'), 'utf8'));
    // The pilots ran, and --precision added replications beyond the first 2.
    expect(fs.existsSync(path.join(dir, 'q', 'runs', '0-pilot.json'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'q', 'runs', '0-2.json'))).toBe(true);
    w.child.kill('SIGTERM');
    expect(await w.exit).toBe(0);
  });

  it('a worker SIGKILLed during a run: its job goes to another worker, same bytes', async () => {
    const a = await startWorker(2);
    const out = path.join(tempDir(), 'q');
    const sweep = cli(['sweep', ...SWEEP, '--queue', url(2), '--out', out]);
    const queue = new Queue(QUEUE_NAME, { connection: connection(2) });
    // Killed after a first run, with runs still waiting: it holds one (BullMQ hands a worker
    // its next job as it finishes one), and nobody checks for stalled jobs until B starts.
    await until(async () => runFiles(out) >= 1 && (await queue.getWaitingCount()) >= 2, [a]);
    a.child.kill('SIGKILL');
    await a.exit;
    const active = await queue.getActiveCount();
    expect(active, 'the killed worker held a job').toBe(1);
    // Its lock would lapse in LOCK_MS: lapsed now. B's stalled check at its start moves the job on.
    expect(await expireLocks(queue, 2)).toHaveLength(1);
    const b = await startWorker(2);
    const r = await sweep;
    await queue.close();
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')).toBe(reference);
    expect(runFiles(out)).toBe(RUNS);
    b.child.kill('SIGTERM');
    expect(await b.exit).toBe(0);
    noSecret(r.stderr, b.out(), allText(out));
  });

  it('the coordinator killed and started again resumes from --out and the queue', async () => {
    const w = await startWorker(3);
    const out = path.join(tempDir(), 'q');
    const first = start(['sweep', ...SWEEP, '--queue', url(3), '--out', out]);
    await until(() => runFiles(out) >= 3 || first.child.exitCode !== null, [w]);
    first.child.kill('SIGKILL');
    await first.exit;
    const done = runFiles(out);
    const r = await cli(['sweep', ...SWEEP.filter((x) => x !== '--quiet'), '--queue', url(3), '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')).toBe(reference);
    // Runs the worker finished after the kill are found finished in Redis, not computed again.
    const m = /(\d+) runs \((\d+) computed, (?:(\d+) found finished in Redis, )?(\d+) reused\)/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(Number(m![4])).toBeGreaterThanOrEqual(Math.min(done, RUNS));
    w.child.kill('SIGTERM');
    expect(await w.exit).toBe(0);
    noSecret(first.out(), r.stderr, allText(out));
  });

  it('Redis restarted without its data mid-sweep: the lost runs are queued again, same bytes', async () => {
    const p = await freePort();
    let server = await startRedis(p, null);
    const plain = `redis://127.0.0.1:${p}`;
    const w = start(['worker', '--queue', plain, '--concurrency', '1', '--lock-duration', LOCK_MS]);
    await until(() => w.out().includes('taking runs from'), [w]);
    const out = path.join(tempDir(), 'q');
    const sweep = cli(['sweep', ...SWEEP, '--queue', plain, '--out', out]);
    const queue = new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port: p, maxRetriesPerRequest: null } });
    queue.on('error', () => {});
    await until(async () => runFiles(out) >= 1 && (await queue.getWaitingCount()) >= 2, [w]);
    await queue.close();
    server.kill('SIGKILL');
    await new Promise((r) => server.once('exit', r));
    server = await startRedis(p, null);
    const r = await sweep;
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')).toBe(reference);
    w.child.kill('SIGTERM');
    expect(await w.exit).toBe(0);
    server.kill('SIGTERM');
  });

  it('a sweep whose runs are all finished in Redis already completes with no worker at all: same bytes', async () => {
    // study/queue.ts QueueExecutor.enqueue: a job found completed is settled from Redis.
    const w = await startWorker(8);
    const dir = tempDir();
    const first = await cli(['sweep', ...SWEEP, '--queue', url(8), '--out', path.join(dir, 'a')]);
    expect(first.code, first.stderr).toBe(0);
    w.child.kill('SIGTERM');
    expect(await w.exit).toBe(0);
    const queue = new Queue(QUEUE_NAME, { connection: connection(8) });
    expect(await queue.getWorkersCount()).toBe(0);
    expect(await queue.getCompletedCount()).toBe(RUNS);
    // A new --out (nothing to reuse on disk): every run comes from its finished job.
    const again = await cli(['sweep', ...SWEEP, '--queue', url(8), '--out', path.join(dir, 'b')]);
    expect(again.code, again.stderr).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'b', 'summary.json'), 'utf8')).toBe(reference);
    expect(runFiles(path.join(dir, 'b'))).toBe(RUNS);
    // Nothing was computed again: still RUNS jobs, all completed, none waiting.
    expect(await queue.getCompletedCount()).toBe(RUNS);
    expect(await queue.getWaitingCount()).toBe(0);
    await queue.close();
  });

  it('worker --concurrency 2 computes two runs at once: a short run finishes while a long one taken before it runs', async () => {
    const w = await startWorker(9, 2);
    const queue = new Queue<QueueJobData>(QUEUE_NAME, { connection: connection(9) });
    const model = await modelFingerprint();
    const job = (name: string, ops: number): QueueJobData => ({
      version: VERSION,
      model,
      task: { scenario: resolveScenario({ name, machine: { cpus: 2 }, workload: { type: 'locktorture' }, stop: { ops } }, `${name}.yaml`), series: false },
    });
    // The long one first: BullMQ hands jobs out in order. It does not end within the test
    // (1e12 ops; the worker's own limits stop it long after).
    const long = job('long', 1e12);
    const short = job('short', 2000);
    await queue.add('run', long, { jobId: jobIdOf(long) });
    await until(async () => (await queue.getActiveCount()) === 1, [w]);
    const s = await queue.add('run', short, { jobId: jobIdOf(short) });
    // With one run at a time the short one would wait behind the long one.
    await until(async () => (await s.getState()) === 'completed', [w]);
    expect(await queue.getActiveCount()).toBe(1);
    expect((await queue.getActive()).map((j) => j.id)).toEqual([jobIdOf(long)]);
    w.child.kill('SIGKILL');
    await w.exit;
    await queue.close();
  });

  it('a worker refuses a job of another smpsim version: failed once, not retried, with a clear reason', async () => {
    const w = await startWorker(6);
    const queue = new Queue(QUEUE_NAME, { connection: connection(6) });
    const job = await queue.add('run', { version: `${VERSION}-other`, model: 'other', task: { scenario: {}, series: false } }, { jobId: 'mismatch', attempts: 3 });
    // Polled, not awaited through QueueEvents: an event can pass before its reader listens.
    await until(async () => (await job.getState()) === 'failed', [w]);
    const again = await queue.getJob('mismatch');
    expect(await again!.getState()).toBe('failed');
    // UnrecoverableError: not retried although the job allowed 3 attempts.
    expect(again!.attemptsMade).toBe(1);
    expect(again!.failedReason).toContain(`the job needs smpsim ${VERSION}-other`);
    await queue.close();
    w.child.kill('SIGTERM');
    expect(await w.exit).toBe(0);
    expect(w.out()).toContain('refused');
  });

  it('a job of the same smpsim version but another model fingerprint is refused too (a rebuilt model, same version)', async () => {
    const w = await startWorker(10);
    const queue = new Queue(QUEUE_NAME, { connection: connection(10) });
    const model = await modelFingerprint();
    const other = `${model.slice(0, -1)}${model.endsWith('0') ? '1' : '0'}`;
    const job = await queue.add('run', { version: VERSION, model: other, task: { scenario: {}, series: false } }, { jobId: 'model-mismatch', attempts: 3 });
    await until(async () => (await job.getState()) === 'failed', [w]);
    const again = (await queue.getJob('model-mismatch'))!;
    expect(again.attemptsMade).toBe(1);
    expect(again.failedReason).toContain(`runs smpsim ${VERSION} (model ${model}), the job needs smpsim ${VERSION} (model ${other}): refused`);
    await queue.close();
    w.child.kill('SIGTERM');
    expect(await w.exit).toBe(0);
  });

  it('a run that fails is failed once: the sweep stops with one line (exit 2); started again it queues it anew', async () => {
    // A worker that fails every run it takes (as a crashing build would).
    const taken: string[] = [];
    const broken = new Worker(
      QUEUE_NAME,
      async (job) => {
        taken.push(String(job.id));
        throw new Error('boom: this worker is broken');
      },
      { connection: connection(7) },
    );
    const out = path.join(tempDir(), 'q');
    const r = await cli(['sweep', ...SWEEP, '--queue', url(7), '--out', out]);
    await broken.close();
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
    expect(r.stderr).toMatch(/^smpsim: sweep: a run failed on the queue: boom: this worker is broken/);
    const queue = new Queue(QUEUE_NAME, { connection: connection(7) });
    const failed = await queue.getFailed();
    expect(failed.length).toBeGreaterThanOrEqual(1);
    // Failed once each, not retried: one attempt per job, no job taken twice.
    for (const j of failed) expect(j.attemptsMade).toBe(1);
    expect(new Set(taken).size).toBe(taken.length);
    await queue.close();
    // A working worker and the same command: the failed runs are queued again, same bytes.
    const w = await startWorker(7);
    const again = await cli(['sweep', ...SWEEP.filter((x) => x !== '--quiet'), '--queue', url(7), '--out', out]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('failed in an earlier sweep (boom: this worker is broken); queued again');
    expect(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')).toBe(reference);
    w.child.kill('SIGTERM');
    expect(await w.exit).toBe(0);
  });

  it('bad URL, unreachable Redis, wrong password: exit 2, one line, no password, no hang', async () => {
    const out = path.join(tempDir(), 'q');
    const dead = await freePort();
    const cases: Array<[string[], RegExp]> = [
      [['sweep', ...SWEEP, '--out', out, '--queue', `http://:${SECRET}@127.0.0.1:${port}`], /^--queue: unknown scheme http/],
      [['sweep', ...SWEEP, '--out', out, '--queue', `redis://:${SECRET}@127.0.0.1:${port}/x`], /^--queue: the database must be a number/],
      [['sweep', ...SWEEP, '--out', out, '--queue', `redis://:${SECRET}@127.0.0.1:${dead}`], /^--queue: cannot use Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: .*ECONNREFUSED/],
      [['sweep', ...SWEEP, '--out', out, '--queue', url(0, `${SECRET}-wrong`)], /^--queue: cannot use Redis at redis:\/\/:\*\*\*@.*(WRONGPASS|invalid)/],
      [['worker', '--queue', `redis://:${SECRET}@127.0.0.1:${dead}`], /^--queue: cannot use Redis at redis:\/\/:\*\*\*@/],
      [['sweep', ...SWEEP, '--out', out, '--jobs', '2', '--queue', url(0)], /^--jobs: not used with --queue/],
    ];
    for (const [argv, line] of cases) {
      const r = await cli(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
      expect(r.stderr).toMatch(line);
      noSecret(r.stdout, r.stderr);
    }
  });
});
