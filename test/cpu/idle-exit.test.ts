/**
 * Waking a halted CPU (idle loop hlt; AMD C1E when every core of the package halts): an
 * IPI's handler runs only after idle_exit / package_idle_exit (src/kernel/machine.ts
 * haltExitDelay). Without the mechanism a flush round to idle CPUs costs the same as to
 * busy ones.
 */
import { describe, expect, it } from 'vitest';
import { Simulator } from '../../src/engine/sim.js';
import { IDLE, WORK } from '../../src/cpu/accounting.js';
import { Task } from '../../src/cpu/task.js';
import { presetCosts, type Costs } from '../../src/kernel/costs.js';
import { Machine } from '../../src/kernel/machine.js';
import { flush_tlb_all } from '../../src/kernel/tlbflush.js';

/** One flush_tlb_all from CPU 0 of 8 (generic IPIs); `busy` CPUs run a task meanwhile. */
function flushRound(over: Partial<Costs>, coresPerPackage: number, busy: number[] = []): { elapsed: number; idle1: number } {
  const sim = new Simulator();
  const costs = { ...presetCosts('modern'), ...over };
  const m = new Machine(sim, { cpus: 8, spinlock: 'ticket', tlbEntries: 64, costs, seed: 1, smpCallFunction: 'generic', coresPerPackage });
  let elapsed = -1;
  for (const c of busy) {
    const t = new Task(c, `b${c}`, m.cpus[c]!, m.stream(`busy:${c}`));
    t.start((function* () {
      yield t.cpu.busy(WORK, 200_000);
    })());
  }
  const t0 = new Task(0, 't0', m.cpus[0]!, m.stream('task:0'));
  t0.start((function* () {
    yield t0.cpu.busy(WORK, 1000);
    const start = sim.now;
    yield* flush_tlb_all(t0, m);
    elapsed = sim.now - start;
  })());
  sim.run();
  m.finish();
  return { elapsed, idle1: m.cpus[1]!.time[IDLE]! };
}

const EXITS = { idle_exit: 3000, package_idle_exit: 10_000 };

describe('idle exit latency of IPI targets', () => {
  const c = presetCosts('modern');
  /** The earliest a target's handler can start: the ICR write and the delivery. */
  const sent = c.ipi_send + c.ipi_latency;

  it('without exit costs a round to idle CPUs takes less than one C1 exit more than the IPI', () => {
    expect(flushRound({}, 4).elapsed).toBeLessThan(sent + 3000);
  });

  it('a package whose cores all halt wakes from C1E: no ack before package_idle_exit', () => {
    // CPUs 4-7 form a package with every core halted; CPUs 1-3 share CPU 0's package.
    expect(flushRound(EXITS, 4).elapsed).toBeGreaterThan(sent + 10_000);
  });

  it('with every idle CPU in the busy CPU\'s package, only the C1 exit is paid', () => {
    const e = flushRound(EXITS, 8).elapsed;
    expect(e).toBeGreaterThan(sent + 3000);
    expect(e).toBeLessThan(sent + 10_000);
  });

  it('CPUs running a task are not halted: no exit latency at all', () => {
    const busy = [1, 2, 3, 4, 5, 6, 7];
    expect(flushRound(EXITS, 4, busy).elapsed).toBe(flushRound({}, 4, busy).elapsed);
  });

  it('the exit is charged as idle time on the woken CPU', () => {
    const woken = flushRound(EXITS, 8);
    const plain = flushRound({}, 8);
    // CPU 1's total time grows by the exit, all of it idle.
    expect(woken.idle1).toBeGreaterThan(plain.idle1);
  });
});
