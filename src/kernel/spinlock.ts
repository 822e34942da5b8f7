/**
 * Spinlocks (include/linux/spinlock.h; include/asm-i386/spinlock.h of each version).
 *
 * - `tas`: x86 test-and-set — 2.3.40 `lock ; btsl` with a `testb` read spin
 *   (include/asm-i386/spinlock.h:48-57), 2.4 `lock ; decb` with a `cmpb` read spin
 *   (2.4.16 include/asm-i386/spinlock.h:55-65). Unfair: nothing orders
 *   the spinners; who gets a released lock follows from how its cache line moves (below).
 * - `ticket`: FIFO (2.6.25+). The next ticket gets the lock even if its CPU is in an
 *   interrupt handler right now; it then holds the lock from the moment it is granted. A
 *   releaser that comes back takes a new ticket behind every waiter: strictly FIFO.
 *   The handoff still costs more with more waiters: the release (now_serving++) invalidates
 *   the line in every spinning waiter's cache, each of them re-reads it, and the line's home
 *   serves those reads one at a time; the next ticket holder's read is on average served
 *   after half of them — `lock_handoff × (k + 1) / 2` for k CPUs spinning at the release
 *   (Boyd-Wickizer, Kaashoek, Morris, Zeldovich, "Non-scalable locks are dangerous", Linux
 *   Symposium 2012: its Markov model, in which the lock transfer time grows linearly with
 *   the waiting cores, which is what makes ticket locks collapse). `ticketHandoffTraffic`.
 * - `qspinlock`: queued spinlocks (4.2+): pending bit and MCS queue, FIFO, a handoff that
 *   does not grow with the waiters — src/kernel/qspinlock.ts (the hooks here: `queued`).
 *
 * Who wins a released test-and-set lock — the line goes to whoever's request is served
 * first (the arbitration model, also used by rwlock.ts):
 * - The release store leaves the line Modified in the releaser's cache and invalidates every
 *   spinner's copy. Each spinner *spinning* at that instant re-requests the line at once; a
 *   spinner whose CPU is in an interrupt handler is not spinning: it neither requests nor
 *   adds traffic, and re-requests when its handler returns (`spinnerResumed`).
 * - A request for the line travels to the holder's cache (the request leg), which serves it
 *   and sends the line back (the data leg): `lineTransfer` in all — `line_transfer_local`
 *   from a CPU of the same package (cores_per_package), `line_transfer_remote` across packages
 *   (on a P6 every package has one core: every transfer crosses the front-side bus). The two
 *   legs are taken as equal (`requestLeg`, an estimate).
 * - The first request served wins: the nearest spinners (same package) before remote ones;
 *   spinners served at the same instant are symmetric, one of them is drawn at random. It
 *   owns the lock when the line has reached it and its locked op is done (below).
 * - The line stays the releaser's alone until its cache serves the first request: a
 *   re-request of its own before then (its next spin_lock on the lock) needs no transfer, and
 *   it re-takes the lock. So the releaser's window is the request leg of the nearest
 *   spinning spinner (half of line_transfer_local or _remote), and unbounded while nobody
 *   spins. Likewise any request from the CPU that holds the line, and any CPU that asks
 *   while nobody spins, gets the free lock at once. A new CPU asking while requests are in
 *   flight joins them. No fairness is imposed and no capture forced: per-task ops and
 *   lock_stat show what emerges.
 * - The winner's locked op waits behind the reads of the other spinners, issued at the same
 *   invalidation and served one at a time (Boyd-Wickizer et al. 2012, applied to tas: an
 *   estimate): from the release, it owns the lock after its own transfer + the other
 *   spinners' transfers + `lock_acquire` (`tasHandoffCost`).
 *
 * Release: 2.4's spin_unlock is `movb $1,%0`, a plain store (free here). 2.3.40's is a locked
 * `lock ; btrl $0,%0` (include/asm-i386/spinlock.h:68-69 of "Import 2.3.40"): with
 * `kernel.spin_unlock_locked` every release costs `lock_acquire`. The model's spin_unlock is
 * an instant, so that cost is charged to the same CPU with the acquisition of the critical
 * section it ends (same CPU time, same hold time: the hold starts when the acquire completes).
 *
 * Spinning is done with IRQs enabled (2.4 spin_lock does not disable them), so spinners
 * service IPIs. All lock time is charged to the `spin` category.
 *
 * Usage in model code:  `yield spin_lock(ctx, kmap_lock, 'kmap_high'); …; spin_unlock(ctx, kmap_lock);`
 */
