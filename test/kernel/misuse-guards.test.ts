/**
 * The guards that stop model code from doing what the kernel forbids (issue 23 item 11): a
 * recursive spin_lock, a spin_unlock/write_unlock by a CPU that does not hold the lock, a
 * read_unlock with no reader (2.4 would corrupt the lock word: the model refuses), kmap_high,
 * kunmap_high and vfree from an interrupt handler (2.4 mm/highmem.c and mm/vmalloc.c may
 * sleep or send IPIs and wait: BUG()/deadlock there), and kunmap_high of a page that is not
 * kmapped (2.4 mm/highmem.c kunmap_high: `BUG()` on a count that drops below one user).
 * Each runs the misuse inside a simulated task or handler and expects the one-line error; a
 * guard removed lets the run go on and the test fails.
 */
import { describe, expect, it } from 'vitest';
import type { ProcessBody } from '../../src/engine/process.js';
import { Simulator } from '../../src/engine/sim.js';
import { WORK } from '../../src/cpu/accounting.js';
import type { IrqCtx } from '../../src/cpu/task.js';
import { Task } from '../../src/cpu/task.js';
import { presetCosts } from '../../src/kernel/costs.js';
import { PkmapPool, kmap_high, kunmap_high } from '../../src/kernel/highmem.js';
import { Machine } from '../../src/kernel/machine.js';
import { PagePool } from '../../src/kernel/pages.js';
import { spin_lock, spin_unlock } from '../../src/kernel/spinlock.js';
import { VmallocEager, VmallocSpace, vfree_eager, vmap_eager, type VmMapping } from '../../src/kernel/vmalloc.js';

function machine(cpus = 2) {
  const sim = new Simulator();
  const m = new Machine(sim, { cpus, spinlock: 'ticket', tlbEntries: 64, costs: presetCosts('era2000'), seed: 1 });
  return { sim, m };
}

/** Start `body` as a task on CPU `cpu`. */
function task(m: Machine, cpu: number, name: string, body: (t: Task) => ProcessBody): Task {
  const t = new Task(cpu, name, m.cpus[cpu]!, m.stream(name));
  t.start(body(t));
  return t;
}

/** Run `handler` as a device interrupt on CPU 0 at t = 0. */
function inIrq(sim: Simulator, m: Machine, handler: (ctx: IrqCtx) => ProcessBody): void {
  sim.schedule(0, () => m.cpus[0]!.raise('misuse', handler, null, true), null);
}

/** Interrupt-context code reaching a process-context-only function, as a wrong cast would. */
const asTask = (ctx: IrqCtx) => ctx as unknown as Task;

describe('spinlock misuse', () => {
  it('a recursive spin_lock on the same CPU is refused (it would spin for ever)', () => {
    const { sim, m } = machine();
    const lock = m.spinlock('kmap_lock');
    task(m, 0, 'twice', function* (t) {
      yield spin_lock(t, lock, 'first');
      yield spin_lock(t, lock, 'again');
    });
    expect(() => sim.run()).toThrow('twice: recursive spin_lock(kmap_lock) deadlocks');
  });

  it('spin_unlock of a free lock, and of a lock another CPU holds, is refused', () => {
    const { sim, m } = machine();
    const lock = m.spinlock('io_request_lock');
    task(m, 0, 'never-took-it', function* (t) {
      yield t.cpu.busy(WORK, 10);
      spin_unlock(t, lock);
    });
    expect(() => sim.run()).toThrow('never-took-it: spin_unlock(io_request_lock) by a non-owner');

    const b = machine();
    const held = b.m.spinlock('io_request_lock');
    task(b.m, 0, 'holder', function* (t) {
      yield spin_lock(t, held, 'holder');
      yield t.cpu.busy(WORK, 1000);
      spin_unlock(t, held);
    });
    task(b.m, 1, 'thief', function* (t) {
      yield t.cpu.busy(WORK, 100);
      spin_unlock(t, held);
    });
    expect(() => b.sim.run()).toThrow('thief: spin_unlock(io_request_lock) by a non-owner');
    expect(held.locked).toBe(true); // the holder still has it
  });
});

