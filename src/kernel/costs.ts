/**
 * Cost parameters of the model: every time the simulated kernel or CPU spends, by name,
 * in nanoseconds, with the source of each default (docs/MODEL.md §7, whose table is generated from this one).
 *
 * A scenario picks a preset (`costs.preset`) and may override any key. Nothing in
 * src/cpu or src/kernel uses a literal duration: it reads one of these.
 */

export const COST_KEYS = [
  'lock_acquire',
  'lock_handoff',
  'line_transfer_local',
  'line_transfer_remote',
  'ipi_send',
  'ipi_latency',
  'irq_entry_exit',
  'irq_exit',
  'tlb_flush_full',
  'tlb_refill',
  'invlpg',
  'invlpgb',
  'tlbsync',
  'pte_write',
  'memcpy_page',
  'context_switch',
  'pkmap_scan_slot',
  'vmlist_walk_area',
  'vmap_area_op',
  'page_alloc',
  'bounce_retry',
  'pgtable_walk_level',
  'bitmap_region_check',
  'kmalloc',
  'idle_exit',
  'package_idle_exit',
  'syscall',
  'map_user_page',
  'bh_setup',
  'blk_make_request',
  'scsi_cmd_build',
  'scsi_queuecommand',
  'end_io_page',
  'end_request',
] as const;

export type CostKey = (typeof COST_KEYS)[number];
export type Costs = Record<CostKey, number>;
/** The two columns of COST_TABLE. The machine presets built on them: ./presets.ts. */
export type CostTableName = 'era2000' | 'modern';

export interface CostDefault {
  era2000: number;
  modern: number;
  /** What the number means. */
  meaning: string;
  /** Where the number comes from; "estimate" where no measurement backs it. */
  source: string;
}

/**
 * Default of machine.tlb_working_set: TLB entries the running code uses outside the
 * modelled mappings, walked back in after every full flush, tlb_refill each (src/cpu/cpu-time.ts).
 * Estimate: a kernel I/O path (text, stack, per-CPU and slab data, the request's
 * structures) plus the running task's few user pages; the PIII has 64 4 KiB DTLB + 32 ITLB
 * entries, so the working set of one path is a fraction of that.
 */
export const TLB_WORKING_SET_DEFAULT = 24;

/** Where tlb_refill's defaults come from (no measured P6 page-walk time was found). */
const TLB_REFILL_SOURCE =
  'estimate (no measured P6 page-walk time found): era2000 100 ns = 55 cycles at 550 MHz, between a walk whose two ' +
  'dependent loads (PAE: PDE then PTE; the PDPTEs are held in registers) hit the core-speed L2 of the PIII Xeon and one ' +
  'whose PTE load goes to memory over the 100 MHz FSB; modern 30 ns = 90 cycles at 3 GHz, above a measured ~7-10 ns ' +
  'page-strided TLB-miss penalty with the page tables cached (notes.elimelt.com, "TLB and Page Walks": 12.5 ns per ' +
  'access at 4 KiB stride against 5.4 ns at 512 B) and within the 20-50 cycles (cached) to 200+ cycles (uncached) ' +
  'usually quoted for a 4-level walk';

