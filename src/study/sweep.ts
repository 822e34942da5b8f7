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
import fs from 'node:fs';
import path from 'node:path';
import { SimulationAborted } from '../engine/sim.js';
import { runSeed } from '../model/seeds.js';
import { warmupNotReached, type Result } from '../report/result.js';
import type { ResolvedScenario, Warmup } from '../scenario/types.js';
import { VERSION } from '../version.js';
import { stopDecision } from './ci.js';
import {
  MANIFEST_SCHEMA,
  PILOT_SCHEMA,
  RUN_SCHEMA,
  SweepFileError,
  readJsonFile,
  readPilotFile,
  readRunFile,
  removeStaleTemps,
  SWEEP_TOP_FILES,
  runFileName,
  sha256,
  openOutputDir,
  refusalOf,
  writeOwned,
  type PilotFile,
  type RunFile,
} from './files.js';
import { OutputError, TEMP_FILE, fsReason, makeDir } from '../files/output.js';
import { InputFileError, readInputFile } from '../input/read.js';
import type { OutputDir } from '../files/manifest.js';
import { createExecutor, type Executor } from './pool.js';
import { chooseWarmup, warmupSetting, type WarmupChoice } from './series.js';
import { metricValues, summarize, summaryCsv, summaryJson, type SweepSummary } from './summary.js';
import type { RunOutput } from './worker.js';
import type { RunLimits } from '../model/run.js';

export interface SweepPoint {
  index: number;
  /** (path, value) in --vary order. */
  assignments: Array<[string, string]>;
  /** The point's resolved scenario (seed: the scenario's; replications get their own). */
  scenario: ResolvedScenario;
  /**
   * The key the replications' seeds derive from, instead of the point key: smpsim
   * robustness gives every point '' so that all points run with the same seeds (common
   * random numbers). Absent: the point key (every point its own seeds).
   */
  seedKey?: string;
}

export interface SweepSpec {
  /** The scenario file as given (for people; not compared on resume). */
  scenarioFile: string;
  set: string[];
  seed: number | null;
  vary: Array<{ path: string; values: string[] }>;
  zip: boolean;
  replications: number;
  /** Relative CI half-width target, or null for a fixed number of replications. */
  precision: number | null;
  metric: string;
  maxReplications: number;
  warmup: 'scenario' | 'auto';
  points: SweepPoint[];
}

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

/** Canonical point key: the assignments sorted by path, as JSON. Seeds derive from it. */
export function pointKey(assignments: ReadonlyArray<readonly [string, string]>): string {
  if (assignments.length === 0) return '';
  const sorted = [...assignments].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return JSON.stringify(Object.fromEntries(sorted));
}

export function assignmentText(assignments: ReadonlyArray<readonly [string, string]>): string {
  return assignments.map(([p, v]) => `${p}=${v}`).join(' ');
}

// ---------------------------------------------------------------------------------------
// Manifest

export interface Manifest {
  schema: typeof MANIFEST_SCHEMA;
  version: string;
  scenario: { file: string; name: string };
  set: string[];
  seed: number | null;
  vary: Array<{ path: string; values: string[] }>;
  zip: boolean;
  replications: number;
  precision: number | null;
  metric: string | null;
  max_replications: number | null;
  warmup: 'scenario' | 'auto';
  points: Array<{ index: number; key: string; sha256: string; seed_key?: string }>;
}

export function manifestOf(spec: SweepSpec): Manifest {
  return {
    schema: MANIFEST_SCHEMA,
    version: VERSION,
    scenario: { file: spec.scenarioFile, name: spec.points[0]?.scenario.name ?? '' },
    set: spec.set,
    seed: spec.seed,
    vary: spec.vary,
    zip: spec.zip,
    replications: spec.replications,
    precision: spec.precision,
    metric: spec.precision === null ? null : spec.metric,
    max_replications: spec.precision === null ? null : spec.maxReplications,
    warmup: spec.warmup,
    points: spec.points.map((p) => ({
      index: p.index,
      key: pointKey(p.assignments),
      sha256: sha256(JSON.stringify(p.scenario)),
      ...(p.seedKey === undefined ? {} : { seed_key: p.seedKey }),
    })),
  };
}

