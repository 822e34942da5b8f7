/**
 * The block I/O path for pages that may live in highmem, under each of the five
 * strategies (docs/MODEL.md §1), and where each step runs:
 *
 *   step            | bounce                  | vmap / vmap_lazy      | kmap          | direct
 *   submit (task)   | create_bounce (+ WRITE  | get_vm_area + PTEs    | kmap_high     | —
 *                   |  copy, IRQs off)        | (vm_map_ram: lazy)    |               |
 *   completion IRQ  | READ copy (IRQs off),   | —                     | —             | —
 *                   |  page back to the pool  |                       |               |
 *   woken task      | —                       | vfree (flush_tlb_all) | kunmap_high   | —
 *                   |                         |  / vm_unmap_ram       |               |
 *
 * Mapping teardown runs in the woken submitter (vfree and kunmap_high may not run in
 * interrupt context). Lowmem pages need nothing; a page above the device's DMA limit is
 * bounced whatever the strategy. Pages the strategy leaves unmapped are touched through
 * kmap_atomic(KM_USER0).
 */
import type { BounceAllocWait, BounceWriteCopy, VmallocMapLock } from './versions.js';
import type { ProcessBody } from '../engine/process.js';
import { IRQ, MAP, WORK } from '../cpu/accounting.js';
import type { Cpu } from '../cpu/cpu.js';
import type { IrqCtx, Task } from '../cpu/task.js';
import type { DistSpec } from '../engine/distributions.js';
import { BlockDevice, type IrqRouting } from './blockdev.js';
import { irqEntryCost, irqExitCost } from './costs.js';
import { BouncePool, bounce_end_io, create_bounce } from './bounce.js';
import { PkmapPool, kmap_atomic, kmap_atomic_vpage, kmap_high, kunmap_atomic, kunmap_high } from './highmem.js';
import { KM_USER0, PAGE_SIZE, VMALLOC_BOOT_AREA_PAGES } from './layout.js';
import type { Machine } from './machine.js';
import { DMA32_LIMIT, ISA_DMA_LIMIT, PagePool } from './pages.js';
import { touch_kernel_page } from './pgtable.js';
import {
  VmallocEager,
  VmallocSpace,
  VmapLazy,
  reserve_vmalloc_boot_areas,
  vfree_eager,
  vm_map_ram,
  vm_unmap_ram,
  vmap_eager,
  type VmMapping,
} from './vmalloc.js';

/** How the kernel gives highmem pages to the device (docs/MODEL.md §1). */
export type Strategy = 'bounce' | 'vmap' | 'vmap_lazy' | 'kmap' | 'direct';

/**
 * What the highmem I/O path is built from: the machine, kernel and device settings it
 * reads, in the resolved scenario's own shape (src/scenario/types.ts ResolvedScenario
 * satisfies it), so that this file does not import the scenario layer.
 */
export interface HighmemScenario {
  readonly machine: { readonly pae: boolean };
  readonly kernel: {
    readonly strategy: Strategy;
    readonly bounce_pool_pages: number;
    /** null = the page allocator never fails. */
    readonly lowmem_free_pages: number | null;
    readonly vmalloc_size_bytes: number;
    readonly vmalloc_boot_areas: number;
    readonly vmap_block: boolean;
    readonly lazy_max_pages: number | null;
    readonly last_pkmap: number;
    // Version-dependent (src/kernel/versions.ts):
    readonly bounce_write_copy: BounceWriteCopy;
    readonly bounce_read_irqs_off: boolean;
    readonly bounce_alloc_wait: BounceAllocWait;
    readonly vmlist_lock: boolean;
    readonly vmalloc_map_lock: VmallocMapLock;
    readonly vmalloc_flush_on_map: boolean;
    readonly nr_cpus: number;
    readonly inject_bug: 'none' | 'skip_pkmap_flush' | 'skip_vfree_flush';
  };
  readonly device: {
    readonly dma_limit: 'isa' | '32bit' | '64bit';
    readonly latency: DistSpec;
    readonly bandwidth_bytes_per_s: number;
    readonly queue_depth: number;
    readonly irq: IrqRouting;
  };
}

