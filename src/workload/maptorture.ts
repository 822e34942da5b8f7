/**
 * The `maptorture` workload: the microbenchmark kernel people write to compare mapping
 * primitives. Each task loops: map `pages` pages with `api`, touch them (if `touch`: one
 * access through each mapping, which is what the TLB checker watches), unmap, think.
 * One op = one map–touch–unmap round. Tasks may be fewer than CPUs: the idle CPUs still
 * take the shootdown IPIs.
 *
 * kmap_atomic has one slot per type per CPU, so with `api: kmap_atomic` the pages are
 * mapped, touched and unmapped one at a time through KM_USER0. With `api: kmap_local`
 * (5.11+) all the pages are mapped at once on the task's kmap_ctrl stack (at most
 * KM_MAX_IDX − 1 = 15), touched, and unmapped in reverse order.
 */
import { makeSampler, type Sampler } from '../engine/distributions.js';
import type { ProcessBody } from '../engine/process.js';
import { WORK } from '../cpu/accounting.js';
import { Task } from '../cpu/task.js';
import { HighmemKernel } from '../kernel/iopath.js';
import { PkmapPool, kmap_atomic, kmap_atomic_vpage, kmap_high, kmap_local_page, kunmap_atomic, kunmap_high, kunmap_local } from '../kernel/highmem.js';
import { KM_USER0 } from '../kernel/layout.js';
import type { Machine } from '../kernel/machine.js';
import { PagePool } from '../kernel/pages.js';
import { touch_kernel_page } from '../kernel/pgtable.js';
import { VmallocSpace, vfree_eager, vm_map_ram, vm_unmap_ram, vmap_eager, type VmMapping } from '../kernel/vmalloc.js';
import { VmallocModern, vfree, vfree_vmlist, vmalloc, vmalloc_vmlist } from '../kernel/vmalloc-modern.js';
import type { MaptortureWorkload, ResolvedScenario } from '../scenario/types.js';
import { makePagePicker, type PagePicker } from './locality.js';
import type { OpStats } from './ops.js';

interface MapContext {
  k: HighmemKernel;
  w: MaptortureWorkload;
  ops: OpStats;
  think: Sampler;
  pick: PagePicker;
  /** api vmalloc on a 2.6.28+ kernel: vmalloc()/vfree() (src/kernel/vmalloc-modern.ts), else null. */
  vm: VmallocModern | null;
}

function* touch(task: Task, m: Machine, vpage: number, page: number): ProcessBody {
  const refill = touch_kernel_page(task, m, vpage, page);
  if (refill > 0) yield refill;
}

