/**
 * Kernel versions (scenario `kernel.version`): what differs between the kernels a user may
 * ask about, as the default of each mechanism's own setting. The scenario resolver fills
 * every setting the file leaves out from this table; the mechanisms read the resolved
 * settings, never the version string.
 *
 * Every value below was read in that kernel's own source (the file and function are in its
 * `source`): 2.3.40 from schwabe/davej-history ("Import 2.3.40"), 2.4.0 from
 * liexusong/linux-2.4.0, 2.4.16 from liexusong/Linux-2.4.16, 2.6.26–2.6.28 and current
 * from torvalds/linux history; 5.10, 6.6, 6.12 and 6.15 (issue 22) from the mainline files and
 * the commits that changed them (each source names the version a mechanism appeared in).
 *
 * `modern` is an alias, not a row of its own: the newest version (KERNEL_VERSION_ALIASES),
 * kept valid so that older scenario files still run. It sorts last in KERNEL_VERSIONS, so
 * "since version X" tests (hasVmapLazy, the INVLPGB rule) hold for it as for what it stands for.
 */
import type { PresetName } from './presets.js';

export const KERNEL_VERSIONS = ['2.3.40', '2.4.0', '2.4.16', '2.6.27', '2.6.28', '5.10', '6.6', '6.12', '6.15', 'modern'] as const;
export type KernelVersion = (typeof KERNEL_VERSIONS)[number];

/** Names that stand for another version: `modern` is the newest row. */
export const KERNEL_VERSION_ALIASES = { modern: '6.15' } as const satisfies Partial<Record<KernelVersion, KernelVersion>>;
export type KernelVersionAlias = keyof typeof KERNEL_VERSION_ALIASES;
/** A version with a row of its own (not an alias). */
export type ConcreteKernelVersion = Exclude<KernelVersion, KernelVersionAlias>;

/** The version a name stands for (an alias resolved; a concrete version itself). */
export function concreteVersion(v: KernelVersion): ConcreteKernelVersion {
  return v === 'modern' ? KERNEL_VERSION_ALIASES.modern : v;
}

/** How a version is shown: `modern (= 6.15)` for an alias, else the version. */
export function versionLabel(v: KernelVersion): string {
  const c = concreteVersion(v);
  return c === v ? v : `${v} (= ${c})`;
}

/** The version a scenario runs when it names none. */
export const DEFAULT_KERNEL_VERSION: KernelVersion = 'modern';

/** Where the lazy vmap layer (Piggin's rewrite) first exists. */
export const VMAP_LAZY_SINCE: KernelVersion = '2.6.28';

export const SMP_CALL_FUNCTIONS = ['call_lock', 'generic'] as const;
/**
 * How smp_call_function() serialises its initiators:
 * `call_lock` — 2.3.40–2.6.25 arch/i386/kernel/smp.c: one global lock held across the whole
 *   round (send, wait for every target to start and to finish);
 * `generic` — 2.6.26+ kernel/smp.c (Axboe's generic IPI helpers): the call is queued under
 *   call_function_lock, held only for the list insertion; rounds of different initiators
 *   overlap.
 */
export type SmpCallFunctionKind = (typeof SMP_CALL_FUNCTIONS)[number];

export const VMALLOC_MAP_LOCKS = ['none', 'kernel_flag', 'page_table_lock'] as const;
/** The lock vmalloc_area_pages() holds while it writes the PTEs of a new area. */
export type VmallocMapLock = (typeof VMALLOC_MAP_LOCKS)[number];

export const VMAP_AREA_LOCKINGS = ['vmlist', 'vmap_area_lock', 'split_free_lock', 'split_purge_lock', 'vmap_nodes'] as const;
/**
 * How vmalloc()/vfree() (maptorture `api: vmalloc`, src/kernel/vmalloc-modern.ts) lock the
 * vmalloc space (mm/vmalloc.c):
 * `vmlist` — ≤ 2.6.27: the eager vm_struct list under vmlist_lock, vfree flushes at once;
 * `vmap_area_lock` — 2.6.28 (Piggin's rewrite) … 5.4: one spinlock for the busy and free
 *   areas; lazily freed areas on a lock-free list (modelled with 5.2's free tree);
 * `split_free_lock` — 5.5 … 5.12: the free tree under its own free_vmap_area_lock
 *   (e36176be1c39 "mm/vmalloc: rework vmap_area_lock"), the lazy llist lock-free;
 * `split_purge_lock` — 5.13 … 6.8: the lazy areas in a purge tree under
 *   purge_vmap_area_lock; 6.4+ find_unlink_vmap_area (one busy-lock hold per vfree);
 * `vmap_nodes` — 6.9+: per-node busy and lazy trees with their own locks (addr_to_node) and
 *   per-node size-class pools that serve small allocations without free_vmap_area_lock
 *   (Rezki, "Mitigate a vmap lock contention v3": d093602919ad, 282631cb2447, 72210662c5a2).
 */
export type VmapAreaLocking = (typeof VMAP_AREA_LOCKINGS)[number];

export const VMAP_PURGE_CONTEXTS = ['caller', 'kworker'] as const;
/**
 * Who runs the lazy purge once vmap_lazy_nr exceeds lazy_max_pages():
 * `caller` — the freeing task itself (2.6.28 … 5.17 free_vmap_area_noflush →
 *   try_purge_vmap_area_lazy, a trylock: another CPU purging is good enough);
 * `kworker` — 5.18+ schedule_work(&drain_vmap_work) (690467c81b1a "mm/vmalloc: Move draining
 *   areas out of caller context"): drain_vmap_area_work runs in a kworker of the freeing CPU.
 */
export type VmapPurgeContext = (typeof VMAP_PURGE_CONTEXTS)[number];

export const BOUNCE_WRITE_COPIES = ['atomic_irqs_off', 'atomic', 'kmap', 'kmap_local'] as const;
/**
 * How a bounced WRITE copies highmem → the bounce page, in the submitter:
 * `atomic_irqs_off` — kmap_atomic(KM_BOUNCE_WRITE) inside __save_flags/__cli (2.4.0);
 * `atomic` — kmap_atomic with IRQs on (2.3.40 KM_BOUNCE_WRITE, 2.4.16 KM_USER0; 5.10
 *   block/bounce.c __blk_queue_bounce kmap_atomic);
 * `kmap` — kmap()/kunmap() through the persistent pool (2.6 __blk_queue_bounce);
 * `kmap_local` — kmap_local_page on the submitter's kmap_ctrl stack (5.15+ block/bounce.c
 *   __blk_queue_bounce: memcpy_from_bvec → bvec_kmap_local; src/kernel/highmem.ts).
 */