/** How one page of a request reaches the device. */
export const PageRoute = {
  /** Lowmem (or `direct`): the device and the CPU use the page's own address. */
  Direct: 0,
  Bounce: 1,
  Kmap: 2,
  Vmap: 3,
} as const;

/** One page of a request and what was done to it. */
export interface IoPage {
  page: number;
  /** Bytes of the I/O in this page (the last page of an I/O may be partial). */
  bytes: number;
  route: number;
  /** Kernel virtual page it is mapped at for the I/O (kmap slot or vmalloc), or −1. */
  vpage: number;
  /** The vmalloc mapping to tear down, if any. */
  map: VmMapping | null;
}

/** One I/O of a task (a group of buffer_heads / a bio): one op of the io workload. */
export interface IoRequest {
  k: HighmemKernel;
  task: Task;
  write: boolean;
  bytes: number;
  pages: IoPage[];
  startNs: number;
  /** Device requests submitted and not yet completed. */
  partsInFlight: number;
  /** The submitter is still preparing pages (more parts may follow). */
  submitting: boolean;
  /** Set once every part has completed. */
  done: boolean;
}

/**
 * One device request: pages of an I/O submitted together. 2.4 submits each buffer_head as
 * soon as it is ready, so when the submitter must sleep (for a bounce page, a kmap slot)
 * what it has prepared goes to the device first (the plug is flushed) instead of holding
 * those pages — and their bounce pages or kmap slots — while it waits.
 */
export interface IoPart {
  io: IoRequest;
  pages: IoPage[];
  bytes: number;
  submitCpu: Cpu;
}

/** Every highmem mechanism of one machine, built from the scenario. */
export class HighmemKernel {
  readonly pages: PagePool;
  readonly pkmap: PkmapPool;
  readonly bounce: BouncePool;
  readonly eager: VmallocEager | null;
  readonly lazy: VmapLazy | null;
  readonly device: BlockDevice<IoPart>;
  readonly strategy: Strategy;
  readonly dmaLimit: number;
  /** Page-table levels a software walk visits: pgd → pte (2), pgd → pmd → pte with PAE (3). */
  readonly pgtableLevels: number;
  /** Called once an I/O is done (wakes its submitter); `waker` is the CPU completing it. */
  onComplete: (waker: Cpu, req: IoRequest) => void = () => {};

  constructor(
    readonly m: Machine,
    s: HighmemScenario,
    pages: PagePool,
  ) {
    const k = s.kernel;
    this.pages = pages;
    this.strategy = k.strategy;
    this.pkmap = new PkmapPool(m, pages, {
      pae: s.machine.pae,
      lastPkmap: k.last_pkmap,
      skipFlush: k.inject_bug === 'skip_pkmap_flush',
    });
    this.bounce = new BouncePool(
      m,
      {
        poolSize: k.bounce_pool_pages,
        lowmemFreePages: k.lowmem_free_pages,
        writeCopy: k.bounce_write_copy,
        readIrqsOff: k.bounce_read_irqs_off,
        allocWait: k.bounce_alloc_wait,
      },
      this.pkmap,
    );
    const skipVfreeFlush = k.inject_bug === 'skip_vfree_flush';
    this.eager = new VmallocEager(m, new VmallocSpace(k.vmalloc_size_bytes), {
      vmlistLock: k.vmlist_lock,
      mapLock: k.vmalloc_map_lock,
      flushOnMap: k.vmalloc_flush_on_map,
      skipFlush: skipVfreeFlush,
    });
    this.lazy = new VmapLazy(m, new VmallocSpace(k.vmalloc_size_bytes), {
      vmapBlock: k.vmap_block,
      lazyMaxPages: k.lazy_max_pages,
      nrCpus: k.nr_cpus,
      skipFlush: skipVfreeFlush,
    });
    this.dmaLimit = s.device.dma_limit === 'isa' ? ISA_DMA_LIMIT : s.device.dma_limit === '32bit' ? DMA32_LIMIT : Number.POSITIVE_INFINITY;
    this.device = new BlockDevice<IoPart>(
      m.sim,
      {
        latency: s.device.latency,
        bandwidthBytesPerSec: s.device.bandwidth_bytes_per_s,
        queueDepth: s.device.queue_depth,
        irq: s.device.irq,
      },
      m.cpus,
      m.stream('device:0'),
      end_request,
      m.membus,
    );
    this.pgtableLevels = s.machine.pae ? 3 : 2;
    reserve_vmalloc_boot_areas(this.eager, k.vmalloc_boot_areas, VMALLOC_BOOT_AREA_PAGES);
    reserve_vmalloc_boot_areas(this.lazy, k.vmalloc_boot_areas, VMALLOC_BOOT_AREA_PAGES);
  }

