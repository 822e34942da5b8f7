/**
 * What the CLI touches of the outside world, so that `main` runs in-process in tests: two
 * output sinks, whether stderr is a terminal, the environment, the working directory.
 * Plus the exit codes and the one error type the commands throw for bad usage.
 */
import fs from 'node:fs';
import path from 'node:path';
import { OutputError, fsReason, writeOutput } from '../files/output.js';

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
  /**
   * The real process only (src/cli/lifecycle.ts): while registered, SIGINT/SIGTERM/SIGHUP
   * (or the death of the process that launched smpsim) run `fn` before the process exits.
   * Returns the unregister. Absent in-process (tests): signals are not the command's.
   */
  onInterrupt?: (fn: (signal: NodeJS.Signals) => void) => () => void;
  /**
   * The real process only: the first SIGINT/SIGTERM/SIGHUP runs `fn` and the command goes
   * on to end itself (a graceful stop: `smpsim worker`); a second one exits at once.
   */
  onShutdown?: (fn: (signal: NodeJS.Signals) => void) => () => void;
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

/** "no such file", "permission denied", "read-only file system", … from a Node fs error. */
export { fsReason };

/**
 * commander ended through exitOverride() because it printed the help or the version (a
 * CommanderError's code); exit code 0 when asked for, non-zero when shown as an error.
 */
export function isHelpOrVersion(err: { code: string }): boolean {
  return err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version';
}

export function firstLine(s: string): string {
  return (s.split(/\r?\n/)[0] ?? '').trim();
}

/** `-` as a file argument: standard output. */
export const STDOUT_ARG = '-';

/**
 * A folder argument (sweep --out, baseline --out, plot DIR, check --baseline) must name one:
 * `--out ''` wrote into the current directory (issue 20, item 6).
 */
export function requireFolderName(flag: string, value: string): void {
  if (value.trim() === '') throw new UsageError(`${flag}: expected a folder name, got ""`);
}

/**
 * A file argument ending in `/` names a folder: `run --out nd/` wrote a file named nd (issue
 * 20, item 6). Refused, naming what to give instead.
 */
export function refuseFolderSyntax(flag: string, value: string): void {
  if (/[/\\]$/.test(value) && value !== '/') {
    throw new UsageError(`${flag}: ${value} ends in /, so it names a folder; give a file name (like ${value}report.txt)`);
  }
}

/**
 * Fails early (before a long run) when --out cannot be written: its directory is missing,
 * or it is a directory. `-` (standard output) and existing special files always pass.
 */
export function checkOutputPath(io: CliIo, out: string, flag = '--out'): void {
  if (out === STDOUT_ARG) return;
  if (out.trim() === '') throw new UsageError(`${flag}: expected a file name (or - for standard output), got ""`);
  refuseFolderSyntax(flag, out);
  const file = path.resolve(io.cwd, out);
  let st: fs.Stats;
  try {
    st = fs.statSync(path.dirname(file));
  } catch (err) {
    const why = fsReason(err);
    throw new UsageError(
      `${flag}: cannot write ${out}: ${why === 'no such file or directory' ? `no directory ${path.dirname(out)}` : why}`,
    );
  }
  if (!st.isDirectory()) throw new UsageError(`${flag}: cannot write ${out}: ${path.dirname(out)} is not a directory`);
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw new UsageError(`${flag}: cannot write ${out}: is a directory`);
}

/**
 * Write `text` to `out` (src/files/output.ts: atomically for a regular file or a new path,
 * in place for a device or a FIFO). Errors are one UsageError line naming `flag`.
 */
export function writeFileAtomic(io: CliIo, out: string, text: string, flag = '--out'): void {
  try {
    writeOutput(path.resolve(io.cwd, out), text);
  } catch (err) {
    throw new UsageError(`${flag}: cannot write ${out}: ${err instanceof OutputError ? err.reason : fsReason(err)}`);
  }
}
