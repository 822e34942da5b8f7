/**
 * spin_lock_bh keeps bottom halves off its CPU (2.4 arch/i386/kernel/smp.c smp_call_function
 * takes call_lock with spin_lock_bh): a completion interrupt taken meanwhile queues its
 * command and marks the SCSI bottom half, but irq_exit's do_softirq returns at once
 * (`if (in_interrupt()) return;`, local_bh_count != 0); the bottom half runs at
 * spin_unlock_bh's local_bh_enable. Closed-form timeline from the cost table.
 */
import { describe, expect, it } from 'vitest';
import { Simulator } from '../../src/engine/sim.js';
import { Machine } from '../../src/kernel/machine.js';
import { irqEntryCost } from '../../src/kernel/costs.js';
import { LATENCY_NS, TRANSFER_NS, twoCompletionRig } from './completion-rig.js';
import { resolveScenario } from '../../src/scenario/load.js';

/** cpu0's task context re-enables bottom halves here, after both interrupts. */
const ENABLE_AT = 20_000;

/** Both interrupts on cpu0 (completion-rig.ts), bottom halves disabled there until `bhDisabledUntil`. */
function twoCompletionsOnCpu0(bhDisabledUntil: number | null) {
  const { sim, m, costs, done } = twoCompletionRig({ completion_context: 'bh', block_lock: 'none' }, 'cpu0');
  const cpu0 = m.cpus[0]!;
  if (bhDisabledUntil !== null) {
    cpu0.local_bh_disable(); // as spin_lock_bh(&call_lock) would
    sim.at(bhDisabledUntil, () => cpu0.local_bh_enable(), null);
  }
  sim.run();
  return { done: done.map((d) => d.at), costs };
}

describe('spin_lock_bh defers the SCSI bottom half to spin_unlock_bh', () => {
  const t1 = LATENCY_NS + TRANSFER_NS;

  it('with bottom halves enabled, the first interrupt runs the bottom half at once', () => {
    const { done, costs } = twoCompletionsOnCpu0(null);
    const work = costs.end_io_page + costs.end_request;
    // The second interrupt (t1 + TRANSFER_NS) nests inside that bottom half (it runs with IRQs
    // on) and costs its whole entry and exit; its command is left to the running loop.
    expect(t1 + TRANSFER_NS).toBeLessThan(t1 + irqEntryCost(costs) + costs.lock_acquire + work);
    expect(done).toEqual([
      t1 + irqEntryCost(costs) + costs.lock_acquire + work + costs.irq_entry_exit,
      t1 + irqEntryCost(costs) + costs.lock_acquire + 2 * work + costs.irq_entry_exit,
    ]);
  });

  it('with them disabled, both commands wait and are completed right after local_bh_enable', () => {
    const { done, costs } = twoCompletionsOnCpu0(ENABLE_AT);
    const work = costs.end_io_page + costs.end_request;
    // The deferred do_softirq: spin_trylock(&global_bh_lock), then scsi_bottom_half_handler
    // drains both commands, one after the other; nothing ran before ENABLE_AT.
    expect(done).toEqual([ENABLE_AT + costs.lock_acquire + work, ENABLE_AT + costs.lock_acquire + 2 * work]);
  });

  it('local_bh_enable without local_bh_disable is a model bug, not a silent no-op', () => {
    const s = new Simulator();
    const m = new Machine(s, { cpus: 1, spinlock: 'tas', tlbEntries: 8, costs: resolveScenario({}, 'x.yaml').costs, seed: 1 });
    expect(() => m.cpus[0]!.local_bh_enable()).toThrow(/local_bh_enable without disable/);
  });
});
