/**
 * vmalloc space mappings (mm/vmalloc.c), in two generations:
 *
 * Eager (2.3.40 – 2.6.27): a sorted list of vm_structs, with what each version does
 *   (src/kernel/versions.ts; EagerOptions below):
 *   2.4.16 / 2.6.27: one rwlock `vmlist_lock`. get_vm_area(): size += guard page;
 *     write_lock; first-fit linear walk; insert; unlock. vmalloc_area_pages() sets the
 *     PTEs under init_mm.page_table_lock (2.4.16), no flush. vfree()/vunmap(): write_lock;
 *     walk to the area; unlink; clear its PTEs; flush_tlb_all() WHILE STILL HOLDING the
 *     write lock; unlock. So every teardown is a broadcast IPI round, and teardowns
 *     serialise behind each other's rounds.
 *   2.4.0: the same, but vmalloc_area_pages() sets the PTEs under lock_kernel() and then
 *     calls flush_tlb_all() (after unlock_kernel): a broadcast round on map too.
 *   2.3.40 (the seed's kernel): no vmlist_lock at all — get_vm_area() and vfree() walk
 *     and edit vmlist with no lock (the May 2000 "SMP-safe vmalloc" patch added it) — and
 *     vmalloc_area_pages() ends with flush_tlb_all(): two IPI rounds per map+unmap, neither
 *     under a vmalloc lock, so concurrent teardowns serialise only on smp_call_function's lock.
 *
 * Lazy (2.6.28+): areas under spinlock `vmap_area_lock`. Teardown clears PTEs, defers the
 *   flush: vmap_lazy_nr += pages, purge when vmap_lazy_nr > lazy_max_pages() =
 *   fls(num_online_cpus()) × (32 MiB / PAGE_SIZE). A purge (under purge_lock, trylock when
 *   opportunistic) does ONE flush over the union range, then frees every lazy area under
 *   vmap_area_lock. An allocation that finds no hole purges synchronously and retries once,
 *   then fails ("vmap allocation failed").
 *   Small mappings (vm_map_ram ≤ VMAP_MAX_ALLOC pages) go through the per-CPU vmap_block
 *   frontend (vb_alloc / vb_free), which takes no global lock in the common case.
 */
import type { ProcessBody } from '../engine/process.js';
import { MAP } from '../cpu/accounting.js';
import type { ExecCtx, Task } from '../cpu/task.js';
import { PAGE_SIZE, VMALLOC_BASE, fls } from './layout.js';
import type { Machine } from './machine.js';
import type { RwLock } from './rwlock.js';
import { spin_lock, spin_unlock, type Spinlock } from './spinlock.js';
import { flush_kernel_range } from './tlbflush.js';
import type { VmallocMapLock } from './versions.js';

/** The vmalloc address range as pages, allocated first-fit. */
export class VmallocSpace {
  readonly pages: number;
  private used: Uint8Array;
  /** Lowest page that may be free: every page below it is in use. */
  private lowestFree = 0;

  constructor(bytes: number) {
    this.pages = Math.floor(bytes / PAGE_SIZE);
    this.used = new Uint8Array(this.pages);
  }

  /** First fit for `n` contiguous pages; returns the page offset or −1 if no hole. */
  alloc(n: number): number {
    const used = this.used;
    let run = 0;
    for (let i = this.lowestFree; i < this.pages; i++) {
      if (used[i] !== 0) {
        run = 0;
        continue;
      }
      if (++run === n) {
        const start = i - n + 1;
        used.fill(1, start, i + 1);
        if (start === this.lowestFree) this.advanceLowest();
        return start;
      }
    }
    return -1;
  }

  free(start: number, n: number): void {
    this.used.fill(0, start, start + n);
    if (start < this.lowestFree) this.lowestFree = start;
  }

  private advanceLowest(): void {
    while (this.lowestFree < this.pages && this.used[this.lowestFree] !== 0) this.lowestFree++;
  }
}

/** A live vmalloc mapping, as the caller keeps it for the teardown. */
export interface VmMapping {
  /** First virtual page. */
  vpage: number;
  /** Pages mapped (excluding any guard page). */
  npages: number;
  /** Pages the area occupies in the vmalloc space (with guard page / block order). */
  span: number;
  /** The vmap_block it was carved from (lazy frontend), else null. */
  block: VmapBlock | null;
}

