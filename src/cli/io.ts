/**
 * What the CLI touches of the outside world, so that `main` runs in-process in tests: two
 * output sinks, whether stderr is a terminal, the environment, the working directory.
 * Plus the exit codes and the one error type the commands throw for bad usage.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** Whether stderr is a terminal (progress bars, colour). */
  isTTY: boolean;
  env: Record<string, string | undefined>;
  cwd: string;
  /**
   * Wall clock in ms for the progress bar's start delay (default Date.now); a test seam, so
   * whether a bar appears never depends on how fast the machine runs the job.
   */
  now?: () => number;
}

export const EXIT = {
  OK: 0,
  /** A check failed (reserved for `smpsim check`). */
  CHECK_FAILED: 1,
  /** Bad input or usage: unreadable or invalid files, bad flags. */
  USAGE: 2,
  /** The simulation was aborted (deadlock, event or wall-time limit). */
  ABORTED: 3,
  /** An unexpected exception: a bug in smpsim (EX_SOFTWARE). */
  INTERNAL: 70,
} as const;

/** Bad usage or input found by the CLI itself; `lines` print one per line on stderr. */
export class UsageError extends Error {
  readonly lines: string[];
  constructor(lines: string | string[]) {
    const l = Array.isArray(lines) ? lines : [lines];
    super(l.join('\n'));
    this.name = 'UsageError';
    this.lines = l;
  }
}

/**
 * The path to open for a file argument. Relative paths are relative to io.cwd; when that is
 * the process's own directory the argument is returned unchanged, so that messages name the
 * file as the user typed it.
 */
export function inputPath(io: CliIo, arg: string): string {
  if (path.isAbsolute(arg)) return arg;
  if (path.resolve(io.cwd) === process.cwd()) return arg;
  return path.join(io.cwd, arg);
}

/** "no such file", "permission denied", … from a Node fs error. */
export function fsReason(err: unknown): string {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return typeof code === 'string' ? code : firstLine(err instanceof Error ? err.message : String(err));
  }
}

export function firstLine(s: string): string {
  return (s.split(/\r?\n/)[0] ?? '').trim();
}

/** Fails early (before a long run) when --out cannot be written: its directory is missing. */
export function checkOutputPath(io: CliIo, out: string): void {
  const file = path.resolve(io.cwd, out);
  let st: fs.Stats;
  try {
    st = fs.statSync(path.dirname(file));
  } catch (err) {
    const why = fsReason(err);
    throw new UsageError(
      `--out: cannot write ${out}: ${why === 'no such file or directory' ? `no directory ${path.dirname(out)}` : why}`,
    );
  }
  if (!st.isDirectory()) throw new UsageError(`--out: cannot write ${out}: ${path.dirname(out)} is not a directory`);
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw new UsageError(`--out: cannot write ${out}: is a directory`);
}

/** Write `text` to `out` atomically: a temporary file in the same directory, then rename. */
export function writeFileAtomic(io: CliIo, out: string, text: string): void {
  const file = path.resolve(io.cwd, out);
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch (err) {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // best effort
    }
    throw new UsageError(`--out: cannot write ${out}: ${fsReason(err)}`);
  }
}