describe('rwlock misuse', () => {
  it('write_unlock by a CPU that holds it for read, or not at all, is refused', () => {
    const { sim, m } = machine();
    const lock = m.rwlock('vmlist_lock');
    task(m, 0, 'reader', function* (t) {
      yield lock.read_lock(t, 'vread');
      lock.write_unlock(t);
    });
    expect(() => sim.run()).toThrow('reader: write_unlock(vmlist_lock) by a non-owner');

    const b = machine();
    const l2 = b.m.rwlock('vmlist_lock');
    task(b.m, 0, 'writer', function* (t) {
      yield l2.write_lock(t, 'vfree');
      yield t.cpu.busy(WORK, 1000);
      l2.write_unlock(t);
    });
    task(b.m, 1, 'other', function* (t) {
      yield t.cpu.busy(WORK, 100);
      l2.write_unlock(t);
    });
    expect(() => b.sim.run()).toThrow('other: write_unlock(vmlist_lock) by a non-owner');
  });

  it('read_unlock with no reader is refused, also after the last reader left', () => {
    const { sim, m } = machine();
    const lock = m.rwlock('vmlist_lock');
    task(m, 0, 'r', function* (t) {
      yield lock.read_lock(t, 'vread');
      lock.read_unlock(t);
      expect(lock.readers).toBe(0);
      lock.read_unlock(t);
    });
    expect(() => sim.run()).toThrow('r: read_unlock(vmlist_lock) without readers');
  });
});

describe('highmem and vmalloc from interrupt context, and kunmap of an unmapped page', () => {
  const pkmap = (m: Machine) => new PkmapPool(m, new PagePool(8, 1, 896 << 20, 3 << 30), { pae: false, skipFlush: false });

  it('kmap_high in a handler is refused before it touches kmap_lock', () => {
    const { sim, m } = machine();
    const pool = pkmap(m);
    inIrq(sim, m, function* (ctx) {
      yield* kmap_high(asTask(ctx), pool, 3, { nr: -1 });
    });
    expect(() => sim.run()).toThrow('misuse: kmap_high() in interrupt context');
    expect(pool.kmap_lock.locked).toBe(false);
    expect(m.highmem.kmap.kmaps).toBe(0);
  });

  it('kunmap_high in a handler is refused (the page kmapped by a task)', () => {
    const { sim, m } = machine();
    const pool = pkmap(m);
    let mapped = false;
    task(m, 1, 'mapper', function* (t) {
      yield* kmap_high(t, pool, 3, { nr: -1 });
      mapped = true;
    });
    sim.run();
    expect(mapped).toBe(true);
    inIrq(sim, m, function* (ctx) {
      yield* kunmap_high(asTask(ctx), pool, 3);
    });
    expect(() => sim.run()).toThrow('misuse: kunmap_high() in interrupt context');
    expect(pool.pkmap_count[pool.pages.virtual[3]!]).toBe(2); // the mapping and its one user, untouched
  });

  it('kunmap_high of a page never kmapped, and one kunmap too many, are refused', () => {
    const { sim, m } = machine();
    const pool = pkmap(m);
    task(m, 0, 'never', function* (t) {
      yield* kunmap_high(t, pool, 5);
    });
    expect(() => sim.run()).toThrow('kunmap_high: page 5 is not kmapped');

    const b = machine();
    const p2 = pkmap(b.m);
    task(b.m, 0, 'twice', function* (t) {
      const out = { nr: -1 };
      yield* kmap_high(t, p2, 5, out);
      yield* kunmap_high(t, p2, 5); // count 2 -> 1: mapped, no user
      yield* kunmap_high(t, p2, 5); // 1 -> 0: a user that never was
    });
    expect(() => b.sim.run()).toThrow(/^kunmap_high: pkmap_count\[\d+\] dropped to 0$/);
  });

  it('vfree in a handler is refused (the area mapped by a task; its flush_tlb_all would wait on IPIs)', () => {
    const { sim, m } = machine();
    const v = new VmallocEager(m, new VmallocSpace(1 << 20), { vmlistLock: true, mapLock: 'none', flushOnMap: false, skipFlush: false });
    const out: { map: VmMapping | null } = { map: null };
    task(m, 1, 'mapper', function* (t) {
      yield* vmap_eager(t, v, [1, 2], out);
    });
    sim.run();
    expect(out.map).not.toBeNull();
    inIrq(sim, m, function* (ctx) {
      yield* vfree_eager(asTask(ctx), v, out.map!);
    });
    expect(() => sim.run()).toThrow('misuse: vfree() in interrupt context');
    expect(v.vmlist).toHaveLength(1); // still linked
  });
});
