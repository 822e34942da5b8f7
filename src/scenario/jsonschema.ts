/**
 * JSON Schema (draft 2020-12) of scenario files, for editors (yaml-language-server,
 * VS Code). Generated from the zod schema; unit-bearing fields become strings with a
 * pattern, and every field gets a description with its default.
 * scripts/gen-schema.ts writes it to scenario.schema.json.
 */
import { z } from 'zod';
import { COST_KEYS, COST_TABLE, TLB_WORKING_SET_DEFAULT } from '../kernel/costs.js';
import { INVLPGB_COUNT_MAX_DEFAULT, TLB_SINGLE_PAGE_FLUSH_CEILING } from '../kernel/tlbparams.js';
import {
  DEFAULT_KERNEL_VERSION,
  INVLPGB_SINCE,
  KERNEL_VERSIONS,
  KERNEL_VERSION_ALIASES,
  VERSION_TABLE,
  VMAP_LAZY_SINCE,
  versionLabel,
  type VersionSettingKey,
} from '../kernel/versions.js';
import { ScenarioRaw, unitFields, type UnitKind } from './schema.js';

type Json = Record<string, unknown>;

const NUM = String.raw`(\d+(\.\d+)?|\.\d+)`;
const DUR = String.raw`(${NUM}\s*(ns|us|\u00b5s|\u03bcs|ms|s)|0+(\.0+)?|\.0+)`;
const SIZE = String.raw`(${NUM}\s*(B|KiB|MiB|GiB)|\d+)`;
const dist = (v: string): string =>
  String.raw`^\s*(${v}|(const|exp)\(\s*${v}\s*\)|(uniform|normal|lognormal)\(\s*${v}\s*,\s*${v}\s*\))\s*$`;

export const PATTERNS: Record<UnitKind, string> = {
  duration: String.raw`^\s*${DUR}\s*$`,
  duration_positive: String.raw`^\s*${DUR}\s*$`,
  duration_dist: dist(DUR),
  size: String.raw`^\s*${SIZE}\s*$`,
  size_dist: dist(SIZE),
  rate: String.raw`^\s*(${NUM}\s*(B|KiB|MiB|GiB)/s|\d+)\s*$`,
  fraction: String.raw`^\s*\d+(\.\d+)?\s*%\s*$`,
  locality: String.raw`^\s*(uniform|zipf\(\s*\d+(\.\d+)?([eE][-+]?\d+)?\s*\))\s*$`,
};

/** The non-string alternative each unit kind accepts. */
const NUMERIC: Record<UnitKind, Json | undefined> = {
  duration: { const: 0 },
  duration_positive: undefined,
  duration_dist: { const: 0 },
  size: { type: 'integer', minimum: 0 },
  size_dist: { type: 'integer', minimum: 1 },
  rate: { type: 'integer', minimum: 1 },
  fraction: { type: 'number', minimum: 0, maximum: 1 },
  locality: undefined,
};

/** `Default: by kernel.version: 2.3.40 tas, …` for a version-dependent setting. */
function byVersion(k: VersionSettingKey): string {
  const rows = KERNEL_VERSIONS.filter((v) => !Object.hasOwn(KERNEL_VERSION_ALIASES, v));
  return `Default: by kernel.version (modern = ${KERNEL_VERSION_ALIASES.modern}): ${rows.map((v) => `${v} ${String(VERSION_TABLE[v][k].value)}`).join(', ')}.`;
}

