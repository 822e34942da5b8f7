/**
 * The simulator: a clock in nanoseconds and one event heap.
 *
 * Events order by (time, priority, insertion sequence), so simultaneous events resolve
 * the same way on every run. Cancelling marks the event dead (O(1), no heap search); dead
 * events are skipped when popped and swept out in bulk if they pile up.
 *
 * The heap is a 4-ary min-heap over parallel typed arrays (times, (priority, seq) order
 * keys, slot indices), grown by doubling; each event's callback and argument live in a
 * slot of two plain arrays, recycled through a free list, so scheduling an event allocates
 * nothing. schedule() returns an EventId (the slot and a generation count, so that a
 * handle to a fired or cancelled event whose slot was reused cancels nothing). The keys
 * are unique (the sequence number), so the order events fire in does not depend on the
 * heap's layout: any correct heap gives the same trajectory.
 *
 * A process step that ends in a hold whose end precedes everything pending does not go
 * through the heap at all: continueAt (below) runs the next step in the same call — the
 * same events, times, order, count and fingerprint. Measured (issue 24, BENCHMARKS.md,
 * CPU time, fresh processes alternated): io-kmap-16cpu 200 k ops 583–657 → 552–581 ms, with
 * the step dispatch (stepEvent, run loop, schedule) ~22% → ~7% of its profile. A one-event
 * register in front of the heap (the earliest event kept out of it) was tried too: no
 * measurable gain on the models, −6% on PHOLD (unpredictable branches), so not kept.
 *
 * Until issue 24 the heap was tinyqueue: one SimEvent object per scheduled event (garbage
 * for the collector) and a comparator call per comparison. Measured (BENCHMARKS.md, "Speed
 * II", CPU time, interleaved runs): PHOLD through the engine went from 0.85–0.90× a bare
 * tinyqueue loop to 1.0× (the same as a bare typed-array heap loop doing the same work),
 * and the CPU time of whole model runs fell by ~25% (locktorture 2 M acquisitions: 0.90 →
 * 0.69 s; io-kmap-16cpu 200 k ops: 1.59 → 1.19 s; with issue 24's two allocation cuts in
 * spinlock.ts and membus.ts).
 *
 * The engine knows nothing of CPUs or kernels: models schedule callbacks or run
 * processes (process.ts) on it.
 */
import { Fingerprint } from './fingerprint.js';
import { formatDuration } from './units.js';

export type EventFn<T> = (arg: T) => void;

/**
 * A handle to a scheduled event, for cancel() and timeOf(): generation × SLOT_SPAN + slot.
 * NO_EVENT (−1) is never a handle: use it for "no timer".
 */
export type EventId = number;
export const NO_EVENT: EventId = -1;

/** Priorities are small integers; lower runs first among events at the same time. */
export const PRIORITY_MIN = -64;
export const PRIORITY_MAX = 63;
const SEQ_SPAN = 2 ** 44; // 1.7e13 events before the sequence would overflow into priority

