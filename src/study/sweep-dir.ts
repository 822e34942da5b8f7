/**
 * A sweep's folder: the lock (DIR/sweep.lock, so two sweeps never write one folder), making
 * the folder, and preparing it for a sweep — new, resumed, or replaced with --force —
 * touching only what smpsim wrote there (its output manifest, src/files/manifest.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { OutputDir } from '../files/manifest.js';
import { OutputError, TEMP_FILE, fsReason, makeDir } from '../files/output.js';
import { InputFileError, readInputFile } from '../input/read.js';
import { MANIFEST_SCHEMA, SWEEP_TOP_FILES, SweepFileError, openOutputDir, readJsonFile, refusalOf, removeStaleTemps, writeOwned } from './files.js';
import { manifestDifference, type Manifest } from './sweep-manifest.js';

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
