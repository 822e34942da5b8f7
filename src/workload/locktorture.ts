/**
 * locktorture (kernel/locking/locktorture.c): `tasks` writer threads, each looping
 * think → lock → hold → unlock on one shared spinlock. One op = one acquire/release;
 * its latency runs from the lock call to the unlock (wait + hold).
 */
import { makeSampler, type Sampler } from '../engine/distributions.js';
import type { ProcessBody } from '../engine/process.js';
import { WORK } from '../cpu/accounting.js';
import { Task } from '../cpu/task.js';
import type { Machine } from '../kernel/machine.js';
import { spin_lock, spin_unlock, type Spinlock } from '../kernel/spinlock.js';
import type { LocktortureWorkload } from '../scenario/schema.js';
import type { OpStats } from './ops.js';

/** lock_torture_writer(): the loop of one torture thread. */
function* lock_torture_writer(task: Task, lock: Spinlock, think: Sampler, hold: Sampler, ops: OpStats): ProcessBody {
  const cpu = task.cpu;
  const sim = cpu.sim;
  for (;;) {
    yield cpu.busy(WORK, think(task.rng));
    const t0 = sim.now;
    yield spin_lock(task, lock, 'lock_torture_writer');
    yield cpu.busy(WORK, hold(task.rng));
    spin_unlock(task, lock);
    ops.record(sim.now - t0, task.id);
  }
}

/** Start the torture threads, pinned round-robin over the CPUs. */
export function startLocktorture(m: Machine, w: LocktortureWorkload, ops: OpStats): void {
  const lock = m.spinlock('torture_spinlock');
  const think = makeSampler(w.think);
  const hold = makeSampler(w.hold);
  for (let i = 0; i < w.tasks; i++) {
    const cpu = m.cpus[i % m.ncpus]!;
    const task = new Task(i, `lock_torture_wr/${i}`, cpu, m.stream(`task:${i}`));
    task.start(lock_torture_writer(task, lock, think, hold, ops));
  }
}
