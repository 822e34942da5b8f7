/**
 * The 2.4.16 emergency bounce pool (mm/highmem.c alloc_bounce_page / bounce_end_io),
 * drained and refilled (issue 23 item 11): the allocator first, then the pool under
 * emergency_lock; with both empty the submitter loops (SCHED_YIELD with nobody else to run:
 * it burns its CPU); a returned page goes to the pool while it is below POOL_SIZE, and only
 * then back to the allocator. The sequence of counts is the kernel's arithmetic by hand.
 * POOL_SIZE is 32 in 2.4.16; 4 here keeps the sequence short (the logic does not depend on it).
 */
import { describe, expect, it } from 'vitest';
import type { ProcessBody } from '../../src/engine/process.js';
import { Simulator } from '../../src/engine/sim.js';
import { SPIN } from '../../src/cpu/accounting.js';
import type { IrqCtx } from '../../src/cpu/task.js';
import { Task } from '../../src/cpu/task.js';
import { BouncePool, bounce_end_io, create_bounce } from '../../src/kernel/bounce.js';
import { presetCosts } from '../../src/kernel/costs.js';
import { PkmapPool } from '../../src/kernel/highmem.js';
import { Machine } from '../../src/kernel/machine.js';
import { PagePool } from '../../src/kernel/pages.js';
import { runScenario } from '../../src/model/run.js';
import { resolveScenario } from '../../src/scenario/load.js';

const POOL = 4;
const LOWMEM = 2;
const RETURN_EVERY = 100_000; // ns between completions, from 1 ms on

describe('emergency bounce pool: drained, waited on, refilled', () => {
  it('allocator, then pool, then the wait; pages come back to the pool first, then to the allocator', () => {
    const sim = new Simulator();
    const m = new Machine(sim, { cpus: 2, spinlock: 'ticket', tlbEntries: 64, costs: presetCosts('era2000'), seed: 1 });
    const b = new BouncePool(
      m,
      { poolSize: POOL, lowmemFreePages: LOWMEM, writeCopy: 'atomic', readIrqsOff: true, allocWait: 'yield_retry' },
      new PkmapPool(m, new PagePool(16, 1, 896 << 20, 3 << 30), { pae: false, skipFlush: false }),
    );
    const state = () => [b.lowmemFree, b.nr_emergency_pages];
    const afterAlloc: Array<Array<number | null>> = [];
    const afterReturn: Array<Array<number | null>> = [];
    let lastAllocAt = -1;
    // 7 READ bounces (no copy at submission): 2 from the allocator, 4 from the pool, 1 waits.
    const t = new Task(0, 'submitter', m.cpus[0]!, m.stream('submitter'));
    t.start(
      (function* (): ProcessBody {
        for (let i = 0; i < LOWMEM + POOL + 1; i++) {
          yield* create_bounce(t, b, i, false);
          afterAlloc.push(state());
        }
        lastAllocAt = sim.now;
      })(),
    );
    // 7 completions on CPU 1, one every RETURN_EVERY from 1 ms.
    function* complete(ctx: IrqCtx, page: number): ProcessBody {
      yield* bounce_end_io(ctx, b, page, false);
      afterReturn.push(state());
    }
    for (let i = 0; i < LOWMEM + POOL + 1; i++) {
      sim.schedule(1_000_000 + i * RETURN_EVERY, () => m.cpus[1]!.raise('end_request', complete, i, true), null);
    }
    sim.run();
    m.finish();
    // [lowmemFree, nr_emergency_pages] after each allocation: the allocator, then the pool.
    expect(afterAlloc).toEqual([
      [1, 4],
      [0, 4],
      [0, 3],
      [0, 2],
      [0, 1],
      [0, 0],
      [0, 0], // the 7th: got the first page returned to the pool
    ]);
    expect(m.highmem.bounce.poolTaken).toBe(POOL + 1);
    expect(m.highmem.bounce.poolWaits).toBe(1);
    // The 7th waited for the first completion (1 ms): it spun meanwhile, nobody else to run.
    expect(lastAllocAt).toBeGreaterThan(1_000_000);
    expect(lastAllocAt).toBeLessThan(1_000_000 + RETURN_EVERY);
    expect(m.cpus[0]!.time[SPIN]!).toBeGreaterThan(900_000);
    // After each return: the pool refills to POOL_SIZE before the allocator gets pages back.
    expect(afterReturn).toEqual([
      [0, 1], // taken at once by the waiting submitter ...
      [0, 1], // ... so the second return leaves 1 again
      [0, 2],
      [0, 3],
      [0, 4],
      [1, 4],
      [2, 4],
    ]);
    expect(state()).toEqual([LOWMEM, POOL]); // all back where they started
  });
});

/**
 * 2.3.40 and 2.4.0 have no emergency pool: create_bounce loops on alloc_page. 2.3.40's
 * wakeup_bdflush(1) sleeps (the CPU runs other tasks or idles); 2.4.0's returns at once
 * and the loop retries (the CPU burns). End to end: 32 writers of 16 KiB (4 pages each)
 * against 16 free lowmem pages, so most allocations find none and wait.
 */
describe('bounce allocation with no pool (2.3.40, 2.4.0), end to end', () => {
  const run = (version: string) => {
    const s = resolveScenario(
      {
        name: 'no-pool',
        seed: 1,
        machine: { cpus: 4, pae: true },
        costs: { preset: 'era2000' },
        kernel: { version, strategy: 'bounce', lowmem_free_pages: 16 },
        device: { latency: 'exp(1ms)', bandwidth: '160MiB/s', queue_depth: 64 },
        workload: { type: 'io', tasks: 32, size: '16KiB', read_fraction: 0.2, highmem_fraction: 1 },
        stop: { ops: 2000 },
      },
      'no-pool.yaml',
    );
    return { s, r: runScenario(s) };
  };
  const sum = (r: Awaited<ReturnType<typeof runScenario>>, k: 'spin' | 'idle') => r.cpus.reduce((a, c) => a + c.time_ns[k], 0);
  const switches = (r: Awaited<ReturnType<typeof runScenario>>) => r.cpus.reduce((a, c) => a + c.context_switches, 0);

  it('every op completes; no page from a pool, no emergency_lock; 2.3.40 sleeps, 2.4.0 spins', async () => {
    const a = run('2.3.40');
    const b = run('2.4.0');
    const [r40, r240] = [await a.r, await b.r];
    for (const [{ s }, r] of [[a, r40], [b, r240]] as const) {
      expect(s.kernel.bounce_pool_pages).toBe(0);
      expect(r.ops.completed).toBe(2000);
      expect(r.bounce.pool_taken).toBe(0);
      expect(r.bounce.pool_waits).toBeGreaterThan(0);
      expect(Object.keys(r.locks)).not.toContain('emergency_lock');
    }
    expect(a.s.kernel.bounce_alloc_wait).toBe('sleep');
    expect(b.s.kernel.bounce_alloc_wait).toBe('busy_retry');
    // 2.4.0's waiters never give their CPU away: no CPU idles, spin dominates; 2.3.40's
    // sleep: context switches instead of spinning, and idle CPUs.
    expect(r240.cpus.every((c) => c.time_ns.idle === 0)).toBe(true);
    expect(sum(r240, 'spin')).toBeGreaterThan(10 * sum(r40, 'spin'));
    expect(sum(r40, 'idle')).toBeGreaterThan(0);
    expect(switches(r40)).toBeGreaterThan(10 * switches(r240));
  });
});
