/**
 * vmalloc() / vfree() — a whole allocation: the kernel virtual area, the pages, the PTEs —
 * as the kernel of each era does it (mm/vmalloc.c), per kernel.vmap_area_locking and
 * kernel.vmap_purge_context (src/kernel/versions.ts). This is the loop of lib/test_vmalloc.c
 * fix_size_alloc_test (maptorture `api: vmalloc`), distinct from vmap (vmap_eager),
 * vm_map_ram (vmap_lazy, ./vmalloc.ts) and kmap.
 *
 * vmalloc(n pages) = __vmalloc_node_range:
 *   __get_vm_area_node: kzalloc the vm_struct (cost kmalloc); size += PAGE_SIZE (guard);
 *   alloc_vmap_area():
 *     6.9+ (vmap_nodes) node_alloc(): this CPU's node (raw_smp_processor_id() % nr_vmap_nodes)
 *       pops an area of exactly this size from its pool, under vn->pool_lock — no
 *       kmem_cache_alloc, no global lock; on a miss, as below.
 *     kmem_cache_alloc_node(vmap_area_cachep) (cost kmalloc); then under free_vmap_area_lock
 *       (5.5+; vmap_area_lock before) __alloc_vmap_area: the lowest fit in the augmented
 *       free tree, shrinking that free area (cost vmap_area_op);
 *     insert_vmap_area() into the busy tree (cost vmap_area_op) under vmap_area_lock
 *       (6.9+: busy.lock of addr_to_node(va_start): (addr / 16 pages) % nr_vmap_nodes);
 *     no hole: purge synchronously (reclaim_and_purge_vmap_areas) and retry once.
 *   setup_vmalloc_vm: the busy lock again, to link the vm_struct;
 *   __vmalloc_area_node: the page array (kmalloc), the pages (alloc_pages_bulk, cost
 *   page_alloc each), vmap_pages_range: a page-table walk (pgtable_walk_level per level)
 *   and one PTE write per page (pte_write).
 * vfree() = remove_vm_area: find (and 6.4+ unlink: find_unlink_vmap_area) the area in the
 *   busy tree under its lock; vunmap_range_noflush (walk + PTE clears, no flush);
 *   free_vmap_area_noflush: vmap_lazy_nr += pages; the area goes on the lazy list — llist
 *   (≤ 5.12, no lock), purge tree under purge_vmap_area_lock (5.13–6.8), or the lazy tree of
 *   the node that allocated it under its lazy.lock (6.9+); if vmap_lazy_nr >
 *   lazy_max_pages() = fls(num_online_cpus()) × (32 MiB / PAGE_SIZE): the caller purges
 *   (mutex_trylock(vmap_purge_lock), ≤ 5.17) or schedule_work(&drain_vmap_work) (5.18+);
 *   then the pages are freed (page_alloc each), the page array and vm_struct kfree'd.
 * __purge_vmap_area_lazy(), under the vmap_purge_lock mutex: take every lazy area, ONE
 *   flush_tlb_kernel_range over the union [min start, max end), then give the areas back —
 *   to the global free tree under free_vmap_area_lock (merge_or_add, vmap_area_op each), or
 *   (6.9+) to the pool of the node that allocated them (≤ MAX_VA_SIZE_PAGES), after each
 *   node's pool decays by a quarter (decay_va_pool_node) to the free tree.
 */
import { PARK, type ProcessBody } from '../engine/process.js';
import { MAP } from '../cpu/accounting.js';
import { Task } from '../cpu/task.js';
import { PAGE_SIZE, VMALLOC_BASE, fls } from './layout.js';
import type { Machine } from './machine.js';
import { Mutex } from './mutex.js';
import { spin_lock, spin_unlock, type Spinlock } from './spinlock.js';
import { flush_kernel_range } from './tlbflush.js';
import type { VmapAreaLocking, VmapPurgeContext } from './versions.js';
import { VmallocSpace, vfree_eager, vmap_eager, type VmallocEager, type VmMapping } from './vmalloc.js';
import { TaskWaitQueue } from './waitqueue.js';

