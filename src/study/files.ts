/**
 * The files of a sweep directory, and how they are written safely:
 *
 *   DIR/sweep.json          the manifest: the sweep's resolved spec (what a rerun must match)
 *   DIR/runs/<p>-<r>.json   replication r of point p, written as soon as the run ends
 *   DIR/runs/<p>-pilot.json the pilot run of point p (--warmup auto): its series and MSER-5 choice
 *   DIR/summary.json, DIR/summary.csv   one row per point
 *   DIR/report.html, DIR/*.svg          `smpsim plot`
 *
 * Every file is written to a temporary name in the same directory, flushed, and renamed
 * over its final name, so a sweep killed at any moment leaves whole files or none (a
 * leftover temporary file of ours is removed by the next run; nothing else is). A run file
 * that does not parse or does not match what the sweep expects at its place is reported
 * and recomputed. DIR/sweep.lock holds the pid of the sweep writing to DIR (sweep-dir.ts).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { InputFileError, MAX_INPUT_BYTES, checkShape, parseJsonText, readInputFile, shapeMessage } from '../input/read.js';
import { OutputDir, OutputDirError } from '../files/manifest.js';
import { RESULT_SCHEMA, type Result } from '../report/result.js';
import type { Warmup } from '../scenario/types.js';
import type { RunSeries, WarmupChoice } from './series.js';
import { OutputError, TEMP_FILE, fsReason, writeOutput } from '../files/output.js';

export const RUN_SCHEMA = 'smpsim.sweep-run/1';
export const PILOT_SCHEMA = 'smpsim.sweep-pilot/1';
export const MANIFEST_SCHEMA = 'smpsim.sweep/1';
export const SUMMARY_SCHEMA = 'smpsim.sweep-summary/1';

/** An I/O problem with the sweep directory (becomes exit code 2 in the CLI). */
export class SweepFileError extends Error {
  override name = 'SweepFileError';
}

/** The files `smpsim plot` (and `sweep --plot`) writes into DIR, besides report.html. */
export const CHART_FILES = ['throughput.svg', 'speedup.svg', 'latency.svg', 'cpuperop.svg', 'ipis.svg', 'lockwait.svg', 'cputime.svg'] as const;

/** Files a sweep writes at the top of DIR (sweep.json aside): what --force may remove. */
export const SWEEP_TOP_FILES: readonly string[] = ['summary.json', 'summary.csv', 'report.html', ...CHART_FILES];

/** Write `text` to `file` atomically (src/files/output.ts, flushed to the disk first). */
export function writeAtomic(file: string, text: string): void {
  try {
    writeOutput(file, text, { fsync: true });
  } catch (err) {
    throw new SweepFileError(`cannot write ${file}: ${err instanceof OutputError ? err.reason : fsReason(err)}`);
  }
}

/** The output folder `dir` (existing) with its manifest (src/files/manifest.ts); SweepFileError otherwise. */
export function openOutputDir(dir: string): OutputDir {
  try {
    return OutputDir.open(dir);
  } catch (err) {
    if (err instanceof OutputDirError) throw new SweepFileError(err.message);
    throw err;
  }
}

/** Write `rel` in an output folder: only where it is absent or smpsim's (manifest.ts). */
export function writeOwned(out: OutputDir, rel: string, text: string, opts: { listedDamaged?: boolean } = {}): string | null {
  try {
    return out.write(rel, text, opts);
  } catch (err) {
    if (err instanceof OutputDirError) throw new SweepFileError(err.message);
    throw err;
  }
}

/** Why `rel` may not be written in `out`, or null (checked before a batch of writes). */
export function refusalOf(out: OutputDir, rel: string, text: string): string | null {
  try {
    return out.refusal(rel, text);
  } catch (err) {
    if (err instanceof OutputDirError) return err.message;
    throw err;
  }
}

/**
 * Temporary files of ours that a killed sweep left behind: `.<name>.smpsim-<pid>-<n>.tmp`,
 * and the older `.<name>.<pid>.<n>.tmp` when <name> is one of the sweep's own files. A
 * user's other `.*.tmp` files are not ours to remove.
 */
function isOurTemp(name: string, ours: (base: string) => boolean): boolean {
  if (TEMP_FILE.test(name)) return true;
  const legacy = /^\.(.+)\.\d+\.\d+\.tmp$/.exec(name);
  return legacy !== null && ours(legacy[1]!);
}

/** Remove temporary files a killed sweep left behind in `dir` (see isOurTemp). */
export function removeStaleTemps(dir: string, ours: (base: string) => boolean): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) if (isOurTemp(n, ours)) fs.rmSync(path.join(dir, n), { force: true });
}

