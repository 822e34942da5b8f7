/**
 * Machine presets: real machines behind the cost table, each with its sources
 * (docs/VALIDATION.md §Presets). A preset names
 *   - the cost table it starts from (`base`: a column of COST_TABLE), plus per-key
 *     overrides, each with the value and where it comes from ("estimate", a component
 *     figure with its citation, or "fitted to <end-to-end result>" — never fitted to the
 *     table the preset is then said to reproduce);
 *   - the machine itself: CPU count, clock, front-side bus / memory bandwidth, memory —
 *     defaults for `machine.*` when a scenario says `machine.preset: <name>`. Not the
 *     spinlock: that is the kernel's (kernel.version), not the machine's.
 *
 * `costs.preset` accepts every preset name and the historical aliases `era2000` (the seed
 * thread's 4-way PIII Xeon) and `modern` (a current x86 server); `machine.preset` accepts
 * the same names. A scenario's explicit values always win over a preset's defaults.
 */
import { COST_KEYS, COST_TABLE, type CostKey, type Costs } from './costs.js';

export const MACHINE_PRESETS = [
  'piii-xeon-4way-2000',
  'piii-8way-2002',
  'opteron-2x4-2008',
  'xeon-8380-2x40-2021',
  'epyc-7763-1x64-2021',
  'x86-server-2024',
] as const;
export type MachinePresetName = (typeof MACHINE_PRESETS)[number];

/** Historical names, kept valid: each stands for one machine preset. */
export const PRESET_ALIASES = { era2000: 'piii-xeon-4way-2000', modern: 'x86-server-2024' } as const satisfies Record<
  string,
  MachinePresetName
>;
export type PresetAlias = keyof typeof PRESET_ALIASES;

/** Every name `costs.preset` and `machine.preset` accept: aliases first, then the machines. */
export type PresetName = PresetAlias | MachinePresetName;
export const PRESET_NAMES: readonly PresetName[] = [...(Object.keys(PRESET_ALIASES) as PresetAlias[]), ...MACHINE_PRESETS];

/** A value with where it comes from. */
export interface Sourced<T> {
  value: T;
  source: string;
}

/** What a preset says about the machine (defaults for `machine.*`, and description). */
export interface MachineDescription {
  cpus: Sourced<number>;
  /** Cores per processor package: the cores that share a package idle state (AMD C1E). */
  cores_per_package: Sourced<number>;
  /** Core clock, MHz (descriptive: costs are in ns). */
  clock_mhz: Sourced<number>;
  /** Sustainable memory bandwidth of the whole machine, bytes/s (descriptive until the
   *  shared memory bus lands: then the default of machine.memory_bandwidth). */
  memory_bandwidth_bytes_per_s: Sourced<number>;
  pae: Sourced<boolean>;
  lowmem_bytes: Sourced<number>;
  highmem_bytes: Sourced<number>;
  /**
   * AMD INVLPGB/TLBSYNC broadcast TLB invalidation (Zen 3+; CPUID Fn8000_0008_EBX[3]): the
   * default of machine.invlpgb, which with kernel.version 6.15+ makes kernel.tlb_flush invlpgb.
   */
  invlpgb: Sourced<boolean>;
}

export interface MachinePreset {
  title: string;
  /** The COST_TABLE column the costs start from. */
  base: 'era2000' | 'modern';
  machine: MachineDescription;
  /** Per-key costs that differ from the base column, ns, each with its source. */
  costs: Partial<Record<CostKey, Sourced<number>>>;
}

const MiB = 1024 * 1024;
const GB = 1e9;
const MB = 1e6;

const NO_INVLPGB_INTEL = { value: false, source: 'Intel CPUs have no INVLPGB (AMD Zen 3+ only)' } as const;

