/**
 * The memory bus: the one path to memory that the CPUs and the I/O bridges share
 * (machine.memory_bandwidth). On the 2000 4-way PIII Xeon (Intel 450NX) the four CPUs sit
 * on one 100 MHz × 8-byte front-side bus; bounce copies from every CPU and the device's
 * DMA all move their bytes through it, so four CPUs copying at once do not copy four
 * times as fast as one.
 *
 * Model: max-min fair processor sharing. Each active transfer has bytes left and a rate
 * cap — what its initiator could do with the bus to itself: a CPU copy's cap is
 * bytes / memcpy_page (the CPU-bound floor), a DMA transfer's is the device's own
 * bandwidth. The bus bandwidth B is water-filled: transfers whose cap is below an equal
 * share get their cap, the rest split what is left equally. Rates are recomputed whenever
 * a transfer starts, ends, pauses or resumes, so a copy takes longer when others run:
 *   - one transfer alone lasts max(floor, bytes / B);
 *   - n identical copies that saturate the bus each last n × bytes / B.
 * A transfer whose initiator is interrupted (its process frozen by an interrupt handler)
 * leaves the bus until the handler returns: the CPU does not copy while it runs the
 * handler, and the time stays charged to the category the process had (exact accounting).
 *
 * Simplifications: the bus is one resource (FSB and memory controller are not told
 * apart), arbitration is fluid (no per-line granularity), and only the transfers the
 * model names consume it (bounce copies, DMA) — the `touch` work of the workload and the
 * kernel's own small accesses do not. Completion times are rounded to the nanosecond.
 *
 * The bus knows nothing of kernels; src/kernel says what crosses it and how many bytes.
 */
import { PARK, type Pausable, type Process } from '../engine/process.js';
import { NO_EVENT, type EventId, type Simulator } from '../engine/sim.js';
import type { Category } from './accounting.js';
import type { ExecCtx } from './task.js';

/** One transfer on the bus. */
export class BusTransfer implements Pausable {
  /** Bytes still to move. */
  remaining: number;
  /** Current rate, bytes per ns (0 while paused). */
  rate = 0;
  /** On the bus (false while its initiator is interrupted, and once done). */
  active = false;
  done = false;

  constructor(
    readonly bus: MemoryBus,
    /** Bytes in all. */
    readonly bytes: number,
    /** Rate cap, bytes per ns (Infinity: only the bus limits it). */
    readonly cap: number,
    readonly onDone: (arg: unknown) => void,
    readonly arg: unknown,
  ) {
    this.remaining = bytes;
  }

  /** The initiator is interrupted: off the bus until resume(). */
  pause(): void {
    if (this.active) this.bus.leave(this);
  }

  resume(): void {
    if (!this.active && !this.done) this.bus.join(this);
  }
}

/**
 * Sort the water-filling scratch by cap, in place and stable — the order Array.prototype.sort
 * (stable since ES2019) gives, without the work array V8's sort allocates on every call (a
 * reshare per transfer start and end: 62 bytes per event of the default bounce run, issue 24).
 * A handful of transfers at a time: insertion sort.
 */
function sortByCap(s: BusTransfer[]): void {
  for (let i = 1; i < s.length; i++) {
    const t = s[i]!;
    let j = i - 1;
    while (j >= 0 && s[j]!.cap > t.cap) {
      s[j + 1] = s[j]!;
      j--;
    }
    s[j + 1] = t;
  }
}

/** a.splice(i, 1) without allocating the array of removed elements (a transfer ends per I/O page). */
function removeAt<T>(a: T[], i: number): void {
  const n = a.length - 1;
  for (let j = i; j < n; j++) a[j] = a[j + 1]!;
  a.length = n;
}

function busTimer(bus: MemoryBus): void {
  bus.tick();
}

export class MemoryBus {
  /** Bytes per ns. */
  readonly bytesPerNs: number;
  /** Bytes of the transfers completed since the last reset (statistics). */
  bytes = 0;
  /** Transfers on the bus, in start order (completions are reported in this order). */
  private readonly active: BusTransfer[] = [];
  /** Scratch for water-filling, sorted by cap. */
  private readonly byCap: BusTransfer[] = [];
  /** Scratch: the transfers a tick completes. */
  private readonly finished: BusTransfer[] = [];
  private lastUpdate = 0;
  private timer: EventId = NO_EVENT;

  constructor(
    readonly sim: Simulator,
    /** Sustained bandwidth, bytes/s; Infinity: no shared limit (each transfer at its cap). */
    readonly bandwidthBytesPerSec: number,
  ) {
    this.bytesPerNs = bandwidthBytesPerSec / 1e9;
    this.lastUpdate = sim.now;
  }

