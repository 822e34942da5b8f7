/**
 * The simulator: a clock in nanoseconds and one event heap.
 *
 * Events order by (time, priority, insertion sequence), so simultaneous events resolve
 * the same way on every run. Cancelling marks the event dead (O(1), no heap search); dead
 * events are skipped when popped and swept out in bulk if they pile up.
 *
 * The engine knows nothing of CPUs or kernels: models schedule callbacks or run
 * processes (process.ts) on it.
 */
import TinyQueue from 'tinyqueue';
import { Fingerprint } from './fingerprint.js';
import { formatDuration } from './units.js';

export type EventFn<T> = (arg: T) => void;

/** One scheduled callback. `fn === null` means cancelled. */
export class SimEvent {
  constructor(
    public time: number,
    /** (priority, seq) folded into one number: lower runs first. */
    public order: number,
    public fn: EventFn<unknown> | null,
    public arg: unknown,
  ) {}
}

/** Priorities are small integers; lower runs first among events at the same time. */
export const PRIORITY_MIN = -64;
export const PRIORITY_MAX = 63;
const SEQ_SPAN = 2 ** 44; // 1.7e13 events before the sequence would overflow into priority

function compareEvents(a: SimEvent, b: SimEvent): number {
  return a.time - b.time || a.order - b.order;
}

export type StopReason = 'until' | 'empty' | 'predicate' | 'stopped' | 'max_events';

export interface RunOptions {
  /** Stop before any event later than this simulated time; the clock is set to it. */
  until?: number;
  /** Stop after this many more events. */
  maxEvents?: number;
  /** Checked after every event; true stops the run. */
  stopWhen?: () => boolean;
}

/** Runaway guards: exceeding one aborts the run with a diagnostic. */
export interface Limits {
  maxEvents: number;
  wallMs: number;
  /**
   * Zero-time livelock guard: abort when at least this many events in a row run at one
   * simulated instant (the clock never advances, so no stop.time can end the run). Checked
   * every GUARD_PERIOD events, so it trips after between this and twice this many.
   */
  zeroTimeEvents: number;
}

/** Events between two checks of the guards (a power of two: the check is a mask). */
export const GUARD_PERIOD = 1 << 16;

/**
 * Default zero-time guard: 2^24 = 16,777,216 events at one instant, ≈ 1.5 s of a zero-cost
 * loop at ≈ 11 M events/s. The longest run of same-instant events in the bundled scenarios
 * is 61 (scaling-1-32 at 32 CPUs: a broadcast IPI and its handlers), so a legitimate run is
 * more than five orders of magnitude away from it.
 */
export const DEFAULT_ZERO_TIME_EVENTS = 1 << 24;

/** Events recorded after a zero-time livelock is detected, to name what loops. */
const LIVELOCK_SAMPLE = 4096;

/** Thrown when a run is ended by a guard (or a model's own abort, e.g. a deadlock). */
export class SimulationAborted extends Error {
  constructor(
    public readonly reason: 'event_limit' | 'wall_time' | 'livelock' | 'deadlock' | 'model' | 'warmup',
    message: string,
    public readonly diagnosis: string,
  ) {
    super(message);
  }
}

export class Simulator {
  /** Current simulated time, ns. */
  now = 0;
  /** Events executed so far (cancelled ones excluded). */
  events = 0;
  limits: Limits = { maxEvents: Number.POSITIVE_INFINITY, wallMs: Number.POSITIVE_INFINITY, zeroTimeEvents: Number.POSITIVE_INFINITY };
  /** The run's trajectory hash, when enabled (enableFingerprint); null costs nothing. */
  fingerprint: Fingerprint | null = null;
  /** Wall-clock time (ms) already spent before run() (the set-up), counted against limits.wallMs. */
  wallSpentMs = 0;
  private heap = new TinyQueue<SimEvent>([], compareEvents);
  private seq = 0;
  private dead = 0;
  private stopRequested = false;
  private diagnosers: Array<() => string> = [];
  /** Zero-time guard: the clock at the last guard check, and since which event count it has not moved. */
  private guardNow = Number.NaN;
  private guardSince = 0;

  /** Schedule `fn(arg)` after `delay` ns (≥ 0). */
  schedule<T>(delay: number, fn: EventFn<T>, arg: T, priority = 0): SimEvent {
    return this.at(this.now + delay, fn, arg, priority);
  }

  /** Schedule `fn(arg)` at absolute time `time` (≥ now). */
  at<T>(time: number, fn: EventFn<T>, arg: T, priority = 0): SimEvent {
    if (!(time >= this.now)) throw new RangeError(`cannot schedule at ${time} ns: now is ${this.now} ns`);
    const ev = new SimEvent(time, (priority - PRIORITY_MIN) * SEQ_SPAN + this.seq++, fn as EventFn<unknown>, arg);
    this.heap.push(ev);
    return ev;
  }

  /** Cancel a pending event. Cheap: marks it; the heap drops it when it surfaces. */
  cancel(ev: SimEvent): void {
    if (ev.fn === null) return;
    ev.fn = null;
    ev.arg = null;
    if (++this.dead > 4096 && this.dead > this.heap.length >> 1) this.sweep();
  }

  /** Number of live (not cancelled) events in the heap. */
  get pending(): number {
    return this.heap.length - this.dead;
  }

  /** Ask the current run to return after the event being executed. */
  stop(): void {
    this.stopRequested = true;
  }

