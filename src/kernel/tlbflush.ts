/**
 * Cross-CPU calls and TLB shootdowns.
 *
 * 2.4 arch/i386/kernel/smp.c:
 *   smp_call_function(func, info, nonatomic, wait=1): spin_lock_bh(&call_lock); publish
 *   call_data; send_IPI_allbutself(CALL_FUNCTION_VECTOR); spin until all N−1 have
 *   *started*, then until all have *finished*; spin_unlock_bh(&call_lock).
 *   Receivers (smp_call_function_interrupt): ack, started++, func(info), finished++.
 *   flush_tlb_all() = smp_call_function(flush_tlb_all_ipi) + do_flush_tlb_all_local().
 *   (2.3.40 arch/i386/kernel/smp.c:450,462,476 is the same with a function-local static
 *   lock, also taken with spin_lock_bh.) The _bh keeps bottom halves off the holder's CPU
 *   (local_bh_disable: a per-CPU count, no cost): a completion interrupt taken meanwhile
 *   leaves its SCSI bottom half pending, and it runs at spin_unlock_bh (Cpu.local_bh_enable).
 *
 * 2.6.26+ kernel/smp.c (generic IPI helpers; 2.6.27 smp_call_function_mask): the call
 *   is queued on call_function_queue under call_function_lock (IRQs off), held only for
 *   the list insertion; the IPI goes out and the initiator waits for the refcount to drop
 *   to 0 WITHOUT holding any lock, so rounds of concurrent initiators overlap. Each target
 *   (generic_smp_call_function_interrupt) runs func, then takes the call's own data->lock
 *   to drop refs; the last one takes call_function_lock again to unlink the call.
 *
 * Modern arch/x86/mm/tlb.c flush_tlb_kernel_range(): per-page invlpg on every CPU if the
 * range is ≤ tlb_single_page_flush_ceiling (33, 3.17+: src/kernel/tlbparams.ts) pages, else
 * a full flush; IPIs through smp_call_function_many (per-CPU call data, no global lock);
 * since 5.13 the initiator flushes locally while its IPIs are in flight.
 *
 * 6.15 arch/x86/mm/tlb.c on a CPU with X86_FEATURE_INVLPGB (AMD Zen 3+; Rik van Riel,
 * "x86/mm: Use INVLPGB for kernel TLB flushes"): no IPI at all. The initiator broadcasts
 * INVLPGB (invlpgb_kernel_range_flush: one per invlpgb_count_max pages; invlpgb_flush_all
 * above the ceiling and for flush_tlb_all) and waits with TLBSYNC until every CPU has done
 * them. The other CPUs are not interrupted: their entries just go.
 */
import { PARK, type ProcessBody } from '../engine/process.js';
import { IPI_WAIT, IRQ, TLB } from '../cpu/accounting.js';
import type { Cpu } from '../cpu/cpu.js';
import type { ExecCtx, IrqCtx } from '../cpu/task.js';
import { irqEntryCost, irqExitCost } from './costs.js';
import type { Machine } from './machine.js';
import { spin_lock, spin_unlock, type Spinlock } from './spinlock.js';
import { INVLPGB_COUNT_MAX_DEFAULT } from './tlbparams.js';

/** The function an IPI runs on each target, in interrupt context. */
export type IpiFunc = (ctx: IrqCtx, m: Machine, info: FlushInfo) => ProcessBody;

/** What to flush: everything (npages < 0) or `npages` pages from `start`. */
export interface FlushInfo {
  start: number;
  npages: number;
}

/** struct call_data_struct. */
class CallData {
  started = 0;
  finished = 0;
  /** The initiator is parked waiting for the last finisher. */
  waiting = false;
  /** Which cross-call round of the run this is (Machine.ipiRounds), for observers. */
  round = 0;
  /** Generic IPIs: data->refs, the targets that have not yet dropped their reference. */
  refs: number;
  constructor(
    readonly m: Machine,
    readonly func: IpiFunc,
    readonly info: FlushInfo,
    readonly targets: number,
    readonly initiator: ExecCtx,
    /** Generic IPIs (2.6.26+): struct call_function_data's own lock, else null. */
    readonly dataLock: Spinlock | null = null,
  ) {
    this.refs = targets;
  }
}

interface IpiDelivery {
  cpu: Cpu;
  call: CallData;
}

function deliverIpi(d: IpiDelivery): void {
  d.call.m.tlbStats.ipisReceived++;
  d.cpu.raise('call_function_interrupt', call_function_interrupt, d.call);
}

