/**
 * What the queue trusts (issue 20, item 5), against a real redis-server on a free loopback
 * port: a result edited, unsigned or malformed is rejected, logged once and the run queued
 * again (bounded), never exit 70 nor a partial output; workers cap every job's limits by
 * their own; a database the server lacks and a malformed URL are exit 2 at once; a sweep
 * with no worker says so (an injected interval, not a 30 s wait); rediss:// to a plain
 * port fails without a Node deprecation warning. Waits on counts and lines, never on time; no
 * time limit of its own (vitest.config.ts's backstop catches a hang), no lock that can lapse.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Job, Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { resolveScenario } from '../../src/scenario/load.js';
import { modelFingerprint } from '../../src/study/fingerprint.js';
import { QUEUE_NAME, QueueExecutor, QueueError, capLimits, jobIdOf, startQueueWorker, type QueueJobData } from '../../src/study/queue.js';
import { MAX_REJECTED_RESULTS, QueueSecretError, queueSecret, signResult, verifyResult } from '../../src/study/queue-trust.js';
import { QueueUrlError, parseQueueUrl } from '../../src/study/queue-url.js';
import { runTask, type RunOutput } from '../../src/study/worker.js';
import { VERSION } from '../../src/version.js';
import { ROOT, cli, tempDir } from '../cli/helpers.js';
import { freePort, requireRedis, skipRedis, startRedisServer } from './redis-server.js';

const SKIP = skipRedis('test/queue/trust.test.ts');
const SECRET = 'queue-secret-for-tests';
const SCENARIO = path.join(ROOT, 'scenarios', 'locktorture-ticket-vs-tas.yaml');
const SWEEP = [SCENARIO, '--vary', 'machine.cpus=1,2', '--set', 'stop.ops=2000', '--quiet'];

let port = 0;
const children: ChildProcess[] = [];
const url = (db: number) => `redis://127.0.0.1:${port}/${db}`;
const connection = (db: number) => ({ host: '127.0.0.1', port, db, maxRetriesPerRequest: null });
const tick = () => new Promise((r) => setTimeout(r, 50));
async function until(ok: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await ok())) await tick();
}

beforeAll(async () => {
  if (SKIP) return;
  requireRedis();
  port = await freePort();
  // The default 16 databases: /16 does not exist.
  children.push(await startRedisServer(port, tempDir('smpsim-redis-')));
});

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

const tiny = () => resolveScenario({ name: 'tiny', machine: { cpus: 2 }, workload: { type: 'locktorture' }, stop: { ops: 500 } }, 'tiny.yaml');

describe('signing (unit)', () => {
  const s = tiny();
  const output = runTask({ scenario: s, series: false });
  const json = JSON.stringify(s);
  const signed = signResult('run-1', 'host:1', output, SECRET);
  const viaRedis = () => JSON.parse(JSON.stringify(signed)) as Record<string, unknown>;

  it('a signed result read back from JSON verifies; the same bytes as computed', () => {
    const v = verifyResult('run-1', viaRedis(), SECRET, json);
    expect(v.ok).toBe(true);
    if (v.ok) expect(JSON.stringify(v.value.output)).toBe(JSON.stringify(output));
  });

  it('ops.per_sec=123456789 edited in Redis: forged', () => {
    const r = viaRedis() as { output: { result: { ops: { per_sec: number } } } };
    r.output.result.ops.per_sec = 123456789;
    expect(verifyResult('run-1', r, SECRET, json)).toMatchObject({ ok: false, why: expect.stringMatching(/^forged/) });
  });

  it('unsigned, another secret, another job, malformed but signed, another scenario: each rejected with its reason', () => {
    const { mac: _m, ...unsigned } = viaRedis();
    expect(verifyResult('run-1', unsigned, SECRET, json)).toMatchObject({ ok: false, why: expect.stringMatching(/^unsigned/) });
    expect(verifyResult('run-1', viaRedis(), 'other', json)).toMatchObject({ ok: false, why: expect.stringMatching(/^forged/) });
    expect(verifyResult('run-2', viaRedis(), SECRET, json)).toMatchObject({ ok: false, why: expect.stringMatching(/^forged/) });
    const bad = signResult('run-1', 'w', { ok: true, result: 'garbage', series: null } as unknown as RunOutput, SECRET);
    expect(verifyResult('run-1', bad, SECRET, json)).toMatchObject({ ok: false, why: expect.stringMatching(/^malformed: result/) });
    expect(verifyResult('run-1', viaRedis(), SECRET, JSON.stringify({ ...s, seed: 99 }))).toMatchObject({ ok: false, why: expect.stringMatching(/^malformed: its scenario/) });
    for (const raw of [null, 42, 'x', [], { mac: 'zz' }]) expect(verifyResult('run-1', raw, SECRET, json).ok).toBe(false);
  });

  it('the secret: required for a Redis elsewhere, from the option or SMPSIM_QUEUE_SECRET; loopback may go without', () => {
    const far = parseQueueUrl('redis://10.1.2.3:6379');
    expect(() => queueSecret(far, undefined, {})).toThrow(QueueSecretError);
    expect(() => queueSecret(far, undefined, {})).toThrow(/^--queue-secret: required for a Redis on another machine \(10\.1\.2\.3\)/);
    expect(queueSecret(far, undefined, { SMPSIM_QUEUE_SECRET: 'e' })).toBe('e');
    expect(queueSecret(far, 'o', { SMPSIM_QUEUE_SECRET: 'e' })).toBe('o');
    for (const h of ['127.0.0.1', 'localhost', '[::1]', '127.8.9.10']) expect(queueSecret(parseQueueUrl(`redis://${h}`), undefined, {})).toBe('');
  });

  it('a bad %-escape in the user or password: QueueUrlError (was URIError "URI malformed", exit 70)', () => {
    for (const u of ['redis://:pa%zzss@h', 'redis://us%4@h', 'redis://:%@h']) {
      expect(() => parseQueueUrl(u), u).toThrow(QueueUrlError);
      expect(() => parseQueueUrl(u), u).toThrow(/malformed %-escape in the user or password/);
    }
  });

  it('rediss:// to an IP address sends no SNI (Node warns DEP0123 for one)', () => {
    expect(parseQueueUrl('rediss://127.0.0.1:6380').connection.tls).toEqual({});
    expect(parseQueueUrl('rediss://redis.example.org').connection.tls).toEqual({ servername: 'redis.example.org' });
  });

  it("a job's limits are capped by the worker's, whatever the job says", () => {
    const own = { maxEvents: 1000, wallMs: 5000, memoryBytes: 1e9 };
    expect(capLimits({ maxEvents: 1e15, wallMs: 1e12, memoryBytes: 1e15 }, own)).toEqual(own);
    expect(capLimits({ maxEvents: 10, wallMs: -1, memoryBytes: 'x' }, own)).toEqual({ ...own, maxEvents: 10 });
    expect(capLimits(undefined, own)).toEqual(own);
  });
});

/** An in-process BullMQ worker that answers with `answer(attempt)` (a forger, a broken worker). */
function fakeWorker(db: number, answer: (job: Job<QueueJobData>, attempt: number) => unknown): { close: () => Promise<void>; taken: () => number } {
  let n = 0;
  const w = new Worker<QueueJobData>(QUEUE_NAME, async (job) => answer(job, ++n), { connection: connection(db) });
  w.on('error', () => {});
  return { close: () => w.close(), taken: () => n };
}

