/**
 * The TLB flush primitives of today's kernels (src/kernel/tlbflush.ts), against the kernel
 * arithmetic and closed forms: the single-page ceiling (arch/x86/mm/tlb.c
 * tlb_single_page_flush_ceiling, 33 since 3.17), the local flush concurrent with the IPIs
 * (5.13), and AMD broadcast invalidation (6.15 INVLPGB + TLBSYNC, no IPI).
 */
import { describe, expect, it } from 'vitest';
import type { ProcessBody } from '../../src/engine/process.js';
import { Simulator } from '../../src/engine/sim.js';
import { IPI_WAIT, IRQ, TLB, WORK } from '../../src/cpu/accounting.js';
import { Task } from '../../src/cpu/task.js';
import { irqEntryCost, presetCosts } from '../../src/kernel/costs.js';
import { Machine, type KernelFlushConfig } from '../../src/kernel/machine.js';
import { flush_kernel_range, invlpgb_flush_tlb_all } from '../../src/kernel/tlbflush.js';
import { INVLPGB_COUNT_MAX_DEFAULT, TLB_SINGLE_PAGE_FLUSH_CEILING } from '../../src/kernel/tlbparams.js';
import { TLB_WORKING_SET_DEFAULT } from '../../src/kernel/costs.js';

const costs = presetCosts('modern');

function machine(cpus: number, tlbFlush: KernelFlushConfig) {
  const sim = new Simulator();
  const m = new Machine(sim, { cpus, spinlock: 'ticket', tlbEntries: 64, costs, seed: 1, tlbFlush, smpCallFunction: 'generic' });
  const task = (cpu: number, body: (t: Task) => ProcessBody) => {
    const t = new Task(cpu, `t${cpu}`, m.cpus[cpu]!, m.stream(`task:${cpu}`));
    return t.start(body(t));
  };
  return { sim, m, task };
}

const RANGE: KernelFlushConfig = { kind: 'flush_tlb_kernel_range', ceiling: TLB_SINGLE_PAGE_FLUSH_CEILING, concurrentLocal: true };
const INVLPGB: KernelFlushConfig = { kind: 'invlpgb', ceiling: TLB_SINGLE_PAGE_FLUSH_CEILING, concurrentLocal: true };

/** Run one flush_kernel_range of `pages` pages from CPU 0 at t=0; the time it returns. */
function flushOnce(cpus: number, cfg: KernelFlushConfig, pages: number) {
  const { sim, m, task } = machine(cpus, cfg);
  for (const c of m.cpus) for (let i = 0; i < pages; i++) c.tlb.fill(1000 + i, i);
  let end = -1;
  task(0, function* (t) {
    yield* flush_kernel_range(t, m, 1000, pages);
    end = sim.now;
  });
  sim.run();
  return { m, end };
}

describe('tlb_single_page_flush_ceiling (arch/x86/mm/tlb.c, 3.17+)', () => {
  it('is 33, the default of kernel.tlb_single_page_flush_ceiling', () => {
    expect(TLB_SINGLE_PAGE_FLUSH_CEILING).toBe(33);
  });

  for (const kind of ['flush_tlb_kernel_range', 'invlpgb'] as const) {
    it(`${kind}: 33 pages are 33 single-page invalidations on each of 4 CPUs, 34 pages one full flush on each`, () => {
      const cfg = kind === 'invlpgb' ? INVLPGB : RANGE;
      const at = flushOnce(4, cfg, 33).m;
      for (const c of at.cpus) {
        expect(c.tlb.pageFlushes).toBe(33);
        expect(c.tlb.fullFlushes).toBe(0);
      }
      const above = flushOnce(4, cfg, 34).m;
      for (const c of above.cpus) {
        expect(c.tlb.pageFlushes).toBe(0);
        expect(c.tlb.fullFlushes).toBe(1);
        expect(c.tlb.size).toBe(0);
      }
    });
  }

  it('the ceiling is the machine default when the scenario names none', () => {
    const m = new Machine(new Simulator(), { cpus: 1, spinlock: 'ticket', tlbEntries: 64, costs, seed: 1 });
    expect(m.tlbFlush.ceiling).toBe(TLB_SINGLE_PAGE_FLUSH_CEILING);
  });
});

describe('the local flush concurrent with the IPIs (5.13 smp_call_function_many_cond)', () => {
  // 4 idle CPUs (idle_exit 0 in the modern column), 10 pages: the initiator writes 3 ICRs,
  // the IPIs land ipi_latency later, each target enters the handler and invlpg's 10 pages,
  // then acks (the ack precedes the handler's exit).
  const pages = 10;
  const local = pages * costs.invlpg;
  const round = 3 * costs.ipi_send + costs.ipi_latency + irqEntryCost(costs) + pages * costs.invlpg;
  it(`with it the initiator returns after the round alone: 3 ipi_send + ipi_latency + irq entry + 10 invlpg = ${round} ns`, () => {
    const { m, end } = flushOnce(4, { ...RANGE, concurrentLocal: true }, pages);
    expect(end).toBe(round);
    expect(m.cpus[0]!.time[TLB]).toBe(local);
    expect(m.cpus[0]!.time[IPI_WAIT]).toBe(round - local);
  });
  it(`without it the local 10 invlpg (${local} ns) come after the round: ${round + local} ns`, () => {
    const { m, end } = flushOnce(4, { ...RANGE, concurrentLocal: false }, pages);
    expect(end).toBe(round + local);
    // ipi_wait: the ICR writes and the whole wait; the local flush after it, in tlb.
    expect(m.cpus[0]!.time[IPI_WAIT]).toBe(round);
    expect(m.cpus[0]!.time[TLB]).toBe(local);
  });
});