export type BounceWriteCopy = (typeof BOUNCE_WRITE_COPIES)[number];

export const BOUNCE_ALLOC_WAITS = ['sleep', 'yield_retry', 'busy_retry'] as const;
/**
 * What a submitter does when neither the page allocator nor the emergency pool has a
 * bounce page:
 * `sleep` — sleeps until a page comes back (2.6 mempool_alloc; 2.3.40 wakeup_bdflush(1));
 * `yield_retry` — kicks tq_disk, schedule() with SCHED_YIELD, retries: the CPU burns in
 *   the loop unless another task is runnable there (2.4.16 alloc_bounce_page);
 * `busy_retry` — retries at once without scheduling (2.4.0 create_bounce: its
 *   wakeup_bdflush(1) writes dirty buffers inline and returns).
 */
export type BounceAllocWait = (typeof BOUNCE_ALLOC_WAITS)[number];

export const COMPLETION_CONTEXTS = ['hardirq', 'bh', 'softirq'] as const;
/**
 * Where a finished device request is completed (b_end_io / bio_endio, the READ bounce copy,
 * the submitter's wake-up):
 * `hardirq` — in the device's interrupt handler on the CPU that took it;
 * `bh` — the SCSI bottom half (2.3/2.4): scsi_done() queues the command on the one global
 *   scsi_bh_queue and marks SCSI_BH; at irq_exit the CPU runs bottom halves only if it wins
 *   the machine-wide bh trylock (2.4 kernel/softirq.c bh_action: spin_trylock(&global_bh_lock);
 *   2.3.40 softirq_trylock: test_and_set_bit(0, &global_bh_count)); a CPU that loses leaves its
 *   command on the queue, which the holder's scsi_bottom_half_handler loop drains;
 * `softirq` — per-CPU completion softirq (2.6 BLOCK_SOFTIRQ): no machine-wide serialisation.
 */
export type CompletionContext = (typeof COMPLETION_CONTEXTS)[number];

export const BLOCK_LOCKS = ['none', 'io_request_lock', 'queue_lock'] as const;
/**
 * The block-layer lock taken (IRQs off) by __make_request per buffer_head, by the request
 * function around dispatch, and by request completion:
 * `io_request_lock` — 2.2–2.4: one global lock for every queue (drivers/block/ll_rw_blk.c);
 * `queue_lock` — 2.5+: q->queue_lock, one per request queue (modelled: one per device);
 * `none` — no block-layer lock (what smpsim modelled before).
 */
export type BlockLock = (typeof BLOCK_LOCKS)[number];

/** The settings a version decides. Each has a scenario field of the same name. */
export interface VersionSettings {
  /** machine.spinlock */
  spinlock: 'tas' | 'ticket' | 'qspinlock';
  /** costs.preset: the machine era that version ran on. */
  costs_preset: PresetName;
  /** kernel.vmlist_lock: get_vm_area/vfree serialise on the vmlist rwlock. */
  vmlist_lock: boolean;
  /** kernel.vmalloc_map_lock */
  vmalloc_map_lock: VmallocMapLock;
  /** kernel.vmap_area_locking: the locks of vmalloc()/vfree() (api vmalloc). */
  vmap_area_locking: VmapAreaLocking;
  /** kernel.vmap_purge_context: who runs the lazy purge. */
  vmap_purge_context: VmapPurgeContext;
  /** kernel.vb_alloc_scan: vb_alloc finds its region by a bitmap scan from the block's start. */
  vb_alloc_scan: boolean;
  /** kernel.vmalloc_flush_on_map: vmalloc_area_pages() ends with flush_tlb_all(). */
  vmalloc_flush_on_map: boolean;
  /**
   * kernel.tlb_flush. `invlpgb` is never a row's own value: it is the default rule's
   * (defaultTlbFlush below: 6.15+ on a machine with machine.invlpgb).
   */
  tlb_flush: 'flush_tlb_all' | 'flush_tlb_kernel_range' | 'invlpgb';
  /** kernel.flush_concurrent_local */
  flush_concurrent_local: boolean;
  /** kernel.smp_call_function */
  smp_call_function: SmpCallFunctionKind;
  /** kernel.bounce_pool_pages: the emergency pool (0: none). */
  bounce_pool_pages: number;
  /** kernel.bounce_write_copy */
  bounce_write_copy: BounceWriteCopy;
  /** kernel.bounce_read_irqs_off: the completion handler's READ copy runs inside __cli. */
  bounce_read_irqs_off: boolean;
  /** kernel.bounce_alloc_wait */
  bounce_alloc_wait: BounceAllocWait;
  /** kernel.device_irqs_nest: device handlers run with IRQs enabled (unless SA_INTERRUPT). */
  device_irqs_nest: boolean;
  /** kernel.kunmap_atomic_flush: kunmap_atomic() clears the PTE and invlpg's the slot. */
  kunmap_atomic_flush: boolean;
  /** kernel.kmap_atomic_map_flush: kmap_atomic() invlpg's the slot after setting its PTE. */
  kmap_atomic_map_flush: boolean;
  /** kernel.nr_cpus: CONFIG_NR_CPUS, the compile-time CPU limit (sizes VMAP_BBMAP_BITS). */
  nr_cpus: number;
  /** kernel.completion_context */
  completion_context: CompletionContext;
  /** kernel.block_lock */
  block_lock: BlockLock;
  /** kernel.spin_unlock_locked: spin_unlock is a locked instruction (2.3.40 `lock ; btrl`). */
  spin_unlock_locked: boolean;
  /**
   * kernel.kmap_local: the kernel has kmap_local_page (5.11+): the I/O path's temporary maps
   * (the bounce READ copy, the touch of an unmapped highmem page) are kmap_local maps on the
   * current task's stack, and maptorture `api: kmap_local` exists.
   */
  kmap_local: boolean;
}

export type VersionSettingKey = keyof VersionSettings;

