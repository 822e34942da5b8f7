/**
 * The TLB working-set refill after a full flush (src/cpu/cpu.ts flushWorkingSet / busy):
 * a full flush costs tlb_flush_full where it runs; the machine.tlb_working_set entries it
 * dropped are walked back in, tlb_refill each, by the next context that runs code on that
 * CPU — not inside the IPI handler (so not in the initiator's ack wait), not on an idle
 * CPU, and once however many flushes came before the next access.
 *
 * Every expectation is a closed form in the cost keys. On the old code (a lump
 * tlb_flush_refill charged inside every local_flush) each of them fails.
 */
import { describe, expect, it } from 'vitest';
import type { ProcessBody } from '../../src/engine/process.js';
import { Simulator } from '../../src/engine/sim.js';
import { IPI_WAIT, TLB, WORK } from '../../src/cpu/accounting.js';
import { Task } from '../../src/cpu/task.js';
import { irqEntryCost, presetCosts, type Costs } from '../../src/kernel/costs.js';
import { Machine } from '../../src/kernel/machine.js';
import { flush_tlb_all, flush_tlb_kernel_range } from '../../src/kernel/tlbflush.js';
import { resolveScenario } from '../../src/scenario/load.js';

const W = 10;

function machine(cpus: number, over: Partial<Costs> = {}, tlbWorkingSet = W) {
  const sim = new Simulator();
  const costs: Costs = { ...presetCosts('era2000'), ...over };
  const m = new Machine(sim, { cpus, spinlock: 'ticket', tlbEntries: 64, tlbWorkingSet, costs, seed: 1 });
  const task = (cpu: number, body: (t: Task) => ProcessBody, name = `t${cpu}`) => {
    const t = new Task(cpu, name, m.cpus[cpu]!, m.stream(`task:${name}`));
    return t.start(body(t));
  };
  return { sim, m, costs, task };
}

