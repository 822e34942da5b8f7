/**
 * Persistent kernel mappings of highmem pages: the global kmap pool, kmap_atomic, and
 * (5.11+) kmap_local_page.
 * Follows 2.4 mm/highmem.c (kmap_high, map_new_virtual, flush_all_zero_pkmaps,
 * kunmap_high), include/asm-i386/highmem.h (kmap_atomic) and 5.11+ mm/highmem.c
 * (__kmap_local_pfn_prot, kunmap_local_indexed, __kmap_local_sched_out/_in).
 *
 * pkmap_count[nr] means:
 *   0  — free, and no TLB holds the slot: usable now;
 *   1  — no users, but some CPU's TLB may still cache the old translation: NOT reusable
 *        until flush_all_zero_pkmaps() has cleared it and flushed every TLB;
 *   n≥2 — n−1 users.
 * All of it is protected by kmap_lock (a spinlock taken with IRQs enabled, so kmap_high
 * and kunmap_high may never run in interrupt context).
 */
import type { ProcessBody } from '../engine/process.js';
import { MAP, TLB } from '../cpu/accounting.js';
import type { Cpu, CpuTask } from '../cpu/cpu.js';
import type { ExecCtx, KmapCtrl, Task } from '../cpu/task.js';
import type { Machine } from './machine.js';
import { FIXMAP_KMAP_BASE, FIXMAP_KMAP_LOCAL_BASE, KM_MAX_IDX, KM_TYPE_NR, KM_TYPE_NAMES, PKMAP_BASE, last_pkmap } from './layout.js';
import type { PagePool } from './pages.js';
import { spin_lock, spin_unlock, type Spinlock } from './spinlock.js';
import { NO_PAGE } from './pgtable.js';
import { flush_kernel_range } from './tlbflush.js';
import { TaskWaitQueue } from './waitqueue.js';

export interface PkmapOptions {
  pae: boolean;
  /** LAST_PKMAP when not the i386 default for `pae` (Bligh's 4096-entry pools); a power of two. */
  lastPkmap?: number;
  /** Bug injection: clear count-1 slots without the global TLB flush. */
  skipFlush: boolean;
}

export class PkmapPool {
  readonly LAST_PKMAP: number;
  readonly pkmap_count: Int32Array;
  /** The page each slot maps (−1: none): the PTEs of the pkmap page table. */
  readonly slotPage: Int32Array;
  last_pkmap_nr = 0;
  readonly kmap_lock: Spinlock;
  readonly pkmap_map_wait: TaskWaitQueue;

  constructor(
    readonly m: Machine,
    readonly pages: PagePool,
    readonly opts: PkmapOptions,
  ) {
    this.LAST_PKMAP = opts.lastPkmap ?? last_pkmap(opts.pae);
    // map_new_virtual() wraps the cursor with & LAST_PKMAP_MASK: a power of two.
    if (this.LAST_PKMAP < 2 || (this.LAST_PKMAP & (this.LAST_PKMAP - 1)) !== 0) {
      throw new RangeError(`LAST_PKMAP must be a power of two >= 2, got ${this.LAST_PKMAP}`);
    }
    this.pkmap_count = new Int32Array(this.LAST_PKMAP);
    this.slotPage = new Int32Array(this.LAST_PKMAP).fill(-1);
    this.kmap_lock = m.spinlock('kmap_lock');
    this.pkmap_map_wait = new TaskWaitQueue('pkmap_map_wait');
  }

  /** Slots in use (count ≥ 2), for occupancy gauges. */
  inUse(): number {
    let n = 0;
    for (let i = 0; i < this.LAST_PKMAP; i++) if (this.pkmap_count[i]! >= 2) n++;
    return n;
  }

  /** Virtual page of pkmap slot `nr` (PKMAP_ADDR). */
  static vpage(nr: number): number {
    return PKMAP_BASE + nr;
  }
}

/**
 * kmap(page) for a highmem page: kmap_high(). Returns the pkmap slot (`nr = yield* kmap_high(…)`),
 * and also through `out` if given. Lowmem pages have a permanent address and never come here.
 */