  /**
   * Start moving `bytes` at up to `capBytesPerNs`; `onDone(arg)` is called (from an event)
   * when the last byte has moved.
   */
  start<T>(bytes: number, capBytesPerNs: number, onDone: (arg: T) => void, arg: T): BusTransfer {
    const t = new BusTransfer(this, bytes, capBytesPerNs, onDone as (arg: unknown) => void, arg);
    this.join(t);
    return t;
  }

  /** @internal BusTransfer.resume / start. */
  join(t: BusTransfer): void {
    this.advance();
    t.active = true;
    this.active.push(t);
    this.reshare();
  }

  /** @internal BusTransfer.pause. */
  leave(t: BusTransfer): void {
    this.advance();
    t.active = false;
    t.rate = 0;
    removeAt(this.active, this.active.indexOf(t));
    this.reshare();
  }

  /** @internal The earliest completion is due. */
  tick(): void {
    this.timer = NO_EVENT;
    this.advance();
    const finished = this.finished;
    const a = this.active;
    for (let i = 0; i < a.length; ) {
      const t = a[i]!;
      // Done when less than half a nanosecond of work is left (times are whole ns).
      if (t.remaining <= t.rate * 0.5 + 1e-9) {
        t.remaining = 0;
        this.bytes += t.bytes;
        t.active = false;
        t.done = true;
        t.rate = 0;
        removeAt(a, i);
        finished.push(t);
      } else {
        i++;
      }
    }
    this.reshare();
    // Callbacks may start transfers (and so tick again later), never re-enter tick itself.
    for (let i = 0; i < finished.length; i++) finished[i]!.onDone(finished[i]!.arg);
    finished.length = 0;
  }

  resetStats(): void {
    this.bytes = 0;
  }

  /** Share of the bus's capacity the completed transfers used over `windowNs` (0 if unlimited). */
  utilisation(windowNs: number): number {
    return windowNs > 0 && Number.isFinite(this.bytesPerNs) ? this.bytes / (this.bytesPerNs * windowNs) : 0;
  }

  /** Bring every active transfer's remaining bytes up to now. */
  private advance(): void {
    const now = this.sim.now;
    const dt = now - this.lastUpdate;
    this.lastUpdate = now;
    if (dt === 0) return;
    for (const t of this.active) t.remaining = t.rate === Infinity ? 0 : Math.max(0, t.remaining - t.rate * dt);
  }

  /** Max-min fair rates (water-filling), then the timer for the earliest completion. */
  private reshare(): void {
    if (this.timer !== NO_EVENT) {
      this.sim.cancel(this.timer);
      this.timer = NO_EVENT;
    }
    const a = this.active;
    if (a.length === 0) return;
    if (a.length === 1) {
      const t = a[0]!;
      t.rate = t.cap <= this.bytesPerNs ? t.cap : this.bytesPerNs;
      this.scheduleNext();
      return;
    }
    const s = this.byCap;
    s.length = 0;
    for (const t of a) s.push(t);
    sortByCap(s);
    let left = this.bytesPerNs;
    let k = s.length;
    for (const t of s) {
      const share = left / k;
      t.rate = t.cap <= share ? t.cap : share;
      if (left !== Infinity) left -= t.rate; // an unlimited bus stays unlimited (no ∞ − ∞)
      k--;
    }
    s.length = 0;
    this.scheduleNext();
  }

  /** The timer for the earliest completion at the current rates. */
  private scheduleNext(): void {
    const a = this.active;
    let next = Infinity;
    for (const t of a) {
      const dt = t.rate === Infinity || t.remaining === 0 ? 0 : t.rate > 0 ? t.remaining / t.rate : Infinity;
      if (dt < next) next = dt;
    }
    if (next === Infinity) throw new Error('memory bus: no transfer can progress (zero bandwidth)');
    this.timer = this.sim.schedule(Math.round(next), busTimer, this);
  }
}

function wakeAfterTransfer(p: Process): void {
  p.activity = null;
  p.wake(0);
}

/**
 * `yield bus_transfer(ctx, bus, COPY, bytes, floorNs)`: the context's CPU moves `bytes`
 * across the bus, charged to `cat`, taking at least `floorNs` (its CPU-bound time) and
 * longer when the bus is shared. Returns PARK; the bus wakes the context when done.
 */
export function bus_transfer(ctx: ExecCtx, bus: MemoryBus, cat: Category, bytes: number, floorNs: number): number {
  ctx.cpu.setCat(cat);
  const cap = floorNs > 0 ? bytes / floorNs : Infinity;
  const p = ctx.proc;
  p.activity = bus.start(bytes, cap, wakeAfterTransfer, p);
  return PARK;
}
