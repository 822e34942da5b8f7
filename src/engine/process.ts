/**
 * Processes: generator functions that read like the code they model.
 *
 * A process body yields one number at a time:
 *   - a duration d ≥ 0: hold for d ns (a timed activity: work, a copy, a flush);
 *   - PARK (−1): wait until somebody calls wake() (a lock grant, a wait-queue wakeup).
 * Model helpers return one of those numbers, so `yield spin_lock(task, kmap_lock)` or
 * `yield cpu.busy(COPY, ns)` cost one generator step and no allocation.
 *   - CALL (−2), as `yield proc.call(sub)`: run the sub-body `sub` now, in this same step,
 *     and continue after the yield once it returns — what `yield* sub` does, except that the
 *     process steps `sub` directly: with `yield*` every step of a sub-body is resumed through
 *     each delegating frame above it (issue 24). No event of its own; same steps, same order.
 *
 * A process can be interrupted: its timed activity freezes with the time it had left and
 * resumes, pushed back by however long the interruption lasted (an interrupt handler).
 * A wake() that arrives while it is interrupted is held until it resumes.
 */
import { NO_EVENT, type EventId, type Simulator } from './sim.js';

export const PARK = -1;
/** Yielded by `yield proc.call(sub)` (Process.call): never a duration. */
export const CALL = -2;
export type ProcessBody = Generator<number, void, void>;

/**
 * A timed activity whose end another party decides (e.g. a transfer on a shared bus,
 * which wakes the parked process when done): it is frozen with the process on interrupt().
 */
export interface Pausable {
  pause(): void;
  resume(): void;
}

export const ProcState = {
  Created: 0,
  Ready: 1, // a step is scheduled
  Holding: 2, // in a timed activity
  Parked: 3, // waiting for wake()
  Done: 4,
} as const;
export type ProcState = (typeof ProcState)[keyof typeof ProcState];

function stepEvent(p: Process): void {
  p.step();
}

export class Process {
  state: ProcState = ProcState.Created;
  /** Set while interrupted: the activity is frozen. */
  interrupted = false;
  /** Called once when the body returns. */
  onExit: ((p: Process) => void) | null = null;
  /** The externally timed activity the process is parked in, if any (frozen on interrupt). */
  activity: Pausable | null = null;
  private body: ProcessBody | null = null;
  /** A body to run when `body` returns, in the same step (start's `then`). */
  private then: ProcessBody | null = null;
  /** Bodies waiting for the sub-body they called to return (innermost last); made at the first call. */
  private callers: ProcessBody[] | null = null;
  /** The sub-body of a pending `yield proc.call(sub)`. */
  private callee: ProcessBody | null = null;
  private timer: EventId = NO_EVENT;
  /** While interrupted: ns of the frozen hold, or of the held wake's delay; −1 if none. */
  private resumeDelay = -1;

  constructor(
    readonly sim: Simulator,
    readonly name: string,
  ) {}

  /**
   * Start running `body` after `delay` ns; with `then`, run `then` once `body` returns, in
   * the same step — as a body `yield* body; yield* then;` would, without a delegating
   * generator frame that every later step of `then` passes through (issue 24).
   */
  start(body: ProcessBody, delay = 0, then: ProcessBody | null = null): this {
    if (this.state !== ProcState.Created) throw new Error(`process ${this.name} already started`);
    this.body = body;
    this.then = then;
    this.state = ProcState.Ready;
    this.timer = this.sim.schedule(delay, stepEvent, this);
    return this;
  }

  /** Load `body` but leave it parked: it starts at the first wake() (a task waiting for a CPU). */
  startParked(body: ProcessBody): this {
    if (this.state !== ProcState.Created) throw new Error(`process ${this.name} already started`);
    this.body = body;
    this.state = ProcState.Parked;
    return this;
  }

  /**
   * `yield proc.call(sub)` from the running body: run `sub` as a subroutine (see CALL).
   * Returns CALL, to be yielded at once.
   */
  call(sub: ProcessBody): number {
    this.callee = sub;
    return CALL;
  }

