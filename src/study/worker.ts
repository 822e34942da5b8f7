/**
 * One run of a sweep, as a pure function of its task: the body of the worker threads
 * (src/study/pool.ts) and of the in-process executor alike, so `--jobs 1` and `--jobs N` run
 * exactly the same code. A SimulationAborted is returned as data, since an exception's class
 * does not survive the trip back from a worker thread.
 */
import { SimulationAborted } from '../engine/sim.js';
import { runScenario, type RunLimits } from '../model/run.js';
import type { Result } from '../report/result.js';
import type { ResolvedScenario } from '../scenario/types.js';
import type { MessagePort } from 'node:worker_threads';
import { SeriesCollector, type RunSeries } from './series.js';

export interface RunTask {
  scenario: ResolvedScenario;
  /** Record the run's time series (pilot runs of --warmup auto). */
  series: boolean;
  /** --max-events, --max-wall. */
  limits?: RunLimits;
  /** Where a worker thread posts the run's progress (fractions 0..1), when watched. */
  progress?: MessagePort;
}

export type RunOutput =
  | { ok: true; result: Result; series: RunSeries | null }
  | { ok: false; aborted: { reason: SimulationAborted['reason']; message: string; diagnosis: string } };

export function runTask(task: RunTask, onProgress?: (fraction: number) => void): RunOutput {
  const collector = task.series ? new SeriesCollector() : null;
  try {
    const result = runScenario(task.scenario, {
      onProgress,
      limits: task.limits,
      onOpSample: collector === null ? undefined : collector.add,
    });
    const end = result.warmup_ns + result.sim_time_ns;
    return { ok: true, result, series: collector === null ? null : collector.finish(end) };
  } catch (e) {
    if (e instanceof SimulationAborted) return { ok: false, aborted: { reason: e.reason, message: e.message, diagnosis: e.diagnosis } };
    throw e;
  }
}

/** piscina calls the default export with the task. */
export default function (task: RunTask): RunOutput {
  const port = task.progress;
  if (port === undefined) return runTask(task);
  try {
    return runTask({ ...task, progress: undefined }, (f) => port.postMessage(f));
  } finally {
    port.close();
  }
}
