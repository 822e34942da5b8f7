/**
 * Bounce buffers (2.4 mm/highmem.c create_bounce, bounce_end_io_read/_write;
 * 2.6 mm/bounce.c blk_queue_bounce): a lowmem page stands in for a page the device
 * cannot reach (or, in 2.4, any highmem page, since buffer_heads need a kernel address).
 *
 * Pages come from the page allocator (which fails when `lowmem_free_pages` runs out),
 * else from the emergency pool (2.4 POOL_SIZE 32, under the IRQ-safe emergency_lock).
 * With both empty the submitter waits for a completion to return a page (2.4 yields and
 * retries after kicking tq_disk; modelled as a sleep until a page is returned).
 */
import type { ProcessBody } from '../engine/process.js';
import { COPY, MAP } from '../cpu/accounting.js';
import type { ExecCtx, IrqCtx, Task } from '../cpu/task.js';
import { KM_BOUNCE_READ, KM_BOUNCE_WRITE, PAGE_SIZE } from './layout.js';
import { kmap_atomic, kmap_atomic_vpage, kunmap_atomic } from './highmem.js';
import type { Machine } from './machine.js';
import { touch_kernel_page } from './pgtable.js';
import { spin_lock, spin_unlock, type Spinlock } from './spinlock.js';
import { TaskWaitQueue } from './waitqueue.js';

export class BouncePool {
  /** Pages in the emergency pool (nr_emergency_pages). */
  nr_emergency_pages: number;
  /** Free lowmem pages the allocator can hand out; null = never runs out. */
  lowmemFree: number | null;
  readonly emergency_lock: Spinlock;
  readonly waiters = new TaskWaitQueue('bounce_pool_wait');

  constructor(
    readonly m: Machine,
    /** POOL_SIZE */
    readonly poolSize: number,
    lowmemFreePages: number | null,
  ) {
    this.nr_emergency_pages = poolSize;
    this.lowmemFree = lowmemFreePages;
    this.emergency_lock = m.spinlock('emergency_lock');
  }
}

/** alloc_bounce_page(): allocator first, then the emergency pool, else wait. */
function* alloc_bounce_page(task: Task, b: BouncePool): ProcessBody {
  const m = b.m;
  const cpu = task.cpu;
  for (;;) {
    if (b.lowmemFree === null || b.lowmemFree > 0) {
      if (b.lowmemFree !== null) b.lowmemFree--;
      if (m.tracer !== null && b.lowmemFree !== null) m.tracer.counter('lowmem', 'free_pages', b.lowmemFree);
      yield cpu.busy(MAP, m.costs.page_alloc);
      return;
    }
    // spin_lock_irq(&emergency_lock)
    cpu.local_irq_disable();
    yield spin_lock(task, b.emergency_lock, 'alloc_bounce_page');
    const got = b.nr_emergency_pages > 0;
    if (got) b.nr_emergency_pages--;
    if (m.tracer !== null) m.tracer.counter('bounce pool', 'free_pages', b.nr_emergency_pages);
    spin_unlock(task, b.emergency_lock);
    cpu.local_irq_enable();
    if (got) {
      m.highmem.bounce.poolTaken++;
      return;
    }
    m.highmem.bounce.poolWaits++;
    if (m.tracer !== null) m.tracer.instant(cpu.id, 'bounce pool wait', { task: task.name });
    yield b.waiters.sleep(task);
  }
}

/** memcpy of one page through the CPU's kmap_atomic slot `type` (IRQs already off). */
function* copy_page_atomic(ctx: ExecCtx, m: Machine, page: number, type: number): ProcessBody {
  yield kmap_atomic(ctx, m, page, type);
  const refill = touch_kernel_page(ctx, m, kmap_atomic_vpage(ctx.cpu.id, type), page);
  if (refill > 0) yield refill;
  yield ctx.cpu.busy(COPY, m.costs.memcpy_page);
  kunmap_atomic(ctx, type);
  m.highmem.bounce.bytesCopied += PAGE_SIZE;
}

/**
 * create_bounce(rw, page): take a bounce page; for a WRITE copy the data down now, in the
 * submitter's context with IRQs off through kmap_atomic(KM_BOUNCE_WRITE).
 */
export function* create_bounce(task: Task, b: BouncePool, page: number, write: boolean): ProcessBody {
  yield* alloc_bounce_page(task, b);
  b.m.highmem.bounce.pages++;
  if (write) {
    task.cpu.local_irq_disable(); // __save_flags; __cli()
    yield* copy_page_atomic(task, b.m, page, KM_BOUNCE_WRITE);
    task.cpu.local_irq_enable(); // __restore_flags
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
    // copy_to_high_bh_irq(): __save_flags(flags); __cli(); kmap_atomic + memcpy; __restore_flags.
    cpu.local_irq_disable();
    yield* copy_page_atomic(ctx, b.m, page, KM_BOUNCE_READ);
    cpu.local_irq_enable();
    if (cpu.irqWaiting) yield 0; // an IPI that arrived during the copy is taken here
  }
  // spin_lock_irqsave(&emergency_lock, flags)
  cpu.local_irq_disable();
  yield spin_lock(ctx, b.emergency_lock, 'bounce_end_io');
  if (b.nr_emergency_pages < b.poolSize) b.nr_emergency_pages++;
  else if (b.lowmemFree !== null) b.lowmemFree++;
  const tr = b.m.tracer;
  if (tr !== null) {
    tr.counter('bounce pool', 'free_pages', b.nr_emergency_pages);
    if (b.lowmemFree !== null) tr.counter('lowmem', 'free_pages', b.lowmemFree);
  }
  spin_unlock(ctx, b.emergency_lock);
  cpu.local_irq_enable(); // spin_unlock_irqrestore
  b.waiters.wake_up(cpu);
  if (cpu.irqWaiting) yield 0; // IRQs on again: a pending IPI nests here
}
