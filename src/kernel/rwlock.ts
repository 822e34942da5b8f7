/**
 * rwlock_t as 2.4 i386 implements it (include/asm-i386/rwlock.h, RW_LOCK_BIAS): readers
 * get in whenever no writer holds it; a writer needs no readers and no writer. Waiters
 * spin with IRQs enabled and retry when the lock changes, so it is unfair.
 * Who gets a released lock is the test-and-set arbitration of spinlock.ts: every waiter
 * spinning at the release re-requests the line; the first request served wins
 * (`line_transfer_local` within the releaser's package before `line_transfer_remote`
 * across; ties drawn at random); if it is a reader, every spinning reader gets in. The
 * releasing CPU, which holds the line, re-takes the lock if it asks before the first
 * request is served; waiters away in an interrupt handler neither compete nor add traffic
 * until they return. Used for vmlist_lock. lock_stat counts both kinds under one class.
 * (The release itself — 2.4 `lock ; addl $RW_LOCK_BIAS` / `lock ; incl` — is not charged.)
 */
import { PARK } from '../engine/process.js';
import type { Rng } from '../engine/random.js';
import type { Simulator } from '../engine/sim.js';
import { SPIN } from '../cpu/accounting.js';
import type { ExecCtx, SpinWaitable } from '../cpu/task.js';
import type { Costs } from './costs.js';
import type { LockClassStat } from './lockstat.js';
import { DEFAULT_LOCK_LINE, PRIO_ARBITRATE, isSpinning, lineTransfer, requestLeg, tasAcquireCost, tasHandoffCost, tiedPick, type LockLine } from './spinlock.js';

interface Waiter {
  ctx: ExecCtx;
  write: boolean;
  /** Where the lock was last acquired when this waiter began to spin (its contending point). */
  holderSite: string;
  /** When it last requested the line (a release, its arrival, its return from a handler). */
  requestedAt: number;
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
  /** Call site of the last acquisition, read or write: lockdep's `lock->ip`. */
  private lastSite = '';
  /** Taken at least once: counted once in its class's `locks` (LockStatJson.locks). */
  private taken = false;

  private countTaken(): void {
    this.taken = true;
    this.stat.locks++;
  }

  constructor(
    readonly name: string,
    readonly stat: LockClassStat,
    private readonly sim: Simulator,
    private readonly costs: Costs,
    private readonly rng: Rng,
    private readonly line: LockLine = DEFAULT_LOCK_LINE,
  ) {}