/** The scenario field each setting is overridden by. */
export const VERSION_SETTING_FIELDS: Record<VersionSettingKey, string> = {
  spinlock: 'machine.spinlock',
  costs_preset: 'costs.preset',
  vmlist_lock: 'kernel.vmlist_lock',
  vmalloc_map_lock: 'kernel.vmalloc_map_lock',
  vmap_area_locking: 'kernel.vmap_area_locking',
  vmap_purge_context: 'kernel.vmap_purge_context',
  vb_alloc_scan: 'kernel.vb_alloc_scan',
  vmalloc_flush_on_map: 'kernel.vmalloc_flush_on_map',
  tlb_flush: 'kernel.tlb_flush',
  flush_concurrent_local: 'kernel.flush_concurrent_local',
  smp_call_function: 'kernel.smp_call_function',
  bounce_pool_pages: 'kernel.bounce_pool_pages',
  bounce_write_copy: 'kernel.bounce_write_copy',
  bounce_read_irqs_off: 'kernel.bounce_read_irqs_off',
  bounce_alloc_wait: 'kernel.bounce_alloc_wait',
  device_irqs_nest: 'kernel.device_irqs_nest',
  kunmap_atomic_flush: 'kernel.kunmap_atomic_flush',
  kmap_atomic_map_flush: 'kernel.kmap_atomic_map_flush',
  nr_cpus: 'kernel.nr_cpus',
  completion_context: 'kernel.completion_context',
  block_lock: 'kernel.block_lock',
  spin_unlock_locked: 'kernel.spin_unlock_locked',
  kmap_local: 'kernel.kmap_local',
};

export const VERSION_SETTING_KEYS = Object.keys(VERSION_SETTING_FIELDS) as VersionSettingKey[];

interface Row<T> {
  value: T;
  source: string;
}

type VersionRow = { [K in VersionSettingKey]: Row<VersionSettings[K]> };

// ---- sources, shared by several versions ------------------------------------------------

const TAS_2_3 = 'include/asm-i386/spinlock.h:48-57 spin_lock_string: lock ; btsl $0 test-and-set, testb read spin (ticket locks came to x86 in 2.6.25)';
const TAS = 'include/asm-i386/spinlock.h spin_lock: lock; decb test-and-set (ticket locks came to x86 in 2.6.25)';
const TICKET_2_6 = 'include/asm-x86/spinlock.h __ticket_spin_lock: ticket locks since 2.6.25';
const ERA2000 = 'a 2000-era 4-way PIII Xeon box (machine era of the 2.3/2.4 kernels)';
const OPTERON_2008 = "Piggin's 2008 box (linux-mm, 18 Aug 2008: a 4 core, 2 socket Opteron running 2.6.27/2.6.28 vmap tests)";
const CALL_LOCK_2_3 =
  'arch/i386/kernel/smp.c:450,462,476 smp_call_function: spin_lock_bh(&lock), a static lock local to the function, held across send, wait started, wait finished';
const CALL_LOCK_2_4 =
  'arch/i386/kernel/smp.c smp_call_function: spin_lock_bh(&call_lock) across send, wait started, wait finished (2.4.0 smp.c:424,469,481)';
const GENERIC_IPI = 'kernel/smp.c smp_call_function_mask (2.6.26+): call_function_lock only around list_add_tail_rcu; wait without it';
const FLUSH_ALL_2_4 = 'arch/i386/kernel/smp.c flush_tlb_all: smp_call_function(flush_tlb_all_ipi) + do_flush_tlb_all_local';
const FLUSH_ALL_2_6 = 'include/asm-x86/tlbflush.h flush_tlb_kernel_range() is flush_tlb_all() on x86 (on_each_cpu)';
const NO_CONCURRENT = 'the initiator flushes locally after its IPI round (the concurrent local flush came in 5.13)';
const VMLIST_2_4 = 'mm/vmalloc.c get_vm_area/vfree: write_lock(&vmlist_lock); vfree flushes before write_unlock';
const VMLIST_2_6_27 = 'mm/vmalloc.c remove_vm_area: write_lock(&vmlist_lock) around __remove_vm_area → unmap_vm_area (flush)';
const NO_MAP_FLUSH_2_6 = 'mm/vmalloc.c map_vm_area/vmap_page_range: PTEs set, no flush';
const POOL_NONE_2_3 = 'mm/highmem.c create_bounce: alloc_page(GFP_BUFFER) only, no emergency pool';
const POOL_NONE_2_4_0 = 'mm/highmem.c create_bounce: alloc_page(GFP_BUFFER) only, no emergency pool (added in 2.4.x)';
const POOL_2_4_16 = 'mm/highmem.c POOL_SIZE 32, init_emergency_pool';
const POOL_2_6 = 'mm/bounce.c POOL_SIZE 64: mempool_create_page_pool';
const READ_CLI = 'mm/highmem.c copy_to_high_bh_irq: __save_flags; __cli(); kmap_atomic(KM_BOUNCE_READ)';
const READ_CLI_2_6 = 'mm/bounce.c bounce_copy_vec: local_irq_save around kmap_atomic';
const WAIT_MEMPOOL = 'mm/bounce.c __blk_queue_bounce: mempool_alloc(pool, q->bounce_gfp) sleeps on the pool wait queue';
const NEST_2_X = 'arch/i386/kernel/irq.c handle_IRQ_event: if (!(action->flags & SA_INTERRUPT)) __sti()';
const NEST_2_6 = 'kernel/irq/handle.c handle_IRQ_event: if (!(action->flags & IRQF_DISABLED)) local_irq_enable_in_hardirq()';
const UNMAP_DEBUG_2_3 =
  'include/asm-i386/highmem.h:30 #define HIGHMEM_DEBUG 1 ("undef for production"); kunmap_atomic:118-119 pte_clear + __flush_tlb_one under #if HIGHMEM_DEBUG';
const UNMAP_DEBUG_2_4_0 =
  'include/asm-i386/highmem.h:30 #define HIGHMEM_DEBUG 1; kunmap_atomic:119-120 pte_clear + __flush_tlb_one under #if HIGHMEM_DEBUG';
const UNMAP_NODEBUG_2_4_16 =
  'include/asm-i386/highmem.h:29-33 HIGHMEM_DEBUG only with CONFIG_DEBUG_HIGHMEM (Kernel hacking, not in arch/i386/defconfig): kunmap_atomic:106-125 does nothing';
const UNMAP_FLUSH_2_6 = 'arch/x86/mm/highmem_32.c kunmap_atomic: kpte_clear_flush(kmap_pte-idx, vaddr) for the fixmap slot, always';
const MAP_FLUSH_2_4 =
  'include/asm-i386/highmem.h kmap_atomic: set_pte(kmap_pte-idx, mk_pte(page, kmap_prot)); __flush_tlb_one(vaddr) — the slot may still map the previous page';
