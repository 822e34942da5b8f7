/**
 * Cost parameters of the model: every time the simulated kernel or CPU spends, by name,
 * in nanoseconds, with the source of each default (../shared/DESIGN.md §3).
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
  'tlb_flush_refill',
  'tlb_refill',
  'invlpg',
  'pte_write',
  'memcpy_page',
  'context_switch',
  'pkmap_scan_slot',
  'vmlist_walk_area',
  'vmap_area_op',
  'page_alloc',
  'bounce_retry',
  'pgtable_walk_level',
  'kmalloc',
  'idle_exit',
  'package_idle_exit',
] as const;

export type CostKey = (typeof COST_KEYS)[number];
export type Costs = Record<CostKey, number>;
/** The two columns of COST_TABLE. The machine presets built on them: ./presets.ts. */
export type CostTableName = 'era2000' | 'modern';
/** Every name `costs.preset` accepts (the machine presets and their aliases). */
export type { PresetName } from './presets.js';

export interface CostDefault {
  era2000: number;
  modern: number;
  /** What the number means. */
  meaning: string;
  /** Where the number comes from; "estimate" where no measurement backs it. */
  source: string;
}

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
      'modern: ccbench (David, Guerraoui, Trigonakis, SOSP\'13) ~112 cycles for a line from another core of the same socket, at 3 GHz; ' +
      'era2000: a P6 package has one core, so no transfer is ever local: set to the FSB value (line_transfer_remote)',
  },
  line_transfer_remote: {
    era2000: 200, modern: 111,
    meaning: 'test-and-set locks: serving a request for the lock word\'s line from a core of another package (P6: across the front-side bus)',
    source:
      'era2000: estimate, a P6 bus cache-to-cache (HITM) transfer of one line, the value of lock_handoff; no published PIII figure found. ' +
      'modern: estimate, 3 x line_transfer_local (AnandTech 2007 ping-pong, across sockets vs same die: 3.8x on a Xeon E5345, 225/59 ns; 1.3x on an Opteron 2350, 199/152 ns)',
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
  tlb_flush_refill: {
    era2000: 2400, modern: 720,
    meaning: 'refilling, after one full TLB flush on a CPU, the translations it goes on using outside the modelled mappings (kernel stack and data, user pages); charged to that CPU with the flush',
    source: 'estimate: a working set of 24 entries × tlb_refill (2.4 __flush_tlb_all toggles CR4.PGE, so global kernel entries go too; the PIII has 64 4 KiB DTLB + 32 ITLB entries)',
  },
  tlb_refill: {
    era2000: 100, modern: 30,
    meaning: 'one TLB miss on a modelled mapping (page walk)',
    source: 'estimate: one page walk',
  },
  invlpg: {
    era2000: 300, modern: 100,
    meaning: 'local single-page TLB invalidation',
    source: 'arch/x86/mm/tlb.c comment on tlb_single_page_flush_ceiling (modern); estimate (era2000)',
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
    meaning: 'lazy vmalloc: one rbtree insert/erase/lookup of a vmap_area (a few node visits)',
    source: 'estimate: ~log2(areas) node visits at vmlist_walk_area each',
  },
  page_alloc: {
    era2000: 400, modern: 100,
    meaning: 'take one page from the buddy allocator (alloc_page) or return it',
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
  kmalloc: {
    era2000: 150, modern: 20,
    meaning: 'kmalloc() or kfree() of a small object from the per-CPU slab cache (2.4 get_vm_area\'s vm_struct)',
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
