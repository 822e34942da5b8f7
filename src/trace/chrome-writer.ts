/**
 * The Chrome Trace Event Format file itself — `{"traceEvents":[ …events… ],
 * "displayTimeUnit":"ns","otherData":{…}}` — as ChromeTrace (src/trace/chrome.ts) writes it:
 * the opening and the closing text, each record appended to a TraceSink as it is complete,
 * `X` records clipped to the time window, and the event budget (the limit): room reserved
 * for what is promised, and the cut when an event would not fit (the subclass closes every
 * open span then: closeAllAt).
 *
 * Timestamps are µs (fractional: simulated ns / 1000), as the format wants.
 */

/** The simulator's clock, as the writer sees it. */
export interface TraceClock {
  /** Current simulated time, ns. */
  readonly now: number;
}

/** Values of the `args` of a trace record. */
export type TraceArgs = Readonly<Record<string, string | number | boolean>>;

/** Where the JSON text goes, in order. */
export interface TraceSink {
  write(chunk: string): void;
}

/** Simulated time range to keep, ns: [start, end). */
export interface TraceWindow {
  start: number;
  end: number;
}

export const DEFAULT_TRACE_LIMIT = 1_000_000;

export interface ChromeTraceOptions {
  window?: TraceWindow;
  /** Most events to write (metadata records naming the tracks are not counted). */
  limit?: number;
  /** Name of the machine's process in the viewer. */
  processName?: string;
  /** Extra fields for the file's `otherData` (scenario, seed, version, …). */
  metadata?: Readonly<Record<string, string | number | boolean | null>>;
}

export interface TraceSummary {
  /** Events written, metadata records excluded. */
  events: number;
  /** Metadata (`M`) records written. */
  metadata: number;
  /** Where the limit cut the trace (simulated ns), or null if it did not. */
  cutAt: number | null;
  /** Simulated time when the trace was finished, ns. */
  endNs: number;
}

export const PID = 1;
/** tid of process-wide records (counters, global instants). */
export const PROCESS_TID = 0;

/** µs from ns, as JSON number text. */
export function us(ns: number): string {
  return String(ns / 1000);
}

/** The file, its window and its event budget; ChromeTrace adds the tracks. */
export abstract class ChromeTraceWriter {
  /** Window start and end, ns. */
  readonly ws: number;
  readonly we: number;
  readonly limit: number;
  /** Room kept for events already promised: open spans, held events, pending counter points. */
  reserved = 0;
  protected written = 0;
  private metaWritten = 0;
  private first = true;
  /** Recording stopped (limit cut, window passed, or finished). */
  protected off = false;
  private cutAt: number | null = null;
  private finished = false;
  protected clock: TraceClock = { now: 0 };

  constructor(
    private readonly sink: TraceSink,
    protected readonly opts: ChromeTraceOptions = {},
  ) {
    this.ws = opts.window?.start ?? 0;
    this.we = opts.window?.end ?? Number.POSITIVE_INFINITY;
    this.limit = opts.limit ?? DEFAULT_TRACE_LIMIT;
    if (!(this.we > this.ws)) throw new RangeError(`trace window: end (${this.we} ns) must be after start (${this.ws} ns)`);
    if (!(this.limit >= 1)) throw new RangeError(`trace limit must be at least 1, got ${this.limit}`);
    sink.write('{"traceEvents":[');
  }

  // ---- finishing -----------------------------------------------------------------------

  /**
   * Close every open span at the current time, write the rest of the file (the caller
   * then closes the sink). Idempotent.
   */
  finish(): TraceSummary {
    const endNs = this.clock.now;
    if (!this.finished) {
      this.finished = true;
      if (!this.off) this.closeAllAt(Math.min(endNs, this.we));
      this.off = true;
      const other: Record<string, string | number | boolean | null> = {
        ...this.opts.metadata,
        generator: 'smpsim',
        time_unit: 'simulated ns (ts and dur in µs)',
        window_start_ns: this.ws,
        window_end_ns: Number.isFinite(this.we) ? this.we : null,
        limit: this.limit,
        events: this.written,
        cut_at_ns: this.cutAt,
      };
      this.sink.write(`\n],"displayTimeUnit":"ns","otherData":${JSON.stringify(other)}}\n`);
    }
    return { events: this.written, metadata: this.metaWritten, cutAt: this.cutAt, endNs };
  }

  /** Room for `k` more events? If not, cut the trace here. */
  admit(k: number): boolean {
    if (this.off) return false;
    if (this.written + this.reserved + k <= this.limit) return true;
    this.cutAt = this.clock.now;
    this.off = true; // first: nothing new opens while everything closes
    this.closeAllAt(this.clock.now);
    return false;
  }

  emit(ev: string): void {
    this.written++;
    this.sink.write(this.first ? `\n${ev}` : `,\n${ev}`);
    this.first = false;
  }

  /** Write an event whose room was reserved. */
  emitReserved(ev: string): void {
    this.reserved--;
    this.emit(ev);
  }

  /** An `X` event clipped to the window, or null if nothing of it is inside. */
  formatXAt(tid: number, name: string, cat: string, start: number, end: number, args: string | null): string | null {
    const s = start > this.ws ? start : this.ws;
    const e = end < this.we ? end : this.we;
    if (!(e > s)) return null;
    const a = args === null ? '' : `,"args":${args}`;
    return `{"ph":"X","name":${name},"cat":"${cat}","ts":${us(s)},"dur":${us(e - s)},"pid":${PID},"tid":${tid}${a}}`;
  }

  protected meta(name: string, tid: number, args: Record<string, string | number>): void {
    this.metaWritten++;
    const ev = `{"ph":"M","name":"${name}","ts":0,"pid":${PID},"tid":${tid},"args":${JSON.stringify(args)}}`;
    this.sink.write(this.first ? `\n${ev}` : `,\n${ev}`);
    this.first = false;
  }

  protected nameTrack(tid: number, name: string, sortIndex: number): void {
    this.meta('thread_name', tid, { name });
    this.meta('thread_sort_index', tid, { sort_index: sortIndex });
  }

  /** Close every open span (and flush pending counter points) at `at` ns. */
  protected abstract closeAllAt(at: number): void;
}