import { PARK } from '../engine/process.js';
import type { Rng } from '../engine/random.js';
import type { Simulator } from '../engine/sim.js';
import { SPIN } from '../cpu/accounting.js';
import type { ExecCtx, SpinWaitable } from '../cpu/task.js';
import type { Costs } from './costs.js';
import type { LockClassStat } from './lockstat.js';
import { QueuedSpinlockWaiters, queuedSpinLockCost } from './qspinlock.js';

export type SpinlockKind = 'tas' | 'ticket' | 'qspinlock';

/** Where a lock's cache line lives and what a release costs (the Machine's, per run). */
export interface LockLine {
  /** Cores per processor package: transfers inside a package are `line_transfer_local`. */
  coresPerPackage: number;
  /** spin_unlock is a locked instruction (2.3.40 `lock ; btrl`), costing `lock_acquire`. */
  unlockLocked: boolean;
}

/** One core per package, plain-store unlock: the line model of a machine that says nothing. */
export const DEFAULT_LOCK_LINE: LockLine = { coresPerPackage: 1, unlockLocked: false };

/**
 * Time to serve CPU `to`'s request for a line held in CPU `from`'s cache: none if it is
 * already there (or no CPU has it yet), `line_transfer_local` inside a package,
 * `line_transfer_remote` across packages.
 */
export function lineTransfer(costs: Costs, coresPerPackage: number, from: number, to: number): number {
  if (from < 0 || from === to) return 0;
  const per = Math.max(1, coresPerPackage);
  return Math.floor(from / per) === Math.floor(to / per) ? costs.line_transfer_local : costs.line_transfer_remote;
}

/**
 * The request leg of a line transfer: from the requester's miss until the holder's cache
 * serves it — from then on the line is no longer the holder's alone. The data leg brings it
 * to the requester (`transfer − requestLeg`). A cache-to-cache transfer is a request message
 * to the owner and a data message back; the two legs are taken as equal (estimate).
 */
export function requestLeg(transfer: number): number {
  return Math.floor(transfer / 2);
}

/** Ticket: taking a free lock: the locked op, plus a line transfer if another CPU held it last. */
export function acquireCost(costs: Costs, lastCpu: number, cpu: number): number {
  return costs.lock_acquire + (lastCpu >= 0 && lastCpu !== cpu ? costs.lock_handoff : 0);
}

/** Test-and-set: taking a free lock: the locked op, after the line came from the last holder. */
export function tasAcquireCost(costs: Costs, coresPerPackage: number, lastCpu: number, cpu: number): number {
  return costs.lock_acquire + lineTransfer(costs, coresPerPackage, lastCpu, cpu);
}

/**
 * Test-and-set: from the moment the winner's read is served to its owning the lock: its
 * locked op, queued behind the reads of the other spinners (`othersTransfer`: the sum of
 * their line transfers), all issued at the same invalidation and served one at a time.
 */
export function tasHandoffCost(costs: Costs, othersTransfer: number): number {
  return costs.lock_acquire + othersTransfer;
}

/**
 * Ticket: handing a released lock to the next ticket on `cpu`: `traffic` line transfers
 * (ticketHandoffTraffic), or just the locked op if the line never left this CPU.
 */
export function handoffCost(costs: Costs, lastCpu: number, cpu: number, traffic: number): number {
  return lastCpu !== cpu ? costs.lock_handoff * traffic : costs.lock_acquire;
}
/**
 * Line transfers a ticket-lock handoff waits for: with k CPUs spinning on the line at the
 * release, the next holder's re-read is served, on average, after half of the others'
 * (the Markov model of Boyd-Wickizer et al. 2012) — (k + 1) / 2, at least the one transfer to itself.
 */
