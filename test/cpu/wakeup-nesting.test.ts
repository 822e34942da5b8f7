/**
 * Two CPU mechanisms at an edge the other tests do not reach (issue 23 item 11):
 * - idle exit on a reschedule-IPI wake-up: a task woken on a halted CPU (2.4
 *   reschedule_idle -> smp_send_reschedule; 2.6.27 safe_halt) runs only after the IPI's
 *   delivery, the CPU's exit from C1 (idle_exit) or, when every core of its package halts,
 *   from C1E (package_idle_exit), and the context switch — each a named cost, summed by hand;
 * - interrupts nested more than one level deep: a device handler's softirq (2.4 do_softirq
 *   runs with IRQs on and clears IRQ_INPROGRESS) takes another device interrupt, whose body
 *   (handle_IRQ_event's __sti) takes an IPI. Each interrupted level freezes and resumes where
 *   it was: its end moves by exactly the time of the levels above it.
 */
import { describe, expect, it } from 'vitest';
import type { ProcessBody } from '../../src/engine/process.js';
import { Simulator } from '../../src/engine/sim.js';
import { IRQ, WORK } from '../../src/cpu/accounting.js';
import type { IrqCtx } from '../../src/cpu/task.js';
import { Task } from '../../src/cpu/task.js';
import { presetCosts, type Costs } from '../../src/kernel/costs.js';
import { Machine } from '../../src/kernel/machine.js';
import { TaskWaitQueue } from '../../src/kernel/waitqueue.js';

const WAKE_AT = 50_000; // ns: when CPU 0's task wakes the sleeper on CPU 1

/** A task on CPU 1 sleeps; CPU 0's task wakes it at WAKE_AT. Returns when the sleeper ran again. */
function wakeHalted(over: Partial<Costs>, coresPerPackage: number) {
  const sim = new Simulator();
  const costs = { ...presetCosts('modern'), ...over };
  const m = new Machine(sim, { cpus: 2, spinlock: 'ticket', tlbEntries: 64, costs, seed: 1, coresPerPackage });
  const wq = new TaskWaitQueue('test_wait');
  let resumed = -1;
  const sleeper = new Task(1, 'sleeper', m.cpus[1]!, m.stream('sleeper'));
  sleeper.start(
    (function* (): ProcessBody {
      yield wq.sleep(sleeper);
      resumed = sim.now;
    })(),
  );
  const waker = new Task(0, 'waker', m.cpus[0]!, m.stream('waker'));
  waker.start(
    (function* (): ProcessBody {
      yield waker.cpu.busy(WORK, WAKE_AT);
      expect(m.cpus[1]!.halted).toBe(true);
      expect(wq.wake_up(waker.cpu)).toBe(1);
      yield waker.cpu.busy(WORK, 100_000); // CPU 0 stays busy: its package is not all halted
    })(),
  );
  sim.run();
  m.finish();
  return { resumed, costs, m };
}

describe('idle exit on a reschedule-IPI wake-up', () => {
  const EXITS = { idle_exit: 3000, package_idle_exit: 10_000 };

  it('without exit costs: the IPI delivery and the context switch', () => {
    const r = wakeHalted({ idle_exit: 0, package_idle_exit: 0 }, 2);
    expect(r.resumed - WAKE_AT).toBe(r.costs.ipi_latency + r.costs.context_switch);
    expect(r.m.cpus[1]!.reschedIpis).toBe(1);
  });

  it('a core whose package still runs leaves C1: + idle_exit', () => {
    const r = wakeHalted(EXITS, 2);
    expect(r.resumed - WAKE_AT).toBe(r.costs.ipi_latency + EXITS.idle_exit + r.costs.context_switch);
  });

  it('a core alone in its halted package leaves C1E: + package_idle_exit', () => {
    const r = wakeHalted(EXITS, 1);
    expect(r.resumed - WAKE_AT).toBe(r.costs.ipi_latency + EXITS.package_idle_exit + r.costs.context_switch);
  });
});

describe('interrupts nested three deep: softirq > device > IPI', () => {
  it('each level resumes where it was; ends move by exactly the time of the levels above', () => {
    const sim = new Simulator();
    const m = new Machine(sim, { cpus: 1, spinlock: 'ticket', tlbEntries: 64, costs: presetCosts('modern'), seed: 1, deviceIrqsNest: true });
    const cpu = m.cpus[0]!;
    const ends: Record<string, number> = {};
    let depthSeen = '';
    // Device A at 0: 1 us of handler (IRQs off), then its softirq, 10 us with IRQs on.
    function* deviceA(ctx: IrqCtx): ProcessBody {
      yield ctx.cpu.busy(IRQ, 1000);
      if (ctx.cpu.softirqEnter()) yield 0;
      yield ctx.cpu.busy(WORK, 10_000);
      ctx.cpu.softirqExit();
      ends.A = sim.now;
    }
    // Device B at 3 us (in A's softirq: no device line in progress): 5 us with IRQs on.
    function* deviceB(ctx: IrqCtx): ProcessBody {
      if (ctx.cpu.handle_IRQ_event_sti()) yield 0;
      yield ctx.cpu.busy(IRQ, 5000);
      ctx.cpu.handle_IRQ_event_cli();
      ends.B = sim.now;
    }
    // An IPI at 4 us (in B's body): 1 us.
    function* ipiC(ctx: IrqCtx): ProcessBody {
      depthSeen = ctx.cpu.describe();
      yield ctx.cpu.busy(IRQ, 1000);
      ends.C = sim.now;
    }
    sim.schedule(0, () => cpu.raise('A', deviceA, null, true), null);
    sim.schedule(3000, () => cpu.raise('B', deviceB, null, true), null);
    sim.schedule(4000, () => cpu.raise('C', ipiC, null, false), null);
    sim.run();
    m.finish();
    expect(depthSeen).toContain('in IRQ handler (nested 3 deep)');
    // C runs 4..5 us; B ran 3..4, frozen 1 us, ends 3 + 5 + 1 = 9 us; A's softirq ran 1..3,
    // frozen 6 us (B and C), ends 1 + 10 + 6 = 17 us.
    expect(ends).toEqual({ C: 5000, B: 9000, A: 17_000 });
    expect(cpu.irqs).toBe(3);
    expect(cpu.time[IRQ]! + cpu.time[WORK]!).toBe(17_000);
    expect(cpu.time.reduce((a, b) => a + b, 0)).toBe(sim.now);
  });
});
