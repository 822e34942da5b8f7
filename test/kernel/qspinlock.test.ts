/**
 * Queued spinlocks (src/kernel/qspinlock.ts; kernel/locking/qspinlock.c, 4.2+), against
 * closed forms of the line transfers: the fast path, the pending waiter, the MCS queue whose
 * handoff does not grow with the number of waiters (a ticket lock's does), FIFO order.
 */
import { describe, expect, it } from 'vitest';
import type { ProcessBody } from '../../src/engine/process.js';
import { Simulator } from '../../src/engine/sim.js';
import { WORK } from '../../src/cpu/accounting.js';
import { Task } from '../../src/cpu/task.js';
import { presetCosts, type Costs } from '../../src/kernel/costs.js';
import { Machine } from '../../src/kernel/machine.js';
import { spin_lock, spin_unlock, type SpinlockKind } from '../../src/kernel/spinlock.js';
import { VERSION_TABLE } from '../../src/kernel/versions.js';

/** Distinct costs, so a closed form tells which one was charged. */
const LINE: Partial<Costs> = { lock_acquire: 10, lock_handoff: 1000, line_transfer_local: 50, line_transfer_remote: 200 };
const HOLD = 2000;

function machine(cpus: number, spinlock: SpinlockKind, coresPerPackage = 1) {
  const sim = new Simulator();
  const m = new Machine(sim, { cpus, spinlock, tlbEntries: 64, costs: { ...presetCosts('modern'), ...LINE }, seed: 1, coresPerPackage });
  return { sim, m, lock: m.spinlock('test_lock') };
}

/**
 * CPU 0 takes the lock at 0 and holds it HOLD ns; CPU c (1..waiters) asks at `arrive(c)`,
 * holds HOLD ns (or `hold`), releases. Returns, in acquisition order, the CPU and the time
 * its spin_lock returned, and the handoffs: each acquisition minus the previous release.
 */
function contend(kind: SpinlockKind, waiters: number, opts: { coresPerPackage?: number; arrive?: (c: number) => number; hold?: number } = {}) {
  const hold = opts.hold ?? HOLD;
  const arrive = opts.arrive ?? ((c: number) => 100 + c);
  const sim = new Simulator();
  const m = new Machine(sim, {
    cpus: waiters + 1,
    spinlock: kind,
    tlbEntries: 64,
    costs: { ...presetCosts('modern'), ...LINE },
    seed: 1,
    coresPerPackage: opts.coresPerPackage ?? 1,
  });
  const lock = m.spinlock('test_lock');
  const got: Array<{ cpu: number; at: number; released: number }> = [];
  for (let c = 0; c <= waiters; c++) {
    const t = new Task(c, `t${c}`, m.cpus[c]!, m.stream(`t${c}`));
    t.start(
      (function* (): ProcessBody {
        if (c > 0) yield t.cpu.busy(WORK, arrive(c));
        yield spin_lock(t, lock, 'site');
        const at = sim.now;
        const h = c === 0 ? HOLD : hold;
        if (h > 0) yield t.cpu.busy(WORK, h);
        got.push({ cpu: c, at, released: sim.now });
        spin_unlock(t, lock);
      })(),
    );
  }
  sim.run();
  got.sort((a, b) => a.at - b.at);
  const handoffs = got.slice(1).map((g, i) => g.at - got[i]!.released);
  return { order: got.map((g) => g.cpu), first: got[0]!.at, handoffs, stat: m.lockstat.get('test_lock') };
}

describe('qspinlock fast path (queued_spin_lock: cmpxchg 0 → locked)', () => {
  it('costs lock_acquire plus the lock line from the last holder: none, local, remote', () => {
    const { sim, m, lock } = machine(3, 'qspinlock', 2);
    const done: number[] = [];
    const take = (cpu: number, at: number) => {
      const t = new Task(cpu, `u${cpu}`, m.cpus[cpu]!, m.stream(`u${cpu}`));
      t.start(
        (function* (): ProcessBody {
          yield t.cpu.busy(WORK, at);
          const start = sim.now;
          yield spin_lock(t, lock, 'fast');
          done.push(sim.now - start);
          spin_unlock(t, lock);
        })(),
      );
    };
    take(0, 0); // never held: the locked op alone
    take(1, 1000); // line from CPU 0, same package (cores_per_package 2)
    take(2, 2000); // line from CPU 1, the other package
    take(2, 3000); // line already here
    sim.run();
    expect(done).toEqual([10, 10 + 50, 10 + 200, 10]);
  });
});