/** 6.9+ mm/vmalloc.c MAX_VA_SIZE_PAGES: the largest area (pages) a node's pool keeps. */
export const MAX_VA_SIZE_PAGES = 256;
/** 6.9+ vmap_init_nodes(): "Node partition is 16 pages." (vmap_zone_size) */
export const VMAP_ZONE_PAGES = 16;
/** 6.9+ vmap_init_nodes(): n = clamp_t(unsigned int, num_possible_cpus(), 1, 128). */
export const MAX_VMAP_NODES = 128;

/** lazy_max_pages(): fls(num_online_cpus()) * (32UL * 1024 * 1024 / PAGE_SIZE) (2.6.28 … 6.15). */
export function lazy_max_pages(onlineCpus: number): number {
  return fls(onlineCpus) * ((32 * 1024 * 1024) / PAGE_SIZE);
}

/** nr_vmap_nodes (6.9+ vmap_init_nodes): one per possible CPU, at most 128. */
export function nr_vmap_nodes(possibleCpus: number): number {
  return Math.min(MAX_VMAP_NODES, Math.max(1, possibleCpus));
}

/** addr_to_node_id(): (addr / vmap_zone_size) % nr_vmap_nodes, on the virtual page. */
export function addr_to_node_id(vpage: number, nodes: number): number {
  return Math.floor(vpage / VMAP_ZONE_PAGES) % nodes;
}

/** struct vmap_area, as the model keeps it. */
interface VmapArea {
  /** Page offset in the vmalloc space. */
  addr: number;
  /** Pages, guard included. */
  span: number;
  /** 6.9+: the node whose CPU allocated it (encode_vn_id), or −1. */
  vnId: number;
}

/** 6.9+ struct vmap_node: its busy tree, lazy tree and size-class pools, each with its lock. */
interface VmapNode {
  readonly id: number;
  readonly busyLock: Spinlock;
  readonly lazyLock: Spinlock;
  readonly poolLock: Spinlock;
  lazy: VmapArea[];
  /** vn->pool[size - 1]: free areas of exactly that many pages, reused without the free tree. */
  readonly pool: Map<number, VmapArea[]>;
}

export interface VmallocModernOptions {
  locking: Exclude<VmapAreaLocking, 'vmlist'>;
  purgeContext: VmapPurgeContext;
  /** Override lazy_max_pages(); null: fls(cpus) × 8192. */
  lazyMaxPages: number | null;
  /** Page-table levels vmap_pages_range / vunmap_range walk above the PTEs. */
  pgtableLevels: number;
  skipFlush: boolean;
}

/** What the purges did, for tests and the result (counted since the start of the run). */
export class VmallocPurgeStats {
  purges = 0;
  areas = 0;
  /** Lazy pages given back by the purges. */
  pages = 0;
  /** Pages covered by the purges' flushes (the unions). */
  flushedPages = 0;
  /** 6.9+: purge_vmap_node runs that would have gone to a helper worker (run inline here). */
  helpers = 0;
  /** vmap_lazy_nr when each purge started (the last one). */
  lastLazyNr = 0;
  /** The last union flushed: first page offset and pages. */
  lastStart = -1;
  lastPages = 0;
}

export class VmallocModern {
  /** The busy tree's lock (vmap_area_lock); 6.9+: null, each node has its own. */
  readonly vmap_area_lock: Spinlock | null;
  /** The free tree's lock: free_vmap_area_lock (5.5+), vmap_area_lock before. */
  readonly free_vmap_area_lock: Spinlock;
  /** 5.13–6.8: the purge tree's lock; null where the lazy list is an llist (≤ 5.12) or per node. */
  readonly purge_vmap_area_lock: Spinlock | null;
  readonly nodes: VmapNode[];
  readonly vmap_purge_lock = new Mutex('vmap_purge_lock');
  readonly lazy_max_pages: number;
  vmap_lazy_nr = 0;
  /** The global lazy list (≤ 6.8). */
  private lazy: VmapArea[] = [];
  /** Busy areas by first virtual page. */
  private readonly busy = new Map<number, VmapArea>();
  readonly stats = new VmallocPurgeStats();
  // drain_vmap_work (5.18+): one work item on system_wq, one kworker per CPU.
  private drainPendingOn = -1;
  private drainRunningOn = -1;
  private readonly kworkers: Array<{ task: Task; wq: TaskWaitQueue } | null>;