/** Field descriptions by dotted path (workload fields without the variant). */
const DESCRIPTIONS: Record<string, string> = {
  $schema: 'JSON Schema reference for editors; ignored by smpsim.',
  name: 'Scenario name. Default: the file name without extension.',
  description: 'Free text. Default: "".',
  seed: 'Seed of all random streams. Default: 1.',
  uncertain:
    'Ranges of this scenario\'s own guessed inputs, for smpsim robustness (docs/ROBUSTNESS.md): a field path (device.latency, workload.working_set_pages, costs.tlb_refill…) → x0.5..x2 (log-uniform factors), ±15% (uniform) or lo..hi in the field\'s unit (add " log" for log-uniform). Costs not named here take the range of their quality. Default: none.',
  extends: 'Path of a scenario file (.yaml, .yml or .json) this one overrides: relative to this file, or absolute.',
  replications: 'Independent runs with derived seeds. Default: 1.',
  machine: 'The simulated SMP machine.',
  'machine.preset':
    'A real machine (docs/VALIDATION.md): defaults for cpus, pae, lowmem, highmem and costs.preset (the spinlock follows kernel.version). era2000 and modern are aliases of piii-xeon-4way-2000 and x86-server-2024. Default: none.',
  'machine.cpus': 'Number of CPUs. Default: the machine preset\'s, else 4.',
  'machine.pae': 'PAE paging: 64 GiB physical limit, LAST_PKMAP 512. Default: false (4 GiB, LAST_PKMAP 1024).',
  'machine.lowmem': 'Directly mapped memory. Default: 896MiB.',
  'machine.highmem': 'Memory above lowmem. Default: 3200MiB.',
  'machine.spinlock': `Spinlock implementation: tas (2.4 test-and-set, unfair), ticket (FIFO, 2.6.25+) or qspinlock (queued: pending bit + MCS queue, FIFO, 4.2+). ${byVersion('spinlock')}`,
  'machine.tlb_entries': 'Per-CPU TLB capacity for modelled kernel mappings. Default: 64.',
  'machine.tlb_working_set': `TLB entries the running code uses outside the modelled mappings (kernel text, stack, data; the task's user pages): after a full flush the next context to run code on the CPU walks them back in, costs.tlb_refill each (IPI handlers and idle CPUs pay nothing). Estimate. Default: ${TLB_WORKING_SET_DEFAULT}.`,
  'machine.invlpgb': `The CPUs have AMD's INVLPGB/TLBSYNC broadcast TLB invalidation (Zen 3+). With kernel.version ${INVLPGB_SINCE}+ it makes kernel.tlb_flush default to invlpgb. Default: the machine preset's (machine.preset, else the cost preset's machine): true for epyc-7763-1x64-2021, else false.`,
  'machine.invlpgb_count_max': `Pages one AMD INVLPGB may invalidate (CPUID Fn8000_0008 EDX[15:0] + 1): with kernel.tlb_flush: invlpgb a range flush issues ceil(pages / this) INVLPGBs. Estimate. Default: ${INVLPGB_COUNT_MAX_DEFAULT}.`,
  'machine.memory_bandwidth': "Sustained bandwidth of the memory bus shared by CPU copies and device DMA (max-min fair sharing). Default: the machine preset's (machine.preset, else the cost preset's machine): 629 MB/s for era2000, 460 GB/s for modern; see docs/VALIDATION.md.",
  costs: 'Cost model: a preset plus per-key duration overrides.',
  'costs.preset': `Cost preset: a machine preset (or the aliases era2000, modern). Default: machine.preset, else the version's: ${byVersion('costs_preset')}`,
  kernel: 'The kernel version, the highmem I/O strategy and their tunables.',
  'kernel.version': `The kernel asked about: sets the default of every setting that differs between versions (each overridable by its own field). modern is an alias of the newest, ${KERNEL_VERSION_ALIASES.modern}. Default: ${versionLabel(DEFAULT_KERNEL_VERSION)}.`,
  'kernel.strategy': `How I/O reaches highmem pages (vmap_lazy from ${VMAP_LAZY_SINCE}). Default: kmap.`,
  'kernel.bounce_pool_pages': `Emergency bounce pool size (POOL_SIZE; 0: none). ${byVersion('bounce_pool_pages')}`,
  'kernel.bounce_write_copy': `How a bounced WRITE copies highmem to the bounce page: kmap_atomic with IRQs off, kmap_atomic with IRQs on, kmap() through the pool, or kmap_local_page (5.15+). ${byVersion('bounce_write_copy')}`,
  'kernel.bounce_read_irqs_off': `The completion handler's READ copy runs with IRQs off. ${byVersion('bounce_read_irqs_off')}`,
  'kernel.bounce_alloc_wait': `No bounce page free: sleep until one returns, yield and retry, or retry at once (CPU burnt). ${byVersion('bounce_alloc_wait')}`,
  'kernel.lowmem_free_pages': 'Free lowmem pages for bounce allocation, or unlimited. Default: unlimited.',
  'kernel.vmalloc_size': 'vmalloc address space (__VMALLOC_RESERVE). Default: 128MiB.',
  'kernel.vmalloc_boot_areas': 'vm areas present from boot (modules, ioremap), 32KiB each, at the bottom of the vmalloc space: every eager get_vm_area/vfree walk passes them. Default: 16.',
  'kernel.vmap_block': 'vmap_lazy: per-CPU vmap_block frontend (vm_map_ram). Default: true.',
  'kernel.vmlist_lock': `Eager vmalloc: get_vm_area and vfree take the vmlist_lock rwlock. ${byVersion('vmlist_lock')}`,
  'kernel.vmalloc_map_lock': `Eager vmalloc: lock held while vmalloc_area_pages writes the PTEs. ${byVersion('vmalloc_map_lock')}`,
  'kernel.vmalloc_flush_on_map': `Eager vmalloc: flush_tlb_all() after mapping too. ${byVersion('vmalloc_flush_on_map')}`,
  'kernel.vmap_area_locking': `vmalloc()/vfree() (maptorture api vmalloc): vmlist (eager, <= 2.6.27), vmap_area_lock (one lock, 2.6.28-5.4), split_free_lock (free_vmap_area_lock, 5.5-5.12), split_purge_lock (+ purge_vmap_area_lock, 5.13-6.8), vmap_nodes (per-node busy/lazy locks and pools, 6.9+). ${byVersion('vmap_area_locking')}`,
  'kernel.vmap_purge_context': `Who runs the lazy purge past lazy_max_pages: caller (the freeing task, trylock; <= 5.17) or kworker (schedule_work(&drain_vmap_work), 5.18+). ${byVersion('vmap_purge_context')}`,
  'kernel.vb_alloc_scan': `vmap_lazy (vm_map_ram): vb_alloc finds a free region by scanning the block's alloc_map from its start, one region (costs.bitmap_region_check) per step (2.6.28; gone by 5.10), or takes the next pages at once. ${byVersion('vb_alloc_scan')}`,
  'kernel.last_pkmap': 'LAST_PKMAP, persistent kmap slots (1 << PKMAP_ORDER: a power of two). Default: 1024, 512 with PAE.',
  'kernel.lazy_max_pages': 'vmap_lazy and vmalloc purge threshold in pages. Default: lazy_max_pages() = fls(cpus) x 32MiB/PAGE_SIZE.',
  'kernel.tlb_flush': `How kernel TLB flushes reach the other CPUs: flush_tlb_all (2.4/2.6: always a full flush, by IPI), flush_tlb_kernel_range (per-page invlpg up to the ceiling, else full, by IPI), invlpgb (6.15+ on AMD Zen 3+: INVLPGB + TLBSYNC broadcast, no IPI). ${byVersion('tlb_flush')} From ${INVLPGB_SINCE} on a machine with machine.invlpgb: invlpgb.`,
  'kernel.tlb_single_page_flush_ceiling': `flush_tlb_kernel_range / invlpgb: page-by-page up to this many pages, a full flush above (arch/x86/mm/tlb.c tlb_single_page_flush_ceiling, 3.17+). Default: ${TLB_SINGLE_PAGE_FLUSH_CEILING}.`,
  'kernel.flush_concurrent_local': `Initiator flushes locally while its IPIs are in flight (5.13+). ${byVersion('flush_concurrent_local')}`,
  'kernel.smp_call_function': `Cross-CPU calls: call_lock held across each round (2.4), or generic IPIs whose rounds overlap (2.6.26+). ${byVersion('smp_call_function')}`,
  'kernel.spin_unlock_locked': `spin_unlock is a locked instruction costing lock_acquire (true: 2.3.40 lock; btrl) or a plain store (false: 2.4 movb). ${byVersion('spin_unlock_locked')}`,
  'kernel.device_irqs_nest': `Device interrupt handlers run with IRQs enabled unless SA_INTERRUPT (true) or always with IRQs off (false, 2.6.35+). ${byVersion('device_irqs_nest')}`,
  'kernel.kmap_atomic_map_flush': `kmap_atomic invlpg's its slot after setting the PTE (2.3/2.4: the slot may still map the previous page), or not (2.6+: kunmap_atomic cleared and flushed it). ${byVersion('kmap_atomic_map_flush')}`,
  'kernel.kunmap_atomic_flush': `kunmap_atomic clears the slot's PTE and invlpg's it (2.3.40/2.4.0 HIGHMEM_DEBUG, 2.6+), or leaves it for the next map (2.4.16). ${byVersion('kunmap_atomic_flush')}`,
  'kernel.nr_cpus': `CONFIG_NR_CPUS, the kernel's compile-time CPU limit: vmap_lazy's vmap_block size is min(1024, max(64, 32768 / nr_cpus / 16)) pages, whatever machine.cpus is. ${byVersion('nr_cpus')}`,
  'kernel.completion_context': `Where b_end_io (and the READ bounce copy) runs: hardirq (in the interrupt handler), bh (the 2.3/2.4 SCSI bottom half, serialised machine-wide by global_bh_lock: a CPU that loses the trylock leaves its completion to the holder), softirq (per-CPU BLOCK_SOFTIRQ, 2.6+). ${byVersion('completion_context')}`,
  'kernel.block_lock': `Block-layer lock taken with IRQs off by __make_request per page, around SCSI dispatch and at completion: io_request_lock (2.4, global), queue_lock (2.5+, per device), none. ${byVersion('block_lock')}`,
  'kernel.kmap_local': `The kernel has kmap_local_page (5.11+): the bounce READ copy and the touch of unmapped highmem pages map through the task's kmap_local stack (a PTE write; unmap: PTE clear + one local invlpg; a task switched out holding local maps has them cleared and re-installed), and maptorture api kmap_local exists. ${byVersion('kmap_local')}`,
  'kernel.inject_bug': 'Deliberately skip a TLB flush to show stale accesses. Default: none.',
  device: 'The block device.',
  'device.dma_limit': 'Highest address the device can DMA to. Default: 32bit.',
  'device.latency': 'Per-request latency. Default: 100us.',
  'device.bandwidth': 'Transfer rate. Default: 100MiB/s.',
  'device.queue_depth': 'Requests in flight at the device. Default: 32.',
  'device.irq': 'CPU that takes completion interrupts. Default: cpu0.',
  workload: 'What the tasks do. Default: {type: io}.',
  'workload.type': 'Workload kind.',
  'workload.tasks': 'Number of tasks. Default: machine.cpus.',
  'workload.think': 'Time between operations. Default: exp(1us) for locktorture, else 0.',
  'workload.hold': 'Lock hold time. Default: exp(200ns).',
  'workload.outstanding': 'I/Os in flight per task. Default: 1.',
  'workload.size': 'Bytes per I/O. Default: 4KiB.',
  'workload.read_fraction': 'Fraction of I/Os that are reads. Default: 0.5.',
  'workload.working_set_pages': 'Distinct pages the workload touches. Default: 65536.',
  'workload.highmem_fraction': 'Fraction of the working set in highmem. Default: highmem/(lowmem+highmem) for io, 1 for maptorture.',
  'workload.locality': 'Page popularity: uniform or zipf(s). Default: uniform.',
  'workload.touch_per_page': 'CPU time touching each page of an I/O. Default: 0.',
  'workload.pages': 'Pages per mapping. Default: 1.',
  'workload.api': 'Mapping API exercised: kmap, kmap_atomic, vmap (eager vmap/vfree), vmap_lazy (vm_map_ram), vmalloc (a vmalloc()+vfree() pair, pages allocated and freed: the loop of lib/test_vmalloc.c, per kernel.vmap_area_locking). Default: kmap.',
  'workload.touch': 'Touch the mapped pages. Default: true.',
  stop: 'When a run ends. Default: {ops: 100000}.',
  'stop.ops': 'Stop after this many completed operations (warm-up included); whichever of ops and time comes first ends the run.',
  'stop.time': 'Stop at this simulated time (warm-up included).',
  'stop.warmup': 'Discard statistics before this time, or before {ops: N} operations; results cover only the rest of the run.',
  'stop.warmup.ops': 'Warm-up operations.',
};

