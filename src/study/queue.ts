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
import { DEFAULT_LIMITS, type RunLimits } from '../model/run.js';
import { defaultMemoryBudget } from '../scenario/memory.js';
import { parseQueueUrl, scrub, type QueueConnection, type QueueUrl } from './queue-url.js';
import { MAX_REJECTED_RESULTS, signResult, verifyResult, type SignedJobResult } from './queue-trust.js';
import type { RunOutput, RunTask } from './worker.js';

/** The BullMQ queue of smpsim runs (one per Redis database). */
export const QUEUE_NAME = 'smpsim-runs';

/** How long a first connection may take before it is reported as failed. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * rediss:// to a port that does not speak TLS: the server waits for a command line that
 * never comes, so only a timeout ends the handshake. A TLS handshake needs a few round
 * trips; this is ample for one across the world.
 */
const TLS_HANDSHAKE_TIMEOUT_MS = 2000;

/** How often (ms) a sweep whose runs nobody takes says so. */
export const NO_WORKER_NOTICE_MS = 30_000;

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

/** What a worker returns: the run's output, who computed it (for "workers seen"), signed (queue-trust.ts). */
export type QueueJobResult = SignedJobResult;

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
 * Connect once, fail fast: an unreachable server, a refused password, a wrong port, a TLS
 * URL to a plain port or a database the server does not have is one line within
 * CONNECT_TIMEOUT_MS, not a client retrying (or waiting) forever.
 */