  constructor(
    readonly m: Machine,
    readonly space: VmallocSpace,
    readonly opts: VmallocModernOptions,
  ) {
    const locking = opts.locking;
    this.vmap_area_lock = locking === 'vmap_nodes' ? null : m.spinlock('vmap_area_lock');
    this.free_vmap_area_lock = locking === 'vmap_area_lock' ? this.vmap_area_lock! : m.spinlock('free_vmap_area_lock');
    this.purge_vmap_area_lock = locking === 'split_purge_lock' ? m.spinlock('purge_vmap_area_lock') : null;
    const n = locking === 'vmap_nodes' ? nr_vmap_nodes(m.ncpus) : 0;
    this.nodes = [];
    for (let i = 0; i < n; i++) {
      this.nodes.push({
        id: i,
        busyLock: m.spinlock('vmap_node.busy.lock'),
        lazyLock: m.spinlock('vmap_node.lazy.lock'),
        poolLock: m.spinlock('vmap_node.pool_lock'),
        lazy: [],
        pool: new Map(),
      });
    }
    this.lazy_max_pages = opts.lazyMaxPages ?? lazy_max_pages(m.ncpus);
    this.kworkers = m.cpus.map(() => null);
  }

  /** The lock of the busy tree holding the area at `addr` (6.9+: addr_to_node(addr)->busy.lock). */
  busyLock(addr: number): Spinlock {
    if (this.nodes.length > 0) return this.nodes[addr_to_node_id(VMALLOC_BASE + addr, this.nodes.length)]!.busyLock;
    return this.vmap_area_lock!;
  }

  /** Areas currently in any node's pool (6.9+). */
  pooledAreas(): number {
    let n = 0;
    for (const vn of this.nodes) for (const l of vn.pool.values()) n += l.length;
    return n;
  }

  lazyAreas(): number {
    let n = this.lazy.length;
    for (const vn of this.nodes) n += vn.lazy.length;
    return n;
  }

  // ---- drain_vmap_work (5.18+ mm/vmalloc.c: schedule_work(&drain_vmap_work)) -----------

  /**
   * schedule_work(&drain_vmap_work) from CPU `cpu`: a no-op while the work is pending; while
   * it runs, it is queued again behind itself on the CPU running it (kernel/workqueue.c
   * __queue_work: a work item never runs on two CPUs at once); else on this CPU's kworker
   * (system_wq is per-CPU). The kworker runs when the task on that CPU next reaches a
   * scheduling point (cond_resched / might_sleep in the vmalloc path).
   */
  schedule_drain_work(cpu: number): void {
    if (this.drainPendingOn >= 0) return;
    const target = this.drainRunningOn >= 0 ? this.drainRunningOn : cpu;
    this.drainPendingOn = target;
    let w = this.kworkers[target]!;
    if (w === null) {
      const c = this.m.cpus[target]!;
      const task = new Task(KWORKER_ID_BASE + target, `kworker/${target}`, c, this.m.stream(`kworker:${target}`));
      w = { task, wq: new TaskWaitQueue('worker_pool') };
      this.kworkers[target] = w;
      task.start(kworker_thread(this, w.task, w.wq));
    } else {
      w.wq.wake_up(this.m.cpus[cpu]!);
    }
  }

  /** The kworker on `cpu` takes the work if it is pending there. */
  takeDrainWork(cpu: number): boolean {
    if (this.drainPendingOn !== cpu) return false;
    this.drainPendingOn = -1;
    this.drainRunningOn = cpu;
    return true;
  }

  drainDone(): void {
    this.drainRunningOn = -1;
  }

  // ---- the lazy lists ---------------------------------------------------------------

  addLazy(va: VmapArea): void {
    if (this.nodes.length > 0) this.lazyNodeOf(va).lazy.push(va);
    else this.lazy.push(va);
    this.vmap_lazy_nr += va.span;
  }

  /** free_vmap_area_noflush (6.9+): the node that allocated it, else the node of its address. */
  lazyNodeOf(va: VmapArea): VmapNode {
    return va.vnId >= 0 ? this.nodes[va.vnId]! : this.nodes[addr_to_node_id(VMALLOC_BASE + va.addr, this.nodes.length)]!;
  }