export function ticketHandoffTraffic(spinningNow: number): number {
  return Math.max(1, (spinningNow + 1) / 2);
}

export const SPINLOCK_KINDS: readonly SpinlockKind[] = ['tas', 'ticket', 'qspinlock'];

/**
 * Which of `ties` requests served at the same instant wins: the k-th (0-based), drawn from
 * the lock's stream only when there is a tie (so an untied arbitration draws nothing).
 */
export function tiedPick(ties: number, rng: Rng): number {
  return ties <= 1 ? 0 : Math.floor(rng.next() * ties);
}

/** Event priority of a lock arbitration: after every other event of the same instant. */
export const PRIO_ARBITRATE = 8;

function arbitrateEvent(l: Spinlock): void {
  l.arbitrate();
}

export class Spinlock implements SpinWaitable {
  owner: ExecCtx | null = null;
  /** CPU of the last holder (−1: never held): whose cache the line is in. */
  lastCpu = -1;
  /** Contexts spinning, in arrival (= ticket) order. */
  readonly spinners: ExecCtx[] = [];
  /** tas: when each spinner (same index) last requested the line: the release that
   *  invalidated its copy, its arrival, or its return from an interrupt handler. */
  private readonly requestedAt: number[] = [];
  private holdStart = 0;
  /** Call site of the last acquisition: lockdep's `lock->ip` (set in __lock_acquired). */
  private lastSite = '';
  /** What spin_unlock costs, charged with the acquisition (0: a plain store). */
  private readonly unlockCost: number;
  /** qspinlock: the pending bit and the MCS queue head (src/kernel/qspinlock.ts), made at the
   *  first contention; null for tas and ticket. */
  private queued: QueuedSpinlockWaiters | null = null;
  /** Taken at least once: counted once in its class's `locks` (LockStatJson.locks). */
  private taken = false;

  private countTaken(): void {
    this.taken = true;
    this.stat.locks++;
  }

  constructor(
    readonly name: string,
    readonly kind: SpinlockKind,
    readonly stat: LockClassStat,
    private readonly sim: Simulator,
    private readonly costs: Costs,
    private readonly rng: Rng,
    private readonly line: LockLine = DEFAULT_LOCK_LINE,
  ) {
    this.unlockCost = line.unlockLocked ? costs.lock_acquire : 0;
  }

  /** spin_lock(): returns the time to yield — the acquire cost, or PARK to spin. */
  acquire(ctx: ExecCtx, site: string): number {
    const cpu = ctx.cpu;
    if (this.owner === null && this.servedAtOnce(cpu.id)) {
      const bounce = this.lastCpu >= 0 && this.lastCpu !== cpu.id;
      const cost =
        this.kind === 'tas'
          ? tasAcquireCost(this.costs, this.line.coresPerPackage, this.lastCpu, cpu.id)
          : this.kind === 'qspinlock'
            ? queuedSpinLockCost(this.costs, lineTransfer(this.costs, this.line.coresPerPackage, this.lastCpu, cpu.id))
            : acquireCost(this.costs, this.lastCpu, cpu.id);
      this.owner = ctx;
      this.lastSite = site;
      this.stat.acquired(bounce);
      if (!this.taken) this.countTaken();
      this.holdStart = this.sim.now + cost;
      if (cpu.observer !== null) cpu.observer.lockAcquired(cpu.id, ctx.inIrq, this.name, site, this.holdStart, 'spin');
      return cpu.busy(SPIN, cost + this.unlockCost);
    }
    if (this.owner === ctx) throw new Error(`${ctx.name}: recursive spin_lock(${this.name}) deadlocks`);
    ctx.spinningOn = this;
    ctx.spinSince = this.sim.now;
    ctx.spinSite = site;
    ctx.spinHolderSite = this.lastSite;
    if (this.kind === 'qspinlock') {
      this.queued ??= new QueuedSpinlockWaiters(this.costs, (from, to) => lineTransfer(this.costs, this.line.coresPerPackage, from, to));
      this.queued.arrive(ctx, this.spinners.length, this.sim.now);
    }
    this.spinners.push(ctx);
    this.requestedAt.push(this.sim.now);
    if (cpu.observer !== null) cpu.observer.lockContended(cpu.id, this.name, site);
    cpu.setCat(SPIN);
    // A free tas lock with requests in flight: this CPU's request joins them.
    if (this.owner === null) this.sim.at(this.servedAt(this.spinners.length - 1), arbitrateEvent, this, PRIO_ARBITRATE);
    return PARK;
  }