export function* kmap_high(task: Task, pool: PkmapPool, page: number, out?: { nr: number }): Generator<number, number, void> {
  if (task.inIrq) throw new Error(`${task.name}: kmap_high() in interrupt context`);
  const m = pool.m;
  const cpu = task.cpu;
  m.highmem.kmap.kmaps++;
  yield spin_lock(task, pool.kmap_lock, 'kmap_high');
  let nr = pool.pages.virtual[page]!;
  if (nr >= 0) {
    m.highmem.kmap.hits++;
  } else {
    yield task.proc.call(map_new_virtual(task, pool, page));
    nr = pool.pages.virtual[page]!;
  }
  pool.pkmap_count[nr]!++;
  if (m.observer !== null) m.observer.pkmapCountChanged(nr, pool.pkmap_count[nr]!);
  spin_unlock(task, pool.kmap_lock);
  if (out !== undefined) out.nr = nr;
  cpu.setCat(MAP);
  return nr;
}

/**
 * map_new_virtual(): find a free slot scanning from last_pkmap_nr+1; flush all count-1
 * slots each time the cursor wraps to 0; sleep on pkmap_map_wait if a whole lap finds
 * nothing, then (with kmap_lock retaken) use the page's mapping if another CPU made one
 * meanwhile, else rescan. Called and returns with kmap_lock held.
 */
function* map_new_virtual(task: Task, pool: PkmapPool, page: number): ProcessBody {
  const m = pool.m;
  const cpu = task.cpu;
  const scanCost = m.costs.pkmap_scan_slot;
  const mask = pool.LAST_PKMAP - 1;
  for (;;) {
    let count = pool.LAST_PKMAP;
    let scanned = 0;
    let found = -1;
    for (;;) {
      pool.last_pkmap_nr = (pool.last_pkmap_nr + 1) & mask;
      scanned++;
      if (pool.last_pkmap_nr === 0) {
        if (scanned > 1) yield cpu.busy(MAP, scanned * scanCost);
        scanned = 0;
        yield task.proc.call(flush_all_zero_pkmaps(task, pool));
        count = pool.LAST_PKMAP;
      }
      if (pool.pkmap_count[pool.last_pkmap_nr] === 0) {
        found = pool.last_pkmap_nr;
        break;
      }
      if (--count === 0) break;
    }
    if (scanned > 0) yield cpu.busy(MAP, scanned * scanCost);
    if (found >= 0) {
      // set_pte(&pkmap_page_table[nr], mk_pte(page, kmap_prot)): the slot is TLB-clean.
      m.pgtable.set(PkmapPool.vpage(found), page);
      pool.slotPage[found] = page;
      pool.pkmap_count[found] = 1;
      if (m.observer !== null) m.observer.pkmapCountChanged(found, 1);
      pool.pages.virtual[page] = found;
      yield cpu.busy(MAP, m.costs.pte_write);
      return;
    }
    // A whole lap found no free slot: sleep until kunmap_high frees one.
    m.highmem.kmap.waits++;
    if (m.observer !== null) m.observer.pkmapWait(cpu.id, task.name);
    spin_unlock(task, pool.kmap_lock);
    yield pool.pkmap_map_wait.sleep(task);
    yield spin_lock(task, pool.kmap_lock, 'kmap_high');
    // Somebody else might have mapped it while we slept.
    if (pool.pages.virtual[page]! >= 0) return;
  }
}

/**
 * flush_all_zero_pkmaps(): every slot with count 1 becomes free (0): clear its PTE and the
 * page's address, then ONE global TLB flush (2.4: flush_tlb_all(), an IPI round), all
 * under kmap_lock.
 */
export function* flush_all_zero_pkmaps(task: Task, pool: PkmapPool): ProcessBody {
  const m = pool.m;
  m.highmem.kmap.flushes++;
  let cleared = 0;
  for (let i = 0; i < pool.LAST_PKMAP; i++) {
    if (pool.pkmap_count[i] !== 1) continue;
    pool.pkmap_count[i] = 0;
    const page = pool.slotPage[i]!;
    m.pgtable.clear(PkmapPool.vpage(i));
    pool.slotPage[i] = -1;
    pool.pages.virtual[page] = -1;
    cleared++;
  }
  if (m.observer !== null) m.observer.pkmapFlushed(task.cpu.id, cleared, !pool.opts.skipFlush);
  yield task.cpu.busy(MAP, pool.LAST_PKMAP * m.costs.pkmap_scan_slot + cleared * m.costs.pte_write);
  // 2.4: flush_tlb_all(); later kernels: flush_tlb_kernel_range(PKMAP_ADDR(0), PKMAP_ADDR(LAST_PKMAP)).
  if (!pool.opts.skipFlush) yield task.proc.call(flush_kernel_range(task, m, PkmapPool.vpage(0), pool.LAST_PKMAP));
}