  takeGlobalLazy(): VmapArea[] {
    const l = this.lazy;
    this.lazy = [];
    return l;
  }

  addBusy(va: VmapArea): void {
    this.busy.set(VMALLOC_BASE + va.addr, va);
  }

  takeBusy(vpage: number): VmapArea {
    const va = this.busy.get(vpage);
    if (va === undefined) throw new Error(`vfree: no vmap_area at page ${vpage}`);
    this.busy.delete(vpage);
    return va;
  }
}

/** Task ids of the kworkers (maptorture tasks are numbered from 0). */
const KWORKER_ID_BASE = 1_000_000;

/** cond_resched() / might_sleep() (CONFIG_PREEMPT_VOLUNTARY): let a runnable task (a kworker) run. */
function* cond_resched(task: Task): ProcessBody {
  if (task.cpu.sched_yield(task) === PARK) yield PARK;
}

/** worker_thread() of the CPU's kworker: runs drain_vmap_work when it is queued here. */
function* kworker_thread(v: VmallocModern, task: Task, wq: TaskWaitQueue): ProcessBody {
  for (;;) {
    if (!v.takeDrainWork(task.cpu.id)) {
      yield wq.sleep(task);
      continue;
    }
    yield* drain_vmap_area_work(task, v);
    v.drainDone();
  }
}

/** drain_vmap_area_work() (5.18+): purge under vmap_purge_lock until below lazy_max_pages(). */
function* drain_vmap_area_work(task: Task, v: VmallocModern): ProcessBody {
  do {
    yield* v.vmap_purge_lock.lock(task);
    yield* __purge_vmap_area_lazy(task, v, false);
    v.vmap_purge_lock.unlock(task);
  } while (v.vmap_lazy_nr > v.lazy_max_pages);
}

/**
 * __purge_vmap_area_lazy() (caller holds vmap_purge_lock): take every lazy area, one flush
 * over their union, then give them back.
 * `fullDecay` (reclaim_and_purge_vmap_areas, the allocation-failure path): 6.9+ empties the
 * pools too and does not refill them.
 */