describe('INVLPGB broadcast invalidation (6.15, kernel.tlb_flush: invlpgb)', () => {
  for (const cpus of [2, 8, 64]) {
    it(`on ${cpus} CPUs a range flush sends no IPI and no CPU takes an interrupt`, () => {
      const { m } = flushOnce(cpus, INVLPGB, 4);
      expect(m.tlbStats.ipisSent).toBe(0);
      expect(m.tlbStats.ipisReceived).toBe(0);
      expect(m.tlbStats.shootdowns).toBe(1);
      for (const c of m.cpus) {
        expect(c.irqs).toBe(0);
        expect(c.tlb.size).toBe(0);
      }
    });
  }

  for (const [pages, count] of [
    [1, 1],
    [8, 1],
    [9, 2],
    [33, 5],
  ] as const) {
    const ns = count * costs.invlpgb + costs.tlbsync;
    it(`${pages} pages: ceil(${pages} / invlpgb_count_max ${INVLPGB_COUNT_MAX_DEFAULT}) = ${count} INVLPGB + one TLBSYNC = ${ns} ns for the initiator`, () => {
      const { m, end } = flushOnce(16, INVLPGB, pages);
      expect(end).toBe(ns);
      expect(m.tlbStats.invlpgbs).toBe(count);
      expect(m.tlbStats.tlbsyncs).toBe(1);
      expect(m.cpus[0]!.time[TLB]).toBe(ns);
    });
  }

  it('invlpgb_count_max chunks the range (machine.invlpgb_count_max)', () => {
    const { m, end } = flushOnce(4, { ...INVLPGB, invlpgbCountMax: 1 }, 33);
    expect(m.tlbStats.invlpgbs).toBe(33);
    expect(end).toBe(33 * costs.invlpgb + costs.tlbsync);
  });

  it('above the ceiling and for flush_tlb_all: one INVLPGB of everything + TLBSYNC', () => {
    const { m, end } = flushOnce(4, INVLPGB, 34);
    expect(end).toBe(costs.invlpgb + costs.tlbsync);
    expect(m.tlbStats.invlpgbs).toBe(1);
    expect(m.tlbStats.localFlushes).toBe(4);
    const all = machine(4, INVLPGB);
    let t1 = -1;
    all.task(0, function* (t) {
      yield* invlpgb_flush_tlb_all(t, all.m);
      t1 = all.sim.now;
    });
    all.sim.run();
    expect(t1).toBe(costs.invlpgb + costs.tlbsync);
    expect(all.m.tlbStats.ipisSent).toBe(0);
  });

  /** CPUs 1..3 run two 5 us segments of work; CPU 0 flushes `pages` pages at t = 1 us. */
  function othersWorking(cfg: KernelFlushConfig, pages: number) {
    const { sim, m, task } = machine(4, cfg);
    const ends: number[] = [];
    for (const cpu of [1, 2, 3]) {
      task(cpu, function* (t) {
        yield t.cpu.busy(WORK, 5000);
        yield t.cpu.busy(WORK, 5000);
        ends.push(sim.now);
      });
    }
    task(0, function* (t) {
      yield t.cpu.busy(WORK, 1000);
      yield* flush_kernel_range(t, m, 1000, pages);
    });
    sim.run();
    return { m, ends };
  }

  it('a range flush costs the other CPUs nothing: no interrupt, no tlb time, their work ends at 10 us', () => {
    const { m, ends } = othersWorking(INVLPGB, 8);
    expect(ends).toEqual([10_000, 10_000, 10_000]);
    for (const c of m.cpus.slice(1)) {
      expect(c.time[IRQ]).toBe(0);
      expect(c.time[TLB]).toBe(0);
    }
    // The IPI flush of the same range interrupts them: their work ends later.
    const ipi = othersWorking(RANGE, 8);
    for (const e of ipi.ends) expect(e).toBeGreaterThan(10_000);
  });

  it('a full broadcast flush interrupts no one; each other CPU walks its working set back in at its next segment', () => {
    const { m, ends } = othersWorking(INVLPGB, 34);
    const refill = TLB_WORKING_SET_DEFAULT * costs.tlb_refill;
    expect(ends).toEqual([10_000 + refill, 10_000 + refill, 10_000 + refill]);
    for (const c of m.cpus.slice(1)) {
      expect(c.time[IRQ]).toBe(0);
      expect(c.time[TLB]).toBe(refill);
    }
  });
});