describe.skipIf(SKIP)('the coordinator checks results (real Redis)', () => {
  it('a forged result is rejected once, the run queued again, the honest result accepted', async () => {
    const notes: string[] = [];
    const ex = await QueueExecutor.open(parseQueueUrl(url(1)), { secret: SECRET, onNote: (l) => notes.push(l) });
    const s = tiny();
    const w = fakeWorker(1, (job, attempt) => {
      const output = runTask({ scenario: job.data.task.scenario, series: false });
      const signed = signResult(String(job.id), 'fake:1', output, SECRET);
      if (attempt === 1 && output.ok) output.result.ops.per_sec = 123456789; // edited after signing
      return signed;
    });
    const out = await ex.run({ scenario: s, series: false });
    await w.close();
    await ex.close();
    expect(out.ok && out.result.ops.per_sec).not.toBe(123456789);
    const honest = runTask({ scenario: s, series: false });
    const noWall = (o: RunOutput) => (o.ok ? { ...o, result: { ...o.result, wall_ms: 0 } } : o);
    expect(noWall(out)).toEqual(noWall(honest));
    expect(w.taken()).toBe(2);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^smpsim: sweep: a result for run run-[0-9a-f]+ was rejected \(forged: .*\); queued again \(1 of 2\)$/);
  });

  it(`malformed results every time: the sweep stops after ${MAX_REJECTED_RESULTS}, exit 2, no run file, no lock left (was exit 70)`, async () => {
    const w = fakeWorker(2, (job) => signResult(String(job.id), 'fake:2', { ok: true, result: { schema: 'x' }, series: null } as unknown as RunOutput, ''));
    const out = path.join(tempDir('smpsim-trust-'), 'o');
    const r = await cli(['sweep', ...SWEEP, '--queue', url(2), '--out', out]);
    await w.close();
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.stderr).toMatch(new RegExp(`was rejected \\(malformed: result\\.schema: .*\\), ${MAX_REJECTED_RESULTS} times: not queued again`));
    expect(fs.existsSync(path.join(out, 'summary.json'))).toBe(false);
    expect(fs.readdirSync(path.join(out, 'runs')).filter((f) => f.endsWith('.json'))).toEqual([]);
    expect(fs.existsSync(path.join(out, 'sweep.lock'))).toBe(false);
  });

  it('a sweep with no worker says so (queue name, jobs waiting), every interval; never "(undefined)"', async () => {
    const notes: string[] = [];
    const ex = await QueueExecutor.open(parseQueueUrl(url(3)), { noWorkerMs: 100, onNote: (l) => notes.push(l) });
    const pending = ex.run({ scenario: tiny(), series: false });
    pending.catch(() => {});
    await until(() => notes.length >= 2);
    ex.cancel();
    await ex.close();
    expect(notes[0]).toMatch(new RegExp(`^smpsim: sweep: no worker is taking runs from queue ${QUEUE_NAME} at redis://127\\.0\\.0\\.1:\\d+/3: 1 jobs waiting \\(1 runs of this sweep\\); start one with: smpsim worker --queue URL$`));
    // A job failed by hand (no reason recorded) and found by the next sweep: no "(undefined)".
    const q = new Queue(QUEUE_NAME, { connection: connection(3) });
    const job = (await q.getWaiting())[0]!;
    const bare = new Worker(QUEUE_NAME, async () => {
      throw new Error('');
    }, { connection: connection(3) });
    await until(async () => (await job.getState()) === 'failed');
    await bare.close();
    const more: string[] = [];
    const ex2 = await QueueExecutor.open(parseQueueUrl(url(3)), { onNote: (l) => more.push(l) });
    const again = ex2.run({ scenario: tiny(), series: false });
    again.catch(() => {});
    await until(() => more.length >= 1);
    ex2.cancel();
    await ex2.close();
    await q.close();
    expect(more[0]).toBe('smpsim: sweep: a run failed in an earlier sweep (no reason recorded); queued again');
    expect([...notes, ...more].join('\n')).not.toContain('undefined');
  });
});

