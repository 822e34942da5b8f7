/**
 * Lock handoff without capture by the releaser (spinlock.ts, rwlock.ts): a lock released
 * while its waiters are away in an interrupt handler (the flush IPI the holder sent them)
 * is not retaken by the releaser at the nanosecond of its release; the waiters compete
 * when they return. Ticket locks stay FIFO.
 */
import { describe, expect, it } from 'vitest';
import type { ProcessBody } from '../../src/engine/process.js';
import { Simulator } from '../../src/engine/sim.js';
import { IRQ, WORK } from '../../src/cpu/accounting.js';
import type { IrqCtx } from '../../src/cpu/task.js';
import { Task } from '../../src/cpu/task.js';
import { presetCosts } from '../../src/kernel/costs.js';
import { Machine } from '../../src/kernel/machine.js';
import { spin_lock, spin_unlock } from '../../src/kernel/spinlock.js';
import { runScenario } from '../../src/model/run.js';
import { resolveScenario } from '../../src/scenario/load.js';

/** maptorture with eager vmap, think 0: every CPU maps, touches and vfree's one page in a loop. */
function vmapTorture(tasks: number, spinlock: 'ticket' | 'tas', ops: number) {
  return runScenario(
    resolveScenario(
      {
        seed: 1,
        machine: { cpus: 8, pae: true, highmem: '7GiB', spinlock },
        costs: { preset: 'modern' },
        workload: { type: 'maptorture', api: 'vmap', pages: 1, touch: true, think: '0ns', tasks, working_set_pages: 200_000 },
        stop: { ops },
      },
      'test',
    ),
  );
}

describe('eager vmap under contention, think 0, 8 tasks on 8 CPUs', () => {
  it('ticket spinlocks: per-task op counts balanced within 10% of the mean', () => {
    const r = vmapTorture(8, 'ticket', 40_000);
    const mean = 40_000 / 8;
    // vmlist_lock (an unfair 2.4 rwlock) is won uniformly at random among its spinners:
    // ~5000 ops per task, binomial spread ~1.5%. Before the fix one task did all 40000.
    expect(r.ops.per_task.min).toBeGreaterThan(0.9 * mean);
    expect(r.ops.per_task.max).toBeLessThan(1.1 * mean);
  });

  it('tas spinlocks: no task is starved', () => {
    const r = vmapTorture(8, 'tas', 40_000);
    expect(r.ops.per_task.min).toBeGreaterThan(0.5 * (40_000 / 8));
  });

  it('per-op latency grows with the tasks sharing vmlist_lock (1, 2, 4, 8 tasks)', () => {
    const lat = [1, 2, 4, 8].map((n) => vmapTorture(n, 'ticket', 10_000).ops.latency_ns.mean);
    console.log(`eager vmap mean latency by tasks 1,2,4,8: ${lat.map((x) => x.toFixed(0)).join(', ')} ns`);
    // Every vfree holds vmlist_lock across an IPI round, so n tasks queue ~n rounds deep.
    for (let i = 1; i < lat.length; i++) expect(lat[i]!).toBeGreaterThan(1.5 * lat[i - 1]!);
  });
});

