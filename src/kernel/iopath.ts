/**
 * The block I/O path for pages that may live in highmem, under each of the five
 * strategies (docs/MODEL.md §1), and where each step runs:
 *
 *   step            | bounce                  | vmap / vmap_lazy      | kmap          | direct
 *   submit (task)   | create_bounce (+ WRITE  | get_vm_area + PTEs    | kmap_high     | —
 *                   |  copy, IRQs off)        | (vm_map_ram: lazy)    |               |
 *   completion      | READ copy (IRQs off),   | —                     | —             | —
 *   (see below)     |  page back to the pool  |                       |               |
 *   woken task      | —                       | vfree (flush_tlb_all) | kunmap_high   | —
 *                   |                         |  / vm_unmap_ram       |               |
 *
 * Mapping teardown runs in the woken submitter (vfree and kunmap_high may not run in
 * interrupt context).
 *
 * Around the strategy's steps, the per-request CPU of the I/O path itself, every strategy
 * alike (one cost key per step, src/kernel/costs.ts):
 *   submitter  syscall (per I/O); map_user_page + bh_setup (per page); __make_request
 *              (blk_make_request, per page, under the block lock); per device request the
 *              unplug → scsi_request_fn → scsi_dispatch_cmd sequence (scsi_cmd_build outside
 *              the lock, scsi_queuecommand under it);
 *   completion b_end_io per page (end_io_page; the READ bounce copy here too), end_request
 *              per device request, the block lock at scsi_finish_command and
 *              scsi_queue_next_request — in the context `kernel.completion_context` says:
 *              the interrupt handler (hardirq), the machine-wide SCSI bottom half (bh, under
 *              global_bh_lock) or this CPU's softirq.
 * The block lock (`kernel.block_lock`) is taken with IRQs off (spin_lock_irq/irqsave). Lowmem pages need nothing; a page above the device's DMA limit is
 * bounced whatever the strategy. Pages the strategy leaves unmapped are touched through
 * kmap_atomic(KM_USER0), or kmap_local_page where the kernel has it (kernel.kmap_local, 5.11+).
 */
import type { BlockLock, BounceAllocWait, BounceWriteCopy, CompletionContext, VmallocMapLock } from './versions.js';
import type { ProcessBody } from '../engine/process.js';
import { IRQ, MAP, WORK, type Category } from '../cpu/accounting.js';
import type { Cpu } from '../cpu/cpu.js';
import type { ExecCtx, IrqCtx, Task } from '../cpu/task.js';
import type { DistSpec } from '../engine/distributions.js';
import { BlockDevice, type IrqRouting } from './blockdev.js';
import { irqEntryCost, irqExitCost } from './costs.js';
import { BouncePool, bounce_end_io, create_bounce } from './bounce.js';
import {
  PkmapPool,
  install_kmap_local_sched,
  kmap_atomic,
  kmap_atomic_vpage,
  kmap_high,
  kmap_local_page,
  kunmap_atomic,
  kunmap_high_lock,
  kunmap_high_locked,
  kunmap_local,
} from './highmem.js';
import { KM_USER0, PAGE_SIZE, VMALLOC_BOOT_AREA_PAGES } from './layout.js';
import type { Machine } from './machine.js';
import { DMA32_LIMIT, ISA_DMA_LIMIT, PagePool } from './pages.js';
import { touch_kernel_page } from './pgtable.js';
import { spin_lock, spin_unlock, type Spinlock } from './spinlock.js';
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
    readonly vb_alloc_scan: boolean;
    readonly completion_context: CompletionContext;
    readonly block_lock: BlockLock;
    readonly kmap_local: boolean;
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
  /** How the strategy gives the device a highmem page the device can reach (route). */
  private readonly highRoute: number;
  /** kernel.completion_context: where b_end_io runs. */
  readonly completionContext: CompletionContext;
  /** kernel.kmap_local: unmapped highmem pages are touched through kmap_local_page (5.11+). */
  readonly kmapLocal: boolean;
  /**
   * The block-layer lock (kernel.block_lock): 2.4's global io_request_lock
   * (drivers/block/ll_rw_blk.c), or the device's request-queue lock (2.5+ q->queue_lock;
   * one device, so one lock); null where the kernel is modelled without one.
   */
  readonly blockLock: Spinlock | null;
  /**
   * The bottom-half serialisation (completion_context bh): 2.4 kernel/softirq.c
   * global_bh_lock (2.3.40: the global_bh_count bit softirq_trylock sets); null otherwise.
   */
  readonly bhLock: Spinlock | null;
  /** 2.4 drivers/scsi/scsi.c scsi_bh_queue_head: commands done, waiting for the bottom half. */
  readonly bhQueue: IoPart[] = [];
  /** 2.6 block/blk-softirq.c blk_cpu_done: per-CPU lists of requests for BLOCK_SOFTIRQ. */
  readonly softirqQueues: IoPart[][];
  /** Each submitting task's block plug (submit_io). */
  readonly plugs = new Map<Task, BlockPlug>();
  /** Bottom halves that lost the global_bh_lock trylock (their command was left to the holder). */
  bhDeferred = 0;
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
        readLocal: k.kmap_local,
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
      vbAllocScan: k.vb_alloc_scan,
      pgtableLevels: s.machine.pae ? 3 : 2,
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
    this.highRoute = highmemRoute(this.strategy);
    this.completionContext = k.completion_context;
    this.kmapLocal = k.kmap_local;
    install_kmap_local_sched(m);
    this.blockLock = k.block_lock === 'none' ? null : m.spinlock(k.block_lock);
    this.bhLock = k.completion_context === 'bh' ? m.spinlock('global_bh_lock') : null;
    this.softirqQueues = m.cpus.map(() => []);
    // The bottom halves spin_lock_bh left pending run at local_bh_enable (Cpu.runPendingBh).
    const runPendingBh = (cpu: Cpu) => cpu.raiseSoft('do_softirq', do_softirq, this);
    for (const cpu of m.cpus) cpu.runPendingBh = runPendingBh;
    reserve_vmalloc_boot_areas(this.eager, k.vmalloc_boot_areas, VMALLOC_BOOT_AREA_PAGES);
    reserve_vmalloc_boot_areas(this.lazy, k.vmalloc_boot_areas, VMALLOC_BOOT_AREA_PAGES);
  }

  /** How `page` goes to the device under this kernel's strategy. */
  route(page: number): number {
    if (this.pages.phys[page]! + PAGE_SIZE > this.dmaLimit) return PageRoute.Bounce;
    if (!this.pages.isHigh(page)) return PageRoute.Direct;
    return this.highRoute;
  }
}