function* __purge_vmap_area_lazy(task: Task, v: VmallocModern, fullDecay: boolean): ProcessBody {
  const m = v.m;
  const cpu = task.cpu;
  const op = m.costs.vmap_area_op;
  const lazyNrBefore = v.vmap_lazy_nr;
  let start = Number.POSITIVE_INFINITY;
  let end = 0;
  const perNode: Array<{ vn: VmapNode | null; areas: VmapArea[] }> = [];
  if (v.nodes.length > 0) {
    for (const vn of v.nodes) {
      // decay_va_pool_node(): a quarter of each pool (all of it on full decay) goes back
      // to the global free tree (reclaim_list_global, under free_vmap_area_lock).
      yield* decay_va_pool_node(task, v, vn, fullDecay);
      if (vn.lazy.length === 0) continue;
      yield spin_lock(task, vn.lazyLock, '__purge_vmap_area_lazy');
      const areas = vn.lazy;
      vn.lazy = [];
      spin_unlock(task, vn.lazyLock);
      perNode.push({ vn, areas });
    }
  } else {
    // ≤ 5.12 llist_del_all(&vmap_purge_list); 5.13–6.8 list_replace_init under purge_vmap_area_lock.
    const lock = v.purge_vmap_area_lock;
    if (lock !== null) yield spin_lock(task, lock, '__purge_vmap_area_lazy');
    const areas = v.takeGlobalLazy();
    if (lock !== null) spin_unlock(task, lock);
    if (areas.length > 0) perNode.push({ vn: null, areas });
  }
  if (perNode.length === 0) return;
  let nrAreas = 0;
  for (const p of perNode) {
    for (const a of p.areas) {
      if (a.addr < start) start = a.addr;
      if (a.addr + a.span > end) end = a.addr + a.span;
    }
    nrAreas += p.areas.length;
  }
  const st = v.stats;
  st.purges++;
  st.areas += nrAreas;
  st.flushedPages += end - start;
  st.lastStart = start;
  st.lastPages = end - start;
  st.lastLazyNr = lazyNrBefore;
  m.highmem.vmap.purges++;
  if (!v.opts.skipFlush) yield* flush_kernel_range(task, m, VMALLOC_BASE + start, end - start);
  if (v.nodes.length > 0) {
    // One extra worker per lazy_max_pages() full set, minus one: purge_vmap_node of those
    // nodes goes to kworkers on their CPUs (schedule_work_on), the rest runs here. Modelled
    // inline, in turn, and counted: the purge is triggered by the freer's crossing of the
    // threshold, where vmap_lazy_nr / lazy_max_pages() is 1 and the count is 0.
    const helpers = Math.min(Math.max(Math.floor(v.vmap_lazy_nr / v.lazy_max_pages), 1), perNode.length) - 1;
    st.helpers += helpers;
  }
  for (const p of perNode) {
    // purge_vmap_node(): areas back to the allocating node's pool (node_pool_add_va under
    // pool_lock) when small enough, the rest to the free tree (reclaim_list_global).
    const back: VmapArea[] = [];
    let pages = 0;
    for (const a of p.areas) {
      pages += a.span;
      if (p.vn !== null && !fullDecay && a.vnId >= 0 && a.span <= MAX_VA_SIZE_PAGES) {
        const vn = v.nodes[a.vnId]!;
        yield spin_lock(task, vn.poolLock, 'node_pool_add_va');
        const l = vn.pool.get(a.span);
        if (l === undefined) vn.pool.set(a.span, [a]);
        else l.push(a);
        spin_unlock(task, vn.poolLock);
      } else {
        back.push(a);
      }
    }
    v.vmap_lazy_nr -= pages;
    st.pages += pages;
    if (back.length > 0) {
      yield spin_lock(task, v.free_vmap_area_lock, 'reclaim_list_global');
      for (const a of back) v.space.free(a.addr, a.span);
      yield cpu.busy(MAP, back.length * op);
      spin_unlock(task, v.free_vmap_area_lock);
    }
  }
  if (m.observer !== null) m.observer.vmapPurged(cpu.id, nrAreas, st.lastPages, fullDecay, v.vmap_lazy_nr);
}

/** decay_va_pool_node() (6.9+): n_decay = len >> 2 of each pool (all with full decay) → free tree. */
function* decay_va_pool_node(task: Task, v: VmallocModern, vn: VmapNode, fullDecay: boolean): ProcessBody {
  if (vn.pool.size === 0) return;
  const decayed: VmapArea[] = [];
  yield spin_lock(task, vn.poolLock, 'decay_va_pool_node');
  for (const [size, l] of vn.pool) {
    const nDecay = fullDecay ? l.length : l.length >> 2;
    for (let i = 0; i < nDecay; i++) decayed.push(l.shift()!);
    if (l.length === 0) vn.pool.delete(size);
  }
  spin_unlock(task, vn.poolLock);
  if (decayed.length === 0) return;
  yield spin_lock(task, v.free_vmap_area_lock, 'reclaim_list_global');
  for (const a of decayed) v.space.free(a.addr, a.span);
  yield task.cpu.busy(MAP, decayed.length * v.m.costs.vmap_area_op);
  spin_unlock(task, v.free_vmap_area_lock);
}

/** reclaim_and_purge_vmap_areas() / purge_vmap_area_lazy(): the allocation-failure purge. */
function* reclaim_and_purge_vmap_areas(task: Task, v: VmallocModern): ProcessBody {
  yield* v.vmap_purge_lock.lock(task);
  yield* __purge_vmap_area_lazy(task, v, true);
  v.vmap_purge_lock.unlock(task);
}