  /** How `page` goes to the device under this kernel's strategy. */
  route(page: number): number {
    if (this.pages.phys[page]! + PAGE_SIZE > this.dmaLimit) return PageRoute.Bounce;
    if (!this.pages.isHigh(page)) return PageRoute.Direct;
    switch (this.strategy) {
      case 'bounce':
        return PageRoute.Bounce;
      case 'kmap':
        return PageRoute.Kmap;
      case 'vmap':
      case 'vmap_lazy':
        return PageRoute.Vmap;
      case 'direct':
        return PageRoute.Direct;
    }
  }
}

const slot = { nr: -1 };
const mapOut: { map: VmMapping | null } = { map: null };

/**
 * virt_to_phys(b_data) for addresses outside the linear map: Woodman's 2.3.40 patch
 * ("Eliminating bounce buffers", linux-kernel, 28 Jan 2000) made virt_to_phys() and
 * phys_to_virt() handle mapped highmem pages, i.e. walk the kernel page tables (pgd → pte,
 * or pgd → pmd → pte with PAE) instead of subtracting PAGE_OFFSET. Paid once per such
 * page where the driver turns b_data into a bus address (building the request's
 * scatter-gather list); `pages` walks charged to `map` in one hold. Linear addresses
 * (lowmem, bounce pages) need only the subtraction, and `direct` hands the device
 * page + offset, so neither walks.
 */
function virt_to_phys_walk(task: Task, k: HighmemKernel, pages: number): number {
  return task.cpu.busy(MAP, pages * k.pgtableLevels * k.m.costs.pgtable_walk_level);
}

/** Prepare one page for the I/O in the submitter's context. */
function* prepare_page(task: Task, k: HighmemKernel, p: IoPage, write: boolean): ProcessBody {
  switch (p.route) {
    case PageRoute.Bounce:
      yield* create_bounce(task, k.bounce, p.page, write);
      return;
    case PageRoute.Kmap:
      yield* kmap_high(task, k.pkmap, p.page, slot);
      p.vpage = PkmapPool.vpage(slot.nr);
      return;
    case PageRoute.Vmap:
      if (k.strategy === 'vmap') yield* vmap_eager(task, k.eager!, [p.page], mapOut);
      else yield* vm_map_ram(task, k.lazy!, [p.page], mapOut);
      if (mapOut.map === null) {
        // vmalloc space exhausted ("vmap allocation failed"): fall back to a bounce page.
        p.route = PageRoute.Bounce;
        yield* create_bounce(task, k.bounce, p.page, write);
        return;
      }
      p.map = mapOut.map;
      p.vpage = p.map.vpage;
      return;
  }
}

/** Hand `pages` of `req` to the device as one request. */
function submitPart(k: HighmemKernel, req: IoRequest, pages: IoPage[], cpu: Cpu): void {
  let bytes = 0;
  for (const p of pages) bytes += p.bytes;
  req.partsInFlight++;
  k.device.submit({ io: req, pages, bytes, submitCpu: cpu });
}