  write_lock(ctx: ExecCtx, site: string): number {
    if (this.writer === null && this.readers === 0 && this.servedAtOnce(ctx.cpu.id)) {
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
    this.released();
  }

  read_lock(ctx: ExecCtx, site: string): number {
    if (this.writer === null && (this.readers > 0 || this.servedAtOnce(ctx.cpu.id))) {
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
    if (this.readers === 0) this.released();
  }

  /** A waiter's CPU came back from an interrupt: it requests the line if it could get in. */
  spinnerResumed(ctx: ExecCtx): void {
    if (this.writer !== null) return;
    const w = this.waiters.find((x) => x.ctx === ctx);
    if (w === undefined || (w.write && this.readers > 0)) return;
    w.requestedAt = this.sim.now;
    this.sim.at(this.servedAt(w), arbitrateEvent, this, PRIO_ARBITRATE);
  }

  /** The first eligible request served wins, once it is served. */
  arbitrate(): void {
    if (this.writer !== null) return;
    const ws = this.waiters;
    let first = Number.POSITIVE_INFINITY;
    for (const w of ws) if (this.eligible(w)) first = Math.min(first, this.servedAt(w));
    if (first === Number.POSITIVE_INFINITY) return;
    if (first > this.sim.now) {
      this.sim.at(first, arbitrateEvent, this, PRIO_ARBITRATE);
      return;
    }
    let ties = 0;
    for (const w of ws) if (this.eligible(w) && this.servedAt(w) === first) ties++;
    let k = tiedPick(ties, this.rng);
    let i = 0;
    while (!(this.eligible(ws[i]!) && this.servedAt(ws[i]!) === first && k-- === 0)) i++;
    if (ws[i]!.write) {
      const w = ws.splice(i, 1)[0]!;
      const handoff = this.handoff(w);
      this.writer = w.ctx;
      this.writeHoldStart = this.sim.now + handoff;
      this.grant(w, handoff);
      return;
    }
    // A reader won: every spinning reader gets in.
    const handoff = this.handoff(ws[i]!, i);
    for (let k = ws.length - 1; k >= 0; k--) {
      const w = ws[k]!;
      if (!w.write && isSpinning(w.ctx)) {
        ws.splice(k, 1);
        this.readers++;
        this.grant(w, handoff);
      }
    }
  }

  get spinning(): number {
    return this.waiters.length;
  }

  /** A free lock's line reaches `cpu` first: it holds the line, or nobody spins. */
  private servedAtOnce(cpu: number): boolean {
    if (cpu === this.lastCpu) return true;
    for (const w of this.waiters) if (isSpinning(w.ctx)) return false;
    return true;
  }

  private eligible(w: Waiter): boolean {
    return isSpinning(w.ctx) && (!w.write || this.readers === 0);
  }

  private servedAt(w: Waiter): number {
    return w.requestedAt + requestLeg(this.transferTo(w));
  }

  private transferTo(w: Waiter): number {
    return lineTransfer(this.costs, this.line.coresPerPackage, this.lastCpu, w.ctx.cpu.id);
  }

  /** After the winner's request was served: its data leg, then its locked op behind the other
   *  spinning waiters' reads (`except`: the winner if it is still listed). */
  private handoff(winner: Waiter, except = -1): number {
    let others = 0;
    this.waiters.forEach((w, k) => {
      if (k !== except && isSpinning(w.ctx)) others += this.transferTo(w);
    });
    const own = this.transferTo(winner);
    return Math.round(own - requestLeg(own) + tasHandoffCost(this.costs, others));
  }

  private uncontended(ctx: ExecCtx, write: boolean, site: string): number {
    const bounce = this.lastCpu >= 0 && this.lastCpu !== ctx.cpu.id;
    const cost = tasAcquireCost(this.costs, this.line.coresPerPackage, this.lastCpu, ctx.cpu.id);
    this.stat.acquired(bounce);
    if (!this.taken) this.countTaken();
    this.lastSite = site;
    if (write) this.writeHoldStart = this.sim.now + cost;
    if (ctx.cpu.observer !== null) ctx.cpu.observer.lockAcquired(ctx.cpu.id, ctx.inIrq, this.name, site, this.sim.now + cost, write ? 'write' : 'read');
    return ctx.cpu.busy(SPIN, cost);
  }

  private spin(ctx: ExecCtx, write: boolean, site: string): number {
    ctx.spinningOn = this;
    ctx.spinSince = this.sim.now;
    ctx.spinSite = site;
    const w: Waiter = { ctx, write, holderSite: this.lastSite, requestedAt: this.sim.now };
    this.waiters.push(w);
    if (ctx.cpu.observer !== null) ctx.cpu.observer.lockContended(ctx.cpu.id, this.name, site);
    ctx.cpu.setCat(SPIN);
    // Free for it, with requests in flight: its request joins them.
    if (this.writer === null && (!write || this.readers === 0)) this.sim.at(this.servedAt(w), arbitrateEvent, this, PRIO_ARBITRATE);
    return PARK;
  }

  /** The lock became free: every waiter spinning now re-requests the line; the first served wins. */
  private released(): void {
    const ws = this.waiters;
    if (ws.length === 0) return;
    const now = this.sim.now;
    let first = Number.POSITIVE_INFINITY;
    for (const w of ws) {
      w.requestedAt = now;
      if (this.eligible(w)) first = Math.min(first, this.servedAt(w));
    }
    if (first < Number.POSITIVE_INFINITY) this.sim.at(first, arbitrateEvent, this, PRIO_ARBITRATE);
  }

  private grant(w: Waiter, handoff: number): void {
    const ctx = w.ctx;
    const bounce = this.lastCpu !== ctx.cpu.id;
    this.stat.acquired(bounce);
    if (!this.taken) this.countTaken();
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