/** AnandTech's inter-core bounce test (CAS on a shared line), as the two new presets cite it. */
const AT_MILAN =
  'AnandTech, "AMD 3rd Gen EPYC Milan Review" (Andrei Frumusanu, 15 Mar 2021), p.4 core-to-core latency chart, EPYC 7763';
const AT_ICX =
  'AnandTech, "Intel 3rd Gen Xeon Scalable (Ice Lake SP) Review" (Andrei Frumusanu, 6 Apr 2021), p.4 core-to-core latency chart, Xeon 8380 2P';
const HANSEN_2017_INVLPG =
  'Hansen, linux-mm 5 Dec 2017 <3062e486-3539-8a1f-5724-16199420be71@intel.com>: INVLPG ~200 cycles on a 4-core Skylake';
const READ_OFF = 'estimate: values recalled from the published heat map, not re-read for this preset (+-20%)';

/** Clock-scaled CPU-bound costs of a preset relative to its base column's clock. */
function scaled(key: CostKey, from: number, to: number, base: 'era2000' | 'modern' = 'era2000'): Sourced<number> {
  return {
    value: Math.round((COST_TABLE[key][base] * from) / to),
    source: `estimate: ${base} value x ${from}/${to} MHz (CPU-bound, scales with the core clock)`,
  };
}

