/**
 * Two one-page (lowmem, direct) read requests handed to a 2-CPU machine's device at t=0,
 * for the completion-context tests: both finish their latency at LATENCY_NS and cross the
 * channel one after the other (TRANSFER_NS each), so their interrupts arrive at
 * t1 = 11 us and t2 = 12 us. Built and submitted, not run: the caller runs `sim`.
 */
import { Simulator } from '../../src/engine/sim.js';
import { HighmemKernel, type IoRequest } from '../../src/kernel/iopath.js';
import { Machine } from '../../src/kernel/machine.js';
import { PagePool } from '../../src/kernel/pages.js';
import { resolveScenario } from '../../src/scenario/load.js';
import type { Task } from '../../src/cpu/task.js';

export const LATENCY_NS = 10_000;
/** 4 KiB at 4.096 GB/s: 1,000 ns on the channel per request. */
export const TRANSFER_NS = 1_000;

export interface Done {
  at: number;
  cpu: number;
  id: number;
}

export function twoCompletionRig(kernel: { completion_context: string; block_lock: string }, irq: 'cpu0' | 'round_robin') {
  const s = resolveScenario(
    {
      machine: { cpus: 2, preset: 'piii-xeon-4way-2000' },
      kernel: { version: '2.4.16', strategy: 'direct', ...kernel },
      device: { dma_limit: '64bit', latency: `${LATENCY_NS}ns`, bandwidth: 4_096_000_000, queue_depth: 4, irq },
      workload: { type: 'io', tasks: 1, working_set_pages: 16, highmem_fraction: 0 },
      stop: { ops: 1 },
    },
    'twocompletions.yaml',
  );
  const sim = new Simulator();
  const m = new Machine(sim, { cpus: 2, spinlock: s.machine.spinlock, tlbEntries: 64, costs: s.costs, seed: 1 });
  const k = new HighmemKernel(m, s, new PagePool(16, 0, s.machine.lowmem_bytes, s.machine.highmem_bytes));
  const done: Done[] = [];
  k.onComplete = (waker, req) => done.push({ at: sim.now, cpu: waker.id, id: (req.task as unknown as { id: number }).id });
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
  return { sim, m, k, costs: s.costs, done };
}