/** smp_call_function_interrupt(): the receiving side, in interrupt context. */
function* call_function_interrupt(ctx: IrqCtx, call: CallData): ProcessBody {
  if (call.m.observer !== null) call.m.observer.ipiReceived(ctx.cpu.id, call.round);
  // Entered through an interrupt gate and never __sti(): the whole handler runs with IRQs off.
  const costs = call.m.costs;
  yield ctx.cpu.busy(IRQ, irqEntryCost(costs));
  call.started++;
  yield* call.func(ctx, call.m, call.info);
  if (call.dataLock !== null) {
    // 2.6.27 generic_smp_call_function_interrupt: spin_lock(&data->lock); refs--; unlock;
    // the last one unlinks the call under call_function_lock.
    yield spin_lock(ctx, call.dataLock, 'generic_smp_call_function_interrupt');
    const last = --call.refs === 0;
    spin_unlock(ctx, call.dataLock);
    if (last) {
      yield spin_lock(ctx, call.m.call_lock, 'generic_smp_call_function_interrupt');
      spin_unlock(ctx, call.m.call_lock);
    }
  }
  // atomic_inc(&call_data->finished) is the handler's last statement: only the interrupt
  // exit (ret_from_intr, iret) remains when the initiator sees the ack.
  if (++call.finished === call.targets && call.waiting) call.initiator.proc.wake(0);
  yield ctx.cpu.busy(IRQ, irqExitCost(costs));
}

/** Send the IPIs of `call` to every CPU but the initiator's. */
function sendIpis(m: Machine, call: CallData, self: Cpu): void {
  m.tlbStats.ipisSent += call.targets;
  call.round = ++m.ipiRounds;
  if (m.observer !== null) m.observer.ipiSent(self.id, call.targets, call.round);
  const latency = m.costs.ipi_latency;
  for (const cpu of m.cpus) {
    if (cpu !== self) m.sim.schedule(latency, deliverIpi, { cpu, call });
  }
}

/** Spin until every target has finished: PARK (woken by the last finisher) or 0. */
function waitForAcks(call: CallData): number {
  if (call.finished === call.targets) return 0;
  call.waiting = true;
  return PARK;
}

function checkCaller(ctx: ExecCtx, what: string): void {
  if (ctx.inIrq) throw new Error(`${ctx.name}: ${what} called from interrupt context`);
  if (ctx.cpu.irqsOffDepth > 0) throw new Error(`${ctx.name}: ${what} called with IRQs disabled (deadlocks against call_lock)`);
}

/** smp_call_function(func, info, 0, wait=1), as the configured kernel does it. */
export function* smp_call_function(ctx: ExecCtx, m: Machine, func: IpiFunc, info: FlushInfo): ProcessBody {
  if (m.smpCallFunction === 'generic') yield* smp_call_function_mask(ctx, m, func, info);
  else yield* smp_call_function_call_lock(ctx, m, func, info);
}

/** 2.4 arch/i386/kernel/smp.c smp_call_function(func, info, 0, wait=1), call_lock taken with spin_lock_bh (see above). */
function* smp_call_function_call_lock(ctx: ExecCtx, m: Machine, func: IpiFunc, info: FlushInfo): ProcessBody {
  checkCaller(ctx, 'smp_call_function');
  const targets = m.ncpus - 1;
  if (targets === 0) return;
  ctx.cpu.local_bh_disable(); // spin_lock_bh(&call_lock)
  yield spin_lock(ctx, m.call_lock, 'smp_call_function');
  const call = new CallData(m, func, info, targets, ctx);
  // send_IPI_allbutself: one ICR write with the all-but-self shortcut.
  yield ctx.cpu.busy(IPI_WAIT, m.costs.ipi_send);
  sendIpis(m, call, ctx.cpu);
  ctx.cpu.setCat(IPI_WAIT);
  yield waitForAcks(call);
  spin_unlock(ctx, m.call_lock);
  ctx.cpu.local_bh_enable(); // spin_unlock_bh: a bottom half left pending meanwhile runs now
}

/**
 * 2.6.27 kernel/smp.c smp_call_function_mask(all but self, func, info, wait=1): queue the
 * call under call_function_lock (spin_lock_irqsave, held for list_add_tail_rcu only),
 * send the IPI (all-but-self shortcut: one ICR write), wait for the targets without a lock.
 */
function* smp_call_function_mask(ctx: ExecCtx, m: Machine, func: IpiFunc, info: FlushInfo): ProcessBody {
  checkCaller(ctx, 'smp_call_function');
  const targets = m.ncpus - 1;
  if (targets === 0) return;
  const cpu = ctx.cpu;
  const call = new CallData(m, func, info, targets, ctx, m.spinlock('call_function_data.lock', undefined, false));
  cpu.local_irq_disable(); // spin_lock_irqsave(&call_function_lock, flags)
  yield spin_lock(ctx, m.call_lock, 'smp_call_function_mask');
  spin_unlock(ctx, m.call_lock);
  cpu.local_irq_enable();
  yield cpu.busy(IPI_WAIT, m.costs.ipi_send);
  sendIpis(m, call, cpu);
  cpu.setCat(IPI_WAIT);
  yield waitForAcks(call); // csd_flag_wait(&data->csd)
}

