/**
 * A sweep: every point (an assignment of the --vary paths) × replication is one
 * deterministic run, seeded with runSeed(scenario seed, replication, point key). Runs go
 * to an executor (this thread or a worker pool); each finished run is written at once,
 * atomically, to DIR/runs/<point>-<rep>.json, and a rerun of the same sweep takes every
 * valid file as done, so a killed sweep resumes where it stopped.
 *
 * Per point, in order:
 *   1. --warmup auto: a pilot run (replication 0's seed, no warm-up) records its time
 *      series; MSER-5 picks the truncation (src/study/series.ts); the point's
 *      replications then run with that stop.warmup.
 *   2. replications 0..R−1;
 *   3. --precision p: after each completed replication, JMT's rule (src/study/ci.ts) —
 *      one more replication until CI half-width/|mean| ≤ p for --metric, or
 *      --max-replications.
 * Decisions depend only on the point's own results, so the runs made, and every byte of
 * the summary, are the same for any --jobs and any interruption.
 */
import path from 'node:path';
import { SimulationAborted } from '../engine/sim.js';
import { warmupNotReached, type Result } from '../report/result.js';
import type { Warmup } from '../scenario/types.js';
import { stopDecision } from './ci.js';
import { PILOT_SCHEMA, RUN_SCHEMA, readPilotFile, readRunFile, runFileName, writeOwned, type PilotFile, type RunFile } from './files.js';
import type { OutputDir } from '../files/manifest.js';
import { createExecutor, type Executor } from './pool.js';
import { chooseWarmup, warmupSetting, type WarmupChoice } from './series.js';
import { metricValues, summarize, summaryCsv, summaryJson, type SweepSummary } from './summary.js';
import type { RunOutput } from './worker.js';
import type { RunLimits } from '../model/run.js';
import { lockDir, makeSweepDir, prepareDir, type DirLock } from './sweep-dir.js';
import { manifestOf } from './sweep-manifest.js';
import { assignmentText, pointKey, replicationScenario, type SweepPoint, type SweepSpec } from './sweep-spec.js';

// The parts: src/study/sweep-spec.ts (points, keys, seeds), src/study/sweep-manifest.ts
// (DIR/sweep.json), src/study/sweep-dir.ts (the folder and its lock).
export type { DirLock } from './sweep-dir.js';
export type { SweepPoint, SweepSpec } from './sweep-spec.js';

export interface SweepOptions {
  dir: string;
  jobs: number;
  /** Discard a sweep with a different spec found in `dir`. */
  force: boolean;
  /** Progress: runs done and the current estimate of runs in all. */
  onProgress?: (done: number, total: number, label: string) => void;
  /** Notes for stderr: corrupt files recomputed, a warm-up that did not settle. */
  onNote?: (line: string) => void;
  /** Runaway guards of each run (--max-events, --max-wall); the defaults otherwise. */
  limits?: RunLimits;
  /** Run even --jobs 1 on a worker thread (the CLI: keeps the main thread free for signals). */
  threads?: boolean;
  /** Called with the directory's lock once taken (the CLI releases it on an interrupt). */
  onLock?: (lock: DirLock) => void;
  /** Use this executor instead of creating one (tests). */
  executor?: Executor;
}

export interface SweepOutcome {
  summary: SweepSummary;
  /** Runs computed now (pilots included). */
  executed: number;
  /** Runs taken from files of an earlier, interrupted sweep. */
  reused: number;
  /** Run files found corrupt and recomputed. */
  corrupt: number;
}

// ---------------------------------------------------------------------------------------
// The run loop

type Job = { point: number; rep: number } | { point: number; pilot: true };

interface PointState {
  p: SweepPoint;
  key: string;
  /** undefined until the pilot has decided (--warmup auto). */
  warmup: Warmup | null | undefined;
  choice: WarmupChoice | null;
  results: Array<Result | undefined>;
  /** Replications wanted so far. */
  target: number;
  /** Replications completed. */
  done: number;
  finished: boolean;
  converged: boolean | null;
}

/** What a job gave: a replication's result, or a pilot's warm-up choice. */
type Done = { kind: 'run'; result: Result } | { kind: 'pilot'; pilot: PilotFile };

function isPilot(j: Job): j is { point: number; pilot: true } {
  return 'pilot' in j;
}