/** The first field in which two manifests differ (the scenario file's name does not count). */
export function manifestDifference(a: Manifest, b: unknown): string | null {
  if (typeof b !== 'object' || b === null || (b as { schema?: unknown }).schema !== MANIFEST_SCHEMA) {
    return `it is not a sweep manifest (expected "schema": "${MANIFEST_SCHEMA}")`;
  }
  const other = b as Record<string, unknown>;
  const fields: Array<keyof Manifest> = ['version', 'set', 'seed', 'vary', 'zip', 'replications', 'precision', 'metric', 'max_replications', 'warmup'];
  const show = (v: unknown) => JSON.stringify(v);
  for (const f of fields) {
    if (show(a[f]) !== show(other[f])) return `${f}: ${show(a[f])} now, ${show(other[f])} there`;
  }
  const pts = Array.isArray(other.points) ? (other.points as Array<Record<string, unknown>>) : [];
  if (pts.length !== a.points.length) return `points: ${a.points.length} now, ${pts.length} there`;
  for (const [i, p] of a.points.entries()) {
    const q = pts[i]!;
    if (q.key !== p.key) return `point ${i}: ${p.key} now, ${show(q.key)} there`;
    if (q.seed_key !== p.seed_key) return `point ${i}: seeds from ${show(p.seed_key ?? p.key)} now, ${show(q.seed_key ?? q.key)} there`;
    if (q.sha256 !== p.sha256) return `point ${i} (${p.key || 'the scenario'}): the resolved scenario differs (the scenario file or --set changed)`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------
// The directory: what is ours in it, the lock, preparing it

/** The lock of a sweep directory: holds the pid of the sweep writing to it. */
export const LOCK_FILE = 'sweep.lock';
/** Largest lock file read (bytes): it holds a pid and a newline. */
const LOCK_BYTES = 64;

/** Names of run files: `<point>-<rep>.json`, `<point>-pilot.json`. */
const RUN_FILE = /^(\d+)-(\d+|pilot)\.json$/;

function errno(err: unknown): string | undefined {
  const c = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof c === 'string' ? c : undefined;
}

/** Whether a process with this pid is alive (EPERM: alive, but another user's). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errno(err) === 'EPERM';
  }
}

export interface DirLock {
  release(): void;
}

/**
 * Take DIR/sweep.lock (created with O_EXCL, holding our pid), so that two sweeps never
 * write one folder at once. A lock whose pid is dead (a sweep killed with SIGKILL) is
 * stale and taken over; a live one is refused with a line naming its pid.
 */
export function lockDir(dir: string): DirLock {
  const file = path.join(dir, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = fs.openSync(file, 'wx');
    } catch (err) {
      if (errno(err) !== 'EEXIST') throw new SweepFileError(`--out: cannot lock ${file}: ${fsReason(err)}`);
      let text = '';
      try {
        // Not followed, bounded, never blocking: a lock that is a link to /dev/zero, a FIFO
        // or a directory is not one smpsim wrote.
        text = readInputFile(file, LOCK_BYTES, 'lock files', { noFollow: true });
      } catch (e) {
        if (!(e instanceof InputFileError) || e.code !== 'missing') {
          throw new SweepFileError(
            `--out: ${file} is not a lock of smpsim (${e instanceof InputFileError ? e.message : fsReason(e)}); remove it if no sweep is running there`,
          );
        }
        // removed meanwhile: try again
      }
      const pid = /^\s*(\d+)\s*$/.test(text) ? Number(text) : Number.NaN;
      if (Number.isSafeInteger(pid) && pid > 0 && alive(pid)) {
        throw new SweepFileError(
          `--out: ${dir} is in use by another sweep (pid ${pid}, lock ${file}); wait for it to end, or use another --out`,
        );
      }
      if (attempt >= 3) throw new SweepFileError(`--out: cannot lock ${file}: it keeps coming back; is another sweep starting there?`);
      // Stale: its sweep is gone. Remove it and try again (a racing sweep may win: then we refuse).
      fs.rmSync(file, { force: true });
      continue;
    }
    try {
      fs.writeSync(fd, `${process.pid}\n`);
    } finally {
      fs.closeSync(fd);
    }
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        try {
          if (readInputFile(file, LOCK_BYTES, 'lock files', { noFollow: true }).trim() === String(process.pid)) fs.rmSync(file, { force: true });
        } catch {
          // gone already
        }
      },
    };
  }
}

/** Create the sweep directory (and its parents), with the real reason when it cannot be. */
export function makeSweepDir(dir: string): void {
  try {
    makeDir(dir);
  } catch (err) {
    throw new SweepFileError(`--out: cannot create ${dir}: ${err instanceof OutputError ? err.reason : fsReason(err)}`);
  }
}

