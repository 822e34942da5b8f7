/**
 * The resolved scenario (DESIGN.md §5): what the rest of smpsim consumes. Every default is
 * filled and every unit converted: times in ns, sizes in bytes, rates in bytes/s,
 * distributions as DistSpec in those base units. Plain JSON data (the result file embeds it).
 * Produced by src/scenario/load.ts; the file format itself is src/scenario/schema.ts.
 */
import type { CostKey, Costs, PresetName } from '../kernel/costs.js';
import type { DistSpec } from '../engine/distributions.js';

// ---------------------------------------------------------------------------------------
// Enumerations

export const STRATEGIES = ['bounce', 'vmap', 'vmap_lazy', 'kmap', 'direct'] as const;
export type Strategy = (typeof STRATEGIES)[number];
export const SPINLOCKS = ['tas', 'ticket'] as const;
export type SpinlockKind = (typeof SPINLOCKS)[number];
export const TLB_FLUSHES = ['flush_tlb_all', 'flush_tlb_kernel_range'] as const;
export type TlbFlushKind = (typeof TLB_FLUSHES)[number];
export const INJECT_BUGS = ['none', 'skip_pkmap_flush', 'skip_vfree_flush'] as const;
export type InjectBug = (typeof INJECT_BUGS)[number];
export const DMA_LIMITS = ['isa', '32bit', '64bit'] as const;
export type DmaLimit = (typeof DMA_LIMITS)[number];
export const IRQ_ROUTINGS = ['cpu0', 'submitter', 'round_robin'] as const;
export type IrqRouting = (typeof IRQ_ROUTINGS)[number];
export const WORKLOAD_TYPES = ['io', 'locktorture', 'maptorture'] as const;
export type WorkloadType = (typeof WORKLOAD_TYPES)[number];
export const MAP_APIS = ['kmap', 'kmap_atomic', 'vmap', 'vmap_lazy'] as const;
export type MapApi = (typeof MAP_APIS)[number];

export const PAGE_SIZE = 4096;
export const GiB = 1024 * 1024 * 1024;
/** 32-bit physical address limit without PAE, and PAE's 36-bit limit. */
export const MAX_MEM_NO_PAE = 4 * GiB;
export const MAX_MEM_PAE = 64 * GiB;

// ---------------------------------------------------------------------------------------
// The resolved scenario

export type Locality = { kind: 'uniform' } | { kind: 'zipf'; s: number };
export type Warmup = { time_ns: number } | { ops: number };

export interface ResolvedMachine {
  cpus: number;
  pae: boolean;
  lowmem_bytes: number;
  highmem_bytes: number;
  spinlock: SpinlockKind;
  tlb_entries: number;
}

export interface ResolvedKernel {
  strategy: Strategy;
  bounce_pool_pages: number;
  /** null = unlimited: the page allocator never fails. */
  lowmem_free_pages: number | null;
  vmalloc_size_bytes: number;
  vmap_block: boolean;
  /** null = the model computes lazy_max_pages() from the CPU count. */
  lazy_max_pages: number | null;
  tlb_flush: TlbFlushKind;
  tlb_single_page_flush_ceiling: number;
  flush_concurrent_local: boolean;
  inject_bug: InjectBug;
  /**
   * Device interrupt handlers run their body with IRQs enabled, so IPIs nest inside them
   * (2.4 handle_IRQ_event without SA_INTERRUPT); false: handlers run with IRQs off
   * (Linux >= 2.6.35).
   */
  device_irqs_nest: boolean;
}

export interface ResolvedDevice {
  dma_limit: DmaLimit;
  /** Per-request device latency, ns. */
  latency: DistSpec;
  bandwidth_bytes_per_s: number;
  queue_depth: number;
  irq: IrqRouting;
}

export interface LocktortureWorkload {
  type: 'locktorture';
  tasks: number;
  /** ns */
  think: DistSpec;
  /** ns */
  hold: DistSpec;
}

export interface IoWorkload {
  type: 'io';
  tasks: number;
  /** ns */
  think: DistSpec;
  outstanding: number;
  /** bytes per I/O (every parameter ≥ 1; draws below 1 B are the model's to clamp) */
  size: DistSpec;
  read_fraction: number;
  working_set_pages: number;
  highmem_fraction: number;
  locality: Locality;
  touch_per_page_ns: number;
}

export interface MaptortureWorkload {
  type: 'maptorture';
  tasks: number;
  pages: number;
  api: MapApi;
  touch: boolean;
  /** ns */
  think: DistSpec;
  working_set_pages: number;
  highmem_fraction: number;
  locality: Locality;
}

export type ResolvedWorkload = LocktortureWorkload | IoWorkload | MaptortureWorkload;

export interface ResolvedStop {
  ops: number | null;
  time_ns: number | null;
  warmup: Warmup | null;
}

export interface ResolvedScenario {
  name: string;
  description: string;
  seed: number;
  replications: number;
  machine: ResolvedMachine;
  costs_preset: PresetName;
  /** Every cost key, ns. */
  costs: Costs;
  /** Where each cost comes from: COST_TABLE[key].source, or "scenario override". */
  costs_source: Record<CostKey, string>;
  kernel: ResolvedKernel;
  device: ResolvedDevice;
  workload: ResolvedWorkload;
  stop: ResolvedStop;
}
