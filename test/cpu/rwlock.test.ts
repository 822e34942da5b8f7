import { describe, expect, it } from 'vitest';
import type { ProcessBody } from '../../src/engine/process.js';
import { Simulator } from '../../src/engine/sim.js';
import { WORK } from '../../src/cpu/accounting.js';
import { Task } from '../../src/cpu/task.js';
import { presetCosts } from '../../src/kernel/costs.js';
import { Machine } from '../../src/kernel/machine.js';

function setup(cpus: number) {
  const sim = new Simulator();
  const m = new Machine(sim, { cpus, spinlock: 'tas', tlbEntries: 64, costs: { ...presetCosts('modern'), lock_acquire: 0, lock_handoff: 0, line_transfer_local: 0, line_transfer_remote: 0 }, seed: 1 });
  return { sim, m, lock: m.rwlock('vmlist_lock') };
}

describe('rwlock (2.4 vmlist_lock)', () => {
  it('readers share the lock; a writer waits for all of them and excludes them', () => {
    const { sim, m, lock } = setup(3);
    const log: string[] = [];
    const start = (cpu: number, body: (t: Task) => ProcessBody) => {
      const t = new Task(cpu, `t${cpu}`, m.cpus[cpu]!, m.stream(`t${cpu}`));
      t.start(body(t));
    };
    start(0, function* (t) {
      yield lock.read_lock(t, 'reader0');
      log.push(`r0 in @${sim.now}`);
      yield t.cpu.busy(WORK, 1000);
      lock.read_unlock(t);
    });
    start(1, function* (t) {
      yield t.cpu.busy(WORK, 100);
      yield lock.read_lock(t, 'reader1');
      log.push(`r1 in @${sim.now}`);
      yield t.cpu.busy(WORK, 2000);
      lock.read_unlock(t);
    });
    start(2, function* (t) {
      yield t.cpu.busy(WORK, 200);
      yield lock.write_lock(t, 'writer');
      log.push(`w in @${sim.now}`);
      yield t.cpu.busy(WORK, 500);
      lock.write_unlock(t);
    });
    sim.run();
    // Reader 1 joins reader 0 at once; the writer gets in only when both have left (t=2100).
    expect(log).toEqual(['r0 in @0', 'r1 in @100', 'w in @2100']);
    const s = m.lockstat.get('vmlist_lock').toJSON();
    expect(s.acquisitions).toBe(3);
    expect(s.contentions).toBe(1);
    expect(s.contention_points).toEqual([{ site: 'writer', count: 1 }]);
    expect(s.hold_ns.total).toBe(500); // write holds
  });

  it('a reader spinning behind a writer gets in when the writer leaves', () => {
    const { sim, m, lock } = setup(2);
    const log: number[] = [];
    const w = new Task(0, 'w', m.cpus[0]!, m.stream('w'));
    w.start(
      (function* (): ProcessBody {
        yield lock.write_lock(w, 'vfree');
        yield w.cpu.busy(WORK, 700);
        lock.write_unlock(w);
      })(),
    );
    const r = new Task(1, 'r', m.cpus[1]!, m.stream('r'));
    r.start(
      (function* (): ProcessBody {
        yield r.cpu.busy(WORK, 10);
        yield lock.read_lock(r, 'vread');
        log.push(sim.now);
        lock.read_unlock(r);
      })(),
    );
    sim.run();
    expect(log).toEqual([700]);
    expect(lock.readers).toBe(0);
    expect(lock.writer).toBe(null);
  });
});

describe('rwlock unfairness (2.4 RW_LOCK_BIAS: readers get in whenever no writer holds it)', () => {
  it('readers slip past a spinning writer, which waits until no reader is left', () => {
    const { sim, m, lock } = setup(4);
    const log: string[] = [];
    const start = (cpu: number, body: (t: Task) => ProcessBody) => {
      const t = new Task(cpu, `t${cpu}`, m.cpus[cpu]!, m.stream(`t${cpu}`));
      t.start(body(t));
    };
    const reader = (cpu: number, at: number, hold: number) =>
      start(cpu, function* (t) {
        if (at > 0) yield t.cpu.busy(WORK, at);
        yield lock.read_lock(t, `reader${cpu}`);
        log.push(`r${cpu} in @${sim.now}`);
        yield t.cpu.busy(WORK, hold);
        lock.read_unlock(t);
      });
    reader(0, 0, 1000); // holds 0..1000
    start(1, function* (t) {
      yield t.cpu.busy(WORK, 100);
      yield lock.write_lock(t, 'writer'); // spins from 100
      log.push(`w in @${sim.now}`);
      yield t.cpu.busy(WORK, 50);
      lock.write_unlock(t);
    });
    reader(2, 500, 1000); // arrives while the writer spins: gets in at once, holds 500..1500
    reader(3, 1200, 1000); // overlaps reader 2: in at once, holds 1200..2200
    sim.run();
    // A fair (queued) rwlock would let the writer in at 1000 and hold readers 2 and 3 back.
    expect(log).toEqual(['r0 in @0', 'r2 in @500', 'r3 in @1200', 'w in @2200']);
    const s = m.lockstat.get('vmlist_lock').toJSON();
    expect(s.contentions).toBe(1);
    expect(s.wait_ns.max).toBe(2100);
  });
});
