/**
 * What smpsim wrote in an output folder (a sweep's --out, baseline --out, plot DIR), so that
 * nothing else there is ever replaced or deleted (issue 20, failure 2):
 *
 *   DIR/.smpsim-manifest   one JSON object a line: first {"schema": OUTPUT_MANIFEST_SCHEMA},
 *                          then {"file": "runs/0-1.json", "sha256": "…"} for each file
 *                          written (a later line for the same file wins) and
 *                          {"file": …, "removed": true} for each file removed.
 *
 * Lines are appended (O_APPEND, one write(2) each), so a sweep of 10,000 runs does not
 * rewrite a 10,000-entry list after every run; a torn last line (a kill mid-write) is
 * ignored. A file is smpsim's when the manifest names it and its bytes still hash to what
 * was recorded; a file the user edited since is theirs again.
 *
 * Rules, for every entry of the folder smpsim touches (docs/CLI.md, "Output folders"):
 *   - never followed through a symbolic link: each entry (and each folder on the way, like
 *     runs/) is lstat'ed, and a link is refused with one line naming it;
 *   - written only when absent, or smpsim's (or already holding exactly the bytes to write:
 *     replacing it loses nothing, and the file becomes smpsim's);
 *   - removed only when smpsim's.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { InputFileError, MAX_INPUT_BYTES, readInputFile } from '../input/read.js';
import { OutputError, fsReason, writeOutput } from './output.js';

export const MANIFEST_NAME = '.smpsim-manifest';
export const OUTPUT_MANIFEST_SCHEMA = 'smpsim.output-manifest/1';
/** Superseded manifest lines tolerated before it is rewritten without them. */
const COMPACT_SLACK = 16;

/** An output folder entry smpsim may not touch, or a manifest it cannot use: one line. */
export class OutputDirError extends Error {
  override name = 'OutputDirError';
}