export async function runSweep(spec: SweepSpec, opts: SweepOptions): Promise<SweepOutcome> {
  const dir = opts.dir;
  const runsDir = path.join(dir, 'runs');
  makeSweepDir(dir);
  const lock = lockDir(dir);
  opts.onLock?.(lock);
  try {
    const outDir = prepareDir(dir, manifestOf(spec), opts.force);
    return await runSweepIn(spec, opts, outDir, runsDir);
  } finally {
    lock.release();
  }
}

async function runSweepIn(spec: SweepSpec, opts: SweepOptions, outDir: OutputDir, runsDir: string): Promise<SweepOutcome> {
  const note = opts.onNote ?? (() => {});
  const states: PointState[] = spec.points.map((p) => ({
    p,
    key: pointKey(p.assignments),
    warmup: spec.warmup === 'auto' ? undefined : p.scenario.stop.warmup,
    choice: null,
    results: [],
    target: spec.replications,
    done: 0,
    finished: false,
    converged: null,
  }));
  const queue: Job[] = [];
  // Biggest machines first (a run's cost grows with its CPUs and tasks), so that parallel
  // workers do not end on one long run while the others idle. Results do not depend on
  // the order: everything is assembled in point order.
  const cost = (st: PointState) => st.p.scenario.machine.cpus + st.p.scenario.workload.tasks;
  const order = [...states].sort((a, b) => cost(b) - cost(a) || a.p.index - b.p.index);
  for (const st of order) {
    if (st.warmup === undefined) queue.push({ point: st.p.index, pilot: true });
    else for (let r = 0; r < st.target; r++) queue.push({ point: st.p.index, rep: r });
  }
  let executed = 0;
  let reused = 0;
  let corrupt = 0;
  let completed = 0;
  const totalEstimate = () => states.reduce((n, s) => n + (spec.warmup === 'auto' ? 1 : 0) + s.target, 0);
  const labelOf = (j: Job) => {
    const st = states[j.point]!;
    const a = assignmentText(st.p.assignments) || st.p.scenario.name;
    return isPilot(j) ? `${a} pilot` : `${a} #${j.rep}`;
  };

  const pilotScenario = (st: PointState) => replicationScenario(st.p, st.key, 0, null);

  /** A finished job → state changes, maybe more jobs. */
  const complete = (j: Job, done: Done) => {
    const st = states[j.point]!;
    completed++;
    if (done.kind === 'pilot') {
      const pilot = done.pilot;
      st.choice = pilot.choice;
      st.warmup = warmupSetting(pilot.choice, pilot.stop_reason);
      if (pilot.choice.at_limit) {
        note(
          `smpsim: sweep: point ${st.p.index} (${assignmentText(st.p.assignments) || 'the scenario'}): MSER-5 found no steady state in the first half of the pilot run; lengthen stop.time or stop.ops`,
        );
      }
      for (let r = 0; r < st.target; r++) queue.push({ point: j.point, rep: r });
      return;
    }
    if (isPilot(j)) return;
    st.results[j.rep] = done.result;
    st.done++;
    if (st.done < st.target) return;
    if (spec.precision === null) {
      st.finished = true;
      return;
    }
    const values = metricValues(st.results.slice(0, st.target) as Result[], spec.metric);
    const d = stopDecision(values, { precision: spec.precision, maxReplications: spec.maxReplications });
    if (d.stop) {
      st.finished = true;
      st.converged = d.converged;
    } else {
      queue.push({ point: j.point, rep: st.target });
      st.target++;
    }
  };

  /** A job whose valid file is already there: its outcome without running. */
  const fromFile = (j: Job): Done | null => {
    const st = states[j.point]!;
    const file = path.join(runsDir, runFileName(j.point, isPilot(j) ? 'pilot' : j.rep));
    if (isPilot(j)) {
      const r = readPilotFile(file, { point: j.point, pointKey: st.key, seed: pilotScenario(st).seed });
      if (r.kind === 'ok') return { kind: 'pilot', pilot: r.value };
      if (r.kind === 'corrupt') {
        corrupt++;
        note(`smpsim: sweep: ${file}: ${r.why}; recomputing it`);
      }
      return null;
    }
    const scenario = replicationScenario(st.p, st.key, j.rep, st.warmup!);
    const r = readRunFile(file, { point: j.point, pointKey: st.key, rep: j.rep, scenarioJson: JSON.stringify(scenario) });
    if (r.kind === 'ok') return { kind: 'run', result: r.value.result };
    if (r.kind === 'corrupt') {
      corrupt++;
      note(`smpsim: sweep: ${file}: ${r.why}; recomputing it`);
    }
    return null;
  };

  /** A damaged run file is never replaced: it was renamed aside (src/files/manifest.ts); say where. */
  const keptAside = (aside: string | null) => {
    if (aside !== null) note(`smpsim: sweep: the damaged file was kept as ${path.join(outDir.dir, aside)}`);
  };

  /** Run a job on the executor and write its file. */
  const execute = async (exec: Executor, j: Job, onFraction?: (f: number) => void): Promise<Done> => {
    const st = states[j.point]!;
    const pilot = isPilot(j);
    const scenario = pilot ? pilotScenario(st) : replicationScenario(st.p, st.key, j.rep, st.warmup!);
    const out: RunOutput = await exec.run({ scenario, series: pilot, limits: opts.limits ?? {} }, onFraction);
    executed++;
    if (!out.ok) {
      const where = `${labelOf(j)}`;
      throw new SimulationAborted(out.aborted.reason, `${out.aborted.message} (sweep point ${j.point}: ${where})`, out.aborted.diagnosis);
    }
    // A replication measured from t=0 because its warm-up never came would skew the point.
    const missed = warmupNotReached(out.result);
    if (missed !== undefined) throw new SimulationAborted('warmup', `${missed} (sweep point ${j.point}: ${labelOf(j)})`, '');
    if (pilot) {
      const series = out.series!;
      const choice = chooseWarmup(series);
      const file: PilotFile = {
        schema: PILOT_SCHEMA,
        point: j.point,
        point_key: st.key,
        seed: scenario.seed,
        stop_reason: out.result.stop_reason,
        sim_time_ns: out.result.sim_time_ns,
        ops_completed: out.result.ops.completed,
        choice,
        series,
      };
      keptAside(writeOwned(outDir, `runs/${runFileName(j.point, 'pilot')}`, `${JSON.stringify(file)}\n`, { listedDamaged: true }));
      return { kind: 'pilot', pilot: file };
    }
    const file: RunFile = {
      schema: RUN_SCHEMA,
      point: j.point,
      point_key: st.key,
      rep: j.rep,
      seed: scenario.seed,
      warmup: st.warmup!,
      result: out.result,
    };
    keptAside(writeOwned(outDir, `runs/${runFileName(j.point, j.rep)}`, `${JSON.stringify(file, null, 1)}\n`, { listedDamaged: true }));
    return { kind: 'run', result: out.result };
  };

  const exec = opts.executor ?? createExecutor(opts.jobs, opts.threads === true);
  const jobs = Math.max(1, opts.executor?.jobs ?? opts.jobs);
  const progress = (label: string, fraction = 0) => opts.onProgress?.(completed + fraction, totalEstimate(), label);
  let failure: unknown = null;
  try {
    const running = new Set<Promise<void>>();
    for (;;) {
      while (failure === null && queue.length > 0 && running.size < jobs) {
        const j = queue.shift()!;
        const cached = fromFile(j);
        if (cached !== null) {
          reused++;
          complete(j, cached);
          progress(labelOf(j));
          continue;
        }
        const label = labelOf(j);
        progress(label);
        const task: Promise<void> = execute(exec, j, jobs === 1 ? (f) => progress(label, f) : undefined)
          .then((done) => {
            complete(j, done);
            progress(label);
          })
          .catch((e: unknown) => {
            if (failure === null) {
              failure = e;
              exec.cancel?.();
            }
          })
          .finally(() => {
            running.delete(task);
          });
        running.add(task);
      }
      if (running.size === 0) break;
      await Promise.race(running);
    }
  } finally {
    if (opts.executor === undefined) await exec.close();
  }
  if (failure !== null) throw failure;

  const summary = summarize(
    {
      scenario: { name: spec.points[0]?.scenario.name ?? '', description: spec.points[0]?.scenario.description ?? '' },
      vary: spec.vary,
      zip: spec.zip,
      replications: spec.replications,
      precision: spec.precision,
      metric: spec.metric,
      maxReplications: spec.precision === null ? null : spec.maxReplications,
      warmup: spec.warmup,
    },
    states.map((st) => ({
      index: st.p.index,
      key: st.key,
      assignments: st.p.assignments,
      results: st.results.slice(0, st.target) as Result[],
      converged: st.converged,
      warmup: st.warmup ?? null,
      warmupChoice: st.choice,
    })),
  );
  writeOwned(outDir, 'summary.json', summaryJson(summary));
  writeOwned(outDir, 'summary.csv', summaryCsv(summary));
  return { summary, executed, reused, corrupt };
}