const MAP_NOFLUSH_2_6 =
  'arch/x86/mm/highmem_32.c kmap_atomic_prot: set_pte(kmap_pte-idx, mk_pte(page, prot)); arch_flush_lazy_mmu_mode() — no invlpg: kunmap_atomic cleared and flushed the slot (kpte_clear_flush)';
const MAP_NOFLUSH_5_10 =
  'arch/x86/mm/highmem_32.c kmap_atomic_high_prot: set_pte + arch_flush_lazy_mmu_mode(), no invlpg (kunmap_atomic_high flushes)';
const MAP_NOFLUSH_6 =
  'mm/highmem.c __kmap_local_pfn_prot (kmap_atomic is kmap_local + preempt_disable since 5.11): set_pte_at + arch_kmap_local_post_map, nothing on x86';
const NR_CPUS_2_X = 'include/linux/threads.h #define NR_CPUS 32 under CONFIG_SMP (a constant, no config option)';
const NR_CPUS_2_6 =
  'arch/x86/configs/i386_defconfig CONFIG_NR_CPUS=64 (read in the 2.6.30-rc2 file, gebi/linux-2.6; the 2.6.27/2.6.28 files were not available to check)';
const BH_2_3 =
  'drivers/scsi/scsi.c:1605 scsi_done: mark_bh(SCSI_BH); :1631 scsi_bottom_half_handler drains scsi_bh_queue_head in a while (1) loop; ' +
  'include/asm-i386/softirq.h:47 softirq_trylock: test_and_set_bit(0, &global_bh_count), kernel/softirq.c do_bottom_half: a loser runs nothing';
const BH_2_4_0 =
  'drivers/scsi/scsi.c:1148 scsi_done: mark_bh(SCSI_BH); :1174 scsi_bottom_half_handler loop; kernel/softirq.c:250 bh_action: if (!spin_trylock(&global_bh_lock)) goto resched';
const BH_2_4_16 =
  'drivers/scsi/scsi.c:1187 scsi_done: mark_bh(SCSI_BH); :1213 scsi_bottom_half_handler loop; kernel/softirq.c:293 bh_action: if (!spin_trylock(&global_bh_lock)) goto resched';
const SOFTIRQ_2_6 = 'block/blk-softirq.c blk_complete_request: raise BLOCK_SOFTIRQ on this CPU; blk_done_softirq drains the per-CPU blk_cpu_done list';
const SOFTIRQ_MODERN =
  'block/blk-mq.c blk_mq_complete_request_remote: single-queue SCSI raises BLOCK_SOFTIRQ (blk_mq_raise_softirq); modelled as 2.6 softirq (the rq_affinity IPI to the submitter is not modelled)';
const IRL_2_3 = 'drivers/block/ll_rw_blk.c:61 io_request_lock, taken in __make_request (:579) and by drivers/scsi/scsi.c (:1785 scsi_finish_command)';
const IRL_2_4_0 = 'drivers/block/ll_rw_blk.c io_request_lock: spin_lock_irq in __make_request (:751); drivers/scsi/scsi.c scsi_dispatch_cmd, scsi_finish_command';
const IRL_2_4_16 =
  'drivers/block/ll_rw_blk.c:96 io_request_lock: __make_request :720, generic_unplug_device :355; drivers/scsi/scsi.c :695 queuecommand, :1370 scsi_finish_command; ' +
  'drivers/scsi/scsi_lib.c :1094 scsi_request_fn, :255 scsi_queue_next_request';
const QLOCK_2_6 = 'block/blk-core.c __make_request: spin_lock_irq(q->queue_lock) (per request queue since 2.5)';
const QLOCK_MODERN = 'blk-mq has no queue-wide lock on the I/O path (per-hctx/ctx locks): modelled as a per-device queue_lock like 2.6';
const UNLOCK_BTRL_2_3 = 'include/asm-i386/spinlock.h:68-69 spin_unlock_string "lock ; btrl $0,%0" (a locked op; the comment above it: "some early PPro chips require the locked access")';
const UNLOCK_MOVB_2_4_0 = 'include/asm-i386/spinlock.h:66 (include/asm/spinlock.h in liexusong/linux-2.4.0) spin_unlock_string "movb $1,%0" (a plain store)';
const UNLOCK_MOVB_2_4_16 = 'include/asm-i386/spinlock.h:76 spin_unlock_string "movb $1,%0" (a plain store; xchgb only with CONFIG_X86_OOSTORE or CONFIG_X86_PPRO_FENCE)';
const UNLOCK_TICKET = 'include/asm-x86/spinlock.h __ticket_spin_unlock: UNLOCK_LOCK_PREFIX "incb", the prefix empty but on PPro-fence/OOSTORE builds: a plain increment';
const NO_KMAP_LOCAL = 'no kmap_local_page before 5.11 (Gleixner, "mm/highmem: Provide kmap_local*", merged for 5.11): temporary maps are kmap_atomic';
const KMAP_LOCAL_MODERN =
  'mm/highmem.c __kmap_local_pfn_prot / kunmap_local_indexed, kernel/sched/core.c prepare_task_switch → kmap_local_sched_out (5.11+); ' +
  'block/bounce.c copy_to_high_bio_irq → memcpy_to_bvec → kmap_local_page (5.15+)';
const NO_NEST = 'handlers always run with IRQs off since 2.6.35 (genirq: Run irq handlers with interrupts disabled)';

// ---- 5.10 (LTS, Dec 2020), 6.6 (LTS, Oct 2023), 6.12 (LTS, Nov 2024), 6.15 (May 2025) ----
const QSPINLOCK =
  'kernel/locking/qspinlock.c queued_spin_lock_slowpath: pending bit + MCS queue ("locking/qspinlock: Introduce a simple generic 4-byte queued spinlock"; ' +
  'x86 since 4.2, "locking/qspinlock, x86: Enable x86-64 to use queued spinlocks")';
