/**
 * Spinlocks (include/linux/spinlock.h; 2.4 include/asm-i386/spinlock.h).
 *
 * - `tas`: 2.4 x86 `lock; decb` test-and-set. Unfair: on release every spinner's copy of
 *   the line is invalidated and whichever spinner re-acquires it first wins — modelled as
 *   a uniform random pick among the spinners that are spinning right now (not in an
 *   interrupt handler). The handoff costs one line transfer per spinner, since all of
 *   them pull the line and retry the locked op: `lock_handoff × spinners` (the linear
 *   growth with waiting cores is Boyd-Wickizer et al., "Non-scalable locks are
 *   dangerous", OLS 2012; the per-transfer value is in costs.ts).
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
 *
 * Who wins a released test-and-set lock (the arbitration model, also used by rwlock.ts):
 * - Spinners spinning at the release win over the releaser: their reads of the line are
 *   already queued when the release store completes, while the releaser must first run
 *   its own code from spin_unlock to its next spin_lock (modelled where the kernel has
 *   it, e.g. vfree's kfree and get_vm_area's kmalloc in vmalloc.ts).
 * - A spinner whose CPU is in an interrupt handler at the release (typically the flush IPI
 *   the holder itself sent) is not spinning: the lock stays free, and when its handler
 *   returns it competes for the lock. Spinners returning at the same instant compete
 *   together: the pick is made after every event of that instant (PRIO_ARBITRATE).
 * - Releaser hold-off: a lock released while every waiter is away in a handler is not
 *   available again to its releasing CPU before `lock_handoff × waiters` after the
 *   release — the time the handoff traffic of those waiters would take in the cost model
 *   above. A releaser that comes back sooner spins; waiters returning meanwhile compete
 *   with it on equal terms (uniform pick); if none returns it takes the lock at the end
 *   of the hold-off. So the releaser's cache locality earns it the lock only when the
 *   others stay away longer than the handoff traffic the model charges, never at the
 *   nanosecond of its own release (the capture that starved every other vfree caller).
 *   A CPU other than the releaser that finds the lock free takes it (nobody competes).
 *
 * Spinning is done with IRQs enabled (2.4 spin_lock does not disable them), so spinners
 * service IPIs. Times: `lock_acquire` for the locked op, `lock_handoff` for moving the
 * line from another CPU's cache. All of it is charged to the `spin` category.
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

export type SpinlockKind = 'tas' | 'ticket';

/** Taking a free lock: the locked op, plus a line transfer if another CPU held it last. */
export function acquireCost(costs: Costs, lastCpu: number, cpu: number): number {
  return costs.lock_acquire + (lastCpu >= 0 && lastCpu !== cpu ? costs.lock_handoff : 0);
}

/**
 * Handing a released lock to a spinner on `cpu`: a line transfer per CPU pulling the line
 * (`traffic`: every spinner for unfair locks, 1 for ticket), or just the locked op if the
 * line never left this CPU.
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

export const SPINLOCK_KINDS: readonly SpinlockKind[] = ['tas', 'ticket'];

/** Event priority of a lock arbitration: after every other event of the same instant. */
export const PRIO_ARBITRATE = 8;

function arbitrateEvent(l: Spinlock): void {
  l.arbitrate();
}

export class Spinlock implements SpinWaitable {
  owner: ExecCtx | null = null;
  /** CPU of the last holder (−1: never held): decides the bounces and handoff costs. */
  lastCpu = -1;
  /** Contexts spinning, in arrival (= ticket) order. */
  readonly spinners: ExecCtx[] = [];
  private holdStart = 0;
  /** Releaser hold-off: until then the lock is not free for CPU `lastCpu` (tas only). */
  private holdoffUntil = 0;
  /** Call site of the last acquisition: lockdep's `lock->ip` (set in __lock_acquired). */
  private lastSite = '';

  constructor(
    readonly name: string,
    readonly kind: SpinlockKind,
    readonly stat: LockClassStat,
    private readonly sim: Simulator,
    private readonly costs: Costs,
    private readonly rng: Rng,
  ) {}

  /** spin_lock(): returns the time to yield — the acquire cost, or PARK to spin. */
  acquire(ctx: ExecCtx, site: string): number {
    const cpu = ctx.cpu;
    if (this.owner === null && !this.heldOffFor(cpu.id)) {
      const bounce = this.lastCpu >= 0 && this.lastCpu !== cpu.id;
      const cost = acquireCost(this.costs, this.lastCpu, cpu.id);
      this.owner = ctx;
      this.lastSite = site;
      this.stat.acquired(bounce);
      this.holdStart = this.sim.now + cost;
      if (cpu.observer !== null) cpu.observer.lockAcquired(cpu.id, ctx.inIrq, this.name, site, this.holdStart, 'spin');
      return cpu.busy(SPIN, cost);
    }
    if (this.owner === ctx) throw new Error(`${ctx.name}: recursive spin_lock(${this.name}) deadlocks`);
    ctx.spinningOn = this;
    ctx.spinSince = this.sim.now;
    ctx.spinSite = site;
    ctx.spinHolderSite = this.lastSite;
    this.spinners.push(ctx);
    if (cpu.observer !== null) cpu.observer.lockContended(cpu.id, this.name, site);
    cpu.setCat(SPIN);
    // The releaser came back within its hold-off: the pick is made when it ends.
    if (this.owner === null) this.sim.at(this.holdoffUntil, arbitrateEvent, this, PRIO_ARBITRATE);
    return PARK;
  }

