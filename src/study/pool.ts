/**
 * Where a sweep's runs execute: in this thread (`--jobs 1`), or on a piscina pool of worker
 * threads (`--jobs N`, N > 1). Both call the same `runTask` (src/study/worker.ts); each run
 * is independent and deterministic, so the choice changes only the wall time.
 *
 * The workers run TypeScript: from the sources (tsx), a small .mjs bootstrap registers
 * tsx's loader in each worker before importing worker.ts; from a compiled build the worker
 * is dist/study/worker.js itself.
 */
import os from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { runTask, type RunOutput, type RunTask } from './worker.js';

export interface Executor {
  /** Run one task; `onProgress` (fraction of this run) only where the run is observable. */
  run(task: RunTask, onProgress?: (fraction: number) => void): Promise<RunOutput>;
  close(): Promise<void>;
  readonly jobs: number;
  /** The sweep stops on a failure: stop waiting for runs not yet started (the queue). */
  cancel?(): void;
}

/** Default --jobs: the cores this process may use. */
export function defaultJobs(): number {
  return Math.max(1, os.availableParallelism());
}

class InlineExecutor implements Executor {
  readonly jobs = 1;
  async run(task: RunTask, onProgress?: (fraction: number) => void): Promise<RunOutput> {
    // Let the event loop breathe between runs (signals, progress timers).
    await new Promise<void>((resolve) => setImmediate(resolve));
    return runTask(task, onProgress);
  }
  async close(): Promise<void> {}
}

/** The worker module, and whether it is the tsx bootstrap (running from sources). */
function workerFile(): { filename: string; bootstrap: boolean } {
  const here = import.meta.url;
  return here.endsWith('.js')
    ? { filename: new URL('./worker.js', here).href, bootstrap: false }
    : { filename: new URL('./worker-bootstrap.mjs', here).href, bootstrap: true };
}

class PoolExecutor implements Executor {
  private readonly pool: Piscina<RunTask, RunOutput>;
  constructor(readonly jobs: number) {
    const w = workerFile();
    this.pool = new Piscina<RunTask, RunOutput>({
      filename: w.filename,
      // The bootstrap registers tsx itself; inheriting `--import tsx` too would chain two loaders.
      ...(w.bootstrap ? { execArgv: [] } : {}),
      minThreads: jobs,
      maxThreads: jobs,
      // One run at a time per worker: runs are long and CPU-bound.
      concurrentTasksPerWorker: 1,
      // A run allocates fast (events, generator frames) and keeps little: a larger young
      // generation means fewer scavenges. Measured on the sweep-jobs benchmark: 6.2 s with
      // 128 MiB against 6.8 s with the default (48 MiB: 6.9 s, 256 MiB: 6.3 s).
      resourceLimits: { maxYoungGenerationSizeMb: 128 },
      idleTimeout: 60_000,
    });
  }
  run(task: RunTask, onProgress?: (fraction: number) => void): Promise<RunOutput> {
    if (onProgress === undefined) return this.pool.run(task);
    // The worker reports the run's progress on a port of its own (worker.ts).
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (f: unknown) => {
      if (typeof f === 'number') onProgress(f);
    });
    return this.pool.run({ ...task, progress: port2 }, { transferList: [port2] }).finally(() => port1.close());
  }
  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

/**
 * `threads`: run even a single job on a worker thread, so that the main thread stays free
 * to answer signals (Ctrl-C) while a run computes — a run in the main thread is one long
 * synchronous call. The CLI asks for it; in-process callers (tests) need not.
 */
export function createExecutor(jobs: number, threads = false): Executor {
  return jobs <= 1 && !threads ? new InlineExecutor() : new PoolExecutor(Math.max(1, jobs));
}