describe('TLB working-set refill after a full flush', () => {
  it('an idle CPU receiving flush IPIs is charged the flushes only, and the refill once when it next runs', () => {
    const { sim, m, costs, task } = machine(4);
    task(0, function* (t) {
      for (let i = 0; i < 3; i++) yield* flush_tlb_all(t, m);
    });
    sim.run();
    for (const c of m.cpus.slice(1)) {
      expect(c.time[TLB]).toBe(3 * costs.tlb_flush_full);
      expect(c.tlbWorkingSetRefills).toBe(0);
      expect(c.tlbRefillDue).toBe(W);
    }
    // CPU 1 runs a task at last: its first access walks the working set in, once.
    const start = sim.now;
    let done = -1;
    task(1, function* (t) {
      yield t.cpu.busy(WORK, 1000);
      done = sim.now;
    }, 'late');
    sim.run();
    m.finish();
    const c1 = m.cpus[1]!;
    expect(c1.time[TLB]).toBe(3 * costs.tlb_flush_full + W * costs.tlb_refill);
    expect(c1.time[WORK]).toBe(1000);
    expect(c1.tlbWorkingSetRefills).toBe(W);
    expect(done - start).toBe(W * costs.tlb_refill + 1000);
  });

  it('two back-to-back flushes with no access between them cost one refill', () => {
    const { sim, m, costs, task } = machine(2);
    let busyDone = -1;
    // CPU 1 is in one long work segment while both flush IPIs arrive, then touches again.
    task(1, function* (t) {
      yield t.cpu.busy(WORK, 100_000);
      yield t.cpu.busy(WORK, 1000);
      busyDone = sim.now;
    });
    task(0, function* (t) {
      yield* flush_tlb_all(t, m);
      yield* flush_tlb_all(t, m);
      yield t.cpu.busy(WORK, 1000);
    });
    sim.run();
    m.finish();
    const c1 = m.cpus[1]!;
    expect(c1.time[TLB]).toBe(2 * costs.tlb_flush_full + W * costs.tlb_refill);
    expect(c1.tlbWorkingSetRefills).toBe(W);
    // The initiator runs code between its two flushes (the second call_lock acquire is its
    // first access after the first local flush), so it refills after each.
    expect(m.cpus[0]!.tlbWorkingSetRefills).toBe(2 * W);
    // CPU 1: its work, pushed back by two IPI handlers (entry/exit + flush), then the refill.
    expect(busyDone).toBe(101_000 + 2 * (costs.irq_entry_exit + costs.tlb_flush_full) + W * costs.tlb_refill);
  });

  it("the initiator's ack wait does not include the receivers' refill", () => {
    const { sim, m, costs, task } = machine(4);
    let flushed = -1;
    // The receivers are busy (not idle): they would pay a refill if the handler did.
    for (const cpu of [1, 2, 3]) {
      task(cpu, function* (t) {
        yield t.cpu.busy(WORK, 1_000_000);
      });
    }
    task(0, function* (t) {
      yield* flush_tlb_all(t, m);
      flushed = sim.now;
    });
    sim.run();
    m.finish();
    // call_lock (uncontended), one all-but-self IPI, delivery, the receivers' IRQ entry and
    // flush (the ack is the handler's last statement), then the local flush.
    const ack = costs.ipi_latency + irqEntryCost(costs) + costs.tlb_flush_full;
    expect(flushed).toBe(costs.lock_acquire + costs.ipi_send + ack + costs.tlb_flush_full);
    expect(m.cpus[0]!.time[IPI_WAIT]).toBe(costs.ipi_send + ack);
    // Each receiver pays its refill only when it runs code after the IPI: here, never again.
    for (const c of m.cpus.slice(1)) expect(c.time[TLB]).toBe(costs.tlb_flush_full);
  });

  it('a CPU that runs work after a flush pays exactly working set × tlb_refill', () => {
    for (const [ws, walk] of [
      [10, 100],
      [24, 100],
      [64, 37],
      [0, 100],
    ] as const) {
      const { sim, m, costs, task } = machine(2, { tlb_refill: walk }, ws);
      let done = -1;
      task(1, function* (t) {
        yield t.cpu.busy(WORK, 50_000);
        yield t.cpu.busy(WORK, 1000);
        done = sim.now;
      });
      task(0, function* (t) {
        yield* flush_tlb_all(t, m);
      });
      sim.run();
      m.finish();
      const c1 = m.cpus[1]!;
      expect(c1.time[TLB]).toBe(costs.tlb_flush_full + ws * walk);
      expect(c1.time[WORK]).toBe(51_000);
      expect(done).toBe(51_000 + costs.irq_entry_exit + costs.tlb_flush_full + ws * walk);
    }
  });

  it('a full flush_tlb_kernel_range (above the ceiling) drops the working set; an invlpg range does not', () => {
    for (const [pages, perCpu] of [
      [100, (c: Costs) => c.tlb_flush_full + W * c.tlb_refill],
      [10, (c: Costs) => 10 * c.invlpg],
    ] as const) {
      const { sim, m, costs, task } = machine(4, {}, W);
      for (const cpu of [0, 1, 2, 3]) {
        task(cpu, function* (t) {
          if (cpu === 0) yield* flush_tlb_kernel_range(t, m, 0, pages, { ceiling: 33, concurrentLocal: false });
          else yield t.cpu.busy(WORK, 100_000);
          yield t.cpu.busy(WORK, 1000);
        });
      }
      sim.run();
      m.finish();
      for (const c of m.cpus) expect(c.time[TLB]).toBe(perCpu(costs));
    }
  });
});

describe('machine.tlb_working_set and the removed costs.tlb_flush_refill', () => {
  it('defaults to 24 entries and accepts 0..65536', () => {
    expect(resolveScenario({}, 'x').machine.tlb_working_set).toBe(24);
    expect(resolveScenario({ machine: { tlb_working_set: 0 } }, 'x').machine.tlb_working_set).toBe(0);
    expect(() => resolveScenario({ machine: { tlb_working_set: -1 } }, 'x')).toThrow(/machine\.tlb_working_set: expected an integer 0\.\.65536, got -1/);
  });

  it('a scenario setting costs.tlb_flush_refill fails with a message naming what replaced it', () => {
    expect(() => resolveScenario({ costs: { tlb_flush_refill: '2us' } }, 'x')).toThrow(
      /costs\.tlb_flush_refill: removed: .*machine\.tlb_working_set entries x costs\.tlb_refill/,
    );
  });
});
