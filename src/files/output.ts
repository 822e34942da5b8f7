/**
 * Writing the files a user names (--out, --trace, --junit, a sweep's or a baseline's folder),
 * in one place, so that nothing but the named file is touched:
 *
 * - A regular file, or a new path, is replaced atomically: a temporary file next to it
 *   (`.<name>.smpsim-<pid>-<n>.tmp`), written, flushed, given the old file's mode, renamed
 *   over it — a reader sees the old or the new file, never half of one. A symbolic link to
 *   a regular file is followed: its target is replaced, the link stays.
 * - Anything else that exists — a character device (/dev/null, /dev/full, a terminal), a
 *   FIFO, a socket — is written in place, as a shell redirection would: replacing it would
 *   put a regular file where the device was (as root, even at /dev/null).
 * - Errors carry the real reason ("read-only file system", "no space left on device"),
 *   never a stack trace; a directory is created one level at a time, so that a path under
 *   /proc or on a read-only disk fails at once with its own errno instead of Node's
 *   recursive mkdir reporting ENOENT (or looping, under /proc).
 *
 * `-` (standard output) is the CLI's business: it has the output sink (src/cli/io.ts).
 */
import fs from 'node:fs';
import path from 'node:path';

/** A file could not be written or a folder created; `reason` is fsReason's short text. */
export class OutputError extends Error {
  override name = 'OutputError';
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly code: string | undefined,
  ) {
    super(`cannot write ${file}: ${reason}`);
  }
}

function errCode(err: unknown): string | undefined {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** "no such file or directory", "read-only file system", … from a Node fs error. */
export function fsReason(err: unknown): string {
  switch (errCode(err)) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system (EROFS)';
    case 'ENOSPC':
      return 'no space left on device (ENOSPC)';
    case 'EDQUOT':
      return 'disk quota exceeded (EDQUOT)';
    case 'EFBIG':
      return 'file too large (EFBIG)';
    case 'EIO':
      return 'input/output error (EIO)';
    case 'ENXIO':
      return 'no such device or address (ENXIO)';
    case 'EEXIST':
      return 'already exists';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'ENAMETOOLONG':
      return 'file name too long';
    default: {
      const code = errCode(err);
      if (code !== undefined) return code;
      const msg = err instanceof Error ? err.message : String(err);
      return (msg.split(/\r?\n/)[0] ?? '').trim();
    }
  }
}

let tmpCounter = 0;

/** Our temporary files: `.<name>.smpsim-<pid>-<n>.tmp` (removable by a later run). */
export const TEMP_FILE = /^\..+\.smpsim-\d+-\d+\.tmp$/;

/**
 * Longest part of the destination's name kept in a temporary name (characters): a name of
 * 231-255 characters (the usual NAME_MAX is 255 bytes) made a temporary name too long to
 * create (issue 20, item 6). With ".", ".smpsim-<pid>-<n>.tmp" (at most 36 more) it stays
 * under 255 bytes even when the kept part is ASCII; a multi-byte name is cut shorter below.
 */
const TEMP_NAME_KEEP = 120;

function tempName(file: string): string {
  let base = path.basename(file);
  if (base.length > TEMP_NAME_KEEP) base = base.slice(0, TEMP_NAME_KEEP);
  while (Buffer.byteLength(base) > TEMP_NAME_KEEP) base = base.slice(0, -1);
  return path.join(path.dirname(file), `.${base}.smpsim-${process.pid}-${++tmpCounter}.tmp`);
}

/** The file to write: a symbolic link's target when it exists (so the link survives). */
function resolveTarget(file: string): { target: string; stat: fs.Stats | null } {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    if (errCode(err) === 'ENOENT') return { target: file, stat: null };
    throw new OutputError(file, fsReason(err), errCode(err));
  }
  if (stat.isDirectory()) throw new OutputError(file, 'is a directory', 'EISDIR');
  // A special file is opened by the name given: /dev/stdout → /proc/self/fd/1 → "pipe:[…]"
  // resolves to no openable path.
  if (!stat.isFile()) return { target: file, stat };
  let target = file;
  try {
    target = fs.realpathSync(file);
  } catch {
    // keep the path as given
  }
  return { target, stat };
}

/** Bytes gathered before one write(2). */
const CHUNK = 1 << 20;

/**
 * One output file being written: `write` in pieces, then `commit` (publish) or `abort`
 * (leave the destination as it was; a special file has been written in place already).
 * Every failure is an OutputError.
 */
