/**
 * rwlock_t as 2.4 i386 implements it (include/asm-i386/rwlock.h, RW_LOCK_BIAS): readers
 * get in whenever no writer holds it; a writer needs no readers and no writer. Waiters
 * spin with IRQs enabled and retry when the lock changes, so it is unfair: on release a
 * random spinning waiter wins the line; if it is a reader, every spinning reader gets in.
 * Who may compete is the test-and-set arbitration model of spinlock.ts: waiters away in an
 * interrupt handler compete when it returns (together with everyone returning at that
 * instant), and a lock released while every waiter is away is not free for its releasing
 * CPU before `lock_handoff × waiters` (releaser hold-off) — so 2.4 vfree's write_unlock
 * followed by the next get_vm_area's write_lock on the same CPU cannot recapture the lock
 * while the others are still in the flush IPI that vfree sent them.
 * Used for vmlist_lock. lock_stat counts both kinds under one class.
 */
import { PARK } from '../engine/process.js';
import type { Rng } from '../engine/random.js';
import type { Simulator } from '../engine/sim.js';
import { SPIN } from '../cpu/accounting.js';
import type { ExecCtx, SpinWaitable } from '../cpu/task.js';
import type { Costs } from './costs.js';
import type { LockClassStat } from './lockstat.js';
import { PRIO_ARBITRATE, acquireCost, handoffCost, isSpinning } from './spinlock.js';

interface Waiter {
  ctx: ExecCtx;
  write: boolean;
  /** Where the lock was last acquired when this waiter began to spin (its contending point). */
  holderSite: string;
}

function arbitrateEvent(l: RwLock): void {
  l.arbitrate();
}

export class RwLock implements SpinWaitable {
  readers = 0;
  writer: ExecCtx | null = null;
  lastCpu = -1;
  private waiters: Waiter[] = [];
  private writeHoldStart = 0;
  /** Releaser hold-off: until then the free lock is not free for CPU `lastCpu`. */
  private holdoffUntil = 0;
  /** Call site of the last acquisition, read or write: lockdep's `lock->ip`. */
  private lastSite = '';

  constructor(
    readonly name: string,
    readonly stat: LockClassStat,
    private readonly sim: Simulator,
    private readonly costs: Costs,
    private readonly rng: Rng,
  ) {}

  write_lock(ctx: ExecCtx, site: string): number {
    if (this.writer === null && this.readers === 0 && !this.heldOffFor(ctx.cpu.id)) {
      this.writer = ctx;
      return this.uncontended(ctx, true, site);
    }
    return this.spin(ctx, true, site);
  }

  write_unlock(ctx: ExecCtx): void {
    if (this.writer !== ctx) throw new Error(`${ctx.name}: write_unlock(${this.name}) by a non-owner`);
    this.stat.held(this.sim.now - this.writeHoldStart);
    if (ctx.cpu.observer !== null) ctx.cpu.observer.lockReleased(ctx.cpu.id, ctx.inIrq, this.name);
    this.writer = null;
    this.lastCpu = ctx.cpu.id;
    this.handOff(true);
  }

  read_lock(ctx: ExecCtx, site: string): number {
    if (this.writer === null && (this.readers > 0 || !this.heldOffFor(ctx.cpu.id))) {
      this.readers++;
      return this.uncontended(ctx, false, site);
    }
    return this.spin(ctx, false, site);
  }

  read_unlock(ctx: ExecCtx): void {
    if (this.readers <= 0) throw new Error(`${ctx.name}: read_unlock(${this.name}) without readers`);
    this.readers--;
    if (ctx.cpu.observer !== null) ctx.cpu.observer.lockReleased(ctx.cpu.id, ctx.inIrq, this.name);
    this.lastCpu = ctx.cpu.id;
    if (this.readers === 0) this.handOff(true);
  }

  /** A waiter's CPU came back from an interrupt: it competes once this instant is over. */
  spinnerResumed(ctx: ExecCtx): void {
    if (this.writer !== null) return;
    const w = this.waiters.find((x) => x.ctx === ctx);
    if (w !== undefined && (!w.write || this.readers === 0)) this.sim.schedule(0, arbitrateEvent, this, PRIO_ARBITRATE);
  }

