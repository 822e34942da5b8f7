/**
 * rwlock_t as 2.4 i386 implements it (include/asm-i386/rwlock.h, RW_LOCK_BIAS): readers
 * get in whenever no writer holds it; a writer needs no readers and no writer. Waiters
 * spin with IRQs enabled and retry when the lock changes, so it is unfair: on release a
 * random spinning waiter wins the line; if it is a reader, every spinning reader gets in.
 * Used for vmlist_lock. lock_stat counts both kinds under one class.
 */
import { PARK } from '../engine/process.js';
import type { Rng } from '../engine/random.js';
import type { Simulator } from '../engine/sim.js';
import { SPIN } from '../cpu/accounting.js';
import type { ExecCtx, SpinWaitable } from '../cpu/task.js';
import type { Costs } from './costs.js';
import type { LockClassStat } from './lockstat.js';
import { acquireCost, handoffCost } from './spinlock.js';

interface Waiter {
  ctx: ExecCtx;
  write: boolean;
}

export class RwLock implements SpinWaitable {
  readers = 0;
  writer: ExecCtx | null = null;
  lastCpu = -1;
  private waiters: Waiter[] = [];
  private writeHoldStart = 0;

  constructor(
    readonly name: string,
    readonly stat: LockClassStat,
    private readonly sim: Simulator,
    private readonly costs: Costs,
    private readonly rng: Rng,
  ) {}

  write_lock(ctx: ExecCtx, site: string): number {
    if (this.writer === null && this.readers === 0) {
      this.writer = ctx;
      return this.uncontended(ctx, true, site);
    }
    return this.spin(ctx, true, site);
  }

  write_unlock(ctx: ExecCtx): void {
    if (this.writer !== ctx) throw new Error(`${ctx.name}: write_unlock(${this.name}) by a non-owner`);
    this.stat.held(this.sim.now - this.writeHoldStart);
    if (ctx.cpu.tracer !== null) ctx.cpu.tracer.lockReleased(ctx.cpu.id, ctx.inIrq, this.name);
    this.writer = null;
    this.lastCpu = ctx.cpu.id;
    this.handOff();
  }

  read_lock(ctx: ExecCtx, site: string): number {
    if (this.writer === null) {
      this.readers++;
      return this.uncontended(ctx, false, site);
    }
    return this.spin(ctx, false, site);
  }

  read_unlock(ctx: ExecCtx): void {
    if (this.readers <= 0) throw new Error(`${ctx.name}: read_unlock(${this.name}) without readers`);
    this.readers--;
    if (ctx.cpu.tracer !== null) ctx.cpu.tracer.lockReleased(ctx.cpu.id, ctx.inIrq, this.name);
    this.lastCpu = ctx.cpu.id;
    if (this.readers === 0) this.handOff();
  }

  spinnerResumed(ctx: ExecCtx): void {
    const i = this.waiters.findIndex((w) => w.ctx === ctx);
    if (i < 0) return;
    const w = this.waiters[i]!;
    if (this.writer === null && (!w.write || this.readers === 0)) this.handOff(i);
  }

  get spinning(): number {
    return this.waiters.length;
  }

  private uncontended(ctx: ExecCtx, write: boolean, site: string): number {
    const bounce = this.lastCpu >= 0 && this.lastCpu !== ctx.cpu.id;
    const cost = acquireCost(this.costs, this.lastCpu, ctx.cpu.id);
    this.stat.acquired(bounce);
    if (write) this.writeHoldStart = this.sim.now + cost;
    const tr = ctx.cpu.tracer;
    if (tr !== null) {
      tr.spin(ctx.cpu.id, this.name, site);
      tr.lockHeld(ctx.cpu.id, ctx.inIrq, this.name, this.sim.now + cost, write ? 'write' : 'read');
    }
    return ctx.cpu.busy(SPIN, cost);
  }

  private spin(ctx: ExecCtx, write: boolean, site: string): number {
    ctx.spinningOn = this;
    ctx.spinSince = this.sim.now;
    ctx.spinSite = site;
    this.waiters.push({ ctx, write });
    if (ctx.cpu.tracer !== null) ctx.cpu.tracer.spin(ctx.cpu.id, this.name, site);
    ctx.cpu.setCat(SPIN);
    return PARK;
  }

  /** The lock became free (for writers) or reader-free: a random spinning waiter wins. */
  private handOff(preferred = -1): void {
    const ws = this.waiters;
    if (ws.length === 0) return;
    let i = preferred;
    if (i < 0) {
      const active: number[] = [];
      for (let k = 0; k < ws.length; k++) {
        const w = ws[k]!;
        if ((w.ctx.inIrq || !w.ctx.cpu.inIrq) && (!w.write || this.readers === 0)) active.push(k);
      }
      if (active.length === 0) return;
      i = active[Math.floor(this.rng.next() * active.length)]!;
    }
    const traffic = ws.length;
    if (ws[i]!.write) {
      const w = ws.splice(i, 1)[0]!;
      this.writer = w.ctx;
      this.grant(w.ctx, traffic);
      this.writeHoldStart = this.sim.now + handoffCost(this.costs, this.lastCpu, w.ctx.cpu.id, traffic);
      return;
    }
    // A reader won: every spinning reader gets in.
    for (let k = ws.length - 1; k >= 0; k--) {
      const w = ws[k]!;
      if (!w.write && (w.ctx.inIrq || !w.ctx.cpu.inIrq)) {
        ws.splice(k, 1);
        this.readers++;
        this.grant(w.ctx, traffic);
      }
    }
  }

  private grant(ctx: ExecCtx, traffic: number): void {
    const bounce = this.lastCpu !== ctx.cpu.id;
    const handoff = handoffCost(this.costs, this.lastCpu, ctx.cpu.id, traffic);
    this.stat.acquired(bounce);
    this.stat.contended(this.sim.now + handoff - ctx.spinSince, bounce, ctx.spinSite);
    ctx.spinningOn = null;
    if (ctx.cpu.tracer !== null) ctx.cpu.tracer.lockHeld(ctx.cpu.id, ctx.inIrq, this.name, this.sim.now + handoff, this.writer === ctx ? 'write' : 'read');
    ctx.proc.wake(handoff);
  }

  describe(): string {
    const owner = this.writer !== null ? `write-held by ${this.writer.name}` : this.readers > 0 ? `${this.readers} readers` : 'free';
    return `${this.name} (rwlock): ${owner}; ${this.waiters.length} spinning`;
  }
}