describe.skipIf(SKIP)('workers enforce their own limits (real Redis)', () => {
  it('a job asking for 1e15 events stops at the worker --max-events; one asking 10M tasks fails naming the field', async () => {
    const lines: string[] = [];
    const worker = await startQueueWorker(parseQueueUrl(url(4)), { concurrency: 1, lockMs: 3_600_000, limits: { maxEvents: 5000 }, onLine: (l) => lines.push(l) });
    const q = new Queue<QueueJobData>(QUEUE_NAME, { connection: connection(4) });
    const model = await modelFingerprint();
    const long = resolveScenario({ name: 'long', machine: { cpus: 2 }, workload: { type: 'locktorture' }, stop: { ops: 1e12 } }, 'l.yaml');
    const a: QueueJobData = { version: VERSION, model, task: { scenario: long, series: false, limits: { maxEvents: 1e15, wallMs: 1e12 } } };
    const big = resolveScenario({ name: 'big', machine: { cpus: 2 }, workload: { type: 'locktorture', tasks: 10_000_000 }, stop: { ops: 1 } }, 'b.yaml');
    const b: QueueJobData = { version: VERSION, model, task: { scenario: big, series: false, limits: { memoryBytes: 1e15 } } };
    const ja = await q.add('run', a, { jobId: jobIdOf(a) });
    const jb = await q.add('run', b, { jobId: jobIdOf(b) });
    // Data whose id is not its hash: refused.
    const jc = await q.add('run', a, { jobId: 'run-not-its-hash' });
    await until(async () => (await ja.getState()) === 'completed' && (await jb.getState()) === 'failed' && (await jc.getState()) === 'failed');
    const done = (await Job.fromId(q, ja.id!))!;
    expect(done.returnvalue.output).toMatchObject({ ok: false, aborted: { reason: 'event_limit', message: expect.stringContaining('event limit of 5000 events') } });
    expect((await Job.fromId(q, jb.id!))!.failedReason).toMatch(/^workload\.tasks: 10000000 tasks need ~11 GB/);
    expect((await Job.fromId(q, jc.id!))!.failedReason).toMatch(/does not hash to its id/);
    await q.close();
    await worker.close();
  });
});