export async function probe(url: QueueUrl): Promise<void> {
  const { db, ...server } = url.connection;
  const r = new Redis({
    ...server,
    // SELECT is sent below, where its error can be seen: ioredis's own SELECT on connect
    // fails without rejecting connect() (a database the server lacks hung the sweep).
    db: 0,
    lazyConnect: true,
    connectTimeout: url.connection.tls === undefined ? CONNECT_TIMEOUT_MS : TLS_HANDSHAKE_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // The socket's error (ECONNREFUSED, ETIMEDOUT…) says more than connect()'s "Connection is closed".
  let first: unknown = null;
  r.on('error', (err: unknown) => {
    first ??= err;
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS + 500);
  });
  try {
    await Promise.race([
      (async () => {
        await r.connect();
        await r.ping();
        if (db !== 0) {
          try {
            await r.select(db);
          } catch (err) {
            throw new QueueError(`--queue: cannot use Redis at ${url.display}: it has no database ${db} (${reason(err, url)}); use a database 0..N-1 of its "databases N" setting`);
          }
        }
      })(),
      deadline,
    ]);
  } catch (err) {
    if (err instanceof QueueError) throw err;
    throw new QueueError(`--queue: cannot use Redis at ${url.display}: ${reason(first ?? err, url)}`);
  } finally {
    clearTimeout(timer);
    r.disconnect();
  }
}

export { parseQueueUrl };

/** A failed job's reason as told (BullMQ leaves it unset when a job was failed by hand). */
function failedWhy(r: string | undefined): string {
  // Read from Redis: one line, cut short.
  const line = typeof r === 'string' ? r.split(/\r?\n/)[0]!.trim() : '';
  return line === '' ? 'no reason recorded' : line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

/** A job's field as shown in a refusal: its value, or "none" when the job has none. */
function shown(v: unknown): string {
  return typeof v === 'string' && v !== '' ? v.replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, 80) : 'none';
}

/** A worker's own limits, filled from the defaults. */
function ownLimits(l: RunLimits | undefined): Required<RunLimits> {
  return {
    maxEvents: l?.maxEvents ?? DEFAULT_LIMITS.maxEvents,
    wallMs: l?.wallMs ?? DEFAULT_LIMITS.wallMs,
    memoryBytes: l?.memoryBytes ?? defaultMemoryBudget(),
  };
}

/** The job's limits capped by the worker's: each the smaller; a job's value that is no positive number is ignored. */
export function capLimits(job: unknown, own: Required<RunLimits>): Required<RunLimits> {
  const j = (typeof job === 'object' && job !== null ? job : {}) as Record<string, unknown>;
  const pick = (k: keyof RunLimits) => {
    const v = j[k];
    return typeof v === 'number' && v > 0 && v < own[k] ? v : own[k];
  };
  return { maxEvents: pick('maxEvents'), wallMs: pick('wallMs'), memoryBytes: pick('memoryBytes') };
}

interface Pending {
  data: QueueJobData;
  /** JSON of the scenario the run asked for: a result must embed exactly this one. */
  scenarioJson: string;
  resolve: (r: QueueJobResult) => void;
  reject: (e: Error) => void;
  /** Results rejected so far (forged, unsigned, malformed). */
  rejected: number;
  /** A rejected result is being queued again: its events and watch passes are not news. */
  requeueing: boolean;
}

export interface QueueExecutorOptions {
  /** The queue secret (queue-trust.ts queueSecret): the key of the results' HMAC. */
  secret?: string;
  /** One line per event worth telling (a run queued again, a rejected result, no worker). */
  onNote?: (line: string) => void;
  /** How often (ms) to say that no worker takes the runs (default NO_WORKER_NOTICE_MS). */
  noWorkerMs?: number;
}

/** The coordinator's executor: every run is a job on the queue. */
export class QueueExecutor implements Executor {
  /** No limit of its own: every run runSweep has to make is queued at once. */
  readonly jobs = 1_000_000;
  private readonly pending = new Map<string, Pending>();
  private readonly workers = new Set<string>();
  private readonly timer: NodeJS.Timeout;
  private readonly idleTimer: NodeJS.Timeout;
  private closed = false;
  private watching = false;
  /** Results accepted since the last no-worker check. */
  private progressed = false;
  /** When this coordinator opened (ms): a job created before it was queued by an earlier sweep. */
  private readonly openedAt = Date.now();
  /** Runs found already finished in Redis when queued (an earlier sweep's jobs), not computed for this one. */
  private readonly found = new Set<string>();
  private readonly secret: string;
  private readonly onNote: (line: string) => void;

  private constructor(
    private readonly url: QueueUrl,
    private readonly model: string,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    opts: QueueExecutorOptions,
  ) {
    this.secret = opts.secret ?? '';
    this.onNote = opts.onNote ?? (() => {});
    events.on('completed', ({ jobId, returnvalue }) => this.settle(jobId, returnvalue));
    events.on('failed', ({ jobId, failedReason }) => this.fail(jobId, failedReason));
    this.timer = setInterval(() => void this.watch(), WATCH_MS);
    this.idleTimer = setInterval(() => void this.noWorkerCheck(), opts.noWorkerMs ?? NO_WORKER_NOTICE_MS);
  }

  static async open(url: QueueUrl, opts: QueueExecutorOptions = {}): Promise<QueueExecutor> {
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
    return new QueueExecutor(url, model, queue, events, opts);
  }

  /** Runs waiting and no worker connected: say so (queue name, jobs waiting), every noWorkerMs. */
  private async noWorkerCheck(): Promise<void> {
    const progressed = this.progressed;
    this.progressed = false;
    if (this.closed || this.pending.size === 0 || progressed) return;
    try {
      const [workers, waiting] = await Promise.all([this.queue.getWorkersCount(), this.queue.getWaitingCount()]);
      if (workers === 0 && !this.closed) {
        this.onNote(
          `smpsim: sweep: no worker is taking runs from queue ${QUEUE_NAME} at ${this.url.display}: ${waiting} jobs waiting ` +
            `(${this.pending.size} runs of this sweep); start one with: smpsim worker --queue URL`,
        );
      }
    } catch {
      // Redis unreachable for now: the next check says more.
    }
  }

  /** Runs whose results were found finished in Redis, queued and computed by an earlier sweep. */
  get foundFinished(): number {
    return this.found.size;
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
    const scenarioJson = JSON.stringify(task.scenario);
    const result = new Promise<QueueJobResult>((resolve, reject) => {
      this.pending.set(id, { data, scenarioJson, resolve, reject, rejected: 0, requeueing: false });
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
    const job = await Job.fromId<QueueJobData, unknown>(this.queue, id);
    if (job === undefined) return;
    const state = await job.getState();
    if (state === 'completed') {
      // Created before this sweep began: an earlier sweep's result, not computed for this one.
      if (job.timestamp < this.openedAt && this.pending.has(id)) this.found.add(id);
      this.settle(id, job.returnvalue);
    } else if (state === 'failed') {
      // Failed in an earlier sweep (a refusing worker, a crash): this sweep tries it once more.
      if (retryFailed) {
        this.onNote(`smpsim: sweep: a run failed in an earlier sweep (${failedWhy(job.failedReason)}); queued again`);
        await job.retry('failed');
      } else this.fail(id, failedWhy(job.failedReason));
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
      if (p.requeueing) continue;
      try {
        const job = await Job.fromId<QueueJobData, unknown>(this.queue, id);
        if (job === undefined) {
          this.onNote(`smpsim: sweep: a queued run is gone from Redis (restarted without its data?); queued again`);
          await this.enqueue(id, p.data, false);
          continue;
        }
        const state = await job.getState();
        if (state === 'completed') this.settle(id, job.returnvalue);
        else if (state === 'failed') this.fail(id, failedWhy(job.failedReason));
      } catch {
        // Redis unreachable for now: ioredis reconnects; check again later.
      }
    }
  }

  /**
   * A finished job's returnvalue, as read from Redis: accepted only with a valid signature,
   * the shape of a run's output and the job's own scenario; otherwise rejected (one line)
   * and the run queued again, MAX_REJECTED_RESULTS times at most, then the sweep stops (exit 2).
   */
  private settle(id: string, raw: unknown): void {
    const p = this.pending.get(id);
    if (p === undefined || p.requeueing) return;
    const v = verifyResult(id, raw, this.secret, p.scenarioJson);
    if (v.ok) {
      this.pending.delete(id);
      this.progressed = true;
      p.resolve(v.value);
      return;
    }
    p.rejected++;
    this.found.delete(id);
    const what = `a result for run ${id.slice(0, 16)} was rejected (${v.why})`;
    if (p.rejected >= MAX_REJECTED_RESULTS) {
      this.fail(id, `${what}, ${p.rejected} times: not queued again; check who writes to this Redis and that the sweep and the workers share one --queue-secret`);
      return;
    }
    this.onNote(`smpsim: sweep: ${what}; queued again (${p.rejected} of ${MAX_REJECTED_RESULTS - 1})`);
    p.requeueing = true;
    void this.requeue(id, p);
  }

  /** Compute a run again: its job back to waiting (or, if it is gone, added anew). */
  private async requeue(id: string, p: Pending): Promise<void> {
    try {
      const job = await Job.fromId<QueueJobData, unknown>(this.queue, id);
      if (job === undefined) await this.queue.add('run', p.data, { jobId: id, attempts: 1, removeOnComplete: { age: KEEP_FINISHED_S }, removeOnFail: { age: KEEP_FINISHED_S } });
      else await job.retry('completed');
    } catch (err) {
      this.fail(id, `a rejected result could not be queued again: ${reason(err, this.url)}`);
    } finally {
      p.requeueing = false;
    }
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
    clearInterval(this.idleTimer);
    await Promise.allSettled([this.events.close(), this.queue.close()]);
  }
}

export interface QueueWorkerOptions {
  concurrency: number;
  /** The queue secret (queue-trust.ts): the key of the results' HMAC. */
  secret?: string;
  /**
   * This worker's own limits per run, whatever a job asks: each is the smaller of the job's
   * and this one (defaults: DEFAULT_LIMITS and the default memory budget).
   */
  limits?: RunLimits;
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
  const own = ownLimits(opts.limits);
  const secret = opts.secret ?? '';
  let done = 0;
  const refuse = (why: string): never => {
    opts.onLine(`smpsim: worker: ${why}`);
    throw new UnrecoverableError(why);
  };
  const worker = new Worker<QueueJobData, QueueJobResult>(
    QUEUE_NAME,
    async (job) => {
      const d = job.data as Partial<QueueJobData> | null;
      if (d === null || typeof d !== 'object' || typeof d.task !== 'object' || d.task === null || typeof d.task.scenario !== 'object' || d.task.scenario === null) {
        refuse(`job ${job.id ?? '?'} is not an smpsim run (no task with a scenario): refused`);
      }
      const data = d as QueueJobData;
      if (data.version !== VERSION || data.model !== model) {
        refuse(
          `worker ${id} runs smpsim ${VERSION} (model ${model}), the job needs smpsim ${shown(data.version)} (model ${shown(data.model)}): ` +
            'refused, it would compute other numbers; run the same smpsim build on the coordinator and the workers',
        );
      }
      // The id is the hash of the data: data edited in Redis after it was queued is not the run the sweep asked for.
      if (job.id !== jobIdOf(data)) refuse(`job ${job.id ?? '?'}: its data does not hash to its id (edited in Redis?): refused`);
      const output = await pool.run({ scenario: data.task.scenario, series: data.task.series === true, limits: capLimits(data.task.limits, own) });
      done++;
      return signResult(job.id!, id, output, secret);
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