for (const k of COST_KEYS) {
  const c = COST_TABLE[k];
  DESCRIPTIONS[`costs.${k}`] = `${c.meaning}. Default: ${c.era2000}ns (era2000), ${c.modern}ns (modern).`;
}

function replace(target: Json, next: Json): void {
  for (const k of Object.keys(target)) delete target[k];
  Object.assign(target, next);
}

/** Walk properties (through anyOf/oneOf) and attach descriptions by dotted path. */
function describe(node: unknown, path: string[]): void {
  if (typeof node !== 'object' || node === null) return;
  const n = node as Json;
  for (const key of ['anyOf', 'oneOf'] as const) {
    const alts = n[key];
    if (Array.isArray(alts)) for (const a of alts) describe(a, path);
  }
  const props = n.properties;
  if (typeof props === 'object' && props !== null) {
    for (const [k, v] of Object.entries(props as Json)) {
      const p = [...path, k];
      const d = DESCRIPTIONS[p.join('.')];
      if (d !== undefined && typeof v === 'object' && v !== null) {
        const vj = v as Json;
        vj.description = typeof vj.description === 'string' ? `${d} ${vj.description}` : d;
      }
      describe(v, p);
    }
  }
}

export function scenarioJsonSchema(): Json {
  const schema = z.toJSONSchema(ScenarioRaw, {
    target: 'draft-2020-12',
    io: 'input',
    override: (ctx) => {
      const info = unitFields.get(ctx.zodSchema as unknown as z.ZodType);
      if (!info) return;
      const str: Json = { type: 'string', pattern: PATTERNS[info.kind] };
      const num = NUMERIC[info.kind];
      const body: Json = num === undefined ? str : { anyOf: [str, num] };
      replace(ctx.jsonSchema as Json, { ...body, description: `Expected ${info.what}.` });
    },
  }) as Json;
  describe(schema, []);
  const { $schema, ...rest } = schema;
  return {
    $schema,
    title: 'smpsim scenario',
    description:
      'A scenario for smpsim, the SMP highmem I/O simulator (kmap vs vmap vs bounce buffers). Durations take ns, us, ms, s; sizes B, KiB, MiB, GiB; distributions const(x), exp(m), uniform(lo,hi), normal(m,sd), lognormal(m,sd).',
    ...rest,
  };
}

/** The file contents scripts/gen-schema.ts writes. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