/** Slots (events pending at once, live and cancelled) an EventId can name: 2^26 = 67 M. */
const SLOT_SPAN = 2 ** 26;
/** Generations per slot before the count wraps (2^27: a handle stays below 2^53). */
const GEN_MASK = 2 ** 27 - 1;
const INITIAL_CAPACITY = 64;
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
  /** continueAt may run a step inline (false: every event goes through the heap — for tests comparing the two). */
  inlineSteps = true;

  // The heap, by position: event time, order key ((priority, seq) folded), slot.
  private hTime = new Float64Array(INITIAL_CAPACITY);
  private hOrder = new Float64Array(INITIAL_CAPACITY);
  private hSlot = new Int32Array(INITIAL_CAPACITY);
  /** Events in the heap, live and cancelled. */
  private size = 0;
  // The events, by slot: callback (null: free, fired or cancelled), argument, time, generation.
  private readonly fns: Array<EventFn<unknown> | null> = [];
  private readonly args: unknown[] = [];
  private slotTime = new Float64Array(INITIAL_CAPACITY);
  private slotGen = new Int32Array(INITIAL_CAPACITY);
  /** Free slots, a stack. */
  private freeSlots = new Int32Array(INITIAL_CAPACITY);
  private freeTop = 0;

  private seq = 0;
  private dead = 0;
  private stopRequested = false;
  /** What run() returns when stopRequested: 'stopped' (stop()), or 'predicate' (continueAt met stopWhen). */
  private stopReason: StopReason = 'stopped';
  // The current run()'s bounds, for continueAt; running is false outside run()'s loop.
  private running = false;
  private runUntil = 0;
  private runLastEvent = 0;
  private runStopWhen: (() => boolean) | undefined = undefined;
  private diagnosers: Array<() => string> = [];
  /** Zero-time guard: the clock at the last guard check, and since which event count it has not moved. */
  private guardNow = Number.NaN;
  private guardSince = 0;

  /** Schedule `fn(arg)` after `delay` ns (≥ 0). */
  schedule<T>(delay: number, fn: EventFn<T>, arg: T, priority = 0): EventId {
    return this.at(this.now + delay, fn, arg, priority);
  }

  /** Schedule `fn(arg)` at absolute time `time` (≥ now). */
  at<T>(time: number, fn: EventFn<T>, arg: T, priority = 0): EventId {
    if (!(time >= this.now)) throw new RangeError(`cannot schedule at ${time} ns: now is ${this.now} ns`);
    const slot = this.freeTop > 0 ? this.freeSlots[--this.freeTop]! : this.newSlot();
    this.fns[slot] = fn as EventFn<unknown>;
    this.args[slot] = arg;
    this.slotTime[slot] = time;
    const order = (priority - PRIORITY_MIN) * SEQ_SPAN + this.seq++;
    // Sift up from the end.
    let i = this.size++;
    if (i === this.hTime.length) this.growHeap();
    const T = this.hTime;
    const O = this.hOrder;
    const S = this.hSlot;
    while (i > 0) {
      const p = (i - 1) >> 2;
      const pt = T[p]!;
      if (pt < time || (pt === time && O[p]! < order)) break;
      T[i] = pt;
      O[i] = O[p]!;
      S[i] = S[p]!;
      i = p;
    }
    T[i] = time;
    O[i] = order;
    S[i] = slot;
    return this.slotGen[slot]! * SLOT_SPAN + slot;
  }

  /** Cancel a pending event. Cheap: marks it; the heap drops it when it surfaces. A fired or cancelled one: no-op. */
  cancel(id: EventId): void {
    const slot = id % SLOT_SPAN;
    if (id < 0 || this.fns[slot] === null || this.slotGen[slot] !== (id - slot) / SLOT_SPAN) return;
    this.fns[slot] = null;
    this.args[slot] = null;
    if (++this.dead > 4096 && this.dead > this.size >> 1) this.sweep();
  }

  /** Simulated time a pending event is due at; NaN for NO_EVENT or a fired or cancelled one. */
  timeOf(id: EventId): number {
    const slot = id % SLOT_SPAN;
    if (id < 0 || this.fns[slot] === null || this.slotGen[slot] !== (id - slot) / SLOT_SPAN) return Number.NaN;
    return this.slotTime[slot]!;
  }

  /** Number of live (not cancelled) events in the heap. */
  get pending(): number {
    return this.size - this.dead;
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

  /**
   * Called by the handler of the event being executed, as its last act, instead of
   * scheduling `fn(arg)` at `time` (≥ now) with priority 0 — when that event would be the
   * very next to run: it precedes every pending event (by the heap's key: time, then
   * priority, then a sequence number larger than any pending one), it is not later than the
   * run's `until`, and the run would not stop after the current event (stop(), maxEvents,
   * the guards' periodic check, stopWhen). Then this completes the current event as run()
   * would (counts it, evaluates stopWhen), starts the next one (clock, fingerprint) and
   * returns true: the caller goes on executing `fn(arg)`'s work itself, without a trip
   * through the heap. Otherwise it returns false and changes nothing, except that a true
   * stopWhen ends the run after the current event (the caller then schedules as usual).
   *
   * Same events, same times, same order, same count and fingerprint as scheduling: only the
   * heap's push and pop and the run loop's dispatch are skipped (issue 24; Process.step
   * uses it for a hold that ends before anything else happens).
   */
  continueAt<T>(time: number, fn: EventFn<T>, arg: T): boolean {
    if (!this.running || !this.inlineSteps || !(time >= this.now) || time > this.runUntil) return false;
    if (this.size > 0) {
      const top = this.hTime[0]!;
      // Priority 0 and the next sequence number: after a pending event at the same time
      // unless that one's priority is lower (a larger number).
      if (time > top || (time === top && this.hOrder[0]! < -PRIORITY_MIN * SEQ_SPAN + this.seq)) return false;
    }
    const n = this.events + 1;
    // The run loop's checks after an event, in its order; a guard check is left to it.
    if (this.stopRequested || n >= this.runLastEvent || (n & (GUARD_PERIOD - 1)) === 0 || n >= this.limits.maxEvents) return false;
    const stopWhen = this.runStopWhen;
    if (stopWhen !== undefined && stopWhen()) {
      this.stopRequested = true;
      this.stopReason = 'predicate';
      return false;
    }
    this.events = n;
    this.now = time;
    if (this.fingerprint !== null) this.fingerprint.event(time, fn as EventFn<unknown>, arg);
    return true;
  }

  /** Run events until a stop condition; returns why it stopped. */
  run(opts: RunOptions = {}): StopReason {
    this.running = true;
    try {
      return this.runLoop(opts);
    } finally {
      this.running = false;
    }
  }

  private runLoop(opts: RunOptions): StopReason {
    const until = opts.until ?? Number.POSITIVE_INFINITY;
    const lastEvent = opts.maxEvents === undefined ? Number.POSITIVE_INFINITY : this.events + opts.maxEvents;
    const stopWhen = opts.stopWhen;
    const eventLimit = this.limits.maxEvents;
    const wallLimit = this.limits.wallMs;
    const wallStart = wallLimit < Number.POSITIVE_INFINITY ? Date.now() - this.wallSpentMs : 0;
    this.guardNow = Number.NaN;
    const fp = this.fingerprint;
    const fns = this.fns;
    const args = this.args;
    this.stopRequested = false;
    this.stopReason = 'stopped';
    this.runUntil = until;
    this.runLastEvent = lastEvent;
    this.runStopWhen = stopWhen;
    for (;;) {
      if (this.size === 0) return 'empty';
      // this.hTime, not a copy: a handler's schedule() may grow it, or cancel() sweep it.
      const time = this.hTime[0]!;
      if (time > until) {
        this.now = until;
        return 'until';
      }
      const slot = this.hSlot[0]!;
      this.removeTop();
      const fn = fns[slot] as EventFn<unknown> | null;
      const arg = args[slot];
      this.freeSlot(slot); // fired events are no longer cancellable
      if (fn === null) {
        this.dead--;
        continue;
      }
      this.now = time;
      if (fp !== null) fp.event(time, fn, arg);
      fn(arg);
      const n = ++this.events;
      if (this.stopRequested) return this.stopReason;
      if (stopWhen !== undefined && stopWhen()) return 'predicate';
      if (n >= lastEvent) return 'max_events';
      if ((n & (GUARD_PERIOD - 1)) === 0) this.checkGuards(n, eventLimit, wallLimit, wallStart);
      else if (n >= eventLimit) this.checkGuards(n, eventLimit, wallLimit, wallStart);
    }
  }

  /** Remove the heap's top: the last element sifts down from the root. */
  private removeTop(): void {
    const n = --this.size;
    if (n === 0) return;
    this.hTime[0] = this.hTime[n]!;
    this.hOrder[0] = this.hOrder[n]!;
    this.hSlot[0] = this.hSlot[n]!;
    this.siftDownAt(0);
  }

  /** A slot never used before (the free list is empty). */
  private newSlot(): number {
    const slot = this.fns.length;
    if (slot >= SLOT_SPAN) throw new RangeError(`more than ${SLOT_SPAN} events pending at once`);
    this.fns.push(null);
    this.args.push(null);
    if (slot === this.slotGen.length) {
      const cap = slot * 2;
      const time = new Float64Array(cap);
      time.set(this.slotTime);
      this.slotTime = time;
      const gen = new Int32Array(cap);
      gen.set(this.slotGen);
      this.slotGen = gen;
      this.freeSlots = new Int32Array(cap); // empty whenever a new slot is needed
    }
    return slot;
  }

  /** Return a fired or cancelled event's slot to the free list; its old handles go stale. */
  private freeSlot(slot: number): void {
    this.fns[slot] = null;
    this.args[slot] = null;
    this.slotGen[slot] = (this.slotGen[slot]! + 1) & GEN_MASK;
    this.freeSlots[this.freeTop++] = slot;
  }

  private growHeap(): void {
    const cap = this.hTime.length * 2;
    const t = new Float64Array(cap);
    t.set(this.hTime);
    this.hTime = t;
    const o = new Float64Array(cap);
    o.set(this.hOrder);
    this.hOrder = o;
    const s = new Int32Array(cap);
    s.set(this.hSlot);
    this.hSlot = s;
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
    this.running = false; // each sampled event goes through the heap
    const seen = new Map<string, number>();
    for (let i = 0; i < LIVELOCK_SAMPLE; i++) {
      this.dropDeadTop();
      if (this.size === 0 || this.hTime[0] !== this.now) break;
      const slot = this.hSlot[0]!;
      this.removeTop();
      const fn = this.fns[slot]!;
      const rawArg = this.args[slot];
      this.freeSlot(slot);
      const arg = rawArg as { name?: unknown } | null;
      const what = `${fn.name || 'anonymous handler'}${typeof arg === 'object' && arg !== null && typeof arg.name === 'string' ? `(${arg.name})` : ''}`;
      seen.set(what, (seen.get(what) ?? 0) + 1);
      fn(rawArg);
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
    while (this.size > 0 && this.fns[this.hSlot[0]!] === null) {
      const slot = this.hSlot[0]!;
      this.removeTop();
      this.freeSlot(slot);
      this.dead--;
    }
  }

  /** Rebuild the heap without cancelled events, bounding memory under heavy cancelling. */
  private sweep(): void {
    const T = this.hTime;
    const O = this.hOrder;
    const S = this.hSlot;
    let k = 0;
    for (let i = 0; i < this.size; i++) {
      const slot = S[i]!;
      if (this.fns[slot] === null) {
        this.freeSlot(slot);
        continue;
      }
      T[k] = T[i]!;
      O[k] = O[i]!;
      S[k] = slot;
      k++;
    }
    this.size = k;
    this.dead = 0;
    // Floyd's heapify: sift each parent down, last first.
    for (let i = (k - 2) >> 2; i >= 0; i--) this.siftDownAt(i);
  }

  /** Sift the element at position i down (heapify). */
  private siftDownAt(i: number): void {
    const n = this.size;
    const T = this.hTime;
    const O = this.hOrder;
    const S = this.hSlot;
    const xt = T[i]!;
    const xo = O[i]!;
    const xs = S[i]!;
    for (;;) {
      const c = 4 * i + 1;
      if (c >= n) break;
      let m = c;
      let mt = T[c]!;
      let mo = O[c]!;
      const end = c + 4 < n ? c + 4 : n;
      for (let j = c + 1; j < end; j++) {
        const jt = T[j]!;
        if (jt < mt || (jt === mt && O[j]! < mo)) {
          m = j;
          mt = jt;
          mo = O[j]!;
        }
      }
      if (xt < mt || (xt === mt && xo < mo)) break;
      T[i] = mt;
      O[i] = mo;
      S[i] = S[m]!;
      i = m;
    }
    T[i] = xt;
    O[i] = xo;
    S[i] = xs;
  }
}
