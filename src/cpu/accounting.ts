/**
 * CPU time categories (docs/MODEL.md §4). Every nanosecond of every CPU is in exactly one:
 * the categories of a CPU sum to the simulated time.
 */
export const WORK = 0; // task work: think time, touching data, the workload's own CPU use
export const COPY = 1; // memcpy of page data (bounce copies)
export const SPIN = 2; // acquiring spinlocks: the atomic op, the line transfer, spinning
export const IPI_WAIT = 3; // an IPI initiator waiting for the targets' acks
export const IRQ = 4; // interrupt entry/exit and handler bodies (except their flushes/copies)
export const TLB = 5; // TLB flushes (full, invlpg) and refills after misses
export const MAP = 6; // PTE writes and map/unmap bookkeeping (pkmap scan, vmlist walk, allocators)
export const SCHED = 7; // context switches
export const IDLE = 8; // nothing runnable

export type Category = number;
export const CATEGORY_NAMES = ['work', 'copy', 'spin', 'ipi_wait', 'irq', 'tlb', 'map', 'sched', 'idle'] as const;
export type CategoryName = (typeof CATEGORY_NAMES)[number];
export const N_CATEGORIES = CATEGORY_NAMES.length;