  /** The lock may have become free for a spinning waiter: a random eligible one wins. */
  arbitrate(): void {
    if (this.writer === null) this.handOff();
  }

  /** The free lock is not yet for its releasing CPU (releaser hold-off). */
  private heldOffFor(cpu: number): boolean {
    return cpu === this.lastCpu && this.waiters.length > 0 && this.sim.now < this.holdoffUntil;
  }

  get spinning(): number {
    return this.waiters.length;
  }

  private uncontended(ctx: ExecCtx, write: boolean, site: string): number {
    const bounce = this.lastCpu >= 0 && this.lastCpu !== ctx.cpu.id;
    const cost = acquireCost(this.costs, this.lastCpu, ctx.cpu.id);
    this.stat.acquired(bounce);
    this.lastSite = site;
    if (write) this.writeHoldStart = this.sim.now + cost;
    if (ctx.cpu.observer !== null) ctx.cpu.observer.lockAcquired(ctx.cpu.id, ctx.inIrq, this.name, site, this.sim.now + cost, write ? 'write' : 'read');
    return ctx.cpu.busy(SPIN, cost);
  }

  private spin(ctx: ExecCtx, write: boolean, site: string): number {
    ctx.spinningOn = this;
    ctx.spinSince = this.sim.now;
    ctx.spinSite = site;
    const free = this.writer === null && (!write || this.readers === 0);
    this.waiters.push({ ctx, write, holderSite: this.lastSite });
    if (ctx.cpu.observer !== null) ctx.cpu.observer.lockContended(ctx.cpu.id, this.name, site);
    ctx.cpu.setCat(SPIN);
    // The releaser came back within its hold-off: the pick is made when it ends.
    if (free) this.sim.at(this.holdoffUntil, arbitrateEvent, this, PRIO_ARBITRATE);
    return PARK;
  }

  /**
   * The lock became free (for writers) or reader-free: a random spinning waiter wins. If
   * no waiter is spinning (all away in handlers) at a release, the releaser is held off.
   */
  private handOff(release = false): void {
    const ws = this.waiters;
    if (ws.length === 0) return;
    const active: number[] = [];
    for (let k = 0; k < ws.length; k++) {
      const w = ws[k]!;
      if (isSpinning(w.ctx) && (!w.write || this.readers === 0)) active.push(k);
    }
    if (active.length === 0) {
      if (release && this.readers === 0) this.holdoffUntil = this.sim.now + this.costs.lock_handoff * ws.length;
      return;
    }
    const i = active[Math.floor(this.rng.next() * active.length)]!;
    const traffic = ws.length;
    if (ws[i]!.write) {
      const w = ws.splice(i, 1)[0]!;
      this.writer = w.ctx;
      this.grant(w, traffic);
      this.writeHoldStart = this.sim.now + handoffCost(this.costs, this.lastCpu, w.ctx.cpu.id, traffic);
      return;
    }
    // A reader won: every spinning reader gets in.
    for (let k = ws.length - 1; k >= 0; k--) {
      const w = ws[k]!;
      if (!w.write && isSpinning(w.ctx)) {
        ws.splice(k, 1);
        this.readers++;
        this.grant(w, traffic);
      }
    }
  }

  private grant(w: Waiter, traffic: number): void {
    const ctx = w.ctx;
    const bounce = this.lastCpu !== ctx.cpu.id;
    const handoff = handoffCost(this.costs, this.lastCpu, ctx.cpu.id, traffic);
    this.stat.acquired(bounce);
    this.stat.contended(this.sim.now + handoff - ctx.spinSince, bounce, ctx.spinSite, w.holderSite);
    this.lastSite = ctx.spinSite;
    ctx.spinningOn = null;
    if (ctx.cpu.observer !== null) ctx.cpu.observer.lockGranted(ctx.cpu.id, ctx.inIrq, this.name, this.sim.now + handoff, this.writer === ctx ? 'write' : 'read');
    ctx.proc.wake(handoff);
  }

  describe(): string {
    const owner = this.writer !== null ? `write-held by ${this.writer.name}` : this.readers > 0 ? `${this.readers} readers` : 'free';
    return `${this.name} (rwlock): ${owner}; ${this.waiters.length} spinning`;
  }
}
