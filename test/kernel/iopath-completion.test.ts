/**
 * Where completions run and what the I/O path costs (src/kernel/iopath.ts), against closed
 * forms computed here from the cost table:
 * - `kernel.completion_context: bh` (2.3/2.4 SCSI bottom half): bottom halves are serialised
 *   machine-wide by global_bh_lock (2.4 kernel/softirq.c bh_action spin_trylock); a second
 *   completion on another CPU loses the trylock and is completed by the holder's
 *   scsi_bottom_half_handler loop, after the first. With `softirq` (2.6 BLOCK_SOFTIRQ) the
 *   two overlap on their own CPUs.
 * - `kernel.block_lock: io_request_lock` (2.4): acquisitions per device request are the
 *   kernel's call sites (pages × __make_request, 3 in the unplug/dispatch sequence,
 *   2 at completion); 2.6's is a per-queue `queue_lock` and no io_request_lock exists.
 * - The per-request cost keys appear in a direct run's CPU time exactly as their sum.
 */
import { describe, expect, it } from 'vitest';
import { irqEntryCost } from '../../src/kernel/costs.js';
import { LATENCY_NS, TRANSFER_NS, twoCompletionRig } from './completion-rig.js';
import { runScenario } from '../../src/model/run.js';
import { resolveScenario } from '../../src/scenario/load.js';

/** Interrupts at t1 = 11 us (cpu0) and t2 = 12 us (cpu1, round-robin routing): completion-rig.ts. */
function twoCompletions(completion_context: string, block_lock = 'none') {
  const { sim, m, k, costs, done } = twoCompletionRig({ completion_context, block_lock }, 'round_robin');
  sim.run();
  return { done, costs, k, m };
}

describe('completion context (kernel.completion_context)', () => {
  const t1 = LATENCY_NS + TRANSFER_NS;
  const t2 = LATENCY_NS + 2 * TRANSFER_NS;

  it('bh: the second CPU loses global_bh_lock; the holder completes both, one after the other', () => {
    const { done, costs, k, m } = twoCompletions('bh');
    const work = costs.end_io_page + costs.end_request; // one one-page request, no block lock
    // cpu0: interrupt entry, spin_trylock(&global_bh_lock) (lock_acquire), then its loop.
    const first = t1 + irqEntryCost(costs) + costs.lock_acquire + work;
    expect(first).toBeGreaterThan(t2 + irqEntryCost(costs)); // cpu1's bh finds the lock held
    expect(done).toEqual([
      { at: first, cpu: 0, id: 0 },
      { at: first + work, cpu: 0, id: 1 },
    ]);
    expect(k.bhDeferred).toBe(1);
    const bh = m.lockstat.get('global_bh_lock');
    expect(bh.toJSON().acquisitions).toBe(1);
  });

  it('softirq: each CPU completes its own, overlapping', () => {
    const { done, costs } = twoCompletions('softirq');
    const work = costs.end_io_page + costs.end_request;
    expect(done).toEqual([
      { at: t1 + irqEntryCost(costs) + work, cpu: 0, id: 0 },
      { at: t2 + irqEntryCost(costs) + work, cpu: 1, id: 1 },
    ]);
  });

  it('hardirq: completed in each interrupt handler, overlapping', () => {
    const { done, costs, m } = twoCompletions('hardirq');
    const work = costs.end_io_page + costs.end_request;
    expect(done.map((d) => d.cpu)).toEqual([0, 1]);
    expect(done[1]!.at - done[0]!.at).toBe(TRANSFER_NS);
    expect(done[0]!.at).toBe(t1 + irqEntryCost(costs) + work);
    expect(m.lockstat.classes.has('global_bh_lock')).toBe(false);
  });
});

const KiB = 1024;

function directRun(version: string, extra: Record<string, unknown> = {}) {
  return runScenario(
    resolveScenario(
      {
        seed: 7,
        machine: { cpus: 4, preset: 'piii-xeon-4way-2000' },
        kernel: { version, strategy: 'direct', ...extra },
        device: { dma_limit: '64bit', latency: '200us', bandwidth: '1GiB/s', queue_depth: 64, irq: 'cpu0' },
        workload: { type: 'io', tasks: 4, size: '16KiB', think: '0ns', touch_per_page: '0ns', highmem_fraction: 0 },
        stop: { ops: 400 },
      },
      'direct.yaml',
    ),
  );
}