/**
 * kunmap_high(): drop one user. No PTE change and no TLB flush: the slot stays mapped
 * (count 1) until the next wrap. Wakes pkmap_map_wait after unlocking if the slot has no
 * users left and somebody waits.
 */
export function* kunmap_high(task: Task, pool: PkmapPool, page: number): ProcessBody {
  yield kunmap_high_lock(task, pool);
  kunmap_high_locked(task, pool, page);
}

/**
 * kunmap_high() in two straight-line halves, for hot callers (issue 24: no generator per
 * call): `yield kunmap_high_lock(task, pool); kunmap_high_locked(task, pool, page);` — the
 * spin_lock(&kmap_lock), whose time the caller yields, then the rest under the lock.
 */
export function kunmap_high_lock(task: Task, pool: PkmapPool): number {
  if (task.inIrq) throw new Error(`${task.name}: kunmap_high() in interrupt context`);
  return spin_lock(task, pool.kmap_lock, 'kunmap_high');
}

/** The second half of kunmap_high(), called with kmap_lock held (after kunmap_high_lock). */
export function kunmap_high_locked(task: Task, pool: PkmapPool, page: number): void {
  const nr = pool.pages.virtual[page]!;
  if (nr < 0) throw new Error(`kunmap_high: page ${page} is not kmapped`);
  const c = --pool.pkmap_count[nr]!;
  if (c <= 0) throw new Error(`kunmap_high: pkmap_count[${nr}] dropped to ${c}`);
  if (pool.m.observer !== null) pool.m.observer.pkmapCountChanged(nr, c);
  const need_wakeup = c === 1 && pool.pkmap_map_wait.length > 0;
  spin_unlock(task, pool.kmap_lock);
  task.cpu.setCat(MAP);
  if (need_wakeup) pool.pkmap_map_wait.wake_up(task.cpu);
}

// ---- kmap_atomic ---------------------------------------------------------------------

/** Fixmap virtual page of kmap_atomic slot `type` on `cpu`. */
export function kmap_atomic_vpage(cpu: number, type: number): number {
  return FIXMAP_KMAP_BASE + KM_TYPE_NR * cpu + type;
}

/**
 * kmap_atomic(page, type) for a highmem page: the CPU's own fixmap slot for `type`; set_pte,
 * then per kernel.kmap_atomic_map_flush a local invlpg (2.4 asm-i386/highmem.h
 * __flush_tlb_one: the slot may still map the previous page) or none (2.6+
 * arch/x86/mm/highmem_32.c kmap_atomic_prot: kunmap_atomic already cleared and flushed the
 * slot). No lock, no IPI, never sleeps, usable in IRQ context; the caller may not sleep until
 * kunmap_atomic. Returns the time to yield (charged to `map`, and `tlb` for the invlpg).
 */
export function kmap_atomic(ctx: ExecCtx, m: Machine, page: number, type: number): number {
  const cpu = ctx.cpu;
  const vpage = kmap_atomic_vpage(cpu.id, type);
  if (cpu.atomicKmaps & (1 << type)) throw new Error(`${ctx.name}: kmap_atomic(${KM_TYPE_NAMES[type]}) already in use on cpu${cpu.id}`);
  cpu.atomicKmaps |= 1 << type;
  m.highmem.kmap.atomic++;
  m.pgtable.set(vpage, page);
  if (!m.kmapAtomicMapFlush) return cpu.busy(MAP, m.costs.pte_write);
  cpu.tlb.flushPage(vpage);
  m.tlbStats.pageFlushes++;
  return cpu.busySplit(MAP, m.costs.pte_write, TLB, m.costs.invlpg);
}

