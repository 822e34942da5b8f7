/**
 * ResolvedScenario → a scenario file in the input language (units, distributions as
 * written: `exp(200ns)`, `3200MiB`, `100MiB/s`), so that a run can be reproduced from its
 * own output: the file validates, and resolving it gives back the identical resolved
 * scenario (sources included). Issue 15, item 1.
 *
 * Every field is written out (defaults filled), except the settings that kernel.version
 * and the cost preset decide: those are written only when the file (or --set) overrode
 * them, because writing them would make them "scenario override" on the way back (and a
 * different kernel.version would no longer change them); the same for the memory bus rate
 * the machine preset decides. Fields whose resolved value is
 * null (unlimited, computed by the model, no stop limit) are written as the input
 * language says it (`unlimited`) or left out.
 */
import YAML from 'yaml';
import { COST_KEYS } from '../kernel/costs.js';
import { PRESETS, canonicalPreset } from '../kernel/presets.js';
import { VERSION_SETTING_FIELDS, VERSION_SETTING_KEYS, versionLabel } from '../kernel/versions.js';
import { formatDistribution } from '../engine/distributions.js';
import { formatDurationExact, formatRate, formatSizeExact } from '../engine/units.js';
import { OVERRIDE_SOURCE } from './resolve.js';
import type { Locality, RawScenario, ResolvedScenario, ResolvedWorkload } from './schema.js';

type RawMachine = NonNullable<RawScenario['machine']>;
type RawCosts = NonNullable<RawScenario['costs']>;
type RawKernel = NonNullable<RawScenario['kernel']>;
type RawWorkloadFile = NonNullable<RawScenario['workload']>;
type RawStop = NonNullable<RawScenario['stop']>;

const dur = formatDurationExact;
const size = formatSizeExact;

function localityText(l: Locality): string {
  return l.kind === 'uniform' ? 'uniform' : `zipf(${l.s})`;
}

/** The memory bus rate resolve.ts fills in when the file gives none. */
function presetBandwidth(s: ResolvedScenario): number {
  return PRESETS[canonicalPreset(s.machine.preset ?? s.costs_preset)].machine.memory_bandwidth_bytes_per_s.value;
}

/** The scenario file that resolves to `s` (see the module comment). */
export function scenarioFileOf(s: ResolvedScenario): RawScenario {
  const overridden = (k: keyof ResolvedScenario['version_source']): boolean => s.version_source[k] === OVERRIDE_SOURCE;

  const machine: RawMachine = {
    ...(s.machine.preset === null ? {} : { preset: s.machine.preset }),
    cpus: s.machine.cpus,
    pae: s.machine.pae,
    lowmem: size(s.machine.lowmem_bytes),
    highmem: size(s.machine.highmem_bytes),
    ...(overridden('spinlock') ? { spinlock: s.machine.spinlock } : {}),
    tlb_entries: s.machine.tlb_entries,
    tlb_working_set: s.machine.tlb_working_set,
    invlpgb_count_max: s.machine.invlpgb_count_max,
    // Like the version's settings: written only when it is not the preset's (an exact
    // decimal rate such as 460 GB/s has no short binary-unit form).
    ...(s.machine.memory_bandwidth_bytes_per_s === presetBandwidth(s) ? {} : { memory_bandwidth: formatRate(s.machine.memory_bandwidth_bytes_per_s) }),
    // The same for INVLPGB: written only when it is not the preset's.
    ...(s.machine.invlpgb === PRESETS[canonicalPreset(s.machine.preset ?? s.costs_preset)].machine.invlpgb.value ? {} : { invlpgb: s.machine.invlpgb }),
  };

  const costs: RawCosts = overridden('costs_preset') ? { preset: s.costs_preset } : {};
  for (const k of COST_KEYS) if (s.costs_source[k] === OVERRIDE_SOURCE) costs[k] = dur(s.costs[k]);

  const k = s.kernel;
  const byVersion = <K extends keyof RawKernel & keyof typeof k & keyof ResolvedScenario['version_source']>(key: K): Partial<RawKernel> =>
    overridden(key) ? ({ [key]: k[key] } as Partial<RawKernel>) : {};
  const kernel: RawKernel = {
    version: k.version,
    strategy: k.strategy,
    ...byVersion('bounce_pool_pages'),
    ...byVersion('bounce_write_copy'),
    ...byVersion('bounce_read_irqs_off'),
    ...byVersion('bounce_alloc_wait'),
    lowmem_free_pages: k.lowmem_free_pages ?? 'unlimited',
    vmalloc_size: size(k.vmalloc_size_bytes),
    vmalloc_boot_areas: k.vmalloc_boot_areas,
    vmap_block: k.vmap_block,
    ...byVersion('vmlist_lock'),
    ...byVersion('vmalloc_map_lock'),
    ...byVersion('vmalloc_flush_on_map'),
    ...byVersion('vmap_area_locking'),
    ...byVersion('vmap_purge_context'),
    ...byVersion('vb_alloc_scan'),
    last_pkmap: k.last_pkmap,
    ...(k.lazy_max_pages === null ? {} : { lazy_max_pages: k.lazy_max_pages }),
    ...byVersion('tlb_flush'),
    tlb_single_page_flush_ceiling: k.tlb_single_page_flush_ceiling,
    ...byVersion('flush_concurrent_local'),
    ...byVersion('smp_call_function'),
    ...byVersion('device_irqs_nest'),
    ...byVersion('kunmap_atomic_flush'),
    ...byVersion('kmap_atomic_map_flush'),
    ...byVersion('nr_cpus'),
    ...byVersion('completion_context'),
    ...byVersion('block_lock'),
    ...byVersion('spin_unlock_locked'),
    ...byVersion('kmap_local'),
    inject_bug: k.inject_bug,
  };

  const d = s.device;
  const device = {
    dma_limit: d.dma_limit,
    latency: formatDistribution(d.latency, 'duration'),
    bandwidth: formatRate(d.bandwidth_bytes_per_s),
    queue_depth: d.queue_depth,
    irq: d.irq,
  };

  const stop: RawStop = {
    ...(s.stop.ops === null ? {} : { ops: s.stop.ops }),
    ...(s.stop.time_ns === null ? {} : { time: dur(s.stop.time_ns) }),
    ...(s.stop.warmup === null ? {} : { warmup: 'ops' in s.stop.warmup ? { ops: s.stop.warmup.ops } : dur(s.stop.warmup.time_ns) }),
  };

  return {
    name: s.name,
    description: s.description,
    seed: s.seed,
    replications: s.replications,
    machine,
    costs,
    kernel,
    device,
    workload: workloadFileOf(s.workload),
    stop,
    ...(s.uncertain === undefined ? {} : { uncertain: { ...s.uncertain } }),
  };
}

