/**
 * The smpsim process and the processes around it (used by src/cli.ts only; main() stays
 * free of process-wide state):
 *
 * - Interrupts: while a command has registered a handler (`sweep` does), SIGINT, SIGTERM and
 *   SIGHUP run it (one line on stderr, the directory unlocked) and the process exits with
 *   128 + the signal number, as the default action would. Without one, signals keep their
 *   default action — a `run` in the middle of a long synchronous simulation stays
 *   interruptible.
 * - Launchers: smpsim is often started through other processes — `npm run smpsim` (npm,
 *   sh), `npx tsx src/cli.ts` (tsx's own launcher, which does not pass on SIGHUP and cannot
 *   pass on SIGKILL). If one of them is killed alone, smpsim would run on, orphaned, still
 *   writing into --out. So smpsim watches the processes that launched it — its ancestors
 *   in its own process group, that is the command line's job (Linux /proc) — and ends as
 *   on SIGHUP as soon as one is gone. A process that leads its own group (`smpsim …` typed
 *   at a shell, `nohup smpsim … &`) has no launcher to watch.
 */
import os from 'node:os';
import { readInputFile } from '../input/read.js';

/** Largest /proc/<pid>/stat read (bytes): the line is ~300 bytes; a comm of 16 and 52 numbers. */
const PROC_STAT_BYTES = 4096;

export type InterruptHandler = (signal: NodeJS.Signals) => void;

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** How often (ms) the launchers are checked; the timer does not keep the process alive. */
const WATCH_MS = 500;

/** `pid`'s parent and process group, from /proc/<pid>/stat (Linux), or null. */
function procStat(pid: number): { ppid: number; pgrp: number } | null {
  try {
    const text = readInputFile(`/proc/${pid}/stat`, PROC_STAT_BYTES, 'process status files');
    // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), pgrp: Number(f[2]) };
  } catch {
    return null;
  }
}

/** The processes that launched this one: ancestors in our process group, nearest first. */
export function launcherPids(): number[] {
  const self = procStat(process.pid);
  if (self === null) return [];
  const pids: number[] = [];
  let pid = self.ppid;
  for (let depth = 0; depth < 64 && pid > 1; depth++) {
    const st = procStat(pid);
    if (st === null || st.pgrp !== self.pgrp) break;
    pids.push(pid);
    if (pid === self.pgrp) break; // the job's leader: nothing above it belongs to this command
    pid = st.ppid;
  }
  return pids;
}

function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as { code?: unknown }).code === 'ESRCH';
  }
}

export class Lifecycle {
  private readonly handlers = new Set<InterruptHandler>();
  private readonly shutdowns = new Set<InterruptHandler>();
  private exiting = false;
  private shuttingDown = false;
  private readonly onSignal = (signal: NodeJS.Signals) => this.interrupt(signal);

  /** Start watching the launchers. */
  constructor() {
    const launchers = launcherPids();
    const parent = process.ppid;
    if (launchers.length === 0) return;
    const timer = setInterval(() => {
      if (process.ppid !== parent || launchers.some(gone)) this.interrupt('SIGHUP');
    }, WATCH_MS);
    timer.unref();
  }

  /** While registered, an interrupt runs `fn` before the process exits. Returns the unregister. */
  onInterrupt(fn: InterruptHandler): () => void {
    return this.listen(this.handlers, fn);
  }

  /**
   * A graceful stop (`smpsim worker`): the first interrupt runs `fn` and the process goes on
   * (the command ends itself, exit 0); a second one exits at once as onInterrupt does.
   */
  onShutdown(fn: InterruptHandler): () => void {
    return this.listen(this.shutdowns, fn);
  }

  private listen(set: Set<InterruptHandler>, fn: InterruptHandler): () => void {
    if (this.handlers.size + this.shutdowns.size === 0) for (const s of SIGNALS) process.on(s, this.onSignal);
    set.add(fn);
    return () => {
      set.delete(fn);
      if (this.handlers.size + this.shutdowns.size === 0) for (const s of SIGNALS) process.off(s, this.onSignal);
    };
  }

  private interrupt(signal: NodeJS.Signals): void {
    if (this.shutdowns.size > 0 && !this.shuttingDown) {
      this.shuttingDown = true;
      for (const fn of this.shutdowns) fn(signal);
      return;
    }
    if (this.exiting) return;
    this.exiting = true;
    for (const fn of this.handlers) {
      try {
        fn(signal);
      } catch {
        // exiting anyway
      }
    }
    process.exit(128 + (os.constants.signals[signal] ?? 1));
  }
}
