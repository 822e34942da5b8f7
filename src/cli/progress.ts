/**
 * Progress of long jobs on stderr.
 *
 * On a terminal: a bar, once the job has lasted more than a second (it starts lazily on the
 * first progress report after that), so quick runs never see it; it shows the percentage,
 * the ETA and the run counter. No colour when NO_COLOR is set.
 *
 * Elsewhere (CI logs, pipes): a plain line every PLAIN_INTERVAL_MS (~10 s) of wall time,
 * `smpsim: progress: 12/40 runs done (30%), ETA 1m 05s — <label>`, so a long job in CI shows
 * it is alive without flooding the log; jobs shorter than the interval print nothing.
 *
 * runScenario is synchronous, so neither can rely on timers: both are driven by update()
 * (cli-progress redraws synchronously, throttled). The clock is injectable (CliIo.now) so
 * tests never depend on real time. Callers give --quiet as `quiet`: nothing at all.
 *
 * cli-progress is loaded when the first bar is drawn (synchronously: update() runs inside
 * the simulation), not at start-up: most runs are quick or not on a terminal (issue 24).
 */
import { createRequire } from 'node:module';
import type cliProgress from 'cli-progress';
import type { CliIo } from './io.js';

export const PROGRESS_DELAY_MS = 1000;
/** Wall time between two plain progress lines when stderr is not a terminal. */
export const PLAIN_INTERVAL_MS = 10_000;
const STEPS = 1000;

/** cli-progress (CommonJS), loaded on first use. */
function cliProgressModule(): typeof cliProgress {
  return createRequire(import.meta.url)('cli-progress') as typeof cliProgress;
}

/** The bits of a Writable that cli-progress and readline use, writing through io.stderr. */
function stderrStream(io: CliIo): NodeJS.WritableStream {
  const columns = Number(io.env.COLUMNS);
  const stream = {
    isTTY: true,
    columns: Number.isInteger(columns) && columns > 0 ? columns : 80,
    write(chunk: string | Uint8Array, cb?: unknown): boolean {
      io.stderr(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      if (typeof cb === 'function') (cb as () => void)();
      return true;
    },
  };
  return stream as unknown as NodeJS.WritableStream;
}

export function useColour(io: CliIo): boolean {
  const noColor = io.env.NO_COLOR;
  return io.isTTY && (noColor === undefined || noColor === '');
}

/** "1h 02m", "3m 05s", "42s" — an ETA, to the second. */
export function formatEta(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = Math.round(ms / 1000);
  if (s >= 3600) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

export class Progress {
  private bar: cliProgress.SingleBar | undefined;
  private readonly started: number;
  private readonly now: () => number;
  /** When the last plain line was printed (non-TTY). */
  private lastLine: number;
  /** --quiet: no bar, no lines. */
  quiet = false;
  /** The last report, to redraw the bar after a note interrupted it. */
  private last: { done: number; total: number; label: string } | undefined;

  constructor(
    private readonly io: CliIo,
    /** Number of runs in the job; progress is (run index + fraction of it) / runs. */
    private readonly runs: number,
    /** Wall clock in ms: this argument, else the io's clock, else Date.now. */
    now?: () => number,
    private readonly delayMs = PROGRESS_DELAY_MS,
  ) {
    this.now = now ?? io.now ?? Date.now;
    this.started = this.now();
    this.lastLine = this.started;
  }

  /** `quiet` true: a Progress that never prints (for --quiet). */
  static create(io: CliIo, runs: number, quiet: boolean): Progress {
    const p = new Progress(io, runs);
    p.quiet = quiet;
    return p;
  }

  /** Whether a bar is on screen. */
  get active(): boolean {
    return this.bar !== undefined;
  }

  /** Run `index` (0-based, labelled `label`) is `fraction` done. */
  update(index: number, fraction: number, label: string): void {
    this.report(index + Math.min(1, Math.max(0, fraction)), this.runs, label);
  }

  /**
   * `done` runs (fractional: runs in progress count by their fraction) of `total` (which may
   * grow, as with --precision) are done; `label` names what runs now.
   */
  report(done: number, total: number, label: string): void {
    if (this.quiet || !(total > 0)) return;
    this.last = { done, total, label };
    const frac = Math.min(1, Math.max(0, done / total));
    if (!this.io.isTTY) {
      this.plainLine(done, total, frac, label);
      return;
    }
    const value = Math.round(frac * STEPS);
    const index = Math.min(total - 1, Math.floor(done));
    if (this.bar === undefined) {
      if (this.now() - this.started < this.delayMs) return;
      const colour = useColour(this.io);
      const barText = colour ? '\u001b[36m{bar}\u001b[0m' : '{bar}';
      const runText = this.runs > 1 || total > 1 ? ' | run {run}/{runs} {label}' : '';
      const bars = cliProgressModule();
      this.bar = new bars.SingleBar(
        {
          stream: stderrStream(this.io),
          format: `smpsim [${barText}] {percentage}% | ETA {eta_formatted}${runText}`,
          barCompleteChar: '#',
          barIncompleteChar: colour ? '\u2591' : '-',
          hideCursor: true,
          clearOnComplete: true,
          noTTYOutput: false,
          etaBuffer: 20,
        },
        bars.Presets.legacy,
      );
      this.bar.start(STEPS, value, { run: index + 1, runs: total, label });
      return;
    }
    this.bar.update(value, { run: index + 1, runs: total, label });
  }

  /** Non-TTY: one plain line per PLAIN_INTERVAL_MS, with runs done and an ETA. */
  private plainLine(done: number, total: number, frac: number, label: string): void {
    const t = this.now();
    if (t - this.lastLine < PLAIN_INTERVAL_MS) return;
    this.lastLine = t;
    const elapsed = t - this.started;
    const eta = frac > 0 ? formatEta((elapsed * (1 - frac)) / frac) : '?';
    const pct = `${Math.floor(frac * 100)}%`;
    const what = total > 1 ? `${Math.floor(done)}/${total} runs done (${pct})` : `${pct} of the run done`;
    this.io.stderr(`smpsim: progress: ${what}, ETA ${eta}${label === '' ? '' : ` - ${label}`}\n`);
  }

  /** Draw the bar again as it was last reported (after stop() made room for a note). */
  resume(): void {
    if (this.last !== undefined) this.report(this.last.done, this.last.total, this.last.label);
  }

  /** Erase the bar (if any). */
  stop(): void {
    if (this.bar !== undefined) {
      this.bar.stop();
      this.bar = undefined;
    }
  }
}