function errCode(err: unknown): string | undefined {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

export function sha256Of(data: string | Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/** lstat, or null when the entry does not exist. */
function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch (err) {
    if (errCode(err) === 'ENOENT') return null;
    throw new OutputDirError(`cannot write ${p}: ${fsReason(err)}`);
  }
}

function kind(st: fs.Stats): string {
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

export class OutputDir {
  /** file (relative, `/`-separated) → sha256 of what smpsim wrote there. */
  private readonly files = new Map<string, string>();
  private readonly manifest: string;

  private constructor(readonly dir: string) {
    this.manifest = path.join(dir, MANIFEST_NAME);
  }

  /**
   * The folder `dir` (which exists) with its manifest read. A manifest that is a link, a
   * special file or not one of smpsim's is refused.
   */
  static open(dir: string): OutputDir {
    const out = new OutputDir(dir);
    out.load();
    return out;
  }

  /** Whether the folder holds a manifest of smpsim (something smpsim wrote there before). */
  get hasManifest(): boolean {
    return this.files.size > 0;
  }

  /** Entries of the folder besides the manifest, the sweep lock and `ignore` (names). */
  otherEntries(ignore: (name: string) => boolean = () => false): string[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch (err) {
      throw new OutputDirError(`cannot read folder ${this.dir}: ${fsReason(err)}`);
    }
    return names.filter((n) => n !== MANIFEST_NAME && !ignore(n));
  }

  /** Whether `rel` is smpsim's: named in the manifest and holding what was written. */
  owns(rel: string): boolean {
    const want = this.files.get(rel);
    if (want === undefined) return false;
    const p = path.join(this.dir, rel);
    const st = lstatOrNull(p);
    if (st === null || !st.isFile()) return false;
    try {
      return sha256Of(readInputFile(p, MAX_INPUT_BYTES, 'output files', { noFollow: true })) === want;
    } catch {
      return false;
    }
  }

  /**
   * Refuse a symbolic link (or anything but a directory) on the way to `rel` inside the
   * folder: `runs -> elsewhere` must not send writes or removals there.
   */
  private checkParents(rel: string): void {
    const parts = rel.split('/');
    let at = this.dir;
    for (const part of parts.slice(0, -1)) {
      at = path.join(at, part);
      const st = lstatOrNull(at);
      if (st !== null && !st.isDirectory()) {
        throw new OutputDirError(`${at} is ${kind(st)}: smpsim does not follow or replace entries of an output folder it did not write`);
      }
    }
  }

  /** Create the folder `rel` inside (a link there is refused). */
  mkdir(rel: string): void {
    this.checkParents(`${rel}/x`);
    const p = path.join(this.dir, rel);
    if (lstatOrNull(p) !== null) return;
    try {
      fs.mkdirSync(p);
    } catch (err) {
      if (errCode(err) !== 'EEXIST') throw new OutputDirError(`cannot create ${p}: ${fsReason(err)}`);
    }
  }

  /**
   * Why `rel` may not be written, or null when it may. `listedDamaged`: a file the manifest
   * names but whose bytes changed may be written over once set aside (a sweep's run file
   * found damaged on resume: smpsim wrote that name; the changed copy is kept under another
   * name by write(), never replaced).
   */
  refusal(rel: string, text: string, opts: { listedDamaged?: boolean } = {}): string | null {
    this.checkParents(rel);
    const p = path.join(this.dir, rel);
    const st = lstatOrNull(p);
    if (st === null) return null;
    if (!st.isFile()) return `${p} is ${kind(st)}: smpsim does not follow or replace entries of an output folder it did not write`;
    if (this.owns(rel) || (opts.listedDamaged === true && this.files.has(rel))) return null;
    try {
      if (readInputFile(p, MAX_INPUT_BYTES, 'output files', { noFollow: true }) === text) return null;
    } catch {
      // unreadable: not provably ours
    }
    return `${p} was not written by smpsim (or was changed since; see ${MANIFEST_NAME}): it is never replaced; move it away or use another folder`;
  }

  /**
   * Write `rel` atomically (flushed), when it is absent or smpsim's; record its hash. With
   * `listedDamaged`, a listed file whose bytes changed is first renamed to
   * `<rel>.changed-<k>` (the first free k): returned, so that the caller can say so.
   */
  write(rel: string, text: string, opts: { listedDamaged?: boolean } = {}): string | null {
    const why = this.refusal(rel, text, opts);
    if (why !== null) throw new OutputDirError(why);
    const p = path.join(this.dir, rel);
    let setAside: string | null = null;
    if (opts.listedDamaged === true && lstatOrNull(p) !== null && !this.owns(rel)) {
      for (let k = 1; setAside === null; k++) {
        const cand = `${rel}.changed-${k}`;
        if (lstatOrNull(path.join(this.dir, cand)) === null) setAside = cand;
      }
      try {
        fs.renameSync(p, path.join(this.dir, setAside));
      } catch (err) {
        throw new OutputDirError(`cannot set ${p} aside: ${fsReason(err)}`);
      }
    }
    try {
      writeOutput(p, text, { fsync: true });
    } catch (err) {
      throw new OutputDirError(`cannot write ${p}: ${err instanceof OutputError ? err.reason : fsReason(err)}`);
    }
    const hash = sha256Of(text);
    if (this.files.get(rel) !== hash || setAside !== null) {
      this.files.set(rel, hash);
      this.append({ file: rel, sha256: hash });
    }
    return setAside;
  }

  /** Remove `rel` when smpsim's; returns whether it was removed. A user's file stays. */
  remove(rel: string): boolean {
    this.checkParents(rel);
    if (!this.owns(rel)) return false;
    try {
      fs.rmSync(path.join(this.dir, rel));
    } catch (err) {
      if (errCode(err) !== 'ENOENT') throw new OutputDirError(`cannot remove ${path.join(this.dir, rel)}: ${fsReason(err)}`);
    }
    this.files.delete(rel);
    this.append({ file: rel, removed: true });
    return true;
  }

  /** The files the manifest names (relative paths). */
  listed(): string[] {
    return [...this.files.keys()];
  }

  private load(): void {
    let text: string;
    try {
      text = readInputFile(this.manifest, MAX_INPUT_BYTES, 'output manifests', { noFollow: true });
    } catch (err) {
      if (err instanceof InputFileError && err.code === 'missing') return;
      throw new OutputDirError(`${this.manifest}: ${err instanceof InputFileError ? err.message : fsReason(err)}; it is not a manifest of smpsim: move it away`);
    }
    const lines = text.split('\n');
    let first = true;
    let entries = 0;
    for (const [i, line] of lines.entries()) {
      if (line.trim() === '') continue;
      let v: unknown;
      try {
        v = JSON.parse(line) as unknown;
      } catch {
        // A torn last line (killed mid-append) after a valid header is ignored; anything else
        // (a user's file of that name) is not a manifest of smpsim, never appended to.
        if (!first && i >= lines.length - 2) break;
        throw new OutputDirError(`${this.manifest}: line ${i + 1} is not valid JSON; it is not a manifest of smpsim: move it away`);
      }
      const o = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
      if (first) {
        if (o.schema !== OUTPUT_MANIFEST_SCHEMA) {
          throw new OutputDirError(`${this.manifest}: expected "schema": "${OUTPUT_MANIFEST_SCHEMA}" on its first line; it is not a manifest of smpsim: move it away`);
        }
        first = false;
        continue;
      }
      const file = o.file;
      entries++;
      if (typeof file !== 'string' || !safeRel(file)) continue;
      if (o.removed === true) this.files.delete(file);
      else if (typeof o.sha256 === 'string' && /^[0-9a-f]{64}$/.test(o.sha256)) this.files.set(file, o.sha256);
    }
    // Appends only grow it: past twice the entries it needs, write it anew (atomically).
    if (entries > 2 * this.files.size + COMPACT_SLACK) this.compact();
  }

  private compact(): void {
    const lines = [JSON.stringify({ schema: OUTPUT_MANIFEST_SCHEMA }), ...[...this.files].map(([file, sha256]) => JSON.stringify({ file, sha256 }))];
    try {
      writeOutput(this.manifest, `${lines.join('\n')}\n`, { fsync: true });
    } catch (err) {
      throw new OutputDirError(`cannot write ${this.manifest}: ${err instanceof OutputError ? err.reason : fsReason(err)}`);
    }
  }

  private append(entry: Record<string, unknown>): void {
    const st = lstatOrNull(this.manifest);
    if (st !== null && !st.isFile()) throw new OutputDirError(`${this.manifest} is ${kind(st)}: not a manifest of smpsim: move it away`);
    const head = st === null ? `${JSON.stringify({ schema: OUTPUT_MANIFEST_SCHEMA })}\n` : '';
    let fd: number;
    try {
      const c = fs.constants;
      fd = fs.openSync(this.manifest, c.O_WRONLY | c.O_APPEND | c.O_CREAT | c.O_NOFOLLOW, 0o644);
    } catch (err) {
      throw new OutputDirError(`cannot write ${this.manifest}: ${fsReason(err)}`);
    }
    try {
      fs.writeSync(fd, `${head}${JSON.stringify(entry)}\n`);
    } catch (err) {
      throw new OutputDirError(`cannot write ${this.manifest}: ${fsReason(err)}`);
    } finally {
      fs.closeSync(fd);
    }
  }
}

/** A relative path inside the folder: no `..`, not absolute. */
function safeRel(rel: string): boolean {
  return rel !== '' && !path.isAbsolute(rel) && !rel.split('/').some((p) => p === '..' || p === '' || p === '.');
}
