/**
 * Sweeps beyond one machine (issue 16): the runs of a sweep as BullMQ jobs on Redis.
 *
 * - The coordinator (`smpsim sweep … --queue URL`) keeps everything else of a local sweep:
 *   runSweep (src/study/sweep.ts) decides which runs to make (resume, pilots, --precision)
 *   and writes every file; only the executor differs. QueueExecutor.run enqueues one run
 *   and resolves with its RunOutput when a worker has computed it.
 * - A job is data only: the fully resolved scenario (seed and warm-up included), whether to
 *   record the series, the run limits, smpsim's version and the model fingerprint. Its id
 *   is the hash of all that, so the same run is one job however often a sweep is started:
 *   a restarted coordinator finds the jobs it had queued (done or not) instead of adding
 *   them again, and two workers never compute one run twice (except after a crash).
 * - A worker (`smpsim worker --queue URL`) takes jobs and runs them on its own pool of
 *   worker threads (src/study/pool.ts), so that its main thread stays free to renew the
 *   jobs' locks however long a run computes. A worker whose version or model fingerprint
 *   differs from the job's refuses it (UnrecoverableError: failed at once, not retried).
 * - Faults: a run that aborts (deadlock, limits) is a result (RunOutput ok: false), the
 *   coordinator stops as a local sweep would; a job that throws fails once (attempts: 1);
 *   a worker that dies (SIGKILL, power) stops renewing its lock and BullMQ's stalled-job
 *   check hands the job to another worker after the lock duration.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import { Job, Queue, QueueEvents, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { VERSION } from '../version.js';
import { modelFingerprint } from './fingerprint.js';
import { createExecutor, type Executor } from './pool.js';
import { parseQueueUrl, scrub, type QueueConnection, type QueueUrl } from './queue-url.js';
import type { RunOutput, RunTask } from './worker.js';

/** The BullMQ queue of smpsim runs (one per Redis database). */
export const QUEUE_NAME = 'smpsim-runs';

/** How long a first connection may take before it is reported as failed. */
const CONNECT_TIMEOUT_MS = 5000;

/** Finished jobs are kept this long (s), so a restarted coordinator finds their results. */
const KEEP_FINISHED_S = 7 * 24 * 3600;

/** How often (ms) the coordinator checks its pending jobs in Redis besides the events. */
const WATCH_MS = 2000;

/** What a job carries: data only. */
export interface QueueJobData {
  version: string;
  model: string;
  task: Omit<RunTask, 'progress'>;
}

/** What a worker returns: the run's output and who computed it (for "workers seen"). */
export interface QueueJobResult {
  worker: string;
  output: RunOutput;
}

/** The queue could not be reached or used: one line for the user (exit 2). */
export class QueueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueueError';
  }
}

/** The deterministic job id of a job's data. */
export function jobIdOf(data: QueueJobData): string {
  return `run-${crypto.createHash('sha256').update(JSON.stringify(data)).digest('hex')}`;
}

function reason(err: unknown, url: QueueUrl): string {
  const e = err as { message?: unknown; code?: unknown };
  const msg = typeof e?.message === 'string' && e.message !== '' ? e.message : typeof e?.code === 'string' ? e.code : String(err);
  return scrub(msg.split(/\r?\n/)[0]!.trim(), url.secret);
}

/** ioredis options: fail fast on the first connection, then reconnect (Redis restarted). */
function redisOptions(c: QueueConnection) {
  return {
    ...c,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // BullMQ requires null for its blocking connections; commands then wait for a reconnect.
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(times * 200, 2000),
  };
}

/**
 * Connect once, fail fast: an unreachable server, a refused password or a wrong port is one
 * line within CONNECT_TIMEOUT_MS, not a client retrying forever.
 */
