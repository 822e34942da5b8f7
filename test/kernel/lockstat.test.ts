/**
 * lock_stat details (Documentation/locking/lockstat.rst): min/max over non-zero times only,
 * averages over the events counted, at most 4 contention points sorted by count,
 * acq-bounces = acquisitions whose previous holder ran on another CPU, and statistics
 * reset at the end of warm-up. Expected values are worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import type { ProcessBody } from '../../src/engine/process.js';
import { Simulator } from '../../src/engine/sim.js';
import { WORK } from '../../src/cpu/accounting.js';
import { Task } from '../../src/cpu/task.js';
import { presetCosts } from '../../src/kernel/costs.js';
import { LockClassStat, MAX_CONTENTION_POINTS } from '../../src/kernel/lockstat.js';
import { Machine } from '../../src/kernel/machine.js';
import { spin_lock, spin_unlock } from '../../src/kernel/spinlock.js';
import { runScenario } from '../../src/model/run.js';
import { resolveScenario } from '../../src/scenario/load.js';

describe('LockClassStat', () => {
  it('wait and hold min/max skip zero times; totals and averages count every event', () => {
    const s = new LockClassStat('l');
    for (let i = 0; i < 4; i++) s.acquired(false);
    s.contended(0, false, 'a');
    s.contended(500, true, 'a');
    s.contended(200, false, 'b');
    s.held(0);
    s.held(30);
    s.held(10);
    s.held(0);
    const j = s.toJSON();
    expect(j.contentions).toBe(3);
    expect(j.con_bounces).toBe(1);
    expect(j.wait_ns).toEqual({ min: 200, max: 500, total: 700, avg: 700 / 3 });
    expect(j.hold_ns).toEqual({ min: 10, max: 30, total: 40, avg: 10 });
  });

  it('no contention: times are 0, not Infinity or NaN', () => {
    const s = new LockClassStat('l');
    s.acquired(false);
    s.held(0);
    expect(s.toJSON().wait_ns).toEqual({ min: 0, max: 0, total: 0, avg: 0 });
    expect(s.toJSON().hold_ns).toEqual({ min: 0, max: 0, total: 0, avg: 0 });
  });

  it('keeps the 4 call sites that waited most, by count (then name)', () => {
    expect(MAX_CONTENTION_POINTS).toBe(4);
    const s = new LockClassStat('l');
    const sites: [string, number][] = [['e', 1], ['d', 2], ['c', 3], ['a', 4], ['b', 4], ['f', 5]];
    for (const [site, n] of sites) for (let i = 0; i < n; i++) s.contended(1, false, site);
    expect(s.toJSON().contention_points).toEqual([
      { site: 'f', count: 5 },
      { site: 'a', count: 4 },
      { site: 'b', count: 4 },
      { site: 'c', count: 3 },
    ]);
    expect(s.toJSON().contentions).toBe(19); // the cap limits the points listed, not the count
  });

  it('reset clears everything', () => {
    const s = new LockClassStat('l');
    s.acquired(true);
    s.contended(5, true, 'x', 'y');
    s.held(7);
    s.reset();
    expect(s.toJSON()).toEqual({
      acquisitions: 0, contentions: 0, con_bounces: 0, acq_bounces: 0,
      wait_ns: { min: 0, max: 0, total: 0, avg: 0 }, hold_ns: { min: 0, max: 0, total: 0, avg: 0 }, contention_points: [],
      contending_points: [],
      locks: 0,
    });
  });

  it('contending points: where the lock had last been acquired when each waiter began to wait', () => {
    const s = new LockClassStat('l');
    s.contended(1, false, 'kmap_high', 'kunmap_high');
    s.contended(1, false, 'kmap_high', 'kunmap_high');
    s.contended(1, false, 'kunmap_high', 'kmap_high');
    expect(s.toJSON().contending_points).toEqual([
      { site: 'kunmap_high', count: 2 },
      { site: 'kmap_high', count: 1 },
    ]);
  });
});

describe('contending points from a run (lockdep __lock_contended: lock->ip, the last acquirer)', () => {
  it('kmap_lock under maptorture: holders at kmap_high and kunmap_high, one contending point per contention', () => {
    const s = resolveScenario({ machine: { cpus: 4 }, workload: { type: 'maptorture', api: 'kmap' }, stop: { ops: 4000 } }, 'x.yaml');
    const l = runScenario(s).locks.kmap_lock!;
    expect(l.contentions).toBeGreaterThan(0);
    const holders = l.contending_points;
    expect(holders.map((p) => p.site).sort()).toEqual(['kmap_high', 'kunmap_high']);
    expect(holders.reduce((n, p) => n + p.count, 0)).toBe(l.contentions);
  });
});

describe('lock_stat from a spinlock', () => {
  it('acq-bounces count acquisitions whose previous holder ran on another CPU', () => {
    const sim = new Simulator();
    const m = new Machine(sim, { cpus: 2, spinlock: 'ticket', tlbEntries: 64, costs: presetCosts('modern'), seed: 1 });
    const lock = m.spinlock('test_lock');
    // cpu0 takes it twice, then cpu1 twice, then cpu0 once: sequential, never contended.
    // Previous holder's CPU: none, 0, 0, 1, 1 → a bounce at cpu1's first acquisition and
    // at cpu0's last: 2.
    const order = [0, 0, 1, 1, 0];
    order.forEach((cpu, i) => {
      const t = new Task(i, `t${i}`, m.cpus[cpu]!, m.stream(`t${i}`));
      t.start(
        (function* (): ProcessBody {
          yield t.cpu.busy(WORK, 10_000 * i + 1);
          yield spin_lock(t, lock, 'site');
          yield t.cpu.busy(WORK, 100);
          spin_unlock(t, lock);
        })(),
      );
    });
    sim.run();
    const j = m.lockstat.get('test_lock').toJSON();
    expect(j.acquisitions).toBe(5);
    expect(j.contentions).toBe(0);
    expect(j.acq_bounces).toBe(2);
    expect(j.hold_ns.total).toBe(500);
  });
});

describe('lock_stat and warm-up', () => {
  it('statistics gathered during warm-up are discarded: acquisitions match the measured ops', () => {
    // locktorture: one acquisition of the lock per op.
    const base = { machine: { cpus: 4 }, workload: { type: 'locktorture' } };
    const warm = runScenario(resolveScenario({ ...base, stop: { ops: 6000, warmup: { ops: 3000 } } }, 'ls.yaml'));
    const cold = runScenario(resolveScenario({ ...base, stop: { ops: 6000 } }, 'ls.yaml'));
    const acq = (r: typeof warm) => Object.values(r.locks).reduce((n, l) => n + l.acquisitions, 0);
    expect(warm.ops.completed).toBeLessThan(cold.ops.completed);
    // Acquisitions in flight at either end: at most one per task.
    expect(Math.abs(acq(warm) - warm.ops.completed)).toBeLessThanOrEqual(4);
    expect(Math.abs(acq(cold) - cold.ops.completed)).toBeLessThanOrEqual(4);
  });
});

describe('locks per class (LockStatJson.locks)', () => {
  it('counts the locks of a class taken in the run: one per vmap node, not the unused lock of the same name', () => {
    const raw = (version: string) => ({
      name: 'n', machine: { cpus: 4, lowmem: '4GiB', highmem: 0 }, costs: { preset: 'modern' },
      kernel: { version, vmalloc_size: '256MiB' },
      workload: { type: 'maptorture', api: 'vmalloc', pages: 1, think: '0ns', working_set_pages: 64 }, stop: { ops: 2000 },
    });
    // 6.6: modern vmalloc takes its vmap_area_lock; the I/O path's 2.6.28 layer builds another
    // lock of that name which is never taken: one lock, not two.
    const v66 = runScenario(resolveScenario(raw('6.6'), 'l.yaml')).locks;
    expect(v66.vmap_area_lock!.locks).toBe(1);
    expect(v66.free_vmap_area_lock!.locks).toBe(1);
    // 6.12: a busy lock per vmap node (nodes = CPUs here), each taken.
    const v612 = runScenario(resolveScenario(raw('6.12'), 'l.yaml')).locks;
    expect(v612['vmap_node.busy.lock']!.locks).toBe(4);
  });
});