/**
 * kunmap_atomic(vaddr, type), per kernel.kunmap_atomic_flush (src/kernel/versions.ts):
 * - true: pte_clear + __flush_tlb_one, a local invlpg ("force other mappings to Oops") —
 *   2.3.40 and 2.4.0 include/asm-i386/highmem.h under HIGHMEM_DEBUG (defined 1 there),
 *   2.6 arch/x86/mm/highmem_32.c kunmap_atomic (kpte_clear_flush), modern
 *   mm/highmem.c kunmap_local_indexed (flush_tlb_one_kernel);
 * - false: 2.4.16 without CONFIG_DEBUG_HIGHMEM leaves the PTE in place (it is overwritten,
 *   then invlpg'd, at the next map).
 * Returns the time to yield (0 when nothing is done; charged to `map` and `tlb`).
 */
export function kunmap_atomic(ctx: ExecCtx, m: Machine, type: number): number {
  const cpu = ctx.cpu;
  cpu.atomicKmaps &= ~(1 << type);
  if (!m.kunmapAtomicFlush) return 0;
  const vpage = kmap_atomic_vpage(cpu.id, type);
  m.pgtable.clear(vpage);
  cpu.tlb.flushPage(vpage);
  m.tlbStats.pageFlushes++;
  return cpu.busySplit(MAP, m.costs.pte_write, TLB, m.costs.invlpg);
}

// ---- kmap_local_page (5.11+) -----------------------------------------------------------

/**
 * Fixmap virtual page of kmap_local slot `idx` on `cpu`: 5.11+ mm/highmem.c
 * kmap_local_calc_idx (`idx + KM_MAX_IDX * smp_processor_id()`), __fix_to_virt(FIX_KMAP_BEGIN + idx).
 */
export function kmap_local_vpage(cpu: number, idx: number): number {
  return FIXMAP_KMAP_LOCAL_BASE + KM_MAX_IDX * cpu + idx;
}

/**
 * The kmap_ctrl a context pushes on: `current->kmap_ctrl` in any context (5.11+
 * mm/highmem.c kmap_local_idx_push) — in an interrupt, the interrupted task's (the idle
 * task's if the CPU was idle); the interrupt pops its maps before it returns.
 */
function kmap_ctrl_of(ctx: ExecCtx): KmapCtrl {
  const cur = ctx.cpu.current;
  return cur !== null ? cur.kmap_ctrl : ctx.cpu.idle_kmap_ctrl;
}

/**
 * kmap_local_page(page) (5.11+ include/linux/highmem-internal.h → mm/highmem.c
 * __kmap_local_page_prot): a lowmem page returns page_address() — nothing mapped, nothing
 * pushed (`out.vpage = −1`). A highmem page: __kmap_local_pfn_prot — migrate_disable() (the
 * task stays on this CPU; not preempt_disable: it may be switched out while it holds the
 * map), push the task's kmap_ctrl stack (kmap_local_idx_push: more than KM_MAX_IDX − 1 held
 * BUGs), set_pte_at the CPU's slot (kmap_local_calc_idx) and record the pteval. x86 has no
 * arch_kmap_local_post_map flush (the slot was invlpg'd when it was last unmapped): one PTE
 * write, no lock, no IPI, no invlpg. Returns the time to yield (charged to `map`).
 */
export function kmap_local_page(ctx: ExecCtx, m: Machine, pages: PagePool, page: number, out: { vpage: number }): number {
  if (!pages.isHigh(page)) {
    out.vpage = -1;
    return 0;
  }
  const cpu = ctx.cpu;
  const ctrl = kmap_ctrl_of(ctx);
  // kmap_local_idx_push: current->kmap_ctrl.idx += KM_INCR; BUG_ON(current->kmap_ctrl.idx >= KM_MAX_IDX)
  if (ctrl.idx + 1 >= KM_MAX_IDX) {
    throw new Error(`${ctx.name}: kmap_local_page: kernel BUG: kmap_ctrl.idx ${ctrl.idx + 1} >= KM_MAX_IDX ${KM_MAX_IDX} on cpu${cpu.id} (${ctrl.idx} local maps held)`);
  }
  const idx = ctrl.idx++;
  const vpage = kmap_local_vpage(cpu.id, idx);
  if (m.pgtable.get(vpage) !== NO_PAGE) throw new Error(`${ctx.name}: kmap_local_page: kernel BUG: slot ${idx} of cpu${cpu.id} is mapped (BUG_ON(!pte_none))`);
  m.pgtable.set(vpage, page);
  ctrl.pteval[idx] = page;
  m.highmem.kmap.local++;
  out.vpage = vpage;
  return cpu.busy(MAP, m.costs.pte_write);
}

