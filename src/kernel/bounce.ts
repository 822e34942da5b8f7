/**
 * Bounce buffers (2.3.40 / 2.4 mm/highmem.c create_bounce, bounce_end_io_read/_write;
 * 2.6 mm/bounce.c blk_queue_bounce): a lowmem page stands in for a page the device
 * cannot reach (or, in 2.4, any highmem page, since buffer_heads need a kernel address).
 *
 * What differs between versions (src/kernel/versions.ts), as BounceOptions:
 * - the emergency pool: none in 2.3.40 and 2.4.0 (create_bounce loops on alloc_page);
 *   POOL_SIZE 32 under the IRQ-safe emergency_lock in 2.4.16; a 64-page mempool in 2.6;
 * - what a submitter does when neither the allocator (which fails when
 *   `lowmem_free_pages` runs out) nor the pool has a page: 2.6 mempool_alloc sleeps;
 *   2.4.16 alloc_bounce_page kicks tq_disk and loops on schedule() with SCHED_YIELD —
 *   its CPU burns unless another task is runnable there; 2.4.0 retries at once
 *   (wakeup_bdflush(1) writes dirty buffers inline and returns); 2.3.40's
 *   wakeup_bdflush(1) sleeps on bdflush_done (modelled as a sleep until a page returns);
 * - the WRITE copy: kmap_atomic(KM_BOUNCE_WRITE) inside __cli (2.4.0), kmap_atomic with
 *   IRQs on (2.3.40 KM_BOUNCE_WRITE, 2.4.16 KM_USER0), kmap() through the pool (2.6),
 *   kmap_local_page (5.15+ memcpy_from_bvec);
 * - the READ copy in the completion handler: inside __cli from 2.4.0 on, not in 2.3.40;
 *   through kmap_local_page on the interrupted task's stack where the kernel has it
 *   (kernel.kmap_local; 5.15+ copy_to_high_bio_irq → memcpy_to_bvec).
 * block/bounce.c was removed for 6.16 (Hellwig, "block: remove bounce buffering support",
 * eeadd68e2a5f); every version the model has (up to 6.15) still has it.
 */
import { PARK, type ProcessBody } from '../engine/process.js';
import { COPY, MAP, SPIN } from '../cpu/accounting.js';
import { bus_transfer } from '../cpu/membus.js';
import type { ExecCtx, IrqCtx, Task } from '../cpu/task.js';
import { KM_BOUNCE_READ, KM_BOUNCE_WRITE, PAGE_SIZE } from './layout.js';
import { PkmapPool, kmap_atomic, kmap_atomic_vpage, kmap_high, kmap_local_page, kunmap_atomic, kunmap_high, kunmap_local } from './highmem.js';
import type { Machine } from './machine.js';
import { touch_kernel_page } from './pgtable.js';
import { spin_lock, spin_unlock, type Spinlock } from './spinlock.js';
import type { BounceAllocWait, BounceWriteCopy } from './versions.js';
import { TaskWaitQueue } from './waitqueue.js';

export interface BounceOptions {
  /** POOL_SIZE: the emergency pool (0: the kernel has none). */
  poolSize: number;
  /** Free lowmem pages the allocator can hand out; null = never runs out. */
  lowmemFreePages: number | null;
  writeCopy: BounceWriteCopy;
  /** copy_to_high_bh_irq runs its copy inside __save_flags/__cli. */
  readIrqsOff: boolean;
  allocWait: BounceAllocWait;
  /** kernel.kmap_local: the READ copy maps the highmem page with kmap_local_page. Default false. */
  readLocal?: boolean;
}

export class BouncePool {
  /** Pages in the emergency pool (nr_emergency_pages). */
  nr_emergency_pages: number;
  /** POOL_SIZE */
  readonly poolSize: number;
  /** Free lowmem pages the allocator can hand out; null = never runs out. */
  lowmemFree: number | null;
  /** Only a kernel with an emergency pool has its lock. */
  readonly emergency_lock: Spinlock | null;
  /** Submitters asleep for a page (allocWait `sleep`). */
  readonly waiters = new TaskWaitQueue('bounce_pool_wait');
  /** Submitters spinning in the retry loop with nobody else to run (the retry modes). */
  private retrying: Task[] = [];

  constructor(
    readonly m: Machine,
    readonly opts: BounceOptions,
    /** The persistent kmap pool, for 2.6's kmap() WRITE copy (and its page pool, for kmap_local_page's PageHighMem). */
    readonly pkmap: PkmapPool,
  ) {
    this.poolSize = opts.poolSize;
    this.nr_emergency_pages = opts.poolSize;
    this.lowmemFree = opts.lowmemFreePages;
    this.emergency_lock = opts.poolSize > 0 ? m.spinlock('emergency_lock') : null;
  }

  /** A page came back: every retrying submitter sees it at the end of its current pass. */
  wakeRetriers(): void {
    const ts = this.retrying;
    if (ts.length === 0) return;
    this.retrying = [];
    for (const t of ts) this.wakeRetrier(t);
  }