/**
 * Flush the local TLB: full, or `info.npages` invlpg's. Charged to `tlb`.
 *
 * A full flush (2.4.16 include/asm-i386/pgtable.h __flush_tlb_all = __flush_tlb_global:
 * CR4.PGE toggled around the CR3 reload, so global kernel entries go too; modern
 * arch/x86/mm/tlb.c do_flush_tlb_all) costs tlb_flush_full here and nothing more: it
 * empties the CPU's TLB, and the working set (machine.tlb_working_set entries outside the
 * modelled mappings) is walked back in, one tlb_refill each, by whatever context next runs
 * code on the CPU (Cpu.busy) — after the IPI's ack, not on an idle CPU, once however many
 * flushes came first. Misses on the
 * modelled mappings are charged when they happen (pgtable.ts touch_kernel_page).
 */
export function local_flush(cpu: Cpu, m: Machine, info: FlushInfo): number {
  if (info.npages < 0) {
    cpu.tlb.flushAll();
    m.tlbStats.localFlushes++;
    return cpu.flushWorkingSet(m.costs.tlb_flush_full);
  }
  for (let i = 0; i < info.npages; i++) cpu.tlb.flushPage(info.start + i);
  m.tlbStats.pageFlushes += info.npages;
  return cpu.busy(TLB, m.costs.invlpg * info.npages);
}

/** flush_tlb_all_ipi / do_kernel_range_flush: what each target runs. */
function* flush_ipi(ctx: IrqCtx, m: Machine, info: FlushInfo): ProcessBody {
  yield local_flush(ctx.cpu, m, info);
}

const FLUSH_ALL: FlushInfo = { start: 0, npages: -1 };

/**
 * 6.15 arch/x86/mm/tlb.c, X86_FEATURE_INVLPGB: invlpgb_kernel_range_flush (`info.npages`
 * pages: INVLPGB of at most invlpgb_count_max pages each, without waiting,
 * invlpgb_flush_addr_nosync) or invlpgb_flush_all (everything, globals included: one
 * INVLPGB), then __tlbsync(): TLBSYNC waits until every CPU has completed them.
 *
 * The initiator pays `invlpgb` per instruction and one `tlbsync`, charged to `tlb`. The
 * broadcast reaches every CPU's TLB, the initiator's too; the entries are dropped when the
 * last INVLPGB issues (the hardware guarantees it only by the TLBSYNC's end: a stale access
 * in between would go unseen, none is modelled). No other CPU is interrupted or charged
 * anything now; after a full broadcast flush each CPU walks its working set back in at its
 * next busy segment, exactly as after an IPI full flush (§3.5.1: Cpu.loseWorkingSet), and
 * the initiator at its own next one (Cpu.flushWorkingSet). Not an smp_call_function: no
 * call_lock, usable with IRQs off.
 */
function* invlpgb_flush(ctx: ExecCtx, m: Machine, info: FlushInfo): ProcessBody {
  const self = ctx.cpu;
  const full = info.npages < 0;
  const countMax = m.tlbFlush.invlpgbCountMax ?? INVLPGB_COUNT_MAX_DEFAULT;
  // for (addr = start; addr < end; addr += nr << PAGE_SHIFT) nr = clamp_val(nr, 1, invlpgb_count_max)
  const instructions = full ? 1 : Math.max(1, Math.ceil(info.npages / countMax));
  m.tlbStats.invlpgbs += instructions;
  m.tlbStats.tlbsyncs++;
  for (const cpu of m.cpus) {
    if (full) {
      cpu.tlb.flushAll();
      m.tlbStats.localFlushes++;
      if (cpu !== self) cpu.loseWorkingSet();
    } else {
      for (let i = 0; i < info.npages; i++) cpu.tlb.flushPage(info.start + i);
      m.tlbStats.pageFlushes += info.npages;
    }
  }
  const ns = instructions * m.costs.invlpgb + m.costs.tlbsync;
  yield full ? self.flushWorkingSet(ns) : self.busy(TLB, ns);
}