describe('qspinlock pending path: exactly one waiter', () => {
  it('the pending waiter takes the lock one line transfer after the release (clear_pending_set_locked is a plain store)', () => {
    expect(contend('qspinlock', 1).handoffs).toEqual([200]);
    expect(contend('qspinlock', 1, { coresPerPackage: 2 }).handoffs).toEqual([50]);
    // Contrast: a ticket handoff is lock_handoff; a test-and-set winner adds its locked op.
    expect(contend('ticket', 1).handoffs).toEqual([1000]);
    expect(contend('tas', 1).handoffs).toEqual([210]);
  });
});

describe('qspinlock MCS queue: the handoff does not grow with the waiters', () => {
  // First release: the pending waiter's re-read of the lock line after the queue head's (2
  // remote transfers). Then each queue head: its re-read (1 transfer), + the cmpxchg of the
  // last node. Nothing depends on how many wait.
  it.each([2, 8, 32])('%i waiters: 2 × remote to the pending waiter, then remote per queue head, + lock_acquire for the last', (n) => {
    const { handoffs, order } = contend('qspinlock', n);
    expect(handoffs).toHaveLength(n);
    expect(handoffs[0]).toBe(2 * 200);
    expect(handoffs.slice(1, -1)).toEqual(Array(n - 2).fill(200));
    expect(handoffs[n - 1]).toBe(200 + 10);
    expect(order).toEqual(Array.from({ length: n + 1 }, (_, i) => i));
  });

  it('contrast: the ticket handoff at the same release grows with the waiters, lock_handoff × (k + 1) / 2', () => {
    const first = (n: number) => contend('ticket', n).handoffs[0];
    expect([first(2), first(8), first(32)]).toEqual([1000 * 1.5, 1000 * 4.5, 1000 * 16.5]);
    const q = (n: number) => contend('qspinlock', n).handoffs[0];
    expect([q(2), q(8), q(32)]).toEqual([400, 400, 400]);
  });

  it('a release before the MCS handoff reached the next node waits for it: one transfer of that node line', () => {
    // Critical sections of 0 ns: each head releases as soon as its spin_lock returns; the next
    // node hears of its turn one remote transfer (its node's line) after that.
    const { handoffs } = contend('qspinlock', 4, { hold: 0 });
    // CPU 0 holds HOLD: pending CPU 1 (+ head CPU 2 re-reading): 400. CPU 1 → head CPU 2: 200
    // (CPU 2 spins on the lock word since it queued). CPU 2 → CPU 3: CPU 3 became head
    // 200 after CPU 2 owned the lock, i.e. at the release: 200 + 200. CPU 3 → CPU 4 (last): 200 + 200 + 10.
    expect(handoffs).toEqual([400, 200, 400, 410]);
  });
});

describe('qspinlock order: FIFO, the pending waiter first, then the queue', () => {
  it('acquisitions follow arrival, not CPU number or package, and lock_stat counts each contention', () => {
    // Arrival in reverse CPU order, two CPUs per package: a nearest-first (tas) lock would not.
    const n = 6;
    const { order, stat } = contend('qspinlock', n, { coresPerPackage: 2, arrive: (c) => 100 + (n - c) * 10 });
    expect(order).toEqual([0, 6, 5, 4, 3, 2, 1]);
    expect(stat.acquisitions).toBe(n + 1);
    expect(stat.contentions).toBe(n);
  });
});

describe('versions: modern has queued spinlocks', () => {
  it('machine.spinlock of modern is qspinlock (4.2+), the 2.6 kernels keep ticket', () => {
    expect(VERSION_TABLE.modern.spinlock.value).toBe('qspinlock');
    expect(VERSION_TABLE.modern.spinlock.source).toContain('kernel/locking/qspinlock.c');
    expect(VERSION_TABLE['2.6.28'].spinlock.value).toBe('ticket');
  });
});
