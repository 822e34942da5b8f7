/**
 * The resolved scenario (docs/MODEL.md §9): what the rest of smpsim consumes. Every default is
 * filled and every unit converted: times in ns, sizes in bytes, rates in bytes/s,
 * distributions as DistSpec in those base units. Plain JSON data (the result file embeds it).
 * Produced by src/scenario/load.ts; the file format itself is src/scenario/schema.ts.
 */
import type { CostKey, Costs } from '../kernel/costs.js';
import type { PresetName } from '../kernel/presets.js';
import type { DistSpec } from '../engine/distributions.js';
import type { KernelVersion, VersionSettingKey, VersionSettings } from '../kernel/versions.js';

export {
  BLOCK_LOCKS,
  BOUNCE_ALLOC_WAITS,
  COMPLETION_CONTEXTS,
  type BlockLock,
  type CompletionContext,
  BOUNCE_WRITE_COPIES,
  KERNEL_VERSIONS,
  SMP_CALL_FUNCTIONS,
  VMALLOC_MAP_LOCKS,
  VMAP_AREA_LOCKINGS,
  VMAP_PURGE_CONTEXTS,
  type VmapAreaLocking,
  type VmapPurgeContext,
  type BounceAllocWait,
  type BounceWriteCopy,
  type KernelVersion,
  type SmpCallFunctionKind,
  type VersionSettingKey,
  type VmallocMapLock,
} from '../kernel/versions.js';

// ---------------------------------------------------------------------------------------
// Enumerations

export const STRATEGIES = ['bounce', 'vmap', 'vmap_lazy', 'kmap', 'direct'] as const;
export type Strategy = (typeof STRATEGIES)[number];
export const SPINLOCKS = ['tas', 'ticket', 'qspinlock'] as const;
export type SpinlockKind = (typeof SPINLOCKS)[number];
export const TLB_FLUSHES = ['flush_tlb_all', 'flush_tlb_kernel_range', 'invlpgb'] as const;
export type TlbFlushKind = (typeof TLB_FLUSHES)[number];
export const INJECT_BUGS = ['none', 'skip_pkmap_flush', 'skip_vfree_flush'] as const;
export type InjectBug = (typeof INJECT_BUGS)[number];
export const DMA_LIMITS = ['isa', '32bit', '64bit'] as const;
export type DmaLimit = (typeof DMA_LIMITS)[number];
export const IRQ_ROUTINGS = ['cpu0', 'submitter', 'round_robin'] as const;
export type IrqRouting = (typeof IRQ_ROUTINGS)[number];
export const WORKLOAD_TYPES = ['io', 'locktorture', 'maptorture'] as const;
export type WorkloadType = (typeof WORKLOAD_TYPES)[number];
export const MAP_APIS = ['kmap', 'kmap_atomic', 'vmap', 'vmap_lazy', 'vmalloc', 'kmap_local'] as const;
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
  /** The machine preset whose defaults filled the unset machine fields (null: none). */
  preset: PresetName | null;
  cpus: number;
  pae: boolean;
  lowmem_bytes: number;
  highmem_bytes: number;
  spinlock: SpinlockKind;
  tlb_entries: number;
  /** TLB entries walked back in after a full flush, outside the modelled mappings (src/cpu/cpu-time.ts). */
  tlb_working_set: number;
  /** Pages one INVLPGB may invalidate (kernel.tlb_flush: invlpgb; src/kernel/tlbparams.ts). */
  invlpgb_count_max: number;
  /** Shared memory bus, bytes/s (src/cpu/membus.ts). */
  memory_bandwidth_bytes_per_s: number;
  /**
   * The CPUs have AMD's INVLPGB/TLBSYNC broadcast invalidation (Zen 3+). Default: the machine
   * preset's (machine.preset, else the cost preset's machine). With kernel.version 6.15+ it
   * makes kernel.tlb_flush default to invlpgb.
   */
  invlpgb: boolean;
}

/**
 * The resolved kernel: every setting a version decides (VersionSettings, src/kernel/versions.ts,
 * each documented there; the machine's spinlock and the cost preset live with the machine and
 * costs), and the settings no version decides.
 */
export interface ResolvedKernel extends Omit<VersionSettings, 'spinlock' | 'costs_preset'> {
  /** The kernel asked about: the defaults of every VersionSettings field. */
  version: KernelVersion;
  strategy: Strategy;
  /** null = unlimited: the page allocator never fails. */
  lowmem_free_pages: number | null;
  vmalloc_size_bytes: number;
  /** vm areas present from boot (ioremap, modules) ahead of the I/O's in the vmalloc space. */
  vmalloc_boot_areas: number;
  vmap_block: boolean;
  /** LAST_PKMAP: persistent kmap slots (a power of two; default 1024, 512 with PAE). */
  last_pkmap: number;
  /** null = the model computes lazy_max_pages() from the CPU count. */
  lazy_max_pages: number | null;
  tlb_single_page_flush_ceiling: number;
  inject_bug: InjectBug;
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
  /** Where each cost comes from: the preset's source for the key, or "scenario override". */
  costs_source: Record<CostKey, string>;
  kernel: ResolvedKernel;
  /**
   * Where each version-dependent setting comes from: `kernel.version <v>: <kernel source>`,
   * or "scenario override" when the file (or --set) gave it.
   */
  version_source: Record<VersionSettingKey, string>;
  device: ResolvedDevice;
  workload: ResolvedWorkload;
  stop: ResolvedStop;
  /**
   * The `uncertain:` block: field path → range as written (validated), for `smpsim
   * robustness` (docs/ROBUSTNESS.md). Absent when the file declares none, so that a scenario
   * without one resolves exactly as before.
   */
  uncertain?: Record<string, string>;
}