/** 6.15 kernel_tlb_flush_all / flush_tlb_all() with X86_FEATURE_INVLPGB: invlpgb_flush_all() + TLBSYNC, no IPI. */
export function* invlpgb_flush_tlb_all(ctx: ExecCtx, m: Machine): ProcessBody {
  if (m.ncpus > 1) m.tlbStats.shootdowns++;
  if (m.observer !== null) m.observer.shootdownStarted(ctx.cpu.id, 'flush_tlb_all', -1, true);
  yield* invlpgb_flush(ctx, m, FLUSH_ALL);
  if (m.observer !== null) m.observer.shootdownFinished(ctx.cpu.id, 'flush_tlb_all');
}

/**
 * 6.15 flush_tlb_kernel_range() with X86_FEATURE_INVLPGB: above the ceiling
 * kernel_tlb_flush_all (invlpgb_flush_all), else kernel_tlb_flush_range
 * (invlpgb_kernel_range_flush); the ceiling test is get_flush_tlb_info's, as without INVLPGB.
 */
export function* invlpgb_flush_tlb_kernel_range(ctx: ExecCtx, m: Machine, start: number, npages: number, ceiling: number): ProcessBody {
  const info: FlushInfo = npages > ceiling ? FLUSH_ALL : { start, npages };
  if (m.ncpus > 1) m.tlbStats.shootdowns++;
  if (m.observer !== null) m.observer.shootdownStarted(ctx.cpu.id, 'flush_tlb_kernel_range', npages, info.npages < 0);
  yield* invlpgb_flush(ctx, m, info);
  if (m.observer !== null) m.observer.shootdownFinished(ctx.cpu.id, 'flush_tlb_kernel_range');
}

/** 2.4 flush_tlb_all(): broadcast full flush, then the local one. */
export function* flush_tlb_all(ctx: ExecCtx, m: Machine): ProcessBody {
  if (m.ncpus > 1) m.tlbStats.shootdowns++;
  if (m.observer !== null) m.observer.shootdownStarted(ctx.cpu.id, 'flush_tlb_all', -1, true);
  yield* smp_call_function(ctx, m, flush_ipi, FLUSH_ALL);
  yield local_flush(ctx.cpu, m, FLUSH_ALL);
  if (m.observer !== null) m.observer.shootdownFinished(ctx.cpu.id, 'flush_tlb_all');
}

export interface RangeFlushOptions {
  /** tlb_single_page_flush_ceiling: above this many pages, flush everything. */
  ceiling: number;
  /** Flush locally while the IPIs are in flight (Linux 5.13+), instead of after. */
  concurrentLocal: boolean;
}

/** Modern flush_tlb_kernel_range(start, end) over `npages` pages from `start`. */
export function* flush_tlb_kernel_range(
  ctx: ExecCtx,
  m: Machine,
  start: number,
  npages: number,
  opts: RangeFlushOptions,
): ProcessBody {
  checkCaller(ctx, 'flush_tlb_kernel_range');
  const info: FlushInfo = npages > opts.ceiling ? FLUSH_ALL : { start, npages };
  const targets = m.ncpus - 1;
  if (targets === 0) {
    yield local_flush(ctx.cpu, m, info);
    return;
  }
  m.tlbStats.shootdowns++;
  if (m.observer !== null) m.observer.shootdownStarted(ctx.cpu.id, 'flush_tlb_kernel_range', npages, info.npages < 0);
  const call = new CallData(m, flush_ipi, info, targets, ctx);
  // smp_call_function_many: one ICR write per target (no all-but-self shortcut).
  yield ctx.cpu.busy(IPI_WAIT, m.costs.ipi_send * targets);
  sendIpis(m, call, ctx.cpu);
  if (opts.concurrentLocal) yield local_flush(ctx.cpu, m, info);
  ctx.cpu.setCat(IPI_WAIT);
  yield waitForAcks(call);
  if (!opts.concurrentLocal) yield local_flush(ctx.cpu, m, info);
  if (m.observer !== null) m.observer.shootdownFinished(ctx.cpu.id, 'flush_tlb_kernel_range');
}

/**
 * Flush kernel virtual pages [start, start+npages) from every TLB, the way the configured
 * kernel does it: 2.4 flush_tlb_all(), modern flush_tlb_kernel_range() by IPIs, or 6.15's
 * by INVLPGB broadcast.
 */
export function* flush_kernel_range(ctx: ExecCtx, m: Machine, start: number, npages: number): ProcessBody {
  const f = m.tlbFlush;
  if (f.kind === 'flush_tlb_all') yield* flush_tlb_all(ctx, m);
  else if (f.kind === 'invlpgb') yield* invlpgb_flush_tlb_kernel_range(ctx, m, start, npages, f.ceiling);
  else yield* flush_tlb_kernel_range(ctx, m, start, npages, { ceiling: f.ceiling, concurrentLocal: f.concurrentLocal });
}