function workloadFileOf(w: ResolvedWorkload): RawWorkloadFile {
  const dist = (x: Parameters<typeof formatDistribution>[0]) => formatDistribution(x, 'duration');
  switch (w.type) {
    case 'locktorture':
      return { type: 'locktorture', tasks: w.tasks, think: dist(w.think), hold: dist(w.hold) };
    case 'io':
      return {
        type: 'io',
        tasks: w.tasks,
        think: dist(w.think),
        outstanding: w.outstanding,
        size: formatDistribution(w.size, 'size'),
        read_fraction: w.read_fraction,
        working_set_pages: w.working_set_pages,
        highmem_fraction: w.highmem_fraction,
        locality: localityText(w.locality),
        touch_per_page: dur(w.touch_per_page_ns),
      };
    case 'maptorture':
      return {
        type: 'maptorture',
        tasks: w.tasks,
        pages: w.pages,
        api: w.api,
        touch: w.touch,
        think: dist(w.think),
        working_set_pages: w.working_set_pages,
        highmem_fraction: w.highmem_fraction,
        locality: localityText(w.locality),
      };
  }
}

/**
 * The scenario file of `s` as YAML text, after `header` (comment lines without `# `).
 * Plain YAML: `smpsim validate` and `smpsim run` read it back unchanged.
 */
export function scenarioFileYaml(s: ResolvedScenario, header: readonly string[] = []): string {
  const comments = header.map((l) => `# ${l}`.trimEnd()).join('\n');
  return (comments === '' ? '' : `${comments}\n`) + YAML.stringify(scenarioFileOf(s), { lineWidth: 0 });
}

/** The comment above the YAML: what it is, and which settings it leaves to kernel.version. */
export function resolvedHeader(s: ResolvedScenario, what: string): string[] {
  const fromVersion = VERSION_SETTING_KEYS.filter((k) => s.version_source[k] !== OVERRIDE_SOURCE).map((k) => VERSION_SETTING_FIELDS[k]);
  return [
    `${what}: every default filled, as a scenario file (smpsim validate and smpsim run read it).`,
    ...(fromVersion.length === 0
      ? []
      : [`Left to kernel.version ${versionLabel(s.kernel.version)} (write one to override it): ${fromVersion.join(', ')}.`]),
    `Costs not listed come from the ${s.costs_preset} preset; smpsim run --verbose shows every value with its source.`,
  ];
}