describe.skipIf(SKIP)('URLs that cannot work: exit 2 at once, one line', () => {
  it('a database the server lacks (/16): exit 2 naming it, no sweep.lock left (was a silent hang)', async () => {
    const out = path.join(tempDir('smpsim-trust-'), 'o');
    const r = await cli(['sweep', ...SWEEP, '--queue', url(16), '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^--queue: cannot use Redis at redis:\/\/127\.0\.0\.1:\d+\/16: it has no database 16 \(.*DB index is out of range\)/);
    expect(fs.existsSync(path.join(out, 'sweep.lock'))).toBe(false);
    const w = await cli(['worker', '--queue', url(16)]);
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/it has no database 16/);
  });

  it('a bad %-escape: exit 2 one line (sweep and worker); rediss:// to a plain port: exit 2, no deprecation warning', async () => {
    for (const argv of [['sweep', ...SWEEP, '--out', path.join(tempDir(), 'o'), '--queue', `redis://:pa%zz@127.0.0.1:${port}`], ['worker', '--queue', `redis://us%4:x@127.0.0.1:${port}`]]) {
      const r = await cli(argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^--queue: a malformed %-escape in the user or password/);
      expect(r.stderr).not.toMatch(/pa%zz/);
    }
    const warn = vi.spyOn(process, 'emitWarning');
    const t = await cli(['sweep', ...SWEEP, '--out', path.join(tempDir(), 'o'), '--queue', `rediss://127.0.0.1:${port}`]);
    expect(t.code).toBe(2);
    expect(t.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(t.stderr).toMatch(/^--queue: cannot use Redis at rediss:\/\/127\.0\.0\.1:\d+: /);
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([]);
    warn.mockRestore();
  });

  it('a Redis elsewhere without a secret: exit 2, one line, before connecting', async () => {
    const r = await cli(['sweep', ...SWEEP, '--out', path.join(tempDir(), 'o'), '--queue', 'redis://10.255.255.1:6379']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^--queue-secret: required for a Redis on another machine/);
    expect(QueueError).toBeDefined();
  });
});