  /** spin_unlock(): a plain store; the lock passes to a spinner, if one can take it. */
  release(ctx: ExecCtx): void {
    if (this.owner !== ctx) throw new Error(`${ctx.name}: spin_unlock(${this.name}) by a non-owner`);
    this.stat.held(this.sim.now - this.holdStart);
    if (ctx.cpu.observer !== null) ctx.cpu.observer.lockReleased(ctx.cpu.id, ctx.inIrq, this.name);
    this.lastCpu = ctx.cpu.id;
    this.owner = null;
    const n = this.spinners.length;
    if (n === 0) return;
    const next = this.kind === 'ticket' ? 0 : this.pickActiveSpinner();
    if (next >= 0) this.grant(next);
    else this.holdoffUntil = this.sim.now + this.costs.lock_handoff * n; // every waiter is away
  }

  /** A TAS spinner's CPU came back from an interrupt: it competes for a free lock. */
  spinnerResumed(_ctx: ExecCtx): void {
    if (this.kind === 'tas' && this.owner === null) this.sim.schedule(0, arbitrateEvent, this, PRIO_ARBITRATE);
  }

  /** A free TAS lock goes to a random one of the contexts spinning now, if any. */
  arbitrate(): void {
    if (this.owner !== null || this.spinners.length === 0) return;
    const next = this.pickActiveSpinner();
    if (next >= 0) this.grant(next);
  }

  get locked(): boolean {
    return this.owner !== null;
  }

  /** The lock is free but not yet for its releasing CPU (tas releaser hold-off). */
  private heldOffFor(cpu: number): boolean {
    return this.kind === 'tas' && cpu === this.lastCpu && this.spinners.length > 0 && this.sim.now < this.holdoffUntil;
  }

  /** CPUs re-reading the line at a handoff: the new holder and the other waiters spinning now
   *  (one in an interrupt handler re-reads it only when it comes back). Call after the
   *  new holder left `spinners`. */
  private spinningNow(): number {
    let k = 1;
    for (const c of this.spinners) if (isSpinning(c)) k++;
    return k;
  }

  /** Index of a random spinner that is spinning now (its CPU is not in a handler), or −1. */
  private pickActiveSpinner(): number {
    const s = this.spinners;
    let active = 0;
    for (let i = 0; i < s.length; i++) if (isSpinning(s[i]!)) active++;
    if (active === 0) return -1;
    let k = Math.floor(this.rng.next() * active);
    for (let i = 0; i < s.length; i++) {
      if (isSpinning(s[i]!) && k-- === 0) return i;
    }
    return -1;
  }

  private grant(i: number): void {
    const s = this.spinners;
    const ctx = s[i]!;
    const spinning = s.length;
    s.splice(i, 1);
    const cpu = ctx.cpu;
    const bounce = this.lastCpu !== cpu.id;
    const traffic = this.kind === 'tas' ? spinning : ticketHandoffTraffic(this.spinningNow());
    const handoff = Math.round(handoffCost(this.costs, this.lastCpu, cpu.id, traffic));
    const now = this.sim.now;
    this.owner = ctx;
    this.holdStart = now + handoff;
    this.stat.acquired(bounce);
    this.stat.contended(now + handoff - ctx.spinSince, bounce, ctx.spinSite, ctx.spinHolderSite);
    this.lastSite = ctx.spinSite;
    ctx.spinningOn = null;
    if (cpu.observer !== null) cpu.observer.lockGranted(cpu.id, ctx.inIrq, this.name, this.holdStart, 'spin');
    ctx.proc.wake(handoff);
  }

  describe(): string {
    const owner = this.owner === null ? 'free' : `held by ${this.owner.name} on cpu${this.owner.cpu.id}`;
    const waiters = this.spinners.map((c) => `${c.name}@cpu${c.cpu.id}`).join(' ');
    return `${this.name} (${this.kind}): ${owner}${waiters ? `; spinning: ${waiters}` : ''}`;
  }
}

/** A spinner is spinning unless its CPU is running an interrupt handler over it. */
export function isSpinning(ctx: ExecCtx): boolean {
  return ctx.cpu.runs(ctx);
}

/** spin_lock(lock) from call site `site`: `yield spin_lock(ctx, lock, 'kmap_high')`. */
export function spin_lock(ctx: ExecCtx, lock: Spinlock, site: string): number {
  return lock.acquire(ctx, site);
}

/** spin_unlock(lock). */
export function spin_unlock(ctx: ExecCtx, lock: Spinlock): void {
  lock.release(ctx);
}