  /** `task` spins in the retry loop with nobody else to run (it then yields PARK). */
  addRetrier(task: Task, yields: boolean): void {
    this.retrying.push(task);
    if (yields) task.onRunnable = () => this.wakeRetrier(task);
  }

  /** End `task`'s spin: one pass of the loop (alloc attempt, run_task_queue, schedule()) later it retries. */
  private wakeRetrier(task: Task): void {
    task.onRunnable = null;
    const i = this.retrying.indexOf(task);
    if (i >= 0) this.retrying.splice(i, 1);
    if (task.proc.parked) task.proc.wake(this.m.costs.bounce_retry);
  }
}

/** alloc_bounce_page(): allocator first, then the emergency pool, else wait as the kernel does. */
function* alloc_bounce_page(task: Task, b: BouncePool): ProcessBody {
  const m = b.m;
  const cpu = task.cpu;
  let waited = false;
  for (;;) {
    if (b.lowmemFree === null || b.lowmemFree > 0) {
      if (b.lowmemFree !== null) b.lowmemFree--;
      if (m.observer !== null && b.lowmemFree !== null) m.observer.lowmemPageAllocated(b.lowmemFree);
      yield cpu.busy(MAP, m.costs.page_alloc);
      return;
    }
    const lock = b.emergency_lock;
    if (lock !== null) {
      // spin_lock_irq(&emergency_lock)
      cpu.local_irq_disable();
      yield spin_lock(task, lock, 'alloc_bounce_page');
      const got = b.nr_emergency_pages > 0;
      if (got) b.nr_emergency_pages--;
      if (m.observer !== null) m.observer.emergencyPoolTried(cpu.id, got, b.nr_emergency_pages);
      spin_unlock(task, lock);
      cpu.local_irq_enable();
      if (got) {
        m.highmem.bounce.poolTaken++;
        return;
      }
    }
    if (!waited) {
      waited = true;
      m.highmem.bounce.poolWaits++;
      if (m.observer !== null) m.observer.bouncePoolWait(cpu.id, task.name);
    }
    switch (b.opts.allocWait) {
      case 'sleep':
        yield b.waiters.sleep(task);
        break;
      case 'yield_retry':
        yield* bounce_retry_pass(task, b, true);
        break;
      case 'busy_retry':
        yield* bounce_retry_pass(task, b, false);
        break;
    }
  }
}

/**
 * One turn of 2.4's retry loop, until the next attempt: run_task_queue(&tq_disk) (what the
 * task has prepared goes to the device), then — 2.4.16 — schedule() with SCHED_YIELD,
 * which runs another task if one is runnable here. With nobody else to run the loop burns
 * its CPU (charged to `spin`) until a completion returns a page; it is modelled as one
 * wait, not pass by pass: the task notices a returned page (or, when it yields, a newly
 * runnable task) one `bounce_retry` pass later.
 */
function* bounce_retry_pass(task: Task, b: BouncePool, yields: boolean): ProcessBody {
  const cpu = task.cpu;
  if (task.plugFlush !== null) task.plugFlush();
  if (yields && cpu.sched_yield(task) === PARK) {
    yield PARK; // another task ran; this one is back: retry
    return;
  }
  b.addRetrier(task, yields);
  cpu.setCat(SPIN);
  yield PARK;
}

/**
 * Bytes a page copy moves across the memory bus: the source page read and the destination
 * page written (rep movs with fast strings writes whole lines without reading them first).
 */
export const COPY_PAGE_BUS_BYTES = 2 * PAGE_SIZE;

/**
 * memcpy of one page through the CPU's kmap_atomic slot `type` (IRQs already off). It lasts
 * memcpy_page (the CPU-bound floor) or longer when the memory bus is shared (src/cpu/membus.ts).
 */
function* copy_page_atomic(ctx: ExecCtx, m: Machine, page: number, type: number): ProcessBody {
  yield kmap_atomic(ctx, m, page, type);
  const refill = touch_kernel_page(ctx, m, kmap_atomic_vpage(ctx.cpu.id, type), page);
  if (refill > 0) yield refill;
  yield bus_transfer(ctx, m.membus, COPY, COPY_PAGE_BUS_BYTES, m.costs.memcpy_page);
  const unmap = kunmap_atomic(ctx, m, type);
  if (unmap > 0) yield unmap;
  m.highmem.bounce.bytesCopied += PAGE_SIZE;
}

/** Scratch for kmap_local_page's address, read right after each call (never after a yield). */
const localOut = { vpage: -1 };

/**
 * memcpy of one page through a kmap_local_page map (5.15+ block/bounce.c: memcpy_from_bvec
 * / memcpy_to_bvec → bvec_kmap_local → kmap_local_page; kunmap_local): pushed on the
 * current task's kmap_ctrl stack (in the completion, the interrupted task's), one PTE write,
 * and at unmap a PTE clear + one local invlpg. No lock, no IPI, IRQs left as they are.
 */