const PRESET_ICX_5_10 = 'a 2-socket Ice Lake-SP server (Xeon Platinum 8380, April 2021): the server class the 5.10 LTS kernel (Dec 2020) ran on';
const PRESET_ICX_6_6 = 'a 2-socket Ice Lake-SP server (Xeon Platinum 8380): still the common Intel server under the 6.6 LTS kernel (Oct 2023)';
const PRESET_MILAN_6_12 = 'a single-socket AMD Zen 3 Milan (EPYC 7763): INVLPGB in hardware, which 6.12 does not yet use for kernel flushes';
const PRESET_MILAN_6_15 = 'a single-socket AMD Zen 3 Milan (EPYC 7763): has INVLPGB, which 6.15 uses for kernel TLB flushes';
const VMLIST_GONE =
  'mechanism gone: since 3.10 (Joonsoo Kim, "mm, vmalloc: remove list management of vmlist after initializing vmalloc") ' +
  'vmlist holds only the boot areas and there is no vmlist_lock; vfree is lazy (vmap_area_lock, purge_vmap_area_lazy). ' +
  'Eager vfree under vmlist_lock is a what-if here, modelled as 2.6.27';
const MAP_5_10 = 'mm/vmalloc.c __vmalloc_area_node → map_kernel_range → map_kernel_range_noflush (vmap_pte_range): PTEs written without a global lock';
const MAP_6 = 'mm/vmalloc.c __vmalloc_area_node → vmap_pages_range (5.13+) → vmap_range_noflush: PTEs written without a global lock';
const NO_MAP_FLUSH_5 = 'mm/vmalloc.c map_kernel_range / vmap_pages_range: flush_cache_vmap only (a no-op on x86), no TLB flush';
const FLUSH_RANGE_5_10 =
  'arch/x86/mm/tlb.c flush_tlb_kernel_range: on_each_cpu(do_kernel_range_flush) page by page up to tlb_single_page_flush_ceiling (33, 3.17+: commit a5102476a24b), else on_each_cpu(do_flush_tlb_all)';
const FLUSH_RANGE_6_15 =
  FLUSH_RANGE_5_10 +
  '; with X86_FEATURE_INVLPGB, kernel_tlb_flush_range → invlpgb_kernel_range_flush (INVLPGB + TLBSYNC, no IPI): 6.15, Rik van Riel ' +
  '"x86/mm: Use INVLPGB for kernel TLB flushes" (x86-64 only, cleared under PTI) — the default rule picks invlpgb when machine.invlpgb';
const NO_CONCURRENT_5_10 =
  'kernel/smp.c on_each_cpu (5.10): smp_call_function(func, wait) then func() locally with IRQs off: the local flush after the IPI round ' +
  '(concurrent local flush is 5.13: Nadav Amit, "x86/mm/tlb: Flush remote and local TLBs concurrently")';
const CONCURRENT_6 =
  'kernel/smp.c smp_call_function_many_cond: with SCF_RUN_LOCAL the local func runs after the IPIs are sent, before the wait (Nadav Amit, "smp: Run functions concurrently in smp_call_function_many_cond()", tip x86/mm Mar 2021, merged for 5.13); arch/x86/mm/tlb.c native_flush_tlb_multi likewise for mm flushes ("x86/mm/tlb: Flush remote and local TLBs concurrently", 4ce94eabac16, 5.13)';
const GENERIC_5_6 = 'kernel/smp.c smp_call_function_many_cond: per-CPU call_single_queue (llist), no global lock';
const POOL_5_10 = 'mm/bounce.c POOL_SIZE 64: mempool_init_page_pool (init_emergency_pool, when the machine has highmem)';
const POOL_6 = 'block/bounce.c POOL_SIZE 64 (moved from mm/ in 5.12): mempool_init_page_pool; block/bounce.c removed in 6.16 ("block: remove bounce buffering support")';
const WRITE_5_10 = 'mm/bounce.c __blk_queue_bounce: vfrom = kmap_atomic(page); memcpy; kunmap_atomic, IRQs on (kmap_local_page is 5.11)';
const WRITE_6 = 'block/bounce.c __blk_queue_bounce: memcpy_from_bvec (bvec_kmap_local → kmap_local_page, 5.15+), IRQs on';
const READ_5_10 =
  'mm/bounce.c bounce_copy_vec: kmap_atomic, memcpy, kunmap_atomic with no local_irq_save (read in the 5.8 file; the 4.x file still had local_irq_save)';
const READ_6 = 'block/bounce.c copy_to_high_bio_irq: memcpy_to_bvec (kmap_local_page, 5.15+), no local_irq_save';
const WAIT_6 = 'block/bounce.c __blk_queue_bounce: mempool_alloc(&page_pool, GFP_NOIO) sleeps on the pool wait queue';
const UNMAP_5_10 = 'arch/x86/mm/highmem_32.c kunmap_atomic_high: kpte_clear_flush(kmap_pte-idx, vaddr), always (the generic kmap_local code is 5.11)';
const UNMAP_6 = 'mm/highmem.c kunmap_local_indexed (5.11+): pte_clear + arch_kmap_local_post_unmap (x86: flush_tlb_one_kernel)';
const NR_CPUS_5_6 = 'arch/x86/Kconfig NR_CPUS_DEFAULT for X86_32: default 8 if SMP (the model keeps the i386 layout)';
const QUNLOCK = 'queued_spin_unlock: smp_store_release, a plain store on x86 (qspinlock, 4.2+)';