export const PRESETS: Record<MachinePresetName, MachinePreset> = {
  'piii-xeon-4way-2000': {
    title: '4-way Pentium III Xeon 550 MHz, 100 MHz FSB, 4 GiB with PAE (the January 2000 linux-kernel thread)',
    base: 'era2000',
    machine: {
      cpus: { value: 4, source: 'the thread\'s 4-way box' },
      cores_per_package: { value: 1, source: 'single-core PIII Xeon packages' },
      clock_mhz: { value: 550, source: 'PIII Xeon of early 2000: 500-550 MHz on a 100 MHz FSB' },
      memory_bandwidth_bytes_per_s: {
        value: 629 * MB,
        source:
          'estimate: one 100 MHz x 8 B front-side bus (Intel 450NX) = 800 MB/s peak, shared by the 4 CPUs and DMA; ' +
          '~80% of it sustained for the pipelined P6 bus',
      },
      pae: { value: true, source: 'the thread\'s 4 GiB box: RAM remapped above the 4 GiB PCI hole needs 36-bit PAE' },
      lowmem_bytes: { value: 896 * MiB, source: 'i386 3G/1G split: 896 MiB direct-mapped' },
      highmem_bytes: { value: 3200 * MiB, source: '4 GiB total' },
      invlpgb: NO_INVLPGB_INTEL,
    },
    costs: {},
  },
  'piii-8way-2002': {
    title:
      '8-way Pentium III Xeon 700 MHz (Profusion-class: two 100 MHz FSBs of 4 CPUs), ~4 GiB (Pulavarty, linux-kernel, Aug 2002)',
    base: 'era2000',
    machine: {
      cpus: { value: 8, source: 'Pulavarty 29 Aug 2002: "8x 700MHz P-III"' },
      cores_per_package: { value: 1, source: 'single-core PIII Xeon packages' },
      clock_mhz: { value: 700, source: 'Pulavarty 29 Aug 2002' },
      memory_bandwidth_bytes_per_s: {
        value: 1280 * MB,
        source:
          'estimate: two 100 MHz x 8 B front-side buses (800 MB/s peak each) as on Intel\'s 8-way Profusion chipset, ' +
          '~80% sustained as for the 4-way; the post does not name the chipset',
      },
      pae: { value: true, source: '~3.8 GB free in the post\'s vmstat: more than 4 GiB of RAM needs PAE' },
      lowmem_bytes: { value: 896 * MiB, source: 'i386 3G/1G split' },
      highmem_bytes: { value: 3200 * MiB, source: 'estimate: ~4 GiB total (vmstat shows 3.8 GB free)' },
      invlpgb: NO_INVLPGB_INTEL,
    },
    costs: {
      lock_acquire: scaled('lock_acquire', 550, 700),
      lock_handoff: {
        value: 300,
        source: 'estimate: a cache-to-cache transfer between the two FSBs goes through the chipset (slower than the 4-way\'s 200 ns)',
      },
      line_transfer_local: {
        value: 300,
        source: 'estimate: one core per package, so never local; the value of line_transfer_remote',
      },
      line_transfer_remote: {
        value: 300,
        source:
          'estimate: the value of lock_handoff (a transfer between the two FSBs goes through the chipset; one on the same FSB ' +
          'would be the 4-way\'s 200 ns: not modelled, the packages of one FSB are not told apart)',
      },
      memcpy_page: {
        value: 11_400,
        source:
          'Denis Vlasenko, linux-kernel, "Csum and csum copyroutines benchmark", 25 Oct 2002: the kernel\'s copy ' +
          '(kernel_copy, no prefetch) of 2 MB into 2 MB, beyond L2, on a Celeron 1200 with the same 100 MHz P6 bus: ' +
          '3,423 cycles/KiB = 2.85 us/KiB, i.e. 11.4 us per 4 KiB page (bus-bound, so the same at 700 MHz)',
      },
      irq_entry_exit: scaled('irq_entry_exit', 550, 700),
      pte_write: scaled('pte_write', 550, 700),
      context_switch: scaled('context_switch', 550, 700),
      pkmap_scan_slot: scaled('pkmap_scan_slot', 550, 700),
      bitmap_region_check: scaled('bitmap_region_check', 550, 700),
      vmlist_walk_area: scaled('vmlist_walk_area', 550, 700),
      vmap_area_op: scaled('vmap_area_op', 550, 700),
      page_alloc: scaled('page_alloc', 550, 700),
      syscall: scaled('syscall', 550, 700),
      map_user_page: scaled('map_user_page', 550, 700),
      bh_setup: scaled('bh_setup', 550, 700),
      blk_make_request: scaled('blk_make_request', 550, 700),
      scsi_cmd_build: scaled('scsi_cmd_build', 550, 700),
      end_io_page: scaled('end_io_page', 550, 700),
      end_request: scaled('end_request', 550, 700),
    },
  },
  'opteron-2x4-2008': {
    title: '2 sockets x quad-core Opteron (Barcelona/Shanghai, 2.3 GHz), HyperTransport (Piggin, linux-mm, Aug 2008)',
    base: 'modern',
    machine: {
      cpus: { value: 8, source: 'Piggin 18 Aug 2008: "4 core, 2 socket opteron"' },
      cores_per_package: { value: 4, source: 'Piggin 18 Aug 2008: "4 core, 2 socket opteron"' },
      clock_mhz: { value: 2300, source: 'estimate: the post names no model; Opteron 2356 (Barcelona B3) runs at 2.3 GHz' },
      memory_bandwidth_bytes_per_s: {
        value: 21.3 * GB,
        source: 'estimate: DDR2-667, two channels per socket = 10.7 GB/s peak per socket, two sockets',
      },
      pae: { value: false, source: 'x86-64: no highmem (the model keeps the i386 layout defaults)' },
      lowmem_bytes: { value: 896 * MiB, source: 'model default (x86-64 has no lowmem/highmem split)' },
      highmem_bytes: { value: 3200 * MiB, source: 'model default' },
      invlpgb: { value: false, source: 'INVLPGB is new in AMD Zen 3 (2021): not on a family 10h Opteron' },
    },
    costs: {
      // The modern column's CPU-bound estimates are for ~3 GHz; this box runs at 2.3 GHz.
      lock_acquire: scaled('lock_acquire', 3000, 2300, 'modern'),
      irq_entry_exit: scaled('irq_entry_exit', 3000, 2300, 'modern'),
      irq_exit: scaled('irq_exit', 3000, 2300, 'modern'),
      pte_write: scaled('pte_write', 3000, 2300, 'modern'),
      context_switch: scaled('context_switch', 3000, 2300, 'modern'),
      vmlist_walk_area: scaled('vmlist_walk_area', 3000, 2300, 'modern'),
      vmap_area_op: scaled('vmap_area_op', 3000, 2300, 'modern'),
      page_alloc: scaled('page_alloc', 3000, 2300, 'modern'),
      kmalloc: scaled('kmalloc', 3000, 2300, 'modern'),
      pgtable_walk_level: scaled('pgtable_walk_level', 3000, 2300, 'modern'),
      bitmap_region_check: scaled('bitmap_region_check', 3000, 2300, 'modern'),
      syscall: scaled('syscall', 3000, 2300, 'modern'),
      map_user_page: scaled('map_user_page', 3000, 2300, 'modern'),
      bh_setup: scaled('bh_setup', 3000, 2300, 'modern'),
      blk_make_request: scaled('blk_make_request', 3000, 2300, 'modern'),
      scsi_cmd_build: scaled('scsi_cmd_build', 3000, 2300, 'modern'),
      end_io_page: scaled('end_io_page', 3000, 2300, 'modern'),
      end_request: scaled('end_request', 3000, 2300, 'modern'),
      lock_handoff: {
        value: 90,
        source:
          'AnandTech, Barcelona review (2007), Cache2Cache ping-pong on an Opteron 2350: 152 ns same die, 199 ns across ' +
          'sockets, each ~2x the one-way time; a random other core of 7 (3 same die, 4 remote): (3x76 + 4x100)/7 ~ 90 ns',
      },
      line_transfer_local: {
        value: 76,
        source: 'AnandTech, Barcelona review (2007), Cache2Cache ping-pong on an Opteron 2350: 152 ns same die = 2 x 76 ns one way',
      },
      line_transfer_remote: {
        value: 100,
        source: 'AnandTech, Barcelona review (2007), Cache2Cache ping-pong on an Opteron 2350: 199 ns across sockets = 2 x ~100 ns one way',
      },
      memcpy_page: {
        value: 2000,
        source:
          'estimate: a cold 4 KiB copy misses 64 lines read + 64 written at ~85 ns (McCalpin, Family10h rev B3 ' +
          '2-socket memory latency, Oct 2010), ~5 misses in flight',
      },
      tlb_flush_full: {
        value: 42,
        source: 'estimate: Molnar 2015 CR3-reload 96 cycles at 2.3 GHz (no Family10h measurement found)',
      },
      invlpg: {
        value: 113,
        source: 'estimate: Molnar 2015 invlpg 260 cycles at 2.3 GHz (no Family10h measurement found)',
      },
      ipi_latency: {
        value: 1300,
        source: 'estimate: no 2008 Opteron IPI measurement found; the modern figure (KVM IPIv series, Jul 2021)',
      },
      idle_exit: {
        value: 3000,
        source:
          'estimate: no AMD family 10h figure found; the published C1 exit latency of the same-era Intel server core ' +
          '(drivers/idle/intel_idle.c nehalem_cstates, "C1-NHM" exit_latency 3 us)',
      },
      package_idle_exit: {
        value: 10_000,
        source:
          'estimate: no AMD family 10h C1E figure found; the published C1E exit latency of the same-era Intel server ' +
          'core (drivers/idle/intel_idle.c nehalem_cstates, "C1E-NHM" exit_latency 10 us). 2.6.27 idles AMD family ' +
          '10h in c1e_idle (arch/x86/kernel/process.c), so C1E is entered when all 4 cores of a socket halt',
      },
    },
  },
  'xeon-8380-2x40-2021': {
    title: '2 sockets x Intel Xeon Platinum 8380 (Ice Lake-SP, 40 cores, 2.3 GHz), UPI, 8 x DDR4-3200 per socket (April 2021)',
    base: 'modern',
    machine: {
      cpus: { value: 80, source: 'Intel ARK, Xeon Platinum 8380: 40 cores; 2 sockets (SMT not modelled)' },
      cores_per_package: {
        value: 40,
        source:
          'a socket is the package: one monolithic mesh die per socket, so line_transfer_local is a transfer over the mesh, ' +
          'line_transfer_remote one over UPI to the other socket; package idle states are per socket too',
      },
      clock_mhz: { value: 2300, source: 'Intel ARK, Xeon Platinum 8380: 2.3 GHz base, 3.4 GHz max turbo' },
      memory_bandwidth_bytes_per_s: {
        value: 246 * GB,
        source:
          'spec arithmetic: 2 sockets x 8 channels x DDR4-3200 (25.6 GB/s) = 409.6 GB/s peak (Intel ARK); estimate ~60% sustained (range 50-75%)',
      },
      pae: { value: false, source: 'x86-64: no highmem (the model keeps the i386 layout defaults)' },
      lowmem_bytes: { value: 896 * MiB, source: 'model default (x86-64 has no lowmem/highmem split)' },
      highmem_bytes: { value: 3200 * MiB, source: 'model default' },
      invlpgb: NO_INVLPGB_INTEL,
    },
    costs: {
      invlpg: {
        value: 87,
        source: `estimate: ${HANSEN_2017_INVLPG} taken at this preset's 2.3 GHz base clock (a Skylake figure on Ice Lake)`,
      },
      bitmap_region_check: { value: 3, source: 'estimate: ~6 cycles per 2^order region test (lib/bitmap.c __reg_op) at 2.3 GHz' },
      line_transfer_local: {
        value: 50,
        source: `${AT_ICX}: ~45-55 ns between two cores of one socket (mesh); ${READ_OFF}`,
      },
      line_transfer_remote: {
        value: 120,
        source: `${AT_ICX}: ~110-130 ns between cores of the two sockets (UPI); ${READ_OFF}`,
      },
      lock_handoff: {
        value: 85,
        source:
          'derived: the lock word moves to a random other core of 79: 39 on the same socket at line_transfer_local (50), ' +
          '40 on the other at line_transfer_remote (120): (39 x 50 + 40 x 120) / 79 = 85 ns',
      },
      idle_exit: {
        value: 1000,
        source: 'drivers/idle/intel_idle.c icx_cstates (5.11+): "C1" exit_latency 1 us (C1E 4 us, C6 170 us)',
      },
    },
  },
  'epyc-7763-1x64-2021': {
    title: 'AMD EPYC 7763 (Zen 3 Milan, 64 cores, 2.45 GHz), one socket: 8 CCDs of one 8-core CCX, 8 x DDR4-3200 (March 2021)',
    base: 'modern',
    machine: {
      cpus: { value: 64, source: 'AMD EPYC 7763 product page: 64 cores (SMT not modelled), one socket' },
      cores_per_package: {
        value: 8,
        source:
          'the CCX is the package: Zen 3 has one 8-core CCX (32 MB L3) per CCD, 8 CCDs around the I/O die; a line moves inside ' +
          'a CCX through its L3 (line_transfer_local) and between CCXs through the I/O die (line_transfer_remote)',
      },
      clock_mhz: { value: 2450, source: 'AMD EPYC 7763 product page: 2.45 GHz base, 3.5 GHz max boost' },
      memory_bandwidth_bytes_per_s: {
        value: 123 * GB,
        source: 'spec arithmetic: 8 channels x DDR4-3200 (25.6 GB/s) = 204.8 GB/s peak (AMD product page); estimate ~60% sustained (range 50-75%)',
      },
      pae: { value: false, source: 'x86-64: no highmem (the model keeps the i386 layout defaults)' },
      lowmem_bytes: { value: 896 * MiB, source: 'model default (x86-64 has no lowmem/highmem split)' },
      highmem_bytes: { value: 3200 * MiB, source: 'model default' },
      invlpgb: {
        value: true,
        source:
          'AMD64 APM vol. 3: INVLPGB/TLBSYNC, CPUID Fn8000_0008_EBX[3], new in Zen 3; Rik van Riel measured the 6.15 series on a Milan ' +
          '(linux-mm, "[PATCH v7 00/12] AMD broadcast TLB invalidation", Jan 2025)',
      },
    },
    costs: {
      invlpg: {
        value: 82,
        source: `estimate: ${HANSEN_2017_INVLPG} taken at this preset's 2.45 GHz base clock; no AMD figure found`,
      },
      invlpgb: {
        value: 80,
        source: 'estimate: about one INVLPG (~200 cycles) at 2.45 GHz; no published INVLPGB latency (range 20-300 ns)',
      },
      bitmap_region_check: { value: 2, source: 'estimate: ~6 cycles per 2^order region test (lib/bitmap.c __reg_op), as the modern column' },
      line_transfer_local: {
        value: 20,
        source: `${AT_MILAN}: ~15-25 ns between two cores of one CCX (its L3); ${READ_OFF}`,
      },
      line_transfer_remote: {
        value: 105,
        source: `${AT_MILAN}: ~90-120 ns between cores of different CCDs of the socket (through the I/O die); ${READ_OFF}`,
      },
      lock_handoff: {
        value: 96,
        source:
          'derived: the lock word moves to a random other core of 63: 7 in the same CCX at line_transfer_local (20), ' +
          '56 in other CCXs at line_transfer_remote (105): (7 x 20 + 56 x 105) / 63 = 96 ns',
      },
      idle_exit: {
        value: 1000,
        source:
          'estimate: acpi_idle (drivers/acpi/processor_idle.c) C1 exit latency as Milan firmware reports it in _CST, 1 us ' +
          '(range 0.5-2 us); no AMD C1E package state on Zen (arch/x86/kernel/process.c amd_e400 only for family 10h/0fh)',
      },
    },
  },
  'x86-server-2024': {
    title: 'current 2-socket x86 server (64 cores), the `modern` costs',
    base: 'modern',
    machine: {
      cpus: { value: 64, source: 'estimate: 2 sockets x 32 cores' },
      cores_per_package: { value: 32, source: 'estimate: 2 sockets x 32 cores' },
      clock_mhz: { value: 3000, source: 'estimate' },
      memory_bandwidth_bytes_per_s: {
        value: 460 * GB,
        source: 'spec arithmetic: 2 sockets x 12 channels x DDR5-4800 (38.4 GB/s) = 922 GB/s peak; ~50% sustained',
      },
      pae: { value: false, source: 'x86-64: no highmem (the model keeps the i386 layout defaults)' },
      lowmem_bytes: { value: 896 * MiB, source: 'model default' },
      highmem_bytes: { value: 3200 * MiB, source: 'model default' },
      invlpgb: {
        value: false,
        source: 'estimate: the vendor is not named; false as on Intel (no INVLPGB); an AMD Zen 3+ box has it (epyc-7763-1x64-2021)',
      },
    },
    costs: {},
  },
};

/** The machine preset a name stands for (aliases resolved). */
export function canonicalPreset(name: PresetName): MachinePresetName {
  return (PRESET_ALIASES as Record<string, MachinePresetName>)[name] ?? (name as MachinePresetName);
}

/** The resolved cost table of a preset, with the source of each value. */
export function machinePresetCosts(name: PresetName): { costs: Costs; sources: Record<CostKey, string> } {
  const p = PRESETS[canonicalPreset(name)];
  const costs = {} as Costs;
  const sources = {} as Record<CostKey, string>;
  for (const k of COST_KEYS) {
    const o = p.costs[k];
    costs[k] = o?.value ?? COST_TABLE[k][p.base];
    sources[k] = o?.source ?? COST_TABLE[k].source;
  }
  return { costs, sources };
}