function* copy_page_local(ctx: ExecCtx, b: BouncePool, page: number): ProcessBody {
  const m = b.m;
  const map = kmap_local_page(ctx, m, b.pkmap.pages, page, localOut);
  const vpage = localOut.vpage; // read before the yield: the scratch is shared
  if (map > 0) yield map;
  if (vpage >= 0) {
    const refill = touch_kernel_page(ctx, m, vpage, page);
    if (refill > 0) yield refill;
  }
  yield bus_transfer(ctx, m.membus, COPY, COPY_PAGE_BUS_BYTES, m.costs.memcpy_page);
  const unmap = kunmap_local(ctx, m, vpage);
  if (unmap > 0) yield unmap;
  m.highmem.bounce.bytesCopied += PAGE_SIZE;
}

/**
 * create_bounce(rw, page) / __blk_queue_bounce: take a bounce page; for a WRITE copy the
 * data down now, in the submitter, the way the configured kernel does (BounceOptions).
 */
export function* create_bounce(task: Task, b: BouncePool, page: number, write: boolean): ProcessBody {
  yield* alloc_bounce_page(task, b);
  const m = b.m;
  m.highmem.bounce.pages++;
  if (!write) return;
  switch (b.opts.writeCopy) {
    case 'atomic_irqs_off': // 2.4.0 copy_from_high_bh: __save_flags; __cli(); KM_BOUNCE_WRITE
      task.cpu.local_irq_disable();
      yield* copy_page_atomic(task, m, page, KM_BOUNCE_WRITE);
      task.cpu.local_irq_enable(); // __restore_flags
      return;
    case 'atomic': // 2.3.40 KM_BOUNCE_WRITE / 2.4.16 KM_USER0, IRQs left on
      yield* copy_page_atomic(task, m, page, KM_BOUNCE_WRITE);
      return;
    case 'kmap_local': // 5.15+ __blk_queue_bounce: memcpy_from_bvec(page_address(bounce_page), to)
      yield* copy_page_local(task, b, page);
      return;
    case 'kmap': {
      // 2.6 __blk_queue_bounce: vfrom = kmap(from->bv_page); memcpy; kunmap(from->bv_page)
      const slot = { nr: -1 };
      yield* kmap_high(task, b.pkmap, page, slot);
      const refill = touch_kernel_page(task, m, PkmapPool.vpage(slot.nr), page);
      if (refill > 0) yield refill;
      yield task.cpu.busy(COPY, m.costs.memcpy_page);
      m.highmem.bounce.bytesCopied += PAGE_SIZE;
      yield* kunmap_high(task, b.pkmap, page);
      return;
    }
  }
}

/**
 * bounce_end_io_read / bounce_end_io_write, in the completion interrupt: for a READ copy
 * the data up (IRQs off, kmap_atomic(KM_BOUNCE_READ)); then return the bounce page — to
 * the pool while it is below POOL_SIZE, else to the allocator — and wake waiters. The
 * handler body otherwise runs with IRQs on (cpu.ts), so IPIs nest between those windows.
 */
export function* bounce_end_io(ctx: IrqCtx, b: BouncePool, page: number, read: boolean): ProcessBody {
  const cpu = ctx.cpu;
  if (read) {
    // copy_to_high_bh_irq(): 2.4.0+ wraps it in __save_flags(flags); __cli(); … __restore_flags;
    // 2.3.40 does not, so there an IPI may nest in the copy.
    if (b.opts.readIrqsOff) cpu.local_irq_disable();
    if (b.opts.readLocal === true) yield* copy_page_local(ctx, b, page);
    else yield* copy_page_atomic(ctx, b.m, page, KM_BOUNCE_READ);
    if (b.opts.readIrqsOff) {
      cpu.local_irq_enable();
      if (cpu.irqWaiting) yield 0; // an IPI that arrived during the copy is taken here
    }
  }
  // spin_lock_irqsave(&emergency_lock, flags) — where the kernel has a pool (2.4.16+).
  const lock = b.emergency_lock;
  if (lock !== null) {
    cpu.local_irq_disable();
    yield spin_lock(ctx, lock, 'bounce_end_io');
  }
  if (b.nr_emergency_pages < b.poolSize) b.nr_emergency_pages++;
  else if (b.lowmemFree !== null) b.lowmemFree++;
  if (b.m.observer !== null) b.m.observer.bouncePageFreed(lock !== null ? b.nr_emergency_pages : null, b.lowmemFree);
  if (lock !== null) {
    spin_unlock(ctx, lock);
    cpu.local_irq_enable(); // spin_unlock_irqrestore
  }
  b.waiters.wake_up(cpu);
  b.wakeRetriers();
  if (cpu.irqWaiting) yield 0; // IRQs on again: a pending IPI nests here
}