  /** Advance the body to its next yield. Called by the engine; not by models. */
  step(): void {
    this.timer = NO_EVENT;
    const sim = this.sim;
    let body = this.body!;
    for (;;) {
      let r = body.next();
      for (;;) {
        if (r.done === true) {
          // The body returned: its caller continues, or `then` starts, in this same step.
          const callers = this.callers;
          if (callers !== null && callers.length > 0) {
            body = callers.pop()!;
          } else if (this.then !== null) {
            body = this.then;
            this.then = null;
          } else {
            this.state = ProcState.Done;
            this.body = null;
            if (this.onExit !== null) this.onExit(this);
            return;
          }
        } else if (r.value === CALL) {
          const sub = this.callee;
          if (sub === null) throw new Error(`process ${this.name} yielded CALL without call()`);
          this.callee = null;
          (this.callers ??= []).push(body);
          body = sub;
        } else {
          break;
        }
        this.body = body;
        r = body.next();
      }
      const d = r.value;
      if (d < 0) {
        this.state = ProcState.Parked;
        return;
      }
      this.state = ProcState.Holding;
      // A hold that ends before anything else happens: the engine starts the next step
      // here (Simulator.continueAt: same event, count and fingerprint, no heap round trip).
      if (!sim.continueAt(sim.now + d, stepEvent, this)) {
        this.timer = sim.schedule(d, stepEvent, this);
        return;
      }
    }
  }

  get parked(): boolean {
    return this.state === ProcState.Parked;
  }

  get done(): boolean {
    return this.state === ProcState.Done;
  }

  /** Make a parked process continue after `delay` ns. */
  wake(delay = 0): void {
    if (this.state !== ProcState.Parked) throw new Error(`wake of process ${this.name} that is not parked`);
    this.state = ProcState.Ready;
    if (this.interrupted) this.resumeDelay = delay;
    else this.timer = this.sim.schedule(delay, stepEvent, this);
  }

  /** Freeze the current activity (an interrupt handler takes the CPU). */
  interrupt(): void {
    if (this.interrupted) throw new Error(`process ${this.name} interrupted twice`);
    this.interrupted = true;
    if (this.activity !== null) this.activity.pause();
    const t = this.timer;
    if (t !== NO_EVENT) {
      this.resumeDelay = this.sim.timeOf(t) - this.sim.now;
      this.sim.cancel(t);
      this.timer = NO_EVENT;
    } else {
      this.resumeDelay = -1;
    }
  }

  /** Resume after an interrupt: the frozen activity continues for the time it had left. */
  resume(): void {
    if (!this.interrupted) throw new Error(`resume of process ${this.name} that was not interrupted`);
    this.interrupted = false;
    if (this.activity !== null) this.activity.resume();
    if (this.resumeDelay >= 0 && this.state !== ProcState.Done) {
      this.timer = this.sim.schedule(this.resumeDelay, stepEvent, this);
    }
    this.resumeDelay = -1;
  }

  /** Simulated time at which the current hold ends (Infinity when parked or frozen). */
  get wakeTime(): number {
    return this.timer === NO_EVENT ? Number.POSITIVE_INFINITY : this.sim.timeOf(this.timer);
  }
}

/** A FIFO of parked processes (the engine's wait queue / signal). */
export class WaitQueue {
  private items: Process[] = [];
  private head = 0;

  constructor(readonly name: string) {}

  get length(): number {
    return this.items.length - this.head;
  }

  /** Enqueue a process; it must then yield PARK. Returns PARK for `yield q.wait(p)`. */
  wait(p: Process): number {
    this.items.push(p);
    return PARK;
  }

  /** Wake the oldest waiter; false if none. */
  wakeOne(delay = 0): boolean {
    if (this.head === this.items.length) return false;
    const p = this.items[this.head++]!;
    if (this.head > 64 && this.head * 2 > this.items.length) this.compact();
    p.wake(delay);
    return true;
  }

  /** Wake every waiter in FIFO order; returns how many. */
  wakeAll(delay = 0): number {
    let n = 0;
    while (this.wakeOne(delay)) n++;
    return n;
  }

  /** Waiters, oldest first (for diagnostics). */
  waiters(): Process[] {
    return this.items.slice(this.head);
  }

  private compact(): void {
    this.items = this.items.slice(this.head);
    this.head = 0;
  }
}