/** Map (or bounce) every page and hand them to the device, flushing the plug before any sleep. */
export function* submit_io(task: Task, k: HighmemKernel, req: IoRequest): ProcessBody {
  let plugged: IoPage[] = [];
  req.submitting = true;
  task.plugFlush = () => {
    if (plugged.length === 0) return;
    submitPart(k, req, plugged, task.cpu);
    plugged = [];
  };
  let nonLinear = 0;
  for (const p of req.pages) {
    p.route = k.route(p.page);
    if (p.route !== PageRoute.Direct) yield* prepare_page(task, k, p, req.write);
    if (p.route === PageRoute.Kmap || p.route === PageRoute.Vmap) nonLinear++; // pkmap addresses are not linear either
    plugged.push(p);
  }
  // The bus addresses of the mapped pages (parts flushed early by a sleep are charged here too).
  if (nonLinear > 0) yield virt_to_phys_walk(task, k, nonLinear);
  task.plugFlush = null;
  submitPart(k, req, plugged, task.cpu);
  req.submitting = false;
}

/** end_request / b_end_io, in the completion interrupt. */
function* end_request(ctx: IrqCtx, part: IoPart): ProcessBody {
  const req = part.io;
  const k = req.k;
  const cpu = ctx.cpu;
  const costs = k.m.costs;
  yield cpu.busy(IRQ, irqEntryCost(costs)); // IRQs off: interrupt gate, do_IRQ
  // 2.4 handle_IRQ_event(): `if (!(action->flags & SA_INTERRUPT)) __sti();` — the body
  // runs with IRQs on (when kernel.device_irqs_nest), so an IPI may nest inside it.
  if (cpu.handle_IRQ_event_sti()) yield 0;
  for (const p of part.pages) {
    if (p.route === PageRoute.Bounce) yield* bounce_end_io(ctx, k.bounce, p.page, !req.write);
  }
  // The last part of the last submission completes the I/O (the submitter is done by then:
  // it submits its final part before it can sleep on the I/O).
  if (--req.partsInFlight === 0 && !req.submitting) {
    req.done = true;
    k.onComplete(cpu, req);
  }
  cpu.handle_IRQ_event_cli(); // __cli(): irq_exit and the return run with IRQs off
  yield cpu.busy(IRQ, irqExitCost(costs));
}

/**
 * After the I/O, in the woken submitter: touch the data (`touchNs` per page, through the
 * I/O mapping if there is one, else kmap_atomic), then tear the mappings down.
 */
export function* finish_io(task: Task, k: HighmemKernel, req: IoRequest, touchNs: number): ProcessBody {
  const cpu = task.cpu;
  if (touchNs > 0) {
    for (const p of req.pages) yield* touch_page(task, k, p, touchNs);
  }
  for (const p of req.pages) {
    switch (p.route) {
      case PageRoute.Kmap:
        yield* kunmap_high(task, k.pkmap, p.page);
        break;
      case PageRoute.Vmap:
        if (k.strategy === 'vmap') yield* vfree_eager(task, k.eager!, p.map!);
        else yield* vm_unmap_ram(task, k.lazy!, p.map!);
        p.map = null;
        break;
    }
    p.vpage = -1;
  }
  cpu.setCat(WORK);
}

/** CPU work on one page's data through whatever mapping it has. */
export function* touch_page(task: Task, k: HighmemKernel, p: IoPage, touchNs: number): ProcessBody {
  const m = k.m;
  const cpu = task.cpu;
  if (p.vpage >= 0) {
    const refill = touch_kernel_page(task, m, p.vpage, p.page);
    if (refill > 0) yield refill;
    yield cpu.busy(WORK, touchNs);
  } else if (k.pages.isHigh(p.page)) {
    yield kmap_atomic(task, m, p.page, KM_USER0);
    const refill = touch_kernel_page(task, m, kmap_atomic_vpage(cpu.id, KM_USER0), p.page);
    if (refill > 0) yield refill;
    yield cpu.busy(WORK, touchNs);
    const unmap = kunmap_atomic(task, m, KM_USER0);
    if (unmap > 0) yield unmap;
  } else {
    yield cpu.busy(WORK, touchNs); // lowmem: the permanent direct mapping
  }
}