  /** spin_unlock(): the lock passes to the next ticket, or (tas) to the first request served. */
  release(ctx: ExecCtx): void {
    if (this.owner !== ctx) throw new Error(`${ctx.name}: spin_unlock(${this.name}) by a non-owner`);
    this.stat.held(this.sim.now - this.holdStart);
    if (ctx.cpu.observer !== null) ctx.cpu.observer.lockReleased(ctx.cpu.id, ctx.inIrq, this.name);
    this.lastCpu = ctx.cpu.id;
    this.owner = null;
    const n = this.spinners.length;
    if (n === 0) return;
    if (this.kind === 'ticket') {
      this.grantTicket();
      return;
    }
    if (this.queued !== null) {
      const handoff = this.queued.handoff(this.lastCpu, this.spinners[0]!, this.spinners[1] ?? null, this.sim.now);
      this.grant(this.take(0), handoff);
      return;
    }
    // The release invalidates every copy: each spinner re-requests the line now (one in a
    // handler re-requests when it returns: spinnerResumed).
    const now = this.sim.now;
    for (let i = 0; i < n; i++) this.requestedAt[i] = now;
    const first = this.firstServed();
    if (first < Number.POSITIVE_INFINITY) this.sim.at(first, arbitrateEvent, this, PRIO_ARBITRATE);
  }

  /** A TAS spinner's CPU came back from an interrupt: it requests the line of a free lock. */
  spinnerResumed(ctx: ExecCtx): void {
    if (this.kind !== 'tas' || this.owner !== null) return;
    const i = this.spinners.indexOf(ctx);
    if (i < 0) return;
    this.requestedAt[i] = this.sim.now;
    this.sim.at(this.servedAt(i), arbitrateEvent, this, PRIO_ARBITRATE);
  }

  /** A free TAS lock goes to the spinner whose request is served first, once it is served. */
  arbitrate(): void {
    if (this.owner !== null || this.spinners.length === 0) return;
    const first = this.firstServed();
    if (first === Number.POSITIVE_INFINITY) return;
    const now = this.sim.now;
    // The request this event was for was withdrawn (its CPU took an interrupt): the next one.
    if (first > now) {
      this.sim.at(first, arbitrateEvent, this, PRIO_ARBITRATE);
      return;
    }
    const s = this.spinners;
    // Exact ties drawn from the locks stream (tiedPick), counted in place: no array per arbitration.
    let ties = 0;
    for (let j = 0; j < s.length; j++) if (isSpinning(s[j]!) && this.servedAt(j) === first) ties++;
    let k = tiedPick(ties, this.rng);
    let i = 0;
    while (!(isSpinning(s[i]!) && this.servedAt(i) === first && k-- === 0)) i++;
    this.grantTas(i);
  }

  get locked(): boolean {
    return this.owner !== null;
  }

  /**
   * A free lock's line reaches `cpu` before anyone else's request: ticket or qspinlock
   * (nobody spins on a free one: a release hands it over), the CPU that holds the line, or
   * nobody spinning (tas).
   */
  private servedAtOnce(cpu: number): boolean {
    if (this.kind !== 'tas' || cpu === this.lastCpu) return true;
    for (const c of this.spinners) if (isSpinning(c)) return false;
    return true;
  }