describe('releaser hold-off (tas)', () => {
  /**
   * CPU 0 holds a tas lock; the task on CPU 1 spins on it and is then interrupted by a
   * `handlerNs` handler; CPU 0 releases and at once asks for the lock again (no code in
   * between). Returns when CPU 0 got the lock back, and who got it first.
   */
  function releaseAndRetake(handlerNs: number, spinlock: 'tas' | 'ticket' = 'tas') {
    const sim = new Simulator();
    const costs = presetCosts('modern');
    const m = new Machine(sim, { cpus: 2, spinlock, tlbEntries: 64, costs, seed: 1 });
    const lock = m.spinlock('test_lock');
    const order: string[] = [];
    let retaken = -1;
    let waiterGot = -1;
    const t0 = new Task(0, 'releaser', m.cpus[0]!, m.stream('t0'));
    t0.start(
      (function* (): ProcessBody {
        yield spin_lock(t0, lock, 'first');
        yield t0.cpu.busy(WORK, 2000);
        spin_unlock(t0, lock);
        yield spin_lock(t0, lock, 'again');
        retaken = sim.now;
        order.push('releaser');
        spin_unlock(t0, lock);
      })(),
    );
    const t1 = new Task(1, 'waiter', m.cpus[1]!, m.stream('t1'));
    t1.start(
      (function* (): ProcessBody {
        yield t1.cpu.busy(WORK, 100);
        yield spin_lock(t1, lock, 'waiter');
        waiterGot = sim.now;
        order.push('waiter');
        spin_unlock(t1, lock);
      })(),
    );
    function* handler(ctx: IrqCtx): ProcessBody {
      yield ctx.cpu.busy(IRQ, handlerNs);
    }
    // The handler starts on CPU 1 at 1.5 us, while its task spins, and spans the release at 2 us+.
    sim.schedule(1500, () => m.cpus[1]!.raise('irq', handler, null), null);
    sim.run();
    return { retaken, waiterGot, order, costs, releasedAt: 2000 + costs.lock_acquire };
  }

  it('a releaser does not retake the lock at the nanosecond of its release', () => {
    // The waiter is away for 50 us: the releaser gets the lock back only after the
    // hold-off of one line transfer per waiter.
    const r = releaseAndRetake(50_000);
    expect(r.order).toEqual(['releaser', 'waiter']);
    expect(r.retaken).toBe(r.releasedAt + r.costs.lock_handoff + r.costs.lock_acquire);
  });

  // A guard, not a fix: ticket locks were FIFO before and must stay so under the hold-off.
  it('ticket stays FIFO: the waiter in a handler gets the lock before the releaser, whatever the wait', () => {
    const r = releaseAndRetake(50_000, 'ticket');
    expect(r.order).toEqual(['waiter', 'releaser']);
    expect(r.retaken).toBeGreaterThan(r.waiterGot);
  });

  it('a waiter back from its handler within the hold-off competes with the releaser', () => {
    // The handler ends 20 ns after the release (inside the 60 ns hold-off): over seeds of
    // the lock stream both sides win sometimes; with the old code the releaser always won.
    const winners = new Set<string>();
    for (let seed = 1; seed <= 16 && winners.size < 2; seed++) {
      const sim = new Simulator();
      const costs = presetCosts('modern');
      const m = new Machine(sim, { cpus: 2, spinlock: 'tas', tlbEntries: 64, costs, seed });
      const lock = m.spinlock('test_lock');
      let first = '';
      const t0 = new Task(0, 'releaser', m.cpus[0]!, m.stream('t0'));
      t0.start(
        (function* (): ProcessBody {
          yield spin_lock(t0, lock, 'first');
          yield t0.cpu.busy(WORK, 2000);
          spin_unlock(t0, lock);
          yield spin_lock(t0, lock, 'again');
          if (first === '') first = 'releaser';
          spin_unlock(t0, lock);
        })(),
      );
      const t1 = new Task(1, 'waiter', m.cpus[1]!, m.stream('t1'));
      t1.start(
        (function* (): ProcessBody {
          yield t1.cpu.busy(WORK, 100);
          yield spin_lock(t1, lock, 'waiter');
          if (first === '') first = 'waiter';
          spin_unlock(t1, lock);
        })(),
      );
      const end = 2000 + costs.lock_acquire + 20;
      sim.schedule(1500, () =>
        m.cpus[1]!.raise('irq', function* (ctx: IrqCtx): ProcessBody {
          yield ctx.cpu.busy(IRQ, end - 1500);
        }, null),
        null,
      );
      sim.run();
      winners.add(first);
    }
    expect([...winners].sort()).toEqual(['releaser', 'waiter']);
  });
});