/** The rows of 5.10 and later differ in a few settings: one builder, each difference named. */
function rowSince5(v: '5.10' | '6.6' | '6.12' | '6.15', preset: { value: PresetName; source: string }): VersionRow {
  const v5 = v === '5.10';
  return {
    spinlock: { value: 'qspinlock', source: QSPINLOCK },
    costs_preset: preset,
    vmlist_lock: { value: true, source: VMLIST_GONE },
    vmalloc_map_lock: { value: 'none', source: v5 ? MAP_5_10 : MAP_6 },
    vmalloc_flush_on_map: { value: false, source: NO_MAP_FLUSH_5 },
    tlb_flush: { value: 'flush_tlb_kernel_range', source: v === '6.15' ? FLUSH_RANGE_6_15 : FLUSH_RANGE_5_10 },
    flush_concurrent_local: v5 ? { value: false, source: NO_CONCURRENT_5_10 } : { value: true, source: CONCURRENT_6 },
    smp_call_function: { value: 'generic', source: GENERIC_5_6 },
    bounce_pool_pages: { value: 64, source: v5 ? POOL_5_10 : POOL_6 },
    bounce_write_copy: v5 ? { value: 'atomic', source: WRITE_5_10 } : { value: 'kmap_local', source: WRITE_6 },
    bounce_read_irqs_off: { value: false, source: v5 ? READ_5_10 : READ_6 },
    bounce_alloc_wait: { value: 'sleep', source: v5 ? WAIT_MEMPOOL : WAIT_6 },
    device_irqs_nest: { value: false, source: NO_NEST },
    kunmap_atomic_flush: { value: true, source: v5 ? UNMAP_5_10 : UNMAP_6 },
    kmap_atomic_map_flush: { value: false, source: v5 ? MAP_NOFLUSH_5_10 : MAP_NOFLUSH_6 },
    nr_cpus: { value: 8, source: NR_CPUS_5_6 },
    completion_context: { value: 'softirq', source: SOFTIRQ_MODERN },
    block_lock: { value: 'queue_lock', source: QLOCK_MODERN },
    spin_unlock_locked: { value: false, source: QUNLOCK },
    kmap_local: v5 ? { value: false, source: NO_KMAP_LOCAL } : { value: true, source: KMAP_LOCAL_MODERN },
    vmap_area_locking: v5
      ? { value: 'split_free_lock', source: SPLIT_FREE_5_10 }
      : v === '6.6'
        ? { value: 'split_purge_lock', source: SPLIT_PURGE_6_6 }
        : { value: 'vmap_nodes', source: VMAP_NODES_MODERN },
    vmap_purge_context: v5 ? { value: 'caller', source: PURGE_CALLER_5_10 } : { value: 'kworker', source: PURGE_KWORKER_MODERN },
    vb_alloc_scan: { value: false, source: VB_NO_SCAN_MODERN },
  };
}

const SPLIT_FREE_5_10 =
  'mm/vmalloc.c alloc_vmap_area: the free tree under free_vmap_area_lock, the busy insert under vmap_area_lock; free_vmap_area_noflush unlinks ' +
  'under vmap_area_lock then llist_add (no lock) (e36176be1c39 "mm/vmalloc: rework vmap_area_lock", 5.5; read in 5.10.13)';
const PURGE_CALLER_5_10 = 'mm/vmalloc.c free_vmap_area_noflush: if (nr_lazy > lazy_max_pages()) try_purge_vmap_area_lazy() (mutex_trylock; the kworker is 5.18)';
const SPLIT_PURGE_6_6 =
  'mm/vmalloc.c free_vmap_area_noflush: spin_lock(&purge_vmap_area_lock); merge_or_add_vmap_area(..., &purge_vmap_area_root) (96e2db456135, 5.13); ' +
  'find_unlink_vmap_area, one busy-lock hold per vfree (6.4+)';

const VMLIST_VMALLOC = 'mm/vmalloc.c __vmalloc_area_node: get_vm_area (vmlist under vmlist_lock), alloc_page per page; vfree flushes (no vmap_area before 2.6.28)';
const EAGER_NO_PURGE = 'mm/vmalloc.c vfree: remove_vm_area flushes at once, there is no lazy purge (the setting is unused)';
const VMAP_AREA_LOCK_2_6_28 =
  'mm/vmalloc.c alloc_vmap_area/__free_vmap_area: one spinlock vmap_area_lock for the rbtree of areas; free_unmap_vmap_area_noflush marks VM_LAZY_FREE without a lock (2.6.28, db64fe02258f)';
const PURGE_CALLER_2_6_28 = 'mm/vmalloc.c free_unmap_vmap_area_noflush: if (atomic_read(&vmap_lazy_nr) > lazy_max_pages()) try_purge_vmap_area_lazy() (2.6.28)';
const VMAP_NODES_MODERN =
  'mm/vmalloc.c struct vmap_node: busy/lazy trees and pool[MAX_VA_SIZE_PAGES] per node, node_alloc → node_pool_del_va, addr_to_node (6.9+, Rezki "Mitigate a vmap lock contention v3", 72210662c5a2)';
const NO_VMAP_BLOCK = 'no vmap_block before 2.6.28 (the setting is unused)';
const VB_SCAN_2_6_28 =
  'mm/vmalloc.c vb_alloc: i = bitmap_find_free_region(vb->alloc_map, VMAP_BBMAP_BITS, order), lib/bitmap.c: for (pos = 0; pos < bits; pos += (1 << order)) if (__reg_op(bitmap, pos, order, REG_OP_ISFREE)) break (read in 2.6.28)';
const VB_NO_SCAN_MODERN =
  'mm/vmalloc.c vb_alloc: pages_off = VMAP_BBMAP_BITS - vb->free (allocation moves forward, no bitmap scan; read in 5.10; the scan went with Roman Pen\'s 2015 vb_alloc rework, version not checked)';
const PURGE_KWORKER_MODERN =
  'mm/vmalloc.c free_vmap_area_noflush: if (unlikely(nr_lazy > nr_lazy_max)) schedule_work(&drain_vmap_work) (5.18+, 690467c81b1a)';

const ROW_6_15 = rowSince5('6.15', { value: 'epyc-7763-1x64-2021', source: PRESET_MILAN_6_15 });