function setPtes(m: Machine, vpage: number, pages: readonly number[]): void {
  for (let i = 0; i < pages.length; i++) m.pgtable.set(vpage + i, pages[i]!);
}

function clearPtes(m: Machine, vpage: number, n: number): void {
  for (let i = 0; i < n; i++) m.pgtable.clear(vpage + i);
}

// ---- eager: 2.4 get_vm_area / vfree ------------------------------------------------------

interface VmStruct {
  addr: number; // page offset in the space
  size: number; // pages, including the guard page
}

/**
 * Areas of the address-sorted vmlist below `addr`: the ones a walk to `addr` visits (the
 * kernel walks them one by one, and is charged so; the model counts them by bisection).
 */
function areasBelow(vmlist: readonly VmStruct[], addr: number): number {
  let lo = 0;
  let hi = vmlist.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (vmlist[mid]!.addr < addr) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** What the eager vmalloc of the configured kernel does (src/kernel/versions.ts). */
export interface EagerOptions {
  /** get_vm_area/vfree take vmlist_lock for write (2.3.99pre9+); 2.3.40 has no lock. */
  vmlistLock: boolean;
  /** Lock held while vmalloc_area_pages writes the PTEs. */
  mapLock: VmallocMapLock;
  /** vmalloc_area_pages ends with flush_tlb_all() (2.3.40, 2.4.0). */
  flushOnMap: boolean;
  /** Bug injection: tear down without the TLB flush. */
  skipFlush: boolean;
}

export class VmallocEager {
  /** vmlist, sorted by address. */
  readonly vmlist: VmStruct[] = [];
  /** null: the kernel has no vmlist_lock (2.3.40). */
  readonly vmlist_lock: RwLock | null;
  /** lock_kernel()'s kernel_flag (2.4.0) or init_mm.page_table_lock (2.4.16), or null. */
  readonly mapLock: Spinlock | null;

  constructor(
    readonly m: Machine,
    readonly space: VmallocSpace,
    readonly opts: EagerOptions,
  ) {
    this.vmlist_lock = opts.vmlistLock ? m.rwlock('vmlist_lock') : null;
    this.mapLock =
      opts.mapLock === 'kernel_flag' ? m.spinlock('kernel_flag') : opts.mapLock === 'page_table_lock' ? m.spinlock('init_mm.page_table_lock') : null;
  }
}

/**
 * Areas a booted kernel already holds (modules, ioremap; kernel.vmalloc_boot_areas): `n`
 * areas of `pages` pages + guard at the bottom of the space, where early first-fit
 * allocations land. In the eager list every later get_vm_area / vfree walk passes them;
 * the lazy allocator (an rbtree, cost vmap_area_op) only loses their space. As many as
 * fit are reserved.
 */
export function reserve_vmalloc_boot_areas(v: VmallocEager | VmapLazy | null, n: number, pages: number): void {
  if (v === null) return;
  for (let i = 0; i < n; i++) {
    const addr = v.space.alloc(pages + 1);
    if (addr < 0) return;
    if (v instanceof VmallocEager) v.vmlist.push({ addr, size: pages + 1 });
  }
}

/**
 * get_vm_area(size) (kmalloc the vm_struct, then the walk under the lock) +
 * mapping the pages (vmalloc_area_pages / the 2000 patch's map):
 * returns the mapping, or null if the space is full (2.4 does not retry).
 */
export function* vmap_eager(task: Task, v: VmallocEager, pages: readonly number[], out: { map: VmMapping | null }): ProcessBody {
  const m = v.m;
  const cpu = task.cpu;
  // area = kmalloc(sizeof(*area), GFP_KERNEL), before the lock: the code a vfree caller
  // runs between its write_unlock and its next write_lock (see rwlock.ts).
  yield cpu.busy(MAP, m.costs.kmalloc);
  const size = pages.length + 1; // size += PAGE_SIZE: the guard page
  const lock = v.vmlist_lock;
  if (lock !== null) yield lock.write_lock(task, 'get_vm_area');
  const addr = v.space.alloc(size);
  // First-fit walk: every area below the hole was visited (all of them when there is none).
  const visited = addr < 0 ? v.vmlist.length : areasBelow(v.vmlist, addr);
  // The list is edited at once and the walk charged after: with no vmlist_lock (2.3.40)
  // another CPU may walk meanwhile, and the model keeps each walk+edit atomic (the real
  // race on the unprotected list is not modelled).
  if (addr >= 0) v.vmlist.splice(visited, 0, { addr, size });
  yield cpu.busy(MAP, (visited + 1) * m.costs.vmlist_walk_area);
  if (lock !== null) lock.write_unlock(task);
  if (addr < 0) {
    yield cpu.busy(MAP, m.costs.kmalloc); // kfree(area)
    m.highmem.vmap.failures++;
    if (m.observer !== null) m.observer.vmapAllocFailed(cpu.id, pages.length);
    out.map = null;
    return;
  }
  m.highmem.vmap.allocs++;
  const vpage = VMALLOC_BASE + addr;
  yield* vmalloc_area_pages(task, v, vpage, pages);
  out.map = { vpage, npages: pages.length, span: size, block: null };
}

/**
 * vmalloc_area_pages(): write the PTEs — under lock_kernel() (2.4.0), under
 * init_mm.page_table_lock (2.4.16) or with no lock (2.3.40) — then, in 2.3.40 and 2.4.0,
 * flush_tlb_all() (outside every lock).
 */
function* vmalloc_area_pages(task: Task, v: VmallocEager, vpage: number, pages: readonly number[]): ProcessBody {
  const m = v.m;
  const lock = v.mapLock;
  if (lock !== null) yield spin_lock(task, lock, 'vmalloc_area_pages');
  setPtes(m, vpage, pages);
  yield task.cpu.busy(MAP, pages.length * m.costs.pte_write);
  if (lock !== null) spin_unlock(task, lock);
  if (v.opts.flushOnMap) yield* flush_kernel_range(task, m, vpage, pages.length);
}

/**
 * vfree()/vunmap(): unlink, clear PTEs, flush_tlb_all() — under the write lock (2.3.99pre9+),
 * or with no lock at all (2.3.40) — then kfree the vm_struct after the unlock.
 */
export function* vfree_eager(task: Task, v: VmallocEager, map: VmMapping): ProcessBody {
  if (task.inIrq) throw new Error(`${task.name}: vfree() in interrupt context`);
  const m = v.m;
  const cpu = task.cpu;
  const addr = map.vpage - VMALLOC_BASE;
  const lock = v.vmlist_lock;
  if (lock !== null) yield lock.write_lock(task, 'vfree');
  // The walk to the area: every area below it, then it (vmlist is sorted by address).
  const i = areasBelow(v.vmlist, addr);
  if (i === v.vmlist.length || v.vmlist[i]!.addr !== addr) throw new Error(`vfree: no vm area at page ${addr}`);
  v.vmlist.splice(i, 1); // unlinked at once: see vmap_eager
  yield cpu.busy(MAP, (i + 1) * m.costs.vmlist_walk_area + map.npages * m.costs.pte_write);
  clearPtes(m, map.vpage, map.npages);
  v.space.free(addr, map.span);
  m.highmem.vmap.frees++;
  if (!v.opts.skipFlush) yield* flush_kernel_range(task, m, map.vpage, map.npages);
  if (lock !== null) lock.write_unlock(task);
  yield cpu.busy(MAP, m.costs.kmalloc); // kfree(tmp), after the unlock
}

// ---- lazy: 2.6.28 vmap_area + vmap_block -------------------------------------------------

/** VMAP_MAX_ALLOC = BITS_PER_LONG (32 on i386): the largest vm_map_ram served by blocks. */
export const VMAP_MAX_ALLOC = 32;

/**
 * 2.6.28 mm/vmalloc.c VMALLOC_SPACE on 32-bit: (128UL*1024*1024), a compile-time guess
 * ("If we had a constant VMALLOC_START and VMALLOC_END, we'd like to ... Guess instead"),
 * not the configured vmalloc size.
 */
export const VMALLOC_SPACE_32 = 128 * 1024 * 1024;

/**
 * CONFIG_NR_CPUS of arch/x86/configs/i386_defconfig: 64 (read in the 2.6.30-rc2 file,
 * gebi/linux-2.6; the 2.6.28 file was not available to check). A compile-time constant:
 * VMAP_BBMAP_BITS does not depend on the CPUs the machine has. The version's value is
 * scenario field kernel.nr_cpus (src/kernel/versions.ts); this is the default here.
 */
export const I386_DEFCONFIG_NR_CPUS = 64;

/**
 * VMAP_BBMAP_BITS (2.6.28 mm/vmalloc.c): VMAP_MIN(VMAP_BBMAP_BITS_MAX = 1024,
 * VMAP_MAX(VMAP_BBMAP_BITS_MIN = 2*VMAP_MAX_ALLOC, VMALLOC_PAGES / NR_CPUS / 16)), with
 * VMALLOC_PAGES = VMALLOC_SPACE / PAGE_SIZE — all compile-time. (2.6.37+ divides by
 * roundup_pow_of_two(NR_CPUS): the same for a power of two such as 64 or 8.)
 * 2.6.28 i386 defconfig: min(1024, max(64, 32768 / 64 / 16 = 32)) = 64 pages; modern
 * i386 (NR_CPUS 8): 32768 / 8 / 16 = 256 pages.
 */
export function vmap_bbmap_bits(nrCpus: number = I386_DEFCONFIG_NR_CPUS): number {
  const VMALLOC_PAGES = VMALLOC_SPACE_32 / PAGE_SIZE;
  return Math.min(1024, Math.max(2 * VMAP_MAX_ALLOC, Math.floor(VMALLOC_PAGES / nrCpus / 16)));
}

export class VmapBlock {
  /** Pages not yet handed out (allocation only moves forward within a block). */
  free: number;
  /** Pages handed out and since freed (their PTEs cleared, TLBs not yet flushed). */
  dirty = 0;
  constructor(
    readonly vpage: number,
    readonly size: number,
    readonly lock: Spinlock,
  ) {
    this.free = size;
  }
}

interface LazyArea {
  addr: number;
  span: number;
}

export interface VmapLazyOptions {
  /** Use the per-CPU vmap_block frontend for small mappings. */
  vmapBlock: boolean;
  /** Override lazy_max_pages(); null: fls(ncpus) × 8192. */
  lazyMaxPages: number | null;
  /** CONFIG_NR_CPUS the kernel was built with (VMAP_BBMAP_BITS); default I386_DEFCONFIG_NR_CPUS. */
  nrCpus?: number;
  /** kernel.vb_alloc_scan: vb_alloc's bitmap_find_free_region scan (2.6.28; gone by 5.10); default false. */
  vbAllocScan?: boolean;
  /** Page-table levels vmap_page_range walks above the PTEs (2, 3 with PAE); default 2. */
  pgtableLevels?: number;
  skipFlush: boolean;
}

export class VmapLazy {
  readonly vmap_area_lock: Spinlock;
  readonly purge_lock: Spinlock;
  vmap_lazy_nr = 0;
  readonly lazy_max_pages: number;
  /** VMAP_BBMAP_BITS: pages per vmap_block. */
  readonly blockPages: number;
  /** Lazily freed areas awaiting the purge (the kernel marks them VM_LAZY_FREE). */
  lazy: LazyArea[] = [];
  /** Per-CPU vmap_block_queue: its lock and the blocks with free space. */
  readonly vbq: Array<{ lock: Spinlock; free: VmapBlock[] }>;
  /**
   * Height of vmap_block_tree (radix tree, RADIX_TREE_MAP_SHIFT 6; 5.x+ the XArray, also 6
   * bits a level) indexed by block number: the levels radix_tree_lookup walks in vb_free.
   */
  readonly blockTreeHeight: number;

  constructor(
    readonly m: Machine,
    readonly space: VmallocSpace,
    readonly opts: VmapLazyOptions,
  ) {
    this.vmap_area_lock = m.spinlock('vmap_area_lock');
    this.purge_lock = m.spinlock('purge_lock');
    // lazy_max_pages(): fls(num_online_cpus()) * (32UL * 1024 * 1024 / PAGE_SIZE)
    this.lazy_max_pages = opts.lazyMaxPages ?? fls(m.ncpus) * ((32 * 1024 * 1024) / PAGE_SIZE);
    // VMAP_BBMAP_BITS: compile-time, from VMALLOC_SPACE and CONFIG_NR_CPUS, not the online CPUs.
    this.blockPages = vmap_bbmap_bits(opts.nrCpus);
    this.vbq = m.cpus.map(() => ({ lock: m.spinlock('vmap_block_queue.lock'), free: [] }));
    const blocks = Math.max(2, Math.ceil(space.pages / this.blockPages));
    this.blockTreeHeight = Math.max(1, Math.ceil(Math.log2(blocks) / 6));
  }
}

/**
 * alloc_vmap_area(): first fit under vmap_area_lock; on failure purge synchronously and
 * retry once; then fail. Returns the page offset or −1.
 */
function* alloc_vmap_area(ctx: ExecCtx, v: VmapLazy, span: number, out: { addr: number }): ProcessBody {
  const m = v.m;
  let purged = false;
  for (;;) {
    yield spin_lock(ctx, v.vmap_area_lock, 'alloc_vmap_area');
    yield ctx.cpu.busy(MAP, m.costs.vmap_area_op);
    const addr = v.space.alloc(span);
    spin_unlock(ctx, v.vmap_area_lock);
    if (addr >= 0) {
      out.addr = addr;
      return;
    }
    if (purged) {
      m.highmem.vmap.failures++; // "vmap allocation for size %lu failed: use vmalloc=<size> to increase size."
      if (m.observer !== null) m.observer.vmapAllocFailed(ctx.cpu.id, span);
      out.addr = -1;
      return;
    }
    purged = true;
    yield* purge_vmap_area_lazy(ctx, v, true);
  }
}

/** free_unmap_vmap_area_noflush(): the area goes lazy; purge if too many lazy pages. */
function* free_vmap_area_noflush(ctx: ExecCtx, v: VmapLazy, addr: number, span: number): ProcessBody {
  v.lazy.push({ addr, span });
  v.vmap_lazy_nr += span;
  if (v.m.observer !== null) v.m.observer.vmapLazyFreed(span, v.vmap_lazy_nr);
  if (v.vmap_lazy_nr > v.lazy_max_pages) yield* purge_vmap_area_lazy(ctx, v, false);
}

/**
 * __purge_vmap_area_lazy(): ONE flush over the union range of every lazy area, then free
 * them all under vmap_area_lock. `sync` waits for purge_lock; otherwise trylock (another
 * CPU already purging is good enough).
 */
export function* purge_vmap_area_lazy(ctx: ExecCtx, v: VmapLazy, sync: boolean): ProcessBody {
  const m = v.m;
  if (!sync && v.purge_lock.locked) return; // spin_trylock failed
  yield spin_lock(ctx, v.purge_lock, sync ? 'purge_vmap_area_lazy' : 'try_purge_vmap_area_lazy');
  const areas = v.lazy;
  if (areas.length > 0) {
    v.lazy = [];
    let start = Number.POSITIVE_INFINITY;
    let end = 0;
    let nr = 0;
    for (const a of areas) {
      if (a.addr < start) start = a.addr;
      if (a.addr + a.span > end) end = a.addr + a.span;
      nr += a.span;
    }
    v.vmap_lazy_nr -= nr;
    m.highmem.vmap.purges++;
    if (m.observer !== null) m.observer.vmapPurged(ctx.cpu.id, areas.length, nr, sync, v.vmap_lazy_nr);
    if (!v.opts.skipFlush) yield* flush_kernel_range(ctx, m, VMALLOC_BASE + start, end - start);
    yield spin_lock(ctx, v.vmap_area_lock, '__purge_vmap_area_lazy');
    for (const a of areas) v.space.free(a.addr, a.span);
    yield ctx.cpu.busy(MAP, areas.length * m.costs.vmap_area_op);
    spin_unlock(ctx, v.vmap_area_lock);
  }
  spin_unlock(ctx, v.purge_lock);
}

/** vm_map_ram(pages): through this CPU's vmap_block when small enough, else its own area. */
export function* vm_map_ram(ctx: ExecCtx, v: VmapLazy, pages: readonly number[], out: { map: VmMapping | null }): ProcessBody {
  const m = v.m;
  const n = pages.length;
  let vpage = -1;
  let span = 0;
  let block: VmapBlock | null = null;
  if (v.opts.vmapBlock && n <= VMAP_MAX_ALLOC) {
    span = 2 ** Math.ceil(Math.log2(n)); // bitmap_find_free_region(order): power-of-two runs
    const r = { vb: null as VmapBlock | null, off: 0 };
    yield* vb_alloc(ctx, v, span, r);
    block = r.vb;
    if (block !== null) vpage = block.vpage + r.off;
  } else {
    span = n + 1; // vmap(): get_vm_area adds a guard page
    const r = { addr: -1 };
    yield* alloc_vmap_area(ctx, v, span, r);
    if (r.addr >= 0) vpage = VMALLOC_BASE + r.addr;
  }
  if (vpage < 0) {
    out.map = null;
    return;
  }
  m.highmem.vmap.allocs++;
  // vmap_page_range(): pgd → (pud, pmd) → pte_alloc_kernel, one level each, then the PTEs.
  setPtes(m, vpage, pages);
  yield ctx.cpu.busy(MAP, (v.opts.pgtableLevels ?? 2) * m.costs.pgtable_walk_level + n * m.costs.pte_write);
  out.map = { vpage, npages: n, span, block };
}

/** vm_unmap_ram(): clear PTEs, no flush; the address range goes lazy (via its block). */
export function* vm_unmap_ram(ctx: ExecCtx, v: VmapLazy, map: VmMapping): ProcessBody {
  const m = v.m;
  clearPtes(m, map.vpage, map.npages);
  yield ctx.cpu.busy(MAP, map.npages * m.costs.pte_write);
  m.highmem.vmap.frees++;
  if (map.block !== null) yield* vb_free(ctx, v, map.block, map.span);
  else yield* free_vmap_area_noflush(ctx, v, map.vpage - VMALLOC_BASE, map.span);
}

/** vb_alloc(): carve `span` pages from one of this CPU's blocks, making a new block if needed. */
function* vb_alloc(ctx: ExecCtx, v: VmapLazy, span: number, out: { vb: VmapBlock | null; off: number }): ProcessBody {
  const q = v.vbq[ctx.cpu.id]!;
  for (let attempt = 0; attempt < 2; attempt++) {
    yield spin_lock(ctx, q.lock, 'vb_alloc');
    for (let i = 0; i < q.free.length; i++) {
      const vb = q.free[i]!;
      if (vb.free < span) continue;
      out.vb = vb;
      out.off = vb.size - vb.free;
      vb.free -= span;
      // 2.6.28 bitmap_find_free_region(alloc_map, VMAP_BBMAP_BITS, order): from pos 0 in
      // steps of 2^order; the regions below were all handed out (alloc_map bits stay set
      // until the block is freed), so it tests off / span of them and then the free one.
      if (v.opts.vbAllocScan === true) yield ctx.cpu.busy(MAP, (out.off / span + 1) * v.m.costs.bitmap_region_check);
      if (vb.free === 0) q.free.splice(i, 1);
      spin_unlock(ctx, q.lock);
      return;
    }
    spin_unlock(ctx, q.lock);
    if (attempt === 1) break;
    // new_vmap_block(): a block-sized area from the global allocator (no guard page).
    const r = { addr: -1 };
    yield* alloc_vmap_area(ctx, v, v.blockPages, r);
    if (r.addr < 0) break;
    const vb = new VmapBlock(VMALLOC_BASE + r.addr, v.blockPages, v.m.spinlock('vmap_block.lock', undefined, false));
    yield spin_lock(ctx, q.lock, 'new_vmap_block');
    q.free.push(vb);
    spin_unlock(ctx, q.lock);
  }
  out.vb = null;
}

/** vb_free(): mark the range dirty; a fully dirty block goes back through the lazy purge. */
function* vb_free(ctx: ExecCtx, v: VmapLazy, vb: VmapBlock, span: number): ProcessBody {
  // radix_tree_lookup(&vmap_block_tree, addr_to_vb_idx(addr)) (5.x+ xa_load): one node per level.
  yield ctx.cpu.busy(MAP, v.blockTreeHeight * v.m.costs.pgtable_walk_level);
  yield spin_lock(ctx, vb.lock, 'vb_free');
  vb.dirty += span;
  const whole = vb.dirty === vb.size;
  spin_unlock(ctx, vb.lock);
  if (whole) yield* free_vmap_area_noflush(ctx, v, vb.vpage - VMALLOC_BASE, vb.size);
}
