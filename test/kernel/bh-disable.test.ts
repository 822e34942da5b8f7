/**
 * spin_lock_bh keeps bottom halves off its CPU (2.4 arch/i386/kernel/smp.c smp_call_function
 * takes call_lock with spin_lock_bh): a completion interrupt taken meanwhile queues its
 * command and marks the SCSI bottom half, but irq_exit's do_softirq returns at once
 * (`if (in_interrupt()) return;`, local_bh_count != 0); the bottom half runs at
 * spin_unlock_bh's local_bh_enable. Closed-form timeline from the cost table.
 */
import { describe, expect, it } from 'vitest';
import { Simulator } from '../../src/engine/sim.js';
import { HighmemKernel, type IoRequest } from '../../src/kernel/iopath.js';
import { Machine } from '../../src/kernel/machine.js';
import { PagePool } from '../../src/kernel/pages.js';
import { irqEntryCost } from '../../src/kernel/costs.js';
import { resolveScenario } from '../../src/scenario/load.js';
import type { Task } from '../../src/cpu/task.js';

const LATENCY_NS = 10_000;
/** 4 KiB at 4.096 GB/s: 1,000 ns on the channel per request. */
const TRANSFER_NS = 1_000;
/** cpu0's task context re-enables bottom halves here, after both interrupts. */
const ENABLE_AT = 20_000;

function twoCompletionsOnCpu0(bhDisabledUntil: number | null) {
  const s = resolveScenario(
    {
      machine: { cpus: 2, preset: 'piii-xeon-4way-2000' },
      kernel: { version: '2.4.16', strategy: 'direct', completion_context: 'bh', block_lock: 'none' },
      device: { dma_limit: '64bit', latency: `${LATENCY_NS}ns`, bandwidth: 4_096_000_000, queue_depth: 4, irq: 'cpu0' },
      workload: { type: 'io', tasks: 1, working_set_pages: 16, highmem_fraction: 0 },
      stop: { ops: 1 },
    },
    'bh-disable.yaml',
  );
  const sim = new Simulator();
  const m = new Machine(sim, { cpus: 2, spinlock: s.machine.spinlock, tlbEntries: 64, costs: s.costs, seed: 1 });
  const k = new HighmemKernel(m, s, new PagePool(16, 0, s.machine.lowmem_bytes, s.machine.highmem_bytes));
  const done: number[] = [];
  k.onComplete = (_waker, _req) => done.push(sim.now);
  for (const id of [0, 1]) {
    const r: IoRequest = {
      k,
      task: { id } as unknown as Task,
      write: false,
      bytes: 4096,
      pages: [{ page: id, bytes: 4096, route: 0, vpage: -1, map: null }],
      startNs: 0,
      partsInFlight: 1,
      submitting: false,
      done: false,
    };
    k.device.submit({ io: r, pages: r.pages, bytes: 4096, submitCpu: m.cpus[0]! });
  }
  const cpu0 = m.cpus[0]!;
  if (bhDisabledUntil !== null) {
    cpu0.local_bh_disable(); // as spin_lock_bh(&call_lock) would
    sim.at(bhDisabledUntil, () => cpu0.local_bh_enable(), null);
  }
  sim.run();
  return { done, costs: s.costs };
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