/**
 * Make `dir` ready: new (write the manifest), the same sweep (resume), or a different one (an
 * error naming the difference, unless `force`). Call with the lock held. What is smpsim's in
 * the folder is what its output manifest (DIR/.smpsim-manifest, src/files/manifest.ts) names
 * with a matching hash:
 *   - a folder that is not empty and holds no sweep.json is written only with --force (and
 *     never one with a runs/ folder of someone else's);
 *   - `--force` on a different sweep removes only the files that are smpsim's (its run files,
 *     summaries and plots), and first checks that sweep.json itself may be replaced — so a
 *     sweep.json that is not smpsim's (unparsable, a directory) stops it before anything goes;
 *   - no entry (sweep.json, runs/, a run file, a summary) is followed through a link.
 */
export function prepareDir(dir: string, manifest: Manifest, force: boolean): OutputDir {
  makeSweepDir(dir);
  const out = openOutputDir(dir);
  const file = path.join(dir, 'sweep.json');
  const runs = path.join(dir, 'runs');
  for (const entry of [file, runs]) {
    let st: fs.Stats | null = null;
    try {
      st = fs.lstatSync(entry);
    } catch {
      // absent
    }
    if (st !== null && st.isSymbolicLink()) {
      throw new SweepFileError(`--out: ${entry} is a symbolic link: smpsim does not follow links inside an output folder; remove it or use another --out`);
    }
  }
  let old: unknown;
  let unreadable = false;
  try {
    old = readJsonFile(file);
  } catch (e) {
    if (!force) throw new SweepFileError(`${(e as Error).message}; use --force to start the sweep afresh`);
    unreadable = true;
  }
  if (old === undefined && !unreadable) {
    const others = out.otherEntries((n) => n === LOCK_FILE || TEMP_FILE.test(n));
    if (others.length > 0 && fs.existsSync(runs)) {
      throw new SweepFileError(
        `${force ? '--force' : '--out'}: ${dir} is not a sweep (no sweep.json) and has a runs/ folder smpsim did not write; use another --out`,
      );
    }
    if (others.length > 0 && !force) {
      throw new SweepFileError(
        `--out: ${dir} is not a sweep (no sweep.json) and not empty; smpsim writes into such a folder only with --force, and then replaces none of its files: use another --out`,
      );
    }
  }
  const isManifest = (v: unknown) => typeof v === 'object' && v !== null && (v as { schema?: unknown }).schema === MANIFEST_SCHEMA;
  if (old !== undefined && !isManifest(old) && force) {
    throw new SweepFileError(
      `--force: ${file} is not a smpsim sweep manifest (expected "schema": "${MANIFEST_SCHEMA}"); --force replaces only a sweep smpsim wrote: use another --out`,
    );
  }
  const diff = unreadable ? 'unreadable' : old === undefined ? null : manifestDifference(manifest, old);
  if (diff !== null && !force) {
    throw new SweepFileError(`--out: ${dir} holds a different sweep (${diff}); use --force to replace it, or another --out`);
  }
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  // Before anything is removed: sweep.json must be replaceable (smpsim's, or absent).
  const refused = refusalOf(out, 'sweep.json', manifestText);
  if (refused !== null) throw new SweepFileError(`--out: ${refused}`);
  const ours = (n: string) => n === 'sweep.json' || SWEEP_TOP_FILES.includes(n) || RUN_FILE.test(n);
  if (diff !== null) {
    // --force on a different sweep: remove what smpsim wrote of it, nothing else.
    for (const rel of out.listed()) {
      const top = !rel.includes('/') && SWEEP_TOP_FILES.includes(rel);
      const run = rel.startsWith('runs/') && RUN_FILE.test(rel.slice(5));
      if (top || run) removeOwned(out, rel);
    }
    if (!isLink(runs)) {
      removeStaleTemps(runs, ours);
      try {
        fs.rmdirSync(runs);
      } catch {
        // not empty (files that are not the sweep's) or absent: left as it is
      }
    }
  }
  removeStaleTemps(dir, ours);
  writeOwned(out, 'sweep.json', manifestText);
  try {
    out.mkdir('runs');
  } catch (err) {
    throw new SweepFileError(`--out: ${err instanceof Error ? err.message : fsReason(err)}`);
  }
  removeStaleTemps(runs, ours);
  return out;
}

function isLink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

function removeOwned(out: OutputDir, rel: string): void {
  try {
    out.remove(rel);
  } catch (err) {
    throw new SweepFileError(`--force: ${err instanceof Error ? err.message : fsReason(err)}`);
  }
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

/** The scenario of one replication: its own seed, the point's warm-up. */
export function replicationScenario(p: SweepPoint, key: string, rep: number, warmup: Warmup | null): ResolvedScenario {
  return { ...p.scenario, seed: runSeed(p.scenario.seed, rep, p.seedKey ?? key), stop: { ...p.scenario.stop, warmup } };
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