export const COST_TABLE: Record<CostKey, CostDefault> = {
  lock_acquire: {
    era2000: 50, modern: 15,
    meaning: 'uncontended spinlock acquire (one locked instruction on a cached line)',
    source: 'estimate: one locked instruction on an uncontended line',
  },
  lock_handoff: {
    era2000: 200, modern: 60,
    meaning: 'ticket lock: cache-line transfer of the lock word to a CPU other than the last holder (a ticket handoff waits for (k+1)/2 of them with k spinning)',
    source: 'ccbench (SOSP\'13) ~112 cycles same socket (modern); FSB cache-to-cache estimate (era2000); the (k+1)/2 growth is Boyd-Wickizer et al., Non-scalable locks are dangerous, OLS 2012 (measured for ticket locks)',
  },
  line_transfer_local: {
    era2000: 200, modern: 37,
    meaning: 'test-and-set locks: serving a request for the lock word\'s line from another core of the same package (cores_per_package)',
    source:
      'ccbench (David, Guerraoui, Trigonakis, SOSP\'13) ~112 cycles for a line from another core of the same socket, at 3 GHz (modern); ' +
      'estimate: a P6 package has one core, so no transfer is ever local: set to the FSB value of line_transfer_remote (era2000)',
  },
  line_transfer_remote: {
    era2000: 200, modern: 111,
    meaning: 'test-and-set locks: serving a request for the lock word\'s line from a core of another package (P6: across the front-side bus)',
    source:
      'estimate: a P6 bus cache-to-cache (HITM) transfer of one line, the value of lock_handoff, no published PIII figure found (era2000); ' +
      'estimate: 3 x line_transfer_local, AnandTech 2007 ping-pong across sockets vs same die: 3.8x on a Xeon E5345 (225/59 ns), 1.3x on an Opteron 2350 (199/152 ns) (modern)',
  },
  ipi_send: {
    era2000: 500, modern: 100,
    meaning: 'initiator cost of sending one IPI (APIC ICR write)',
    source: 'estimate: APIC ICR write (the P6 APIC bus was serial and slow)',
  },
  ipi_latency: {
    era2000: 1200, modern: 1300,
    meaning: 'IPI one-way delivery, send to handler start',
    source:
      'KVM IPIv series Jul 2021, ~1.3-1.45 us one-way (modern); Lundell, linux-kernel 8 Oct 2001: a P6 APIC-bus ' +
      'interrupt+EOI exchange is 35-48 clocks at 16.7 MHz = 2-3 us, one message ~1.2 us (era2000)',
  },
  irq_entry_exit: {
    era2000: 1000, modern: 300,
    meaning: 'interrupt entry + exit (save/restore, ack), per handler invocation',
    source: 'estimate',
  },
  irq_exit: {
    era2000: 150, modern: 50,
    meaning: 'the part of irq_entry_exit after the handler body: ret_from_intr, RESTORE_ALL, iret (2.4 entry.S); capped at irq_entry_exit',
    source: 'estimate: ~100 cycles of register pops, segment loads and iret (PIII 700 MHz; ~150 cycles at 3 GHz)',
  },
  tlb_flush_full: {
    era2000: 200, modern: 35,
    meaning: 'local full TLB flush (CR3 reload), excluding refills',
    source: 'Ingo Molnar, linux-mm Jun 2015: CR3 reload 96 cycles (modern); estimate (era2000)',
  },
  tlb_refill: {
    era2000: 100, modern: 30,
    meaning:
      'one page walk after a TLB miss: on a modelled mapping (pkmap, vmalloc, fixmap), or per working-set entry (machine.tlb_working_set) walked back in after a full flush',
    source: TLB_REFILL_SOURCE,
  },
  invlpg: {
    era2000: 300, modern: 100,
    meaning: 'local single-page TLB invalidation',
    source:
      'arch/x86/mm/tlb.c comment on tlb_single_page_flush_ceiling, "Each single flush is about 100 ns" (Hansen, 3.17; it comes from ' +
      'the same traces as the held-out validation target hansen-2014-flush-ceiling, so it is not independent of it); Hansen, linux-mm ' +
      '5 Dec 2017, <3062e486-3539-8a1f-5724-16199420be71@intel.com>: INVLPG ~200 cycles on a 4-core Skylake desktop = 57-67 ns at ' +
      '3.0-3.5 GHz (modern); estimate (era2000)',
  },
  invlpgb: {
    era2000: 70, modern: 70,
    meaning:
      'AMD broadcast invalidation (kernel.tlb_flush: invlpgb): the initiator\'s cost of issuing one INVLPGB (a range of up to machine.invlpgb_count_max pages, or everything) to every CPU of the machine; not waited for (TLBSYNC is)',
    source:
      'estimate (no published per-instruction latency found; AMD APM vol. 3 describes INVLPGB, not its timing): 70 ns, ' +
      'range 20-300 ns: about one local INVLPG (Hansen, linux-mm 5 Dec 2017, ~200 cycles on Skylake = 67 ns at 3 GHz), the ' +
      'instruction posting one message to the data fabric. era2000: no such instruction on a P6; the modern figure, for what-ifs',
  },
  tlbsync: {
    era2000: 300, modern: 300,
    meaning:
      'TLBSYNC after a kernel INVLPGB flush: the initiator waits until every CPU has completed the invalidations it broadcast (one wait per flush, however many INVLPGBs)',
    source:
      'estimate: 300 ns, range 100-1000 ns: a fabric round trip to every core plus their invalidations, ~2-3 cross-CCD line ' +
      'transfers, far below an IPI round (ipi_latency 1,300 ns one way); consistent with Rik van Riel\'s INVLPGB series ' +
      '(linux-mm, v2 cover letter, Dec 2024: TLB invalidation fell from ~40% to ~4% of CPU time in will-it-scale ' +
      'tlb_flush2_threads on a 36-core Milan). era2000: no such instruction on a P6; the modern figure, for what-ifs',
  },
  pte_write: {
    era2000: 20, modern: 5,
    meaning: 'set or clear one kernel PTE',
    source: 'estimate',
  },
  memcpy_page: {
    era2000: 10_000, modern: 700,
    meaning: 'copy one 4 KiB page (bounce copy, cold)',
    source:
      'FSB arithmetic: 4 KiB read + 4 KiB written over a 100 MHz x 8 B = 800 MB/s bus ~ 10 us (era2000); ' +
      'cold 4 KiB copy on an EPYC VM (modern)',
  },
  context_switch: {
    era2000: 3000, modern: 1500,
    meaning: 'switch from one task to another on a CPU',
    source: 'estimate',
  },
  pkmap_scan_slot: {
    era2000: 5, modern: 1,
    meaning: 'map_new_virtual: examine one pkmap_count slot',
    source: 'estimate',
  },
  vmlist_walk_area: {
    era2000: 30, modern: 5,
    meaning: 'eager vmalloc: visit one vm_struct on vmlist (first-fit / find walk)',
    source: 'estimate: one list node visited',
  },
  vmap_area_op: {
    era2000: 150, modern: 40,
    meaning: 'lazy vmalloc: one rbtree insert/erase/lookup of a vmap_area (a few node visits); 5.2+ also the augmented free-tree search and clip (find_vmap_lowest_match, merge_or_add_vmap_area)',
    source:
      'estimate: ~log2(areas) node visits at vmlist_walk_area each. Lower bound measured: lib/rbtree_test.c (NODES 100, PERF_LOOPS 100000, cycles per loop of 100 inserts + 100 erases) ' +
      'in a 0-day boot log, TSC 2693 MHz: "rbtree testing -> 8770 cycles", "augmented rbtree testing -> 12943 cycles" = 44 / 65 cycles per operation = 16 / 24 ns, ' +
      'a hot 100-node tree in L1; a vmap tree holds thousands of areas and misses L1, hence the larger estimate (modern)',
  },
  page_alloc: {
    era2000: 400, modern: 100,
    meaning: 'take one page from the buddy allocator (alloc_page; vmalloc 5.13+: alloc_pages_bulk, per page) or return it (__free_page)',
    source: 'estimate',
  },
  bounce_retry: {
    era2000: 1000, modern: 300,
    meaning: "one pass of 2.4's bounce-page retry loop (failed alloc, emergency_lock, run_task_queue, schedule() with SCHED_YIELD)",
    source: 'estimate: a page_alloc attempt, a locked op and a schedule() that picks the caller again',
  },
  pgtable_walk_level: {
    era2000: 50, modern: 10,
    meaning: 'virt_to_phys of a non-linear kernel address: one level of the software page-table walk (2 levels, 3 with PAE)',
    source: 'estimate: one dependent load of a page-table entry, usually in L2, plus the index arithmetic',
  },
  bitmap_region_check: {
    era2000: 10, modern: 2,
    meaning: "vb_alloc (2.6.28; gone by 5.10): bitmap_find_free_region tests one 2^order-page region of a vmap_block's alloc_map (__reg_op REG_OP_ISFREE, a mask test within one long)",
    source: 'estimate: ~6 cycles per region (index and mask arithmetic, one load, a test and the loop step): 11 ns at 550 MHz, 2 ns at 3 GHz',
  },
  kmalloc: {
    era2000: 150, modern: 20,
    meaning: 'kmalloc() or kfree() of a small object from the per-CPU slab cache (2.4 get_vm_area\'s vm_struct; vmalloc: the vm_struct, the page array, kmem_cache_alloc of the vmap_area)',
    source: 'estimate: slab fast path with IRQs saved/restored, ~100 cycles (PIII) / ~60 cycles (SLUB, 3 GHz)',
  },
  idle_exit: {
    era2000: 0, modern: 0,
    meaning: 'an interrupt reaching a halted CPU (idle loop hlt, C1) waits this long before its handler runs',
    source: 'estimate: 0, not charged in this column (no hlt exit measurement for these machines); the opteron-2x4-2008 preset sets it',
  },
  package_idle_exit: {
    era2000: 0, modern: 0,
    meaning: 'as idle_exit, when every core of the CPU\'s package was halted (AMD C1E): the package wakes once for all its cores',
    source: 'estimate: 0, not charged in this column (the PIII has no package C-state; modern: not modelled); the opteron-2x4-2008 preset sets it',
  },
  // ---- the per-request CPU of the I/O path (src/kernel/iopath.ts); no component
  // measurement was found for any step (searched: lmbench null-call figures for the PIII,
  // linux-kernel raw I/O / O_DIRECT CPU posts): each is an estimate from the code it runs.
  // Deliberately NOT derived from Pulavarty 2002 (docs/VALIDATION.md), their held-out check.
  syscall: {
    era2000: 700, modern: 100,
    meaning: 'per I/O, submitter: read()/write() system call entry + exit (int 0x80 / syscall, SAVE_ALL, fd lookup, ret_from_sys_call)',
    source: 'estimate: ~385 cycles at 550 MHz (int 0x80 + iret ~200 cycles, fget, the raw/blkdev dispatch); ~300 cycles at 3 GHz without mitigations',
  },
  map_user_page: {
    era2000: 500, modern: 60,
    meaning: 'per page, submitter: pin one user page for raw / O_DIRECT I/O (2.4 fs/iobuf.c map_user_kiobuf → follow_page + get_page; 2.6 get_user_pages)',
    source: 'estimate: a software page-table walk (cold lines) + an atomic page refcount, ~275 cycles at 550 MHz, ~180 cycles at 3 GHz',
  },
  bh_setup: {
    era2000: 300, modern: 40,
    meaning: 'per page, submitter: set up one buffer_head (2.4 fs/buffer.c brw_kiovec: init_buffer, b_data, b_end_io) or one bio_vec (2.6 bio_add_page)',
    source: 'estimate: a slab allocation plus ~10 field stores, ~165 cycles at 550 MHz (~120 at 3 GHz)',
  },
  blk_make_request: {
    era2000: 500, modern: 80,
    meaning: 'per page, submitter, under the block lock (kernel.block_lock): __make_request for one buffer_head — elevator merge scan, back-merge or new request (2.4 drivers/block/ll_rw_blk.c:720-814)',
    source: 'estimate: an elevator_linus_merge pass over a short queue plus the merge bookkeeping, ~275 cycles at 550 MHz (~240 at 3 GHz)',
  },
  scsi_cmd_build: {
    era2000: 3000, modern: 500,
    meaning: 'per device request, submitter, outside the lock: scsi_request_fn building the command — scsi_init_io scatter-gather table, sd init_command CDB, scsi_init_cmd_errh timer (2.4.16 drivers/scsi/scsi_lib.c:1027-1088)',
    source: 'estimate: ~1,650 cycles at 550 MHz (~1,500 at 3 GHz) of mid-layer code per command (sg list walk over the buffer_heads, kmalloc of the sg table, add_timer)',
  },
  scsi_queuecommand: {
    era2000: 2000, modern: 400,
    meaning: 'per device request, submitter, under the block lock: the host driver queuecommand — build the controller\'s request block and post it over PCI (2.4.16 drivers/scsi/scsi.c:695)',
    source: 'estimate: a few uncached PCI MMIO/PIO writes at ~0.3-0.5 us each plus driver bookkeeping (bus-bound: not scaled with the clock)',
  },
  end_io_page: {
    era2000: 400, modern: 60,
    meaning: 'per page, completion context: b_end_io for one buffer_head (2.4.16 drivers/scsi/scsi_lib.c:383 __scsi_end_request; end_buffer_io_kiobuf) / bio_endio per bio_vec',
    source: 'estimate: unlock the buffer, drop the refcount, kiobuf io_count atomic (~220 cycles at 550 MHz, ~180 at 3 GHz)',
  },
  end_request: {
    era2000: 2000, modern: 300,
    meaning: 'per device request, completion context: scsi_decide_disposition, scsi_finish_command, __scsi_release_command, the waiter\'s wake-up bookkeeping (2.4.16 drivers/scsi/scsi.c:1351, scsi_lib.c:357-444)',
    source: 'estimate: ~1,100 cycles at 550 MHz (~900 at 3 GHz) of mid-layer completion code',
  },
};

/**
 * Cost keys that no longer exist, with what replaced them: a scenario that sets one fails
 * with this message rather than a did-you-mean.
 */
export const REMOVED_COST_KEYS: Readonly<Record<string, string>> = {
  tlb_flush_refill:
    'removed: the refill after a full TLB flush is now paid on the CPU\'s next access, machine.tlb_working_set entries x costs.tlb_refill each',
};

/** One column of the cost table (the costs of `era2000` and `modern`; other presets: presets.ts). */
export function presetCosts(preset: CostTableName): Costs {
  const out = {} as Costs;
  for (const k of COST_KEYS) out[k] = COST_TABLE[k][preset];
  return out;
}

/** Interrupt exit (ret_from_intr … iret): the part of irq_entry_exit after a handler's body. */
export function irqExitCost(c: Costs): number {
  return Math.min(c.irq_exit, c.irq_entry_exit);
}

/** Interrupt entry (gate, SAVE_ALL, ack): the part of irq_entry_exit before a handler's body. */
export function irqEntryCost(c: Costs): number {
  return c.irq_entry_exit - irqExitCost(c);
}