describe('block-layer lock (kernel.block_lock)', () => {
  it('2.4.16: io_request_lock taken pages + 3 times at submission and 2 at completion per request', () => {
    const r = directRun('2.4.16');
    const pages = (16 * KiB) / 4096;
    const lock = r.locks['io_request_lock'];
    expect(lock).toBeDefined();
    // One device request per I/O (nothing sleeps mid-submission with direct DMA). Requests
    // in flight at the stop have their submission counted but not their completion.
    const submitted = r.device.requests;
    const completed = r.ops.completed;
    expect(lock!.acquisitions).toBeGreaterThanOrEqual(completed * (pages + 5));
    expect(lock!.acquisitions).toBeLessThanOrEqual(submitted * (pages + 5));
    expect(r.locks['queue_lock']).toBeUndefined();
  });

  it('2.6.27: a per-queue queue_lock, no io_request_lock', () => {
    const r = directRun('2.6.27');
    expect(r.locks['io_request_lock']).toBeUndefined();
    expect(r.locks['queue_lock']!.acquisitions).toBeGreaterThan(0);
  });
});

describe('per-request CPU of the I/O path', () => {
  it('a direct run charges syscall + per-page and per-request steps: CPU per op grows by exactly their sum', () => {
    // The same run with and without the I/O-path steps (all eight keys 0, no block lock,
    // completion in the hardirq as before): the difference is the closed form.
    const zero = {
      syscall: '0ns', map_user_page: '0ns', bh_setup: '0ns', blk_make_request: '0ns',
      scsi_cmd_build: '0ns', scsi_queuecommand: '0ns', end_io_page: '0ns', end_request: '0ns',
    };
    const mk = (costs: Record<string, string>) =>
      runScenario(
        resolveScenario(
          {
            seed: 7,
            machine: { cpus: 4, preset: 'piii-xeon-4way-2000' },
            kernel: { version: '2.4.16', strategy: 'direct', completion_context: 'hardirq', block_lock: 'none' },
            costs,
            device: { dma_limit: '64bit', latency: '200us', bandwidth: '1GiB/s', queue_depth: 64, irq: 'cpu0' },
            workload: { type: 'io', tasks: 1, size: '16KiB', think: '0ns', touch_per_page: '0ns', highmem_fraction: 0 },
            stop: { ops: 200 },
          },
          'direct.yaml',
        ),
      );
    const base = mk(zero);
    const withPath = mk({});
    const c = withPath.scenario.costs;
    const pages = 4;
    const perOp =
      c.syscall + pages * (c.map_user_page + c.bh_setup + c.blk_make_request) + c.scsi_cmd_build + c.scsi_queuecommand + pages * c.end_io_page + c.end_request;
    // One task, one I/O at a time: every op is the same sequence, so CPU per op differs by perOp.
    const busy = (r: typeof base) => r.cpus.reduce((a, cpu) => a + Object.entries(cpu.time_ns).reduce((x, [k, v]) => (k === 'idle' ? x : x + v), 0), 0);
    const perOpOf = (r: typeof base) => busy(r) / r.ops.completed;
    expect(perOpOf(withPath) - perOpOf(base)).toBeCloseTo(perOp, 0);
  });
});

describe('bounce with round-robin interrupts on 2.4', () => {
  it('no longer scales past the one-CPU bottom half: round_robin ≈ cpu0', () => {
    const run = (irq: string) =>
      runScenario(
        resolveScenario(
          {
            seed: 2000,
            machine: { cpus: 4, preset: 'piii-xeon-4way-2000', memory_bandwidth: '64GiB/s' },
            kernel: { version: '2.4.16', strategy: 'bounce' },
            device: { dma_limit: '32bit', latency: 'exp(50us)', bandwidth: '4GiB/s', queue_depth: 64, irq },
            workload: { type: 'io', tasks: 16, size: '64KiB', read_fraction: 1, highmem_fraction: 1 },
            stop: { time: '60ms', warmup: '10ms' },
          },
          'rr.yaml',
        ),
      ).ops.per_sec;
    const cpu0 = run('cpu0');
    const rr = run('round_robin');
    // Every READ copy runs in the one bottom half at a time: round-robin gains < 10%.
    expect(rr / cpu0).toBeLessThan(1.1);
    // The copies bound it: pages/s ≤ 1 CPU / memcpy_page.
    expect(rr * 16 * 11_000).toBeLessThan(1e9 * 1.05);
  });
});