  /** When the line's holder serves spinner `i`'s request (the request leg after it asked). */
  private servedAt(i: number): number {
    return this.requestedAt[i]! + requestLeg(this.transferTo(this.spinners[i]!));
  }

  private transferTo(ctx: ExecCtx): number {
    return lineTransfer(this.costs, this.line.coresPerPackage, this.lastCpu, ctx.cpu.id);
  }

  /** The earliest time a spinning spinner's request is served (Infinity: nobody spins). */
  private firstServed(): number {
    let first = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.spinners.length; i++) if (isSpinning(this.spinners[i]!)) first = Math.min(first, this.servedAt(i));
    return first;
  }

  /** CPUs re-reading the line at a ticket handoff: the new holder and the other waiters
   *  spinning now (one in an interrupt handler re-reads it only when it comes back). Call
   *  after the new holder left `spinners`. */
  private spinningNow(): number {
    let k = 1;
    for (const c of this.spinners) if (isSpinning(c)) k++;
    return k;
  }

  private grantTicket(): void {
    const ctx = this.take(0);
    const handoff = Math.round(handoffCost(this.costs, this.lastCpu, ctx.cpu.id, ticketHandoffTraffic(this.spinningNow())));
    this.grant(ctx, handoff);
  }

  private grantTas(i: number): void {
    const ctx = this.take(i);
    let others = 0;
    for (const c of this.spinners) if (isSpinning(c)) others += this.transferTo(c);
    const own = this.transferTo(ctx);
    this.grant(ctx, Math.round(own - requestLeg(own) + tasHandoffCost(this.costs, others)));
  }

  private take(i: number): ExecCtx {
    const ctx = this.spinners[i]!;
    removeAt(this.spinners, i);
    removeAt(this.requestedAt, i);
    return ctx;
  }

  private grant(ctx: ExecCtx, handoff: number): void {
    const cpu = ctx.cpu;
    const bounce = this.lastCpu !== cpu.id;
    const now = this.sim.now;
    this.owner = ctx;
    this.holdStart = now + handoff;
    this.stat.acquired(bounce);
    if (!this.taken) this.countTaken();
    this.stat.contended(now + handoff - ctx.spinSince, bounce, ctx.spinSite, ctx.spinHolderSite);
    this.lastSite = ctx.spinSite;
    ctx.spinningOn = null;
    if (cpu.observer !== null) cpu.observer.lockGranted(cpu.id, ctx.inIrq, this.name, this.holdStart, 'spin');
    ctx.proc.wake(handoff + this.unlockCost);
  }

  describe(): string {
    const owner = this.owner === null ? 'free' : `held by ${this.owner.name} on cpu${this.owner.cpu.id}`;
    const waiters = this.spinners.map((c) => `${c.name}@cpu${c.cpu.id}`).join(' ');
    return `${this.name} (${this.kind}): ${owner}${waiters ? `; spinning: ${waiters}` : ''}`;
  }
}

/** Remove a[i], keeping the order: splice(i, 1) without allocating the removed-element array (a hand-off per contended acquisition). */
function removeAt<T>(a: T[], i: number): void {
  if (i === 0) {
    a.shift();
    return;
  }
  const n = a.length - 1;
  for (let j = i; j < n; j++) a[j] = a[j + 1]!;
  a.length = n;
}

/** A spinner is spinning unless its CPU is running an interrupt handler over it. */
export function isSpinning(ctx: ExecCtx): boolean {
  return ctx.cpu.runs(ctx);
}

/** spin_lock(lock) from call site `site`: `yield spin_lock(ctx, lock, 'kmap_high')`. */
export function spin_lock(ctx: ExecCtx, lock: Spinlock, site: string): number {
  return lock.acquire(ctx, site);
}

/** spin_unlock(lock): 2.4 `movb $1` (a store); 2.3.40 `lock ; btrl` (charged with the acquire). */
export function spin_unlock(ctx: ExecCtx, lock: Spinlock): void {
  lock.release(ctx);
}