export function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

export function runFileName(point: number, rep: number | 'pilot'): string {
  return `${point}-${rep}.json`;
}

export interface RunFile {
  schema: typeof RUN_SCHEMA;
  point: number;
  point_key: string;
  rep: number;
  seed: number;
  warmup: Warmup | null;
  result: Result;
}

export interface PilotFile {
  schema: typeof PILOT_SCHEMA;
  point: number;
  point_key: string;
  seed: number;
  stop_reason: Result['stop_reason'];
  sim_time_ns: number;
  ops_completed: number;
  choice: WarmupChoice;
  series: RunSeries;
}

/** What reading a run file found. */
export type ReadOutcome<T> = { kind: 'ok'; value: T } | { kind: 'missing' } | { kind: 'corrupt'; why: string };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readJson(file: string): ReadOutcome<unknown> {
  let text: string;
  try {
    // Files of an output folder smpsim wrote itself: a link planted there is not followed.
    text = readInputFile(file, MAX_INPUT_BYTES, 'sweep files', { noFollow: true });
  } catch (err) {
    if (err instanceof InputFileError && err.code === 'missing') return { kind: 'missing' };
    return { kind: 'corrupt', why: `cannot read: ${err instanceof Error ? err.message : String(err)}` };
  }
  const json = parseJsonText(text);
  if (!json.ok) return { kind: 'corrupt', why: json.why };
  const value = json.value;
  const shape = checkShape(value);
  if (shape !== undefined) return { kind: 'corrupt', why: shapeMessage(shape) };
  return { kind: 'ok', value };
}

/**
 * A replication's file, checked against what belongs there: its schema, point, replication,
 * and a result whose embedded scenario is exactly the one this run must have (same point,
 * seed and warm-up).
 */
export function readRunFile(file: string, expect: { point: number; pointKey: string; rep: number; scenarioJson: string }): ReadOutcome<RunFile> {
  const r = readJson(file);
  if (r.kind !== 'ok') return r;
  const v = r.value;
  if (!isObject(v) || v.schema !== RUN_SCHEMA) return { kind: 'corrupt', why: `expected "schema": "${RUN_SCHEMA}"` };
  if (v.point !== expect.point || v.rep !== expect.rep || v.point_key !== expect.pointKey) {
    return { kind: 'corrupt', why: `holds point ${String(v.point)} replication ${String(v.rep)}, expected point ${expect.point} replication ${expect.rep}` };
  }
  const res = v.result;
  if (!isObject(res) || res.schema !== RESULT_SCHEMA || !isObject(res.ops) || typeof res.ops.per_sec !== 'number') {
    return { kind: 'corrupt', why: 'no valid result in it' };
  }
  if (JSON.stringify(res.scenario) !== expect.scenarioJson) {
    return { kind: 'corrupt', why: 'its scenario (seed, warm-up or settings) is not the one this run needs' };
  }
  return { kind: 'ok', value: v as unknown as RunFile };
}

export function readPilotFile(file: string, expect: { point: number; pointKey: string; seed: number }): ReadOutcome<PilotFile> {
  const r = readJson(file);
  if (r.kind !== 'ok') return r;
  const v = r.value;
  if (!isObject(v) || v.schema !== PILOT_SCHEMA) return { kind: 'corrupt', why: `expected "schema": "${PILOT_SCHEMA}"` };
  if (v.point !== expect.point || v.point_key !== expect.pointKey || v.seed !== expect.seed) {
    return { kind: 'corrupt', why: `holds point ${String(v.point)} seed ${String(v.seed)}, expected point ${expect.point} seed ${expect.seed}` };
  }
  const c = v.choice;
  if (!isObject(c) || typeof c.warmup_ns !== 'number' || typeof c.warmup_ops !== 'number' || typeof c.truncate_bins !== 'number') {
    return { kind: 'corrupt', why: 'no valid warm-up choice in it' };
  }
  if (v.stop_reason !== 'ops' && v.stop_reason !== 'time') return { kind: 'corrupt', why: 'no valid stop_reason in it' };
  return { kind: 'ok', value: v as unknown as PilotFile };
}

/** Read a whole JSON file that must exist (manifest, summary): parse errors are SweepFileErrors. */
export function readJsonFile(file: string): unknown | undefined {
  const r = readJson(file);
  if (r.kind === 'missing') return undefined;
  if (r.kind === 'corrupt') throw new SweepFileError(`${file}: ${r.why}`);
  return r.value;
}