/** alloc_vmap_area(size = `span` pages): see the file comment. */
function* alloc_vmap_area(task: Task, v: VmallocModern, span: number, out: { va: VmapArea | null }): ProcessBody {
  const m = v.m;
  const cpu = task.cpu;
  const op = m.costs.vmap_area_op;
  yield* cond_resched(task); // might_sleep()
  let va: VmapArea | null = null;
  let vnId = -1;
  if (v.nodes.length > 0) {
    // node_alloc(): this CPU's node, its pool of this size, under pool_lock.
    vnId = cpu.id % v.nodes.length;
    const vn = v.nodes[vnId]!;
    yield spin_lock(task, vn.poolLock, 'node_pool_del_va');
    const l = vn.pool.get(span);
    if (l !== undefined && l.length > 0) {
      va = l.shift()!;
      va.vnId = vnId;
    }
    spin_unlock(task, vn.poolLock);
  }
  if (va === null) {
    yield cpu.busy(MAP, m.costs.kmalloc); // kmem_cache_alloc_node(vmap_area_cachep)
    const single = v.opts.locking === 'vmap_area_lock';
    for (let purged = false; ; ) {
      yield spin_lock(task, v.free_vmap_area_lock, 'alloc_vmap_area');
      // __alloc_vmap_area: find_vmap_lowest_match + va_clip (one augmented-tree operation);
      // with one vmap_area_lock (≤ 5.4) the busy insert is done under the same hold.
      yield cpu.busy(MAP, single ? 2 * op : op);
      const addr = v.space.alloc(span);
      if (single && addr >= 0) {
        va = { addr, span, vnId };
        v.addBusy(va);
      }
      spin_unlock(task, v.free_vmap_area_lock);
      if (addr >= 0) {
        va = va ?? { addr, span, vnId };
        break;
      }
      if (purged) {
        m.highmem.vmap.failures++; // "vmap allocation for size %lu failed: use vmalloc=<size> to increase size"
        if (m.observer !== null) m.observer.vmapAllocFailed(cpu.id, span);
        yield cpu.busy(MAP, m.costs.kmalloc); // kmem_cache_free
        out.va = null;
        return;
      }
      purged = true;
      yield* reclaim_and_purge_vmap_areas(task, v);
    }
    if (single) {
      out.va = va;
      return;
    }
  }
  // insert_vmap_area() into the busy tree of the area's node.
  const lock = v.busyLock(va.addr);
  yield spin_lock(task, lock, 'alloc_vmap_area');
  yield cpu.busy(MAP, op);
  v.addBusy(va);
  spin_unlock(task, lock);
  out.va = va;
}

/** vmalloc(pages.length pages), mapped onto `pages`: see the file comment. */
export function* vmalloc(task: Task, v: VmallocModern, pages: readonly number[], out: { map: VmMapping | null }): ProcessBody {
  const m = v.m;
  const c = m.costs;
  const cpu = task.cpu;
  const n = pages.length;
  yield cpu.busy(MAP, c.kmalloc); // __get_vm_area_node: kzalloc_node(vm_struct)
  const r: { va: VmapArea | null } = { va: null };
  yield* alloc_vmap_area(task, v, n + 1, r); // size += PAGE_SIZE: the guard page
  const va = r.va;
  if (va === null) {
    yield cpu.busy(MAP, c.kmalloc); // kfree(area)
    out.map = null;
    return;
  }
  // setup_vmalloc_vm(): links the vm_struct under the busy lock.
  const lock = v.busyLock(va.addr);
  yield spin_lock(task, lock, 'setup_vmalloc_vm');
  spin_unlock(task, lock);
  m.highmem.vmap.allocs++;
  // __vmalloc_area_node: the page array, then the pages (alloc_pages_bulk).
  yield cpu.busy(MAP, c.kmalloc + n * c.page_alloc);
  // vmap_pages_range(): walk to the page table, then one PTE per page.
  const vpage = VMALLOC_BASE + va.addr;
  for (let i = 0; i < n; i++) m.pgtable.set(vpage + i, pages[i]!);
  yield cpu.busy(MAP, v.opts.pgtableLevels * c.pgtable_walk_level + n * c.pte_write);
  out.map = { vpage, npages: n, span: va.span, block: null };
}