export const VERSION_TABLE: Record<KernelVersion, VersionRow> = {
  '2.3.40': {
    spinlock: { value: 'tas', source: TAS_2_3 },
    costs_preset: { value: 'era2000', source: ERA2000 },
    vmlist_lock: { value: false, source: 'mm/vmalloc.c get_vm_area/vfree: no lock at all (vmlist_lock came in 2.3.99pre9, May 2000)' },
    vmalloc_map_lock: { value: 'none', source: 'mm/vmalloc.c vmalloc_area_pages: no lock around the PTE writes' },
    vmap_area_locking: { value: 'vmlist', source: VMLIST_VMALLOC },
    vmap_purge_context: { value: 'caller', source: EAGER_NO_PURGE },
    vb_alloc_scan: { value: false, source: NO_VMAP_BLOCK },
    vmalloc_flush_on_map: { value: true, source: 'mm/vmalloc.c vmalloc_area_pages: flush_tlb_all() after setting the PTEs' },
    tlb_flush: { value: 'flush_tlb_all', source: FLUSH_ALL_2_4 },
    flush_concurrent_local: { value: false, source: NO_CONCURRENT },
    smp_call_function: { value: 'call_lock', source: CALL_LOCK_2_3 },
    bounce_pool_pages: { value: 0, source: POOL_NONE_2_3 },
    bounce_write_copy: { value: 'atomic', source: 'mm/highmem.c copy_from_high_bh: kmap_atomic(KM_BOUNCE_WRITE), IRQs left on' },
    bounce_read_irqs_off: { value: false, source: 'mm/highmem.c copy_to_high_bh_irq: kmap_atomic(KM_BOUNCE_READ), no __cli' },
    bounce_alloc_wait: {
      value: 'sleep',
      source: 'mm/highmem.c create_bounce: wakeup_bdflush(1) sleeps on bdflush_done (fs/buffer.c), then SCHED_YIELD and retry',
    },
    device_irqs_nest: { value: true, source: NEST_2_X },
    kunmap_atomic_flush: { value: true, source: UNMAP_DEBUG_2_3 },
    kmap_atomic_map_flush: { value: true, source: MAP_FLUSH_2_4 },
    nr_cpus: { value: 32, source: NR_CPUS_2_X },
    completion_context: { value: 'bh', source: BH_2_3 },
    block_lock: { value: 'io_request_lock', source: IRL_2_3 },
    spin_unlock_locked: { value: true, source: UNLOCK_BTRL_2_3 },
    kmap_local: { value: false, source: NO_KMAP_LOCAL },
  },
  '2.4.0': {
    spinlock: { value: 'tas', source: TAS },
    costs_preset: { value: 'era2000', source: ERA2000 },
    vmlist_lock: { value: true, source: VMLIST_2_4 },
    vmalloc_map_lock: { value: 'kernel_flag', source: 'mm/vmalloc.c vmalloc_area_pages: lock_kernel() around the PTE writes' },
    vmap_area_locking: { value: 'vmlist', source: VMLIST_VMALLOC },
    vmap_purge_context: { value: 'caller', source: EAGER_NO_PURGE },
    vb_alloc_scan: { value: false, source: NO_VMAP_BLOCK },
    vmalloc_flush_on_map: { value: true, source: 'mm/vmalloc.c vmalloc_area_pages: unlock_kernel(); flush_tlb_all()' },
    tlb_flush: { value: 'flush_tlb_all', source: FLUSH_ALL_2_4 },
    flush_concurrent_local: { value: false, source: NO_CONCURRENT },
    smp_call_function: { value: 'call_lock', source: CALL_LOCK_2_4 },
    bounce_pool_pages: { value: 0, source: POOL_NONE_2_4_0 },
    bounce_write_copy: { value: 'atomic_irqs_off', source: 'mm/highmem.c copy_from_high_bh: __save_flags; __cli(); kmap_atomic(KM_BOUNCE_WRITE)' },
    bounce_read_irqs_off: { value: true, source: READ_CLI },
    bounce_alloc_wait: {
      value: 'busy_retry',
      source: 'mm/highmem.c create_bounce: wakeup_bdflush(1) (fs/buffer.c: flush_dirty_buffers inline) then goto repeat_page, no schedule()',
    },
    device_irqs_nest: { value: true, source: NEST_2_X },
    kunmap_atomic_flush: { value: true, source: UNMAP_DEBUG_2_4_0 },
    kmap_atomic_map_flush: { value: true, source: MAP_FLUSH_2_4 },
    nr_cpus: { value: 32, source: NR_CPUS_2_X },
    completion_context: { value: 'bh', source: BH_2_4_0 },
    block_lock: { value: 'io_request_lock', source: IRL_2_4_0 },
    spin_unlock_locked: { value: false, source: UNLOCK_MOVB_2_4_0 },
    kmap_local: { value: false, source: NO_KMAP_LOCAL },
  },
  '2.4.16': {
    spinlock: { value: 'tas', source: TAS },
    costs_preset: { value: 'era2000', source: ERA2000 },
    vmlist_lock: { value: true, source: VMLIST_2_4 },
    vmalloc_map_lock: { value: 'page_table_lock', source: 'mm/vmalloc.c vmalloc_area_pages: spin_lock(&init_mm.page_table_lock)' },
    vmap_area_locking: { value: 'vmlist', source: VMLIST_VMALLOC },
    vmap_purge_context: { value: 'caller', source: EAGER_NO_PURGE },
    vb_alloc_scan: { value: false, source: NO_VMAP_BLOCK },
    vmalloc_flush_on_map: { value: false, source: 'mm/vmalloc.c vmalloc_area_pages: no flush after mapping' },
    tlb_flush: { value: 'flush_tlb_all', source: FLUSH_ALL_2_4 },
    flush_concurrent_local: { value: false, source: NO_CONCURRENT },
    smp_call_function: { value: 'call_lock', source: CALL_LOCK_2_4 },
    bounce_pool_pages: { value: 32, source: POOL_2_4_16 },
    bounce_write_copy: { value: 'atomic', source: 'mm/highmem.c copy_from_high_bh: kmap_atomic(KM_USER0), IRQs on' },
    bounce_read_irqs_off: { value: true, source: READ_CLI },
    bounce_alloc_wait: {
      value: 'yield_retry',
      source: 'mm/highmem.c alloc_bounce_page: run_task_queue(&tq_disk); SCHED_YIELD; schedule(); goto repeat_alloc',
    },
    device_irqs_nest: { value: true, source: NEST_2_X },
    kunmap_atomic_flush: { value: false, source: UNMAP_NODEBUG_2_4_16 },
    kmap_atomic_map_flush: { value: true, source: MAP_FLUSH_2_4 },
    nr_cpus: { value: 32, source: NR_CPUS_2_X },
    completion_context: { value: 'bh', source: BH_2_4_16 },
    block_lock: { value: 'io_request_lock', source: IRL_2_4_16 },
    spin_unlock_locked: { value: false, source: UNLOCK_MOVB_2_4_16 },
    kmap_local: { value: false, source: NO_KMAP_LOCAL },
  },
  '2.6.27': {
    spinlock: { value: 'ticket', source: TICKET_2_6 },
    costs_preset: { value: 'opteron-2x4-2008', source: OPTERON_2008 },
    vmlist_lock: { value: true, source: VMLIST_2_6_27 },
    vmalloc_map_lock: { value: 'none', source: 'mm/vmalloc.c map_vm_area: PTEs written without a global lock' },
    vmap_area_locking: { value: 'vmlist', source: VMLIST_VMALLOC },
    vmap_purge_context: { value: 'caller', source: EAGER_NO_PURGE },
    vb_alloc_scan: { value: false, source: NO_VMAP_BLOCK },
    vmalloc_flush_on_map: { value: false, source: NO_MAP_FLUSH_2_6 },
    tlb_flush: { value: 'flush_tlb_all', source: FLUSH_ALL_2_6 },
    flush_concurrent_local: { value: false, source: NO_CONCURRENT },
    smp_call_function: { value: 'generic', source: GENERIC_IPI },
    bounce_pool_pages: { value: 64, source: POOL_2_6 },
    bounce_write_copy: { value: 'kmap', source: 'mm/bounce.c __blk_queue_bounce: vfrom = kmap(from->bv_page); memcpy; kunmap' },
    bounce_read_irqs_off: { value: true, source: READ_CLI_2_6 },
    bounce_alloc_wait: { value: 'sleep', source: WAIT_MEMPOOL },
    device_irqs_nest: { value: true, source: NEST_2_6 },
    kunmap_atomic_flush: { value: true, source: UNMAP_FLUSH_2_6 },
    kmap_atomic_map_flush: { value: false, source: MAP_NOFLUSH_2_6 },
    nr_cpus: { value: 64, source: NR_CPUS_2_6 },
    completion_context: { value: 'softirq', source: SOFTIRQ_2_6 },
    block_lock: { value: 'queue_lock', source: QLOCK_2_6 },
    spin_unlock_locked: { value: false, source: UNLOCK_TICKET },
    kmap_local: { value: false, source: NO_KMAP_LOCAL },
  },
  '2.6.28': {
    spinlock: { value: 'ticket', source: TICKET_2_6 },
    costs_preset: { value: 'opteron-2x4-2008', source: OPTERON_2008 },
    vmlist_lock: { value: true, source: 'mm/vmalloc.c: vmlist_lock still guards the vm_struct list (eager vfree is a what-if here)' },
    vmalloc_map_lock: { value: 'none', source: 'mm/vmalloc.c vmap_page_range: PTEs written without a global lock' },
    vmap_area_locking: { value: 'vmap_area_lock', source: VMAP_AREA_LOCK_2_6_28 },
    vmap_purge_context: { value: 'caller', source: PURGE_CALLER_2_6_28 },
    vb_alloc_scan: { value: true, source: VB_SCAN_2_6_28 },
    vmalloc_flush_on_map: { value: false, source: NO_MAP_FLUSH_2_6 },
    tlb_flush: { value: 'flush_tlb_all', source: FLUSH_ALL_2_6 },
    flush_concurrent_local: { value: false, source: NO_CONCURRENT },
    smp_call_function: { value: 'generic', source: GENERIC_IPI },
    bounce_pool_pages: { value: 64, source: POOL_2_6 },
    bounce_write_copy: { value: 'kmap', source: 'mm/bounce.c __blk_queue_bounce: vfrom = kmap(from->bv_page); memcpy; kunmap' },
    bounce_read_irqs_off: { value: true, source: READ_CLI_2_6 },
    bounce_alloc_wait: { value: 'sleep', source: WAIT_MEMPOOL },
    device_irqs_nest: { value: true, source: NEST_2_6 },
    kunmap_atomic_flush: { value: true, source: UNMAP_FLUSH_2_6 },
    kmap_atomic_map_flush: { value: false, source: MAP_NOFLUSH_2_6 },
    nr_cpus: { value: 64, source: NR_CPUS_2_6 },
    completion_context: { value: 'softirq', source: SOFTIRQ_2_6 },
    block_lock: { value: 'queue_lock', source: QLOCK_2_6 },
    spin_unlock_locked: { value: false, source: UNLOCK_TICKET },
    kmap_local: { value: false, source: NO_KMAP_LOCAL },
  },
  '5.10': rowSince5('5.10', { value: 'xeon-8380-2x40-2021', source: PRESET_ICX_5_10 }),
  '6.6': rowSince5('6.6', { value: 'xeon-8380-2x40-2021', source: PRESET_ICX_6_6 }),
  '6.12': rowSince5('6.12', { value: 'epyc-7763-1x64-2021', source: PRESET_MILAN_6_12 }),
  '6.15': ROW_6_15,
  // An alias: the same row as the version it stands for.
  modern: ROW_6_15,
};