export async function probe(url: QueueUrl): Promise<void> {
  const r = new Redis({
    ...url.connection,
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // The socket's error (ECONNREFUSED, ETIMEDOUT…) says more than connect()'s "Connection is closed".
  let first: unknown = null;
  r.on('error', (err: unknown) => {
    first ??= err;
  });
  try {
    await r.connect();
    await r.ping();
  } catch (err) {
    throw new QueueError(`--queue: cannot use Redis at ${url.display}: ${reason(first ?? err, url)}`);
  } finally {
    r.disconnect();
  }
}

export { parseQueueUrl };

interface Pending {
  data: QueueJobData;
  resolve: (r: QueueJobResult) => void;
  reject: (e: Error) => void;
}

/** The coordinator's executor: every run is a job on the queue. */
export class QueueExecutor implements Executor {
  /** No limit of its own: every run runSweep has to make is queued at once. */
  readonly jobs = 1_000_000;
  private readonly pending = new Map<string, Pending>();
  private readonly workers = new Set<string>();
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  private watching = false;

  private constructor(
    private readonly url: QueueUrl,
    private readonly model: string,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    /** A job this coordinator found failed by an earlier sweep and queued again. */
    private readonly onNote: (line: string) => void,
  ) {
    events.on('completed', ({ jobId, returnvalue }) => this.settle(jobId, returnvalue as unknown as QueueJobResult));
    events.on('failed', ({ jobId, failedReason }) => this.fail(jobId, failedReason));
    this.timer = setInterval(() => void this.watch(), WATCH_MS);
  }

  static async open(url: QueueUrl, onNote: (line: string) => void = () => {}): Promise<QueueExecutor> {
    await probe(url);
    const model = await modelFingerprint();
    const connection = redisOptions(url.connection);
    const queue = new Queue(QUEUE_NAME, { connection });
    const events = new QueueEvents(QUEUE_NAME, { connection });
    // Connection trouble after the probe: ioredis reconnects; nothing to print per attempt.
    queue.on('error', () => {});
    events.on('error', () => {});
    try {
      await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    } catch (err) {
      await Promise.allSettled([queue.close(), events.close()]);
      throw new QueueError(`--queue: cannot use Redis at ${url.display}: ${reason(err, url)}`);
    }
    return new QueueExecutor(url, model, queue, events, onNote);
  }

  /** The workers that have returned results so far. */
  get workersSeen(): number {
    return this.workers.size;
  }

  get display(): string {
    return this.url.display;
  }

  async run(task: RunTask): Promise<RunOutput> {
    const data: QueueJobData = { version: VERSION, model: this.model, task: { scenario: task.scenario, series: task.series, ...(task.limits === undefined ? {} : { limits: task.limits }) } };
    const id = jobIdOf(data);
    const result = new Promise<QueueJobResult>((resolve, reject) => {
      this.pending.set(id, { data, resolve, reject });
    });
    // Handled at once: cancel() may reject it while the job is still being added.
    result.catch(() => {});
    try {
      await this.enqueue(id, data, true);
    } catch (err) {
      this.fail(id, reason(err, this.url));
    }
    const r = await result;
    this.workers.add(r.worker);
    return r.output;
  }

  /** Add the job (a no-op when it exists), then look at it: it may be finished already. */
  private async enqueue(id: string, data: QueueJobData, retryFailed: boolean): Promise<void> {
    await this.queue.add('run', data, {
      jobId: id,
      attempts: 1,
      removeOnComplete: { age: KEEP_FINISHED_S },
      removeOnFail: { age: KEEP_FINISHED_S },
    });
    const job = await Job.fromId<QueueJobData, QueueJobResult>(this.queue, id);
    if (job === undefined) return;
    const state = await job.getState();
    if (state === 'completed') this.settle(id, job.returnvalue);
    else if (state === 'failed') {
      // Failed in an earlier sweep (a refusing worker, a crash): this sweep tries it once more.
      if (retryFailed) {
        this.onNote(`smpsim: sweep: a run failed in an earlier sweep (${job.failedReason}); queued again`);
        await job.retry('failed');
      } else this.fail(id, job.failedReason);
    }
  }

  /** Events can be missed (a reconnect) and Redis can lose its data (restarted without persistence). */
  private async watch(): Promise<void> {
    // One pass at a time: with thousands of pending runs a pass outlasts the interval.
    if (this.watching) return;
    this.watching = true;
    try {
      await this.watchPass();
    } finally {
      this.watching = false;
    }
  }

  private async watchPass(): Promise<void> {
    for (const [id, p] of [...this.pending]) {
      if (this.closed) return;
      try {
        const job = await Job.fromId<QueueJobData, QueueJobResult>(this.queue, id);
        if (job === undefined) {
          this.onNote(`smpsim: sweep: a queued run is gone from Redis (restarted without its data?); queued again`);
          await this.enqueue(id, p.data, false);
          continue;
        }
        const state = await job.getState();
        if (state === 'completed') this.settle(id, job.returnvalue);
        else if (state === 'failed') this.fail(id, job.failedReason);
      } catch {
        // Redis unreachable for now: ioredis reconnects; check again later.
      }
    }
  }

  private settle(id: string, r: QueueJobResult): void {
    const p = this.pending.get(id);
    if (p === undefined) return;
    this.pending.delete(id);
    p.resolve(r);
  }

  private fail(id: string, why: string): void {
    const p = this.pending.get(id);
    if (p === undefined) return;
    this.pending.delete(id);
    p.reject(new QueueError(`smpsim: sweep: a run failed on the queue: ${scrub(why, this.url.secret)}`));
  }

  /** The sweep stops (a failure): stop waiting for the other runs; their jobs stay queued. */
  cancel(): void {
    for (const [id, p] of [...this.pending]) {
      this.pending.delete(id);
      p.reject(new QueueError('smpsim: sweep: cancelled'));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await Promise.allSettled([this.events.close(), this.queue.close()]);
  }
}

export interface QueueWorkerOptions {
  concurrency: number;
  /** BullMQ lockDuration and stalledInterval (ms): how soon a dead worker's job moves on. */
  lockMs: number;
  /** One line per event worth telling (a refused job, a failed run). */
  onLine: (line: string) => void;
}

export interface QueueWorkerHandle {
  readonly id: string;
  readonly model: string;
  /** Runs computed so far. */
  readonly done: number;
  /** Stop taking jobs; wait for the current ones (force: hand them back at once). */
  close(force?: boolean): Promise<void>;
}

/** `smpsim worker`: take jobs from the queue until closed. */
export async function startQueueWorker(url: QueueUrl, opts: QueueWorkerOptions): Promise<QueueWorkerHandle> {
  await probe(url);
  const model = await modelFingerprint();
  const id = `${os.hostname()}:${process.pid}`;
  const pool = createExecutor(opts.concurrency, true);
  let done = 0;
  const worker = new Worker<QueueJobData, QueueJobResult>(
    QUEUE_NAME,
    async (job) => {
      const d = job.data;
      if (d.version !== VERSION || d.model !== model) {
        const why =
          `worker ${id} runs smpsim ${VERSION} (model ${model}), the job needs smpsim ${String(d.version)} (model ${String(d.model)}): ` +
          'refused, it would compute other numbers; run the same smpsim build on the coordinator and the workers';
        opts.onLine(`smpsim: worker: ${why}`);
        throw new UnrecoverableError(why);
      }
      const output = await pool.run({ ...d.task });
      done++;
      return { worker: id, output };
    },
    {
      connection: redisOptions(url.connection),
      concurrency: opts.concurrency,
      lockDuration: opts.lockMs,
      stalledInterval: opts.lockMs,
      // A job whose worker died twice is failed rather than passed round for ever.
      maxStalledCount: 2,
      autorun: false,
    },
  );
  worker.on('error', () => {
    // Connection trouble: ioredis reconnects; the stalled-job check covers the rest.
  });
  worker.on('failed', (job, err) => {
    if (!(err instanceof UnrecoverableError)) opts.onLine(`smpsim: worker: job ${job?.id ?? '?'} failed: ${scrub(err.message.split('\n')[0]!, url.secret)}`);
  });
  try {
    await worker.waitUntilReady();
  } catch (err) {
    await Promise.allSettled([worker.close(true), pool.close()]);
    throw new QueueError(`--queue: cannot use Redis at ${url.display}: ${reason(err, url)}`);
  }
  worker.run().catch((err: unknown) => opts.onLine(`smpsim: worker: stopped: ${reason(err, url)}`));
  return {
    id,
    model,
    get done() {
      return done;
    },
    close: async (force = false) => {
      await worker.close(force);
      await pool.close();
    },
  };
}
