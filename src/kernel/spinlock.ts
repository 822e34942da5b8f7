/**
 * Spinlocks (include/linux/spinlock.h; 2.4 include/asm-i386/spinlock.h).
 *
 * - `tas`: 2.4 x86 `lock; decb` test-and-set. Unfair: on release every spinner's copy of
 *   the line is invalidated and whichever spinner re-acquires it first wins — modelled as
 *   a uniform random pick among the spinners that are spinning right now (not in an
 *   interrupt handler). The handoff costs one line transfer per spinner, since all of
 *   them pull the line and retry the locked op (estimate: traffic grows with spinners).
 * - `ticket`: FIFO (2.6.25+). The next ticket gets the lock even if its CPU is in an
 *   interrupt handler right now; it then holds the lock from the moment it is granted.
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
export const SPINLOCK_KINDS: readonly SpinlockKind[] = ['tas', 'ticket'];

export class Spinlock implements SpinWaitable {
  owner: ExecCtx | null = null;
  /** CPU of the last holder (−1: never held): decides the bounces and handoff costs. */
  lastCpu = -1;
  /** Contexts spinning, in arrival (= ticket) order. */
  readonly spinners: ExecCtx[] = [];
  private holdStart = 0;

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
    if (this.owner === null) {
      const bounce = this.lastCpu >= 0 && this.lastCpu !== cpu.id;
      const cost = acquireCost(this.costs, this.lastCpu, cpu.id);
      this.owner = ctx;
      this.stat.acquired(bounce);
      this.holdStart = this.sim.now + cost;
      if (cpu.tracer !== null) {
        cpu.tracer.spin(cpu.id, this.name, site);
        cpu.tracer.lockHeld(cpu.id, ctx.inIrq, this.name, this.holdStart, '');
      }
      return cpu.busy(SPIN, cost);
    }
    if (this.owner === ctx) throw new Error(`${ctx.name}: recursive spin_lock(${this.name}) deadlocks`);
    ctx.spinningOn = this;
    ctx.spinSince = this.sim.now;
    ctx.spinSite = site;
    this.spinners.push(ctx);
    if (cpu.tracer !== null) cpu.tracer.spin(cpu.id, this.name, site);
    cpu.setCat(SPIN);
    return PARK;
  }

  /** spin_unlock(): a plain store; the lock passes to a spinner, if one can take it. */
  release(ctx: ExecCtx): void {
    if (this.owner !== ctx) throw new Error(`${ctx.name}: spin_unlock(${this.name}) by a non-owner`);
    this.stat.held(this.sim.now - this.holdStart);
    if (ctx.cpu.tracer !== null) ctx.cpu.tracer.lockReleased(ctx.cpu.id, ctx.inIrq, this.name);
    this.lastCpu = ctx.cpu.id;
    this.owner = null;
    if (this.spinners.length === 0) return;
    const next = this.kind === 'ticket' ? 0 : this.pickActiveSpinner();
    if (next >= 0) this.grant(next);
  }

  /** A TAS spinner's CPU came back from an interrupt: it retries the lock. */
  spinnerResumed(ctx: ExecCtx): void {
    if (this.kind === 'tas' && this.owner === null) {
      const i = this.spinners.indexOf(ctx);
      if (i >= 0) this.grant(i);
    }
  }

  get locked(): boolean {
    return this.owner !== null;
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
    const handoff = handoffCost(this.costs, this.lastCpu, cpu.id, this.kind === 'tas' ? spinning : 1);
    const now = this.sim.now;
    this.owner = ctx;
    this.holdStart = now + handoff;
    this.stat.acquired(bounce);
    this.stat.contended(now + handoff - ctx.spinSince, bounce, ctx.spinSite);
    ctx.spinningOn = null;
    if (cpu.tracer !== null) cpu.tracer.lockHeld(cpu.id, ctx.inIrq, this.name, this.holdStart, '');
    ctx.proc.wake(handoff);
  }

  describe(): string {
    const owner = this.owner === null ? 'free' : `held by ${this.owner.name} on cpu${this.owner.cpu.id}`;
    const waiters = this.spinners.map((c) => `${c.name}@cpu${c.cpu.id}`).join(' ');
    return `${this.name} (${this.kind}): ${owner}${waiters ? `; spinning: ${waiters}` : ''}`;
  }
}

/** A spinner is spinning unless its CPU is running an interrupt handler over it. */
function isSpinning(ctx: ExecCtx): boolean {
  return ctx.inIrq || !ctx.cpu.inIrq;
}

/** spin_lock(lock) from call site `site`: `yield spin_lock(ctx, lock, 'kmap_high')`. */
export function spin_lock(ctx: ExecCtx, lock: Spinlock, site: string): number {
  return lock.acquire(ctx, site);
}

/** spin_unlock(lock). */
export function spin_unlock(ctx: ExecCtx, lock: Spinlock): void {
  lock.release(ctx);
}