/** Whether kernel `v` has the lazy vmap layer (vm_map_ram, vmap_lazy_nr, purge). */
export function hasVmapLazy(v: KernelVersion): boolean {
  return KERNEL_VERSIONS.indexOf(v) >= KERNEL_VERSIONS.indexOf(VMAP_LAZY_SINCE);
}

/** Where broadcast TLB invalidation (AMD INVLPGB) first serves kernel range flushes. */
export const INVLPGB_SINCE: ConcreteKernelVersion = '6.15';

export const INVLPGB_RULE_SOURCE =
  'arch/x86/mm/tlb.c flush_tlb_kernel_range → kernel_tlb_flush_range: invlpgb_kernel_range_flush if cpu_feature_enabled(X86_FEATURE_INVLPGB) ' +
  '(6.15, Rik van Riel "x86/mm: Use INVLPGB for kernel TLB flushes"), and machine.invlpgb says the CPU has it';

/**
 * kernel.tlb_flush's default: `invlpgb` from 6.15 on a machine with INVLPGB (machine.invlpgb)
 * running a 64-bit kernel, else the version's row. The model reads "no highmem" as a 64-bit
 * kernel (CONFIG_HIGHMEM exists only on 32-bit x86), and 6.15 uses INVLPGB on x86-64 only
 * (arch/x86/kernel/cpu/amd.c clears X86_FEATURE_INVLPGB on 32-bit; van Riel's series from v6).
 * Returns the value and its source.
 */
export function defaultTlbFlush(
  v: KernelVersion,
  machineInvlpgb: boolean,
  highmemBytes = 0,
): { value: VersionSettings['tlb_flush']; source: string } {
  const row = VERSION_TABLE[v].tlb_flush;
  const since = KERNEL_VERSIONS.indexOf(v) >= KERNEL_VERSIONS.indexOf(INVLPGB_SINCE);
  if (since && machineInvlpgb && highmemBytes === 0) {
    return { value: 'invlpgb', source: `${INVLPGB_RULE_SOURCE} (rule: version >= ${INVLPGB_SINCE}, machine.invlpgb, no highmem: a 64-bit kernel)` };
  }
  if (since && machineInvlpgb) {
    return { value: row.value, source: `${row.source}; not invlpgb: the machine has highmem, so a 32-bit kernel, and INVLPGB is used on x86-64 only` };
  }
  return row;
}