/**
 * kunmap_local(vaddr) (5.11+ mm/highmem.c kunmap_local_indexed): an address outside the
 * fixmap (a lowmem page's page_address, `vpage` −1) needs nothing. Otherwise the map must be
 * the top of the stack — `WARN_ON_ONCE(addr != __fix_to_virt(FIX_KMAP_BEGIN + idx))`: local
 * maps are released in reverse order (the model refuses the wrong order rather than clear
 * the wrong slot) — then pte_clear + arch_kmap_local_post_unmap, on x86
 * flush_tlb_one_kernel: one local invlpg, no IPI; pop; migrate_enable(). Returns the time to
 * yield (charged to `map` and `tlb`).
 */
export function kunmap_local(ctx: ExecCtx, m: Machine, vpage: number): number {
  if (vpage < 0) return 0;
  const cpu = ctx.cpu;
  const ctrl = kmap_ctrl_of(ctx);
  const idx = ctrl.idx - 1;
  const top = kmap_local_vpage(cpu.id, idx);
  if (idx < 0 || vpage !== top) {
    const held = idx < 0 ? 'none held' : `the top is slot ${idx}`;
    throw new Error(`${ctx.name}: kunmap_local out of order on cpu${cpu.id}: unmapping slot ${vpage - kmap_local_vpage(cpu.id, 0)}, ${held} (local maps are released in reverse order)`);
  }
  m.pgtable.clear(vpage);
  cpu.tlb.flushPage(vpage);
  m.tlbStats.pageFlushes++;
  ctrl.pteval[idx] = NO_PAGE;
  ctrl.idx = idx;
  return cpu.busySplit(MAP, m.costs.pte_write, TLB, m.costs.invlpg);
}

/**
 * __kmap_local_sched_out (5.11+ mm/highmem.c, from kernel/sched/core.c prepare_task_switch
 * before switch_to): the outgoing task holds local maps — clear each slot's PTE and invlpg
 * it (pte_clear + arch_kmap_local_post_unmap), so that the next task can use the CPU's slots.
 * The task's kmap_ctrl (idx, pteval) stays as it is. Returns the ns of work.
 */
export function kmap_local_sched_out(cpu: Cpu, m: Machine, prev: CpuTask): number {
  const ctrl = prev.kmap_ctrl;
  const n = ctrl.idx;
  if (n === 0) return 0;
  for (let i = 0; i < n; i++) {
    const vpage = kmap_local_vpage(cpu.id, i);
    m.pgtable.clear(vpage);
    cpu.tlb.flushPage(vpage);
  }
  m.tlbStats.pageFlushes += n;
  m.highmem.kmap.localSchedOut += n;
  return n * (m.costs.pte_write + m.costs.invlpg);
}

/**
 * __kmap_local_sched_in (5.11+ mm/highmem.c, from kernel/sched/core.c finish_task_switch):
 * the incoming task held local maps when it was switched out — set_pte_at each slot back from
 * kmap_ctrl.pteval (no flush: the slots were invlpg'd when they were cleared). Returns the ns
 * of work.
 */
export function kmap_local_sched_in(cpu: Cpu, m: Machine, next: CpuTask): number {
  const ctrl = next.kmap_ctrl;
  const n = ctrl.idx;
  if (n === 0) return 0;
  for (let i = 0; i < n; i++) m.pgtable.set(kmap_local_vpage(cpu.id, i), ctrl.pteval[i]!);
  m.highmem.kmap.localSchedIn += n;
  return n * m.costs.pte_write;
}

/** Hook kmap_local_sched_out/in into every CPU's context switch (harmless where nobody maps locally). */
export function install_kmap_local_sched(m: Machine): void {
  const out = (cpu: Cpu, prev: CpuTask): number => kmap_local_sched_out(cpu, m, prev);
  const inn = (cpu: Cpu, next: CpuTask): number => kmap_local_sched_in(cpu, m, next);
  for (const cpu of m.cpus) {
    cpu.kmapLocalSchedOut = out;
    cpu.kmapLocalSchedIn = inn;
  }
}
