/**
 * `smpsim worker --queue URL [--concurrency N]`: compute the runs of distributed sweeps
 * (`smpsim sweep … --queue URL`, src/study/queue.ts) until stopped. SIGINT/SIGTERM/SIGHUP:
 * take no more jobs, finish the current ones, exit 0; a second signal exits at once and
 * the unfinished jobs go to another worker after the lock duration (--lock-duration).
 */
import type { Command } from 'commander';
import { defaultJobs } from '../study/pool.js';
import { QueueUrlError, parseQueueUrl } from '../study/queue-url.js';
import { EXIT, UsageError, type CliIo } from './io.js';
import { QUEUE_SECRET_ENV } from '../study/queue-trust.js';
import { addLimitOptions, parseLimitOptions, type LimitOptionValues } from './limits.js';
import { loadQueue } from './queue-load.js';
import { parseIntOption, queueSecretOf } from './sweep.js';

/** Default --lock-duration (ms): BullMQ's default lock duration. */
export const DEFAULT_LOCK_MS = 30_000;

interface RawWorkerOptions extends LimitOptionValues {
  queue: string;
  queueSecret?: string;
  concurrency?: string;
  lockDuration?: string;
  quiet?: boolean;
}

export function registerWorker(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const cmd = program
    .command('worker')
    .description('run the jobs of distributed sweeps (smpsim sweep --queue) from a Redis queue until stopped')
    .requiredOption('--queue <url>', 'Redis: redis://[:PASSWORD@]HOST[:PORT][/DB], or rediss:// for TLS')
    .option('--queue-secret <secret>', `the secret results are signed with, as given to the sweep (else $${QUEUE_SECRET_ENV}); required unless Redis is on this machine`)
    .option('--concurrency <n>', 'runs in parallel on worker threads (default: the number of cores)')
    .option('--lock-duration <ms>', `a job whose worker stops answering for this long goes to another worker (default ${DEFAULT_LOCK_MS})`)
    .option('--quiet', 'print nothing but errors');
  // This worker's own limits per run, whatever a job asks (each job gets the smaller).
  addLimitOptions(cmd).action(async (opts: RawWorkerOptions) => {
    setExit(await executeWorker(opts, io));
  });
}

export async function executeWorker(o: RawWorkerOptions, io: CliIo): Promise<number> {
  let url;
  try {
    url = parseQueueUrl(o.queue);
  } catch (e) {
    if (e instanceof QueueUrlError) throw new UsageError(e.message);
    throw e;
  }
  const secret = queueSecretOf(url, o.queueSecret, io.env);
  const limits = parseLimitOptions(o);
  const concurrency = o.concurrency === undefined ? defaultJobs() : parseIntOption('--concurrency', o.concurrency, 1, 256);
  const lockMs = o.lockDuration === undefined ? DEFAULT_LOCK_MS : parseIntOption('--lock-duration', o.lockDuration, 1000, 3_600_000);
  // Redis is loaded only here (and by sweep --queue).
  const { QueueError, QUEUE_NAME, startQueueWorker } = await loadQueue('worker');
  let stopped!: () => void;
  const stop = new Promise<void>((resolve) => {
    stopped = resolve;
  });
  let signal: NodeJS.Signals | null = null;
  const unregister = io.onShutdown?.((s) => {
    signal = s;
    stopped();
  });
  let worker;
  try {
    worker = await startQueueWorker(url, { concurrency, lockMs, secret, limits, onLine: (l) => io.stderr(`${l}\n`) });
  } catch (e) {
    unregister?.();
    if (e instanceof QueueError) throw new UsageError(e.message);
    throw e;
  }
  if (o.quiet !== true) {
    io.stderr(`smpsim: worker ${worker.id}: taking runs from ${url.display} (queue ${QUEUE_NAME}), concurrency ${concurrency}, model ${worker.model}\n`);
  }
  // Without signal handling (in-process), the worker runs until the process ends.
  await stop;
  if (o.quiet !== true) io.stderr(`smpsim: worker ${worker.id}: ${signal ?? 'stop'}: finishing the current runs\n`);
  await worker.close();
  unregister?.();
  if (o.quiet !== true) io.stderr(`smpsim: worker ${worker.id}: stopped after ${worker.done} runs\n`);
  return EXIT.OK;
}