export class OutputFile {
  private readonly fd: number;
  private parts: string[] = [];
  private size = 0;
  private closed = false;
  /** The temporary file when replacing atomically, or null when writing in place. */
  readonly tmp: string | null;
  private readonly target: string;
  private readonly mode: number | null;
  private readonly fsync: boolean;

  private constructor(
    readonly file: string,
    opts: { fsync: boolean },
  ) {
    this.fsync = opts.fsync;
    const { target, stat } = resolveTarget(file);
    this.target = target;
    const inPlace = stat !== null && !stat.isFile();
    this.tmp = inPlace ? null : tempName(target);
    this.mode = stat !== null && stat.isFile() ? stat.mode & 0o7777 : null;
    try {
      // A special file is opened as a shell's `>` would (O_TRUNC is a no-op on a device).
      this.fd = fs.openSync(this.tmp ?? target, 'w');
    } catch (err) {
      throw new OutputError(file, fsReason(err), errCode(err));
    }
  }

  /** Open `file` for writing; `fsync` flushes to the disk before publishing (a sweep's files). */
  static open(file: string, opts: { fsync?: boolean } = {}): OutputFile {
    return new OutputFile(file, { fsync: opts.fsync === true });
  }

  write(chunk: string): void {
    if (this.closed) throw new Error(`output file ${this.file} is already closed`);
    this.parts.push(chunk);
    this.size += chunk.length;
    if (this.size >= CHUNK) this.flush();
  }

  /** Write what is buffered, close, and publish (rename over the destination). */
  commit(): void {
    try {
      this.flush();
      if (this.tmp !== null) {
        if (this.mode !== null) fs.fchmodSync(this.fd, this.mode);
        if (this.fsync) fs.fsyncSync(this.fd);
      }
      this.closed = true;
      fs.closeSync(this.fd);
      if (this.tmp !== null) fs.renameSync(this.tmp, this.target);
    } catch (err) {
      this.abort();
      throw err instanceof OutputError ? err : new OutputError(this.file, fsReason(err), errCode(err));
    }
  }

  /** Close and remove the temporary file; the destination is left untouched. Idempotent. */
  abort(): void {
    if (!this.closed) {
      this.closed = true;
      try {
        fs.closeSync(this.fd);
      } catch {
        // already closed
      }
    }
    if (this.tmp !== null) {
      try {
        fs.rmSync(this.tmp, { force: true });
      } catch {
        // best effort
      }
    }
  }

  private flush(): void {
    if (this.parts.length === 0) return;
    const text = this.parts.length === 1 ? this.parts[0]! : this.parts.join('');
    this.parts = [];
    this.size = 0;
    const buf = Buffer.from(text, 'utf8');
    let off = 0;
    try {
      while (off < buf.length) off += fs.writeSync(this.fd, buf, off, buf.length - off);
    } catch (err) {
      throw new OutputError(this.file, fsReason(err), errCode(err));
    }
  }
}

/** Write `text` to `file` (atomically when it is a regular file or new); throws OutputError. */
export function writeOutput(file: string, text: string, opts: { fsync?: boolean } = {}): void {
  const out = OutputFile.open(file, opts);
  try {
    out.write(text);
  } catch (err) {
    out.abort();
    throw err;
  }
  out.commit();
}

/**
 * Create `dir` and its missing parents one level at a time (not fs.mkdirSync's recursive
 * mode, which reports ENOENT for EROFS and never returns under /proc). Throws OutputError
 * naming the level that failed.
 */
export function makeDir(dir: string): void {
  const missing: string[] = [];
  let at = path.resolve(dir);
  for (;;) {
    let st: fs.Stats | null = null;
    try {
      st = fs.statSync(at);
    } catch (err) {
      if (errCode(err) !== 'ENOENT') throw new OutputError(at, fsReason(err), errCode(err));
    }
    if (st !== null) {
      if (!st.isDirectory()) throw new OutputError(at, 'not a directory', 'ENOTDIR');
      break;
    }
    missing.push(at);
    const up = path.dirname(at);
    if (up === at) break;
    at = up;
  }
  for (const d of missing.reverse()) {
    try {
      fs.mkdirSync(d);
    } catch (err) {
      if (errCode(err) === 'EEXIST' && fs.statSync(d).isDirectory()) continue;
      throw new OutputError(d, fsReason(err), errCode(err));
    }
  }
}
