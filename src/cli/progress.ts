/**
 * A progress bar on stderr for long runs: only when stderr is a terminal, and only once the
 * job has lasted more than a second (it starts lazily on the first progress report after
 * that), so quick runs and pipes never see it. No colour when NO_COLOR is set.
 *
 * runScenario is synchronous, so the bar cannot rely on timers: cli-progress redraws
 * synchronously from update() (its `synchronousUpdate`), throttled.
 */
import cliProgress from 'cli-progress';
import type { CliIo } from './io.js';

export const PROGRESS_DELAY_MS = 1000;
const STEPS = 1000;

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

export class Progress {
  private bar: cliProgress.SingleBar | undefined;
  private readonly started: number;
  private readonly now: () => number;

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
  }

  /** Whether a bar is on screen. */
  get active(): boolean {
    return this.bar !== undefined;
  }

  /** Run `index` (0-based, labelled `label`) is `fraction` done. */
  update(index: number, fraction: number, label: string): void {
    if (!this.io.isTTY) return;
    const value = Math.round(((index + Math.min(1, Math.max(0, fraction))) / this.runs) * STEPS);
    if (this.bar === undefined) {
      if (this.now() - this.started < this.delayMs) return;
      const colour = useColour(this.io);
      const barText = colour ? '\u001b[36m{bar}\u001b[0m' : '{bar}';
      const runText = this.runs > 1 ? ' | run {run}/{runs} {label}' : '';
      this.bar = new cliProgress.SingleBar(
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
        cliProgress.Presets.legacy,
      );
      this.bar.start(STEPS, value, { run: index + 1, runs: this.runs, label });
      return;
    }
    this.bar.update(value, { run: index + 1, runs: this.runs, label });
  }

  /** Erase the bar (if any). */
  stop(): void {
    if (this.bar !== undefined) {
      this.bar.stop();
      this.bar = undefined;
    }
  }
}