  /** Start hashing every executed event into a fingerprint (engine/fingerprint.ts). */
  enableFingerprint(): Fingerprint {
    if (this.fingerprint === null) this.fingerprint = new Fingerprint();
    return this.fingerprint;
  }

  /** Mix a number (a CPU id, a decision) into the fingerprint; a no-op when it is off. */
  mix(n: number): void {
    if (this.fingerprint !== null) this.fingerprint.mix(n);
  }

  /** Register a function that describes model state for abort diagnostics. */
  addDiagnoser(fn: () => string): void {
    this.diagnosers.push(fn);
  }

  diagnose(): string {
    return this.diagnosers.map((d) => d()).join('\n');
  }

  /** Abort the run from model code (e.g. a detected deadlock). */
  abort(reason: SimulationAborted['reason'], message: string): never {
    throw new SimulationAborted(reason, message, this.diagnose());
  }

  /** Run events until a stop condition; returns why it stopped. */
  run(opts: RunOptions = {}): StopReason {
    const until = opts.until ?? Number.POSITIVE_INFINITY;
    const lastEvent = opts.maxEvents === undefined ? Number.POSITIVE_INFINITY : this.events + opts.maxEvents;
    const stopWhen = opts.stopWhen;
    const eventLimit = this.limits.maxEvents;
    const wallLimit = this.limits.wallMs;
    const wallStart = wallLimit < Number.POSITIVE_INFINITY ? Date.now() - this.wallSpentMs : 0;
    this.guardNow = Number.NaN;
    const fp = this.fingerprint;
    this.stopRequested = false;
    for (;;) {
      // this.heap, not a copy: a handler's cancel() may rebuild it (sweep()) mid-run.
      const heap = this.heap;
      const ev = heap.peek();
      if (ev === undefined) return 'empty';
      if (ev.time > until) {
        this.now = until;
        return 'until';
      }
      heap.pop();
      const fn = ev.fn;
      if (fn === null) {
        this.dead--;
        continue;
      }
      this.now = ev.time;
      ev.fn = null; // fired events are no longer cancellable
      if (fp !== null) fp.event(ev.time, fn, ev.arg);
      fn(ev.arg);
      const n = ++this.events;
      if (this.stopRequested) return 'stopped';
      if (stopWhen !== undefined && stopWhen()) return 'predicate';
      if (n >= lastEvent) return 'max_events';
      if ((n & (GUARD_PERIOD - 1)) === 0) this.checkGuards(n, eventLimit, wallLimit, wallStart);
      else if (n >= eventLimit) this.checkGuards(n, eventLimit, wallLimit, wallStart);
    }
  }

  private checkGuards(n: number, eventLimit: number, wallLimit: number, wallStart: number): void {
    if (n >= eventLimit) {
      this.abort('event_limit', `run aborted: event limit of ${eventLimit} events reached at t=${formatDuration(this.now)} of simulated time`);
    }
    if (wallLimit < Number.POSITIVE_INFINITY && Date.now() - wallStart > wallLimit) {
      this.abort('wall_time', `run aborted: wall-time limit of ${wallLimit} ms reached at t=${formatDuration(this.now)} of simulated time`);
    }
    // The clock only moves forward: the same time at two checks means every event between
    // them ran at that instant. Costs nothing per event.
    if (this.now !== this.guardNow) {
      this.guardNow = this.now;
      this.guardSince = n;
    } else if (n - this.guardSince >= this.limits.zeroTimeEvents) {
      this.abortLivelock(n - this.guardSince);
    }
  }

  /**
   * A zero-time livelock: run a few more events to see what loops — each handler's name and
   * the `name` of its argument when it has one (a process, a lock: the engine knows no
   * more) — then abort with the models' diagnosis.
   */
  private abortLivelock(stuck: number): never {
    const seen = new Map<string, number>();
    for (let i = 0; i < LIVELOCK_SAMPLE; i++) {
      this.dropDeadTop();
      const ev = this.heap.pop();
      if (ev === undefined || ev.time !== this.now) break;
      const fn = ev.fn!;
      ev.fn = null;
      const arg = ev.arg as { name?: unknown } | null;
      const what = `${fn.name || 'anonymous handler'}${typeof arg === 'object' && arg !== null && typeof arg.name === 'string' ? `(${arg.name})` : ''}`;
      seen.set(what, (seen.get(what) ?? 0) + 1);
      fn(ev.arg);
      this.events++;
    }
    const looping = [...seen].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const shown = looping.slice(0, 12).map(([w, c]) => `${w} ×${c}`);
    if (looping.length > shown.length) shown.push(`${looping.length - shown.length} more handlers`);
    throw new SimulationAborted(
      'livelock',
      `run aborted: zero-time livelock at t=${this.now} ns: ${stuck.toLocaleString('en-US')} events in a row without simulated time advancing ` +
        `(the guard is ${this.limits.zeroTimeEvents.toLocaleString('en-US')}); of the next ${LIVELOCK_SAMPLE} events: ${shown.join(', ')}`,
      this.diagnose(),
    );
  }

  private dropDeadTop(): void {
    let top = this.heap.peek();
    while (top !== undefined && top.fn === null) {
      this.heap.pop();
      this.dead--;
      top = this.heap.peek();
    }
  }

  /** Rebuild the heap without cancelled events, bounding memory under heavy cancelling. */
  private sweep(): void {
    const live = this.heap.data.filter((e) => e.fn !== null);
    this.heap = new TinyQueue<SimEvent>(live, compareEvents);
    this.dead = 0;
  }
}