/** How `strategy` gives the device a highmem page below the device's DMA limit. */
function highmemRoute(strategy: Strategy): number {
  switch (strategy) {
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

/**
 * Prepare one page for the I/O in the submitter's context. (The kmap route is one line,
 * `p.vpage = PkmapPool.vpage(yield* kmap_high(…))`, done in submit_io itself: one generator
 * less per page, issue 24.)
 */
function* prepare_page(task: Task, k: HighmemKernel, p: IoPage, write: boolean): ProcessBody {
  switch (p.route) {
    case PageRoute.Bounce:
      yield task.proc.call(create_bounce(task, k.bounce, p.page, write));
      return;
    case PageRoute.Kmap:
      p.vpage = PkmapPool.vpage(yield* kmap_high(task, k.pkmap, p.page));
      return;
    case PageRoute.Vmap: {
      // Out-parameters are per call, never module-wide: the generator yields simulated time
      // while other CPUs run the same code, and a shared object read after a yield would hold
      // the value another CPU wrote meanwhile (see touch_page).
      const mapOut: { map: VmMapping | null } = { map: null };
      if (k.strategy === 'vmap') yield task.proc.call(vmap_eager(task, k.eager!, [p.page], mapOut));
      else yield task.proc.call(vm_map_ram(task, k.lazy!, [p.page], mapOut));
      if (mapOut.map === null) {
        // vmalloc space exhausted ("vmap allocation failed"): fall back to a bounce page.
        p.route = PageRoute.Bounce;
        yield task.proc.call(create_bounce(task, k.bounce, p.page, write));
        return;
      }
      p.map = mapOut.map;
      p.vpage = p.map.vpage;
      return;
    }
  }
}

/** Hand `pages` of `req` to the device as one request. */
function submitPart(k: HighmemKernel, req: IoRequest, pages: IoPage[], cpu: Cpu): void {
  let bytes = 0;
  for (const p of pages) bytes += p.bytes;
  req.partsInFlight++;
  k.device.submit({ io: req, pages, bytes, submitCpu: cpu });
}

/**
 * A task's block plug (2.4 tq_disk; 2.6.39+ struct blk_plug): the pages of the I/O it is
 * submitting that are prepared (req.pages[start, end)) and not yet handed to the device.
 * `flush` is what schedule() calls before the task sleeps (task.plugFlush). One per task,
 * made at its first submit_io and reused (a task submits one I/O at a time): no closure and
 * no array per I/O (issue 24).
 */
class BlockPlug {
  req: IoRequest | null = null;
  start = 0;
  end = 0;
  /** Parts flushed early by a sleep during this submission. */
  early = 0;
  readonly flush = (): void => {
    const req = this.req!;
    if (this.end === this.start) return;
    submitPart(this.k, req, req.pages.slice(this.start, this.end), this.task.cpu);
    this.start = this.end;
    this.early++;
  };

  constructor(
    readonly k: HighmemKernel,
    readonly task: Task,
  ) {}

  /** The plugged pages, as one device request's page list (the I/O's own list if all of it). */
  take(): IoPage[] {
    const pages = this.req!.pages;
    return this.start === 0 && this.end === pages.length ? pages : pages.slice(this.start, this.end);
  }
}

/**
 * The block lock, taken with IRQs off (2.4 spin_lock_irq / spin_lock_irqsave(&io_request_lock);
 * 2.6 spin_lock_irq(q->queue_lock)) from call site `site`: returns the time to yield. Only
 * where the kernel has a block lock (`k.blockLock !== null`); the caller yields the result,
 * does its work under the lock, then calls block_unlock. Straight-line helpers rather than a
 * sub-generator: a `yield*` costs a generator object per call (issue 24), and the yields, and
 * so the events, are the same.
 */
function block_lock(ctx: ExecCtx, l: Spinlock, site: string): number {
  ctx.cpu.local_irq_disable();
  return spin_lock(ctx, l, site);
}

/** spin_unlock_irq / spin_unlock_irqrestore of the block lock (after block_lock). */
function block_unlock(ctx: ExecCtx, l: Spinlock): void {
  spin_unlock(ctx, l);
  ctx.cpu.local_irq_enable();
}

/** Map (or bounce) every page and hand them to the device, flushing the plug before any sleep. */
export function* submit_io(task: Task, k: HighmemKernel, req: IoRequest): ProcessBody {
  const cpu = task.cpu;
  const costs = k.m.costs;
  const bl = k.blockLock;
  // sys_read / sys_write entry and exit (2.4 raw: rw_raw_dev → brw_kiovec), once per I/O.
  yield cpu.busy(WORK, costs.syscall);
  let plug = k.plugs.get(task);
  if (plug === undefined) {
    plug = new BlockPlug(k, task);
    k.plugs.set(task, plug);
  }
  plug.req = req;
  plug.start = plug.end = plug.early = 0;
  req.submitting = true;
  task.plugFlush = plug.flush;
  let nonLinear = 0;
  // Indexed loops in the generators of this file: a for-of live across a yield keeps an array
  // iterator and a result object per page on the heap (issue 24).
  const pages = req.pages;
  for (let i = 0; i < pages.length; i++) {
    const p = pages[i]!;
    // Pin the user page (2.4 fs/iobuf.c map_user_kiobuf; 2.6 get_user_pages) and set up its
    // buffer_head (fs/buffer.c brw_kiovec) / bio_vec.
    yield cpu.busy(WORK, costs.map_user_page + costs.bh_setup);
    p.route = k.route(p.page);
    if (p.route === PageRoute.Kmap) p.vpage = PkmapPool.vpage(yield* kmap_high(task, k.pkmap, p.page));
    else if (p.route !== PageRoute.Direct) yield task.proc.call(prepare_page(task, k, p, req.write));
    if (p.route === PageRoute.Kmap || p.route === PageRoute.Vmap) nonLinear++; // pkmap addresses are not linear either
    // submit_bh → generic_make_request → __make_request (2.4.16 drivers/block/ll_rw_blk.c:720):
    // the buffer_head (after blk_queue_bounce) is merged into a request under the block lock.
    if (bl !== null) yield block_lock(task, bl, '__make_request');
    if (costs.blk_make_request > 0) yield cpu.busy(WORK, costs.blk_make_request);
    if (bl !== null) block_unlock(task, bl);
    plug.end = i + 1; // into the plug
  }
  // The bus addresses of the mapped pages (parts flushed early by a sleep are charged here too).
  if (nonLinear > 0) yield virt_to_phys_walk(task, k, nonLinear);
  task.plugFlush = null;
  // Dispatch of each device request; parts the plug flush queued early are charged here.
  // 2.4.16: run_task_queue(&tq_disk) → generic_unplug_device takes the lock
  // (drivers/block/ll_rw_blk.c:355) and calls scsi_request_fn, which dequeues the request and
  // drops it (drivers/scsi/scsi_lib.c:1027), builds the command (scsi_init_io, init_command,
  // scsi_init_cmd_errh: `scsi_cmd_build`), calls scsi_dispatch_cmd, which holds the lock
  // around the host's queuecommand (drivers/scsi/scsi.c:695: `scsi_queuecommand`), and
  // re-takes it (scsi_lib.c:1094) to find the queue empty; generic_unplug_device releases it.
  // Four acquisitions per request (inline, not a sub-generator: issue 24).
  const parts = plug.early;
  for (let i = 0; i <= parts; i++) {
    if (bl !== null) {
      yield block_lock(task, bl, 'generic_unplug_device');
      block_unlock(task, bl);
    }
    yield cpu.busy(WORK, costs.scsi_cmd_build);
    if (bl !== null) yield block_lock(task, bl, 'scsi_dispatch_cmd');
    if (costs.scsi_queuecommand > 0) yield cpu.busy(WORK, costs.scsi_queuecommand);
    if (bl !== null) {
      block_unlock(task, bl);
      yield block_lock(task, bl, 'scsi_request_fn');
      block_unlock(task, bl);
    }
  }
  submitPart(k, req, plug.take(), task.cpu);
  plug.req = null;
  req.submitting = false;
}

/**
 * Completion of one device request (2.4.16 drivers/scsi/scsi.c scsi_finish_command →
 * sd rw_intr → scsi_lib.c scsi_io_completion → __scsi_end_request), in whatever context
 * runs it: scsi_finish_command's host_busy-- under the block lock (scsi.c:1370); b_end_io
 * per buffer_head (scsi_lib.c:383: `end_io_page`; for a bounced READ, bounce_end_io_read's
 * copy back to the highmem page); the request released (`end_request`) and
 * scsi_queue_next_request under the block lock (scsi_lib.c:255).
 */
function* complete_part(ctx: IrqCtx, k: HighmemKernel, part: IoPart): ProcessBody {
  const req = part.io;
  const cpu = ctx.cpu;
  const costs = k.m.costs;
  const bl = k.blockLock;
  if (bl !== null) {
    yield block_lock(ctx, bl, 'scsi_finish_command');
    block_unlock(ctx, bl);
  }
  const pages = part.pages;
  for (let i = 0; i < pages.length; i++) {
    const p = pages[i]!;
    yield cpu.busy(IRQ, costs.end_io_page);
    if (p.route === PageRoute.Bounce) yield ctx.proc.call(bounce_end_io(ctx, k.bounce, p.page, !req.write));
  }
  yield cpu.busy(IRQ, costs.end_request);
  if (bl !== null) {
    yield block_lock(ctx, bl, 'scsi_queue_next_request');
    block_unlock(ctx, bl);
  }
  // The last part of the last submission completes the I/O (the submitter is done by then:
  // it submits its final part before it can sleep on the I/O).
  if (--req.partsInFlight === 0 && !req.submitting) {
    req.done = true;
    k.onComplete(cpu, req);
  }
}

/**
 * irq_exit → do_softirq (2.4.16 kernel/softirq.c:61; 2.3.40 do_bottom_half), IRQs on.
 * `bh`: tasklet_hi_action → bh_action (softirq.c:289): `if (!spin_trylock(&global_bh_lock))
 * goto resched;` — the loser runs nothing (its mark_bh retry later finds the queue empty:
 * not modelled), and its command stays on scsi_bh_queue, which the holder's
 * scsi_bottom_half_handler (scsi.c:1213: `while (1 == 1)` until the queue is empty) drains.
 * `softirq`: BLOCK_SOFTIRQ drains this CPU's own list, no machine-wide lock.
 */
function* do_softirq(ctx: IrqCtx, k: HighmemKernel): ProcessBody {
  const cpu = ctx.cpu;
  let q: IoPart[];
  if (k.bhLock !== null) {
    const l = k.bhLock;
    if (l.locked) {
      k.bhDeferred++;
      return;
    }
    const t = spin_lock(ctx, l, 'bh_action'); // free: taken at once (spin_trylock)
    cpu.softirqEnter();
    yield t;
    q = k.bhQueue;
  } else {
    cpu.softirqEnter();
    q = k.softirqQueues[cpu.id]!;
  }
  for (let part = q.shift(); part !== undefined; part = q.shift()) yield ctx.proc.call(complete_part(ctx, k, part));
  if (k.bhLock !== null) spin_unlock(ctx, k.bhLock);
  cpu.softirqExit();
}

/** The completion interrupt: do_IRQ → the host driver's handler → scsi_done. */
function* end_request(ctx: IrqCtx, part: IoPart): ProcessBody {
  const k = part.io.k;
  const cpu = ctx.cpu;
  const costs = k.m.costs;
  yield cpu.busy(IRQ, irqEntryCost(costs)); // IRQs off: interrupt gate, do_IRQ
  // 2.4 handle_IRQ_event(): `if (!(action->flags & SA_INTERRUPT)) __sti();` — the body
  // runs with IRQs on (when kernel.device_irqs_nest), so an IPI may nest inside it.
  if (cpu.handle_IRQ_event_sti()) yield 0;
  if (k.completionContext === 'hardirq') {
    yield ctx.proc.call(complete_part(ctx, k, part));
    cpu.handle_IRQ_event_cli(); // __cli(): irq_exit and the return run with IRQs off
  } else {
    // scsi_done (2.4.16 scsi.c:1114): queue the command for the bottom half and
    // mark_bh(SCSI_BH); 2.6 blk_complete_request: this CPU's list, raise BLOCK_SOFTIRQ.
    if (k.completionContext === 'bh') k.bhQueue.push(part);
    else k.softirqQueues[cpu.id]!.push(part);
    cpu.handle_IRQ_event_cli();
    // do_softirq returns at once in_interrupt(): an interrupt nested in this CPU's own
    // softirq leaves its command to that softirq's loop; one taken while the task holds a
    // spin_lock_bh lock (2.4 call_lock) leaves it pending until spin_unlock_bh.
    if (cpu.bhDisabled > 0) cpu.bhPending = true;
    else if (!cpu.inSoftirq) yield ctx.proc.call(do_softirq(ctx, k));
  }
  yield cpu.busy(IRQ, irqExitCost(costs));
}

/**
 * After the I/O, in the woken submitter: touch the data (`touchNs` per page, through the
 * I/O mapping if there is one, else kmap_atomic), then tear the mappings down.
 */
export function* finish_io(task: Task, k: HighmemKernel, req: IoRequest, touchNs: number): ProcessBody {
  const cpu = task.cpu;
  const pages = req.pages;
  if (touchNs > 0) {
    for (let i = 0; i < pages.length; i++) yield task.proc.call(touch_page(task, k, pages[i]!, touchNs));
  }
  for (let i = 0; i < pages.length; i++) {
    const p = pages[i]!;
    switch (p.route) {
      case PageRoute.Kmap:
        yield kunmap_high_lock(task, k.pkmap);
        kunmap_high_locked(task, k.pkmap, p.page);
        break;
      case PageRoute.Vmap:
        if (k.strategy === 'vmap') yield task.proc.call(vfree_eager(task, k.eager!, p.map!));
        else yield task.proc.call(vm_unmap_ram(task, k.lazy!, p.map!));
        p.map = null;
        break;
    }
    p.vpage = -1;
  }
  cpu.setCat(WORK);
}

/**
 * Scratch for kmap_local_page's address: shared by every touch, so it is read right after
 * the call, before any yield (an out-parameter read after a time step must belong to the
 * call: another CPU may have filled it meanwhile).
 */
const localOut = { vpage: -1 };

/** CPU work on one page's data through whatever mapping it has. */
export function* touch_page(task: Task, k: HighmemKernel, p: IoPage, touchNs: number): ProcessBody {
  const m = k.m;
  const cpu = task.cpu;
  if (p.vpage >= 0) {
    const refill = touch_kernel_page(task, m, p.vpage, p.page);
    if (refill > 0) yield refill;
    yield cpu.busy(WORK, touchNs);
  } else if (k.kmapLocal && k.pages.isHigh(p.page)) {
    // 5.11+: kmap_local_page / kunmap_local (what kmap_atomic became, without preempt_disable).
    // kmap_local_page fills `localOut` synchronously: read it before yielding the PTE write's
    // time, during which other CPUs map their own slots through the same scratch object.
    const map = kmap_local_page(task, m, k.pages, p.page, localOut);
    const vpage = localOut.vpage;
    yield map;
    const refill = touch_kernel_page(task, m, vpage, p.page);
    if (refill > 0) yield refill;
    yield cpu.busy(WORK, touchNs);
    yield kunmap_local(task, m, vpage);
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
