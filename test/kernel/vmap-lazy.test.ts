/**
 * The lazy vmap allocator (2.6.28 mm/vmalloc.c) at its edges (issue 23 item 11):
 * - try_purge_vmap_area_lazy() loses its spin_trylock(&purge_lock) to a purge already under
 *   way on another CPU: it returns at once (no spin, no second flush) and its area stays lazy
 *   for the next purge;
 * - vb_alloc() with full blocks (a block handing out its last page leaves the per-CPU free
 *   list) and an exhausted space: new_vmap_block() -> alloc_vmap_area() fails, purges
 *   synchronously, fails again ("vmap allocation ... failed"), and after the blocks' pages
 *   are all freed (vb_free: a wholly dirty block goes lazy) the same purge makes room.
 * Addresses are the kernel's first-fit arithmetic worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import type { ProcessBody } from '../../src/engine/process.js';
import { Simulator } from '../../src/engine/sim.js';
import { WORK } from '../../src/cpu/accounting.js';
import { Task } from '../../src/cpu/task.js';
import { presetCosts } from '../../src/kernel/costs.js';
import { Machine } from '../../src/kernel/machine.js';
import { PAGE_SIZE, VMALLOC_BASE } from '../../src/kernel/layout.js';
import { VMAP_MAX_ALLOC, VmallocSpace, VmapLazy, vm_map_ram, vm_unmap_ram, type VmMapping } from '../../src/kernel/vmalloc.js';

function machine(cpus: number) {
  const sim = new Simulator();
  const m = new Machine(sim, { cpus, spinlock: 'ticket', tlbEntries: 64, costs: presetCosts('modern'), seed: 1 });
  return { sim, m };
}

function task(m: Machine, cpu: number, name: string, body: (t: Task) => ProcessBody): void {
  const t = new Task(cpu, name, m.cpus[cpu]!, m.stream(name));
  t.start(body(t));
}

const pages = (first: number, n: number) => Array.from({ length: n }, (_, i) => first + i);

describe('lazy purge: the trylock loses to a concurrent purge', () => {
  it('the loser returns at once; its area waits, lazy, for the next purge', () => {
    const { sim, m } = machine(2);
    // lazy_max_pages 10: CPU 0's 16-page area (17 with its guard) goes over it and purges.
    const v = new VmapLazy(m, new VmallocSpace(1 << 20), { vmapBlock: false, lazyMaxPages: 10, skipFlush: false });
    let sawPurgeLocked = false;
    task(m, 0, 'purger', function* (t) {
      const out: { map: VmMapping | null } = { map: null };
      yield* vm_map_ram(t, v, pages(100, 16), out);
      yield t.cpu.busy(WORK, 1000);
      yield* vm_unmap_ram(t, v, out.map!); // 17 lazy pages > 10: try_purge, wins purge_lock
    });
    task(m, 1, 'loser', function* (t) {
      const out: { map: VmMapping | null } = { map: null };
      yield* vm_map_ram(t, v, pages(200, 12), out);
      // Until CPU 0's purge holds purge_lock and has taken the lazy list (it flushes next;
      // simulated time only).
      while (!(v.purge_lock.locked && v.lazy.length === 0 && m.highmem.vmap.purges === 1)) yield t.cpu.busy(WORK, 10);
      sawPurgeLocked = true;
      yield* vm_unmap_ram(t, v, out.map!); // 13 lazy pages (the purge took the 17): > 10, trylock fails
      expect(v.purge_lock.locked).toBe(true); // returned while the other purge still runs
    });
    sim.run();
    expect(sawPurgeLocked).toBe(true);
    // One purge (CPU 0's, of its own area); the loser's 13-page area (12 + guard, at 17
    // after CPU 0's 17) still lazy, over the limit, for the next purge.
    expect(m.highmem.vmap.purges).toBe(1);
    expect(v.lazy).toEqual([{ addr: 17, span: 13 }]);
    expect(v.vmap_lazy_nr).toBe(13);
    expect(v.vmap_lazy_nr).toBeGreaterThan(v.lazy_max_pages);
    // The loser never spun on purge_lock: one acquisition, no contention.
    const s = m.lockstat.get('purge_lock').toJSON();
    expect(s.acquisitions).toBe(1);
    expect(s.contentions).toBe(0);
  });
});

describe('vmap_block: full blocks and an exhausted space', () => {
  it('full blocks leave the free list; no room even after a purge fails; a freed block makes room', () => {
    const { sim, m } = machine(1);
    // Room for exactly two 64-page blocks (VMAP_BBMAP_BITS for NR_CPUS 64; no guard pages).
    const v = new VmapLazy(m, new VmallocSpace(128 * PAGE_SIZE), { vmapBlock: true, lazyMaxPages: 1000, skipFlush: false });
    expect(v.blockPages).toBe(64);
    expect(VMAP_MAX_ALLOC).toBe(32);
    const maps: Array<VmMapping | null> = [];
    const lazyAfterFrees: Array<{ addr: number; span: number }> = [];
    task(m, 0, 't', function* (t) {
      for (let i = 0; i < 5; i++) {
        const out: { map: VmMapping | null } = { map: null };
        yield* vm_map_ram(t, v, pages(1000 + 32 * i, 32), out);
        maps.push(out.map);
      }
      // Both halves of the first block freed: the whole block goes lazy (vb_free).
      yield* vm_unmap_ram(t, v, maps[0]!);
      expect(v.lazy).toEqual([]);
      yield* vm_unmap_ram(t, v, maps[1]!);
      lazyAfterFrees.push(...v.lazy);
      const out: { map: VmMapping | null } = { map: null };
      yield* vm_map_ram(t, v, pages(2000, 32), out);
      maps.push(out.map);
    });
    sim.run();
    // Block A at 0 (two 32-page halves), block B at 64; A and B full, off the free list.
    expect(maps.slice(0, 4).map((x) => x!.vpage - VMALLOC_BASE)).toEqual([0, 32, 64, 96]);
    expect(maps[0]!.block).toBe(maps[1]!.block);
    expect(maps[2]!.block).toBe(maps[3]!.block);
    expect(maps[0]!.block).not.toBe(maps[2]!.block);
    // The fifth: no block with room, no space for a third block, nothing lazy to purge.
    expect(maps[4]).toBeNull();
    expect(m.highmem.vmap.failures).toBe(1);
    // A, wholly dirty, went lazy; the sixth map's failed alloc_vmap_area purged it and retried.
    expect(lazyAfterFrees).toEqual([{ addr: 0, span: 64 }]);
    expect(maps[5]!.vpage - VMALLOC_BASE).toBe(0);
    expect(m.highmem.vmap.purges).toBe(1);
    expect(m.highmem.vmap.failures).toBe(1);
    expect(v.lazy).toEqual([]);
    expect(v.vbq[0]!.free).toHaveLength(1); // the new block, half used
    expect(v.vbq[0]!.free[0]!.free).toBe(32);
  });
});

describe('2.6.28 vb_alloc: bitmap_find_free_region scans the block from its start', () => {
  // lib/bitmap.c bitmap_find_free_region: for (pos = 0; pos < bits; pos += 1 << order) test
  // the region; alloc_map bits stay set until the block is freed, so the k-th 4-page
  // allocation of a block (k = 0, 1, …) tests k + 1 regions: 1 + 2 + … + 16 = 136 for the
  // 16 allocations of a 64-page block.
  function elapsed(scan: boolean, check: number): number {
    const sim = new Simulator();
    const costs = { ...presetCosts('modern'), bitmap_region_check: check };
    const m = new Machine(sim, { cpus: 1, spinlock: 'ticket', tlbEntries: 64, costs, seed: 1 });
    const v = new VmapLazy(m, new VmallocSpace(1 << 20), { vmapBlock: true, lazyMaxPages: 1 << 20, skipFlush: false, vbAllocScan: scan });
    expect(v.blockPages).toBe(64);
    let end = 0;
    task(m, 0, 't', function* (t) {
      for (let i = 0; i < 16; i++) {
        const out: { map: VmMapping | null } = { map: null };
        yield* vm_map_ram(t, v, pages(100, 4), out);
        expect(out.map!.vpage).toBe(v.vbq[0]!.free.length === 0 ? out.map!.vpage : out.map!.block!.vpage + 4 * i);
      }
      end = sim.now;
    });
    sim.run();
    return end;
  }

  it('charges (k + 1) regions for the k-th allocation when the version scans (2.6.28)', () => {
    expect(elapsed(true, 1000) - elapsed(true, 0)).toBe(136 * 1000);
  });

  it('charges nothing when vb_alloc takes the next pages at once (4.1+)', () => {
    expect(elapsed(false, 1000) - elapsed(false, 0)).toBe(0);
  });
});