function* map_round(c: MapContext, task: Task, pages: number[]): ProcessBody {
  const k = c.k;
  const m = k.m;
  switch (c.w.api) {
    case 'kmap': {
      const slots: number[] = [];
      const out = { nr: -1 };
      for (const p of pages) {
        if (!k.pages.isHigh(p)) {
          slots.push(-1); // lowmem: page_address(), nothing to map
          continue;
        }
        yield* kmap_high(task, k.pkmap, p, out);
        slots.push(out.nr);
      }
      if (c.w.touch) for (let i = 0; i < pages.length; i++) if (slots[i]! >= 0) yield* touch(task, m, PkmapPool.vpage(slots[i]!), pages[i]!);
      for (let i = 0; i < pages.length; i++) if (slots[i]! >= 0) yield* kunmap_high(task, k.pkmap, pages[i]!);
      return;
    }
    case 'kmap_atomic':
      for (const p of pages) {
        if (!k.pages.isHigh(p)) continue;
        yield kmap_atomic(task, m, p, KM_USER0);
        if (c.w.touch) yield* touch(task, m, kmap_atomic_vpage(task.cpu.id, KM_USER0), p);
        const unmap = kunmap_atomic(task, m, KM_USER0);
        if (unmap > 0) yield unmap;
      }
      return;
    case 'kmap_local': {
      // 5.11+ kmap_local_page per page (lowmem: page_address, nothing pushed), touch, then
      // kunmap_local in reverse order (the stack is LIFO: kunmap_local_indexed).
      const vpages: number[] = [];
      const out = { vpage: -1 };
      for (const p of pages) {
        const map = kmap_local_page(task, m, k.pages, p, out);
        if (map > 0) yield map;
        vpages.push(out.vpage);
      }
      if (c.w.touch) for (let i = 0; i < pages.length; i++) if (vpages[i]! >= 0) yield* touch(task, m, vpages[i]!, pages[i]!);
      for (let i = pages.length - 1; i >= 0; i--) {
        const unmap = kunmap_local(task, m, vpages[i]!);
        if (unmap > 0) yield unmap;
      }
      return;
    }
    case 'vmap':
    case 'vmap_lazy': {
      const out: { map: VmMapping | null } = { map: null };
      const eager = c.w.api === 'vmap';
      if (eager) yield* vmap_eager(task, k.eager!, pages, out);
      else yield* vm_map_ram(task, k.lazy!, pages, out);
      const map = out.map;
      if (map === null) return; // counted in vmap.failures
      if (c.w.touch) for (let i = 0; i < pages.length; i++) yield* touch(task, m, map.vpage + i, pages[i]!);
      if (eager) yield* vfree_eager(task, k.eager!, map);
      else yield* vm_unmap_ram(task, k.lazy!, map);
      return;
    }
    case 'vmalloc': {
      // lib/test_vmalloc.c fix_size_alloc_test: ptr = vmalloc(pages); touch; vfree(ptr).
      const out: { map: VmMapping | null } = { map: null };
      const vm = c.vm;
      if (vm !== null) yield* vmalloc(task, vm, pages, out);
      else yield* vmalloc_vmlist(task, k.eager!, pages, out);
      const map = out.map;
      if (map === null) return; // counted in vmap.failures
      if (c.w.touch) for (let i = 0; i < pages.length; i++) yield* touch(task, m, map.vpage + i, pages[i]!);
      if (vm !== null) yield* vfree(task, vm, map);
      else yield* vfree_vmlist(task, k.eager!, map);
      return;
    }
  }
}

function* maptorture_task(c: MapContext, task: Task): ProcessBody {
  const cpu = task.cpu;
  const sim = cpu.sim;
  const pages: number[] = [];
  for (;;) {
    const think = c.think(task.rng);
    if (think > 0) yield cpu.busy(WORK, think);
    pages.length = 0;
    for (let i = 0; i < c.w.pages; i++) pages.push(c.pick(task.rng));
    const t0 = sim.now;
    yield* map_round(c, task, pages);
    cpu.setCat(WORK);
    c.ops.record(sim.now - t0, task.id);
  }
}

export function startMaptorture(m: Machine, s: ResolvedScenario, w: MaptortureWorkload, ops: OpStats): HighmemKernel {
  const pages = new PagePool(w.working_set_pages, w.highmem_fraction, s.machine.lowmem_bytes, s.machine.highmem_bytes);
  const k = new HighmemKernel(m, s, pages);
  const kk = s.kernel;
  const vm =
    w.api === 'vmalloc' && kk.vmap_area_locking !== 'vmlist'
      ? new VmallocModern(m, new VmallocSpace(kk.vmalloc_size_bytes), {
          locking: kk.vmap_area_locking,
          purgeContext: kk.vmap_purge_context,
          lazyMaxPages: kk.lazy_max_pages,
          pgtableLevels: k.pgtableLevels,
          skipFlush: kk.inject_bug === 'skip_vfree_flush',
        })
      : null;
  const c: MapContext = { k, w, ops, think: makeSampler(w.think), pick: makePagePicker(w.locality, pages.count), vm };
  for (let i = 0; i < w.tasks; i++) {
    const task = new Task(i, `maptorture/${i}`, m.cpus[i % m.ncpus]!, m.stream(`task:${i}`));
    task.start(maptorture_task(c, task));
  }
  return k;
}
