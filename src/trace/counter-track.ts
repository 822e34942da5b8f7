/**
 * The counter tracks of a Chrome trace (`C` records, process-wide): each track's series and
 * current values, a point written once the clock has moved past its timestamp (several
 * changes at one instant give one point), the values a counter had when the window opened.
 * The layer of ChromeTrace (src/trace/chrome.ts) between the file (ChromeTraceWriter) and
 * the CPU, lock and device tracks.
 */
import { ChromeTraceWriter, PID, PROCESS_TID, us } from './chrome-writer.js';

/**
 * One counter track: its series' current values. A point is written once the clock has
 * moved past its timestamp (so a gauge that changes several times at one instant gives
 * one point, with the last values); every point carries every series.
 */
export class Counter {
  /** JSON-quoted track name. */
  readonly name: string;
  readonly series: string[] = [];
  readonly cur: number[] = [];
  /** Changed before the window opened (its values are written at the window's start). */
  hasBefore = false;
  /** A point was written or is pending. */
  started = false;
  hasPending = false;
  pendingTs = 0;

  constructor(name: string) {
    this.name = JSON.stringify(name);
  }

  index(series: string): number {
    let i = this.series.indexOf(series);
    if (i < 0) {
      i = this.series.length;
      this.series.push(series);
      this.cur.push(0);
    }
    return i;
  }
}

/** The counter tracks, on top of the file; ChromeTrace adds the span tracks. */
export abstract class CounterTracks extends ChromeTraceWriter {
  private readonly counters = new Map<string, Counter>();
  protected readonly allCounters: Counter[] = [];

  /**
   * Create counter track `track` with its `series` (in this order) before any value is set:
   * counter tracks are written in the order they were created.
   */
  declareCounter(track: string, series: readonly string[]): void {
    const c = this.counterNamed(track);
    for (const s of series) c.index(s);
  }

  /** Series `series` of counter track `track` takes `value`. */
  counter(track: string, series: string, value: number): void {
    if (this.off) return;
    const c = this.counterNamed(track);
    this.setCounter(c, c.index(series), value);
  }

  /** Series `i` of counter `c` is now `value`. */
  protected setCounter(c: Counter, i: number, value: number): void {
    if (c.cur[i] === value) return;
    const now = this.clock.now;
    if (now < this.ws) {
      c.cur[i] = value;
      c.hasBefore = true;
      return;
    }
    if (now >= this.we) return;
    if (c.hasPending) {
      if (c.pendingTs !== now) {
        c.hasPending = false;
        this.emitReserved(this.formatC(c, c.pendingTs));
      }
    } else if (!c.started && c.hasBefore && now > this.ws && this.admit(1)) {
      this.emit(this.formatC(c, this.ws)); // the values the window opened with
    }
    c.started = true;
    c.cur[i] = value;
    if (c.hasPending || !this.admit(1)) return;
    this.reserved++;
    c.hasPending = true;
    c.pendingTs = now;
  }

  /** Write a counter's pending point; at the end, values set only before the window. */
  protected flushCounter(c: Counter, end: number): void {
    if (c.hasPending) {
      c.hasPending = false;
      this.emitReserved(this.formatC(c, c.pendingTs));
    } else if (!c.started && c.hasBefore && end > this.ws && !this.off && this.written + this.reserved < this.limit) {
      c.started = true;
      this.emit(this.formatC(c, this.ws));
    }
  }

  private formatC(c: Counter, ts: number): string {
    let args = '';
    for (let i = 0; i < c.series.length; i++) args += `${i === 0 ? '' : ','}${JSON.stringify(c.series[i])}:${c.cur[i]}`;
    return `{"ph":"C","name":${c.name},"cat":"counter","ts":${us(ts)},"pid":${PID},"tid":${PROCESS_TID},"args":{${args}}}`;
  }

  protected counterNamed(name: string): Counter {
    let c = this.counters.get(name);
    if (c === undefined) {
      c = new Counter(name);
      this.counters.set(name, c);
      this.allCounters.push(c);
    }
    return c;
  }
}