/** vfree(): see the file comment. */
export function* vfree(task: Task, v: VmallocModern, map: VmMapping): ProcessBody {
  if (task.inIrq) throw new Error(`${task.name}: vfree() in interrupt context`);
  const m = v.m;
  const c = m.costs;
  const cpu = task.cpu;
  const locking = v.opts.locking;
  const va = v.takeBusy(map.vpage);
  // remove_vm_area(): ≤ 6.3 __find_vmap_area under vmap_area_lock, the unlink later in
  // free_vmap_area_noflush under it again; 6.4+ find_unlink_vmap_area in one hold.
  const busy = v.busyLock(va.addr);
  const oneHold = locking === 'split_purge_lock' || locking === 'vmap_nodes';
  yield spin_lock(task, busy, oneHold ? 'find_unlink_vmap_area' : 'remove_vm_area');
  yield cpu.busy(MAP, (oneHold ? 2 : 1) * c.vmap_area_op);
  spin_unlock(task, busy);
  // free_unmap_vmap_area(): vunmap_range_noflush — the PTEs go, no TLB flush.
  for (let i = 0; i < map.npages; i++) m.pgtable.clear(map.vpage + i);
  yield cpu.busy(MAP, v.opts.pgtableLevels * c.pgtable_walk_level + map.npages * c.pte_write);
  m.highmem.vmap.frees++;
  yield* free_vmap_area_noflush(task, v, va, busy, oneHold);
  // vfree(): __free_page for each page, kvfree(vm->pages), kfree(vm).
  yield cpu.busy(MAP, map.npages * c.page_alloc + 2 * c.kmalloc);
}

/** free_vmap_area_noflush(): the area goes lazy; over lazy_max_pages() a purge is started. */
function* free_vmap_area_noflush(task: Task, v: VmallocModern, va: VmapArea, busy: Spinlock, unlinked: boolean): ProcessBody {
  const cpu = task.cpu;
  const op = v.m.costs.vmap_area_op;
  if (!unlinked) {
    // ≤ 6.3: unlink_va(va, &vmap_area_root) under vmap_area_lock.
    yield spin_lock(task, busy, 'free_vmap_area_noflush');
    yield cpu.busy(MAP, op);
    spin_unlock(task, busy);
  }
  let lazyLock: Spinlock | null = null;
  if (v.nodes.length > 0) lazyLock = v.lazyNodeOf(va).lazyLock;
  else if (v.purge_vmap_area_lock !== null) lazyLock = v.purge_vmap_area_lock;
  if (lazyLock !== null) {
    // 5.13–6.8 merge_or_add_vmap_area into the purge tree; 6.9+ insert_vmap_area into vn->lazy.
    yield spin_lock(task, lazyLock, 'free_vmap_area_noflush');
    yield cpu.busy(MAP, op);
    v.addLazy(va);
    spin_unlock(task, lazyLock);
  } else {
    v.addLazy(va); // ≤ 5.12: llist_add(&va->purge_list, &vmap_purge_list), lock-free
  }
  if (v.m.observer !== null) v.m.observer.vmapLazyFreed(va.span, v.vmap_lazy_nr);
  if (v.vmap_lazy_nr <= v.lazy_max_pages) return;
  if (v.opts.purgeContext === 'kworker') {
    v.schedule_drain_work(cpu.id); // 5.18+: schedule_work(&drain_vmap_work)
  } else if (v.vmap_purge_lock.trylock(task)) {
    // ≤ 5.17 try_purge_vmap_area_lazy(): mutex_trylock, purge here.
    yield* __purge_vmap_area_lazy(task, v, false);
    v.vmap_purge_lock.unlock(task);
  }
}

// ---- ≤ 2.6.27: vmalloc on the eager vmlist --------------------------------------------------

/**
 * 2.6.27 __vmalloc_area_node on the eager layer: get_vm_area (vmap_eager: kmalloc the
 * vm_struct, the vmlist walk under vmlist_lock, the PTEs), plus the page array and the pages;
 * vfree: remove_vm_area with its flush_tlb_all (vfree_eager), then the pages and the array.
 */
export function* vmalloc_vmlist(task: Task, v: VmallocEager, pages: readonly number[], out: { map: VmMapping | null }): ProcessBody {
  const c = v.m.costs;
  yield task.cpu.busy(MAP, c.kmalloc + pages.length * c.page_alloc);
  yield* vmap_eager(task, v, pages, out);
}

export function* vfree_vmlist(task: Task, v: VmallocEager, map: VmMapping): ProcessBody {
  const c = v.m.costs;
  yield* vfree_eager(task, v, map);
  yield task.cpu.busy(MAP, map.npages * c.page_alloc + c.kmalloc);
}


