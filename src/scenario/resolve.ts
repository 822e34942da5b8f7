/**
 * Validated raw scenario → ResolvedScenario: defaults filled, units converted, cross-field
 * checks. Every problem names the file (or option) that supplied the offending value.
 */
import { COST_KEYS, REMOVED_COST_KEYS, TLB_WORKING_SET_DEFAULT, type CostKey } from '../kernel/costs.js';
import { PRESETS, canonicalPreset, machinePresetCosts, type PresetName } from '../kernel/presets.js';
import { KM_MAX_IDX, VMALLOC_BOOT_AREAS_DEFAULT, last_pkmap } from '../kernel/layout.js';
import { INVLPGB_COUNT_MAX_DEFAULT, TLB_SINGLE_PAGE_FLUSH_CEILING } from '../kernel/tlbparams.js';
import { parseDuration, parseRate, parseSize, formatDurationExact, formatSizeExact } from '../engine/units.js';
import { parseDistribution } from '../engine/distributions.js';
import {
  DEFAULT_KERNEL_VERSION,
  VERSION_SETTING_KEYS,
  VERSION_TABLE,
  VMAP_LAZY_SINCE,
  defaultTlbFlush,
  hasVmapLazy,
  versionLabel,
  type KernelVersion,
  type VersionSettingKey,
  type VersionSettings,
} from '../kernel/versions.js';
import { ScenarioError, unknownKeyMessage, type PathSegment, type Problem } from './errors.js';
import {
  DEFAULT_STOP_OPS,
  MAP_APIS,
  STRATEGIES,
  MAX_MEM_NO_PAE,
  MAX_MEM_PAE,
  PAGE_SIZE,
  ScenarioRaw,
  UNCERTAIN_SECTIONS,
  allowedKeysAt,
  parseFraction,
  parseLocality,
  type Locality,
  type RawScenario,
  type RawWorkload,
  type ResolvedMachine,
  type ResolvedScenario,
  type ResolvedStop,
  type ResolvedWorkload,
} from './schema.js';

export const OVERRIDE_SOURCE = 'scenario override';

/** Where a value at a path came from (file name or option). */
export type SourceOf = (path: readonly PathSegment[]) => string;

/** Default scenario name: the file's base name without extension. */
export function nameFromOrigin(origin: string): string {
  // path.basename + path.extname, by hand: the validator also runs in the browser (no node:path).
  const trimmed = origin.replace(/\/+$/, '');
  const base = trimmed.slice(trimmed.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 && base !== '..' ? base.slice(0, dot) : base;
}

/** Validate `raw` against the schema and resolve it, or throw ScenarioError. */
export function validateAndResolve(raw: unknown, origin: string, sourceOf: SourceOf): ResolvedScenario {
  const parsed = ScenarioRaw.safeParse(raw);
  if (!parsed.success) {
    const problems: Problem[] = [];
    for (const iss of parsed.error.issues) {
      const at = iss.path.filter((p): p is PathSegment => typeof p !== 'symbol');
      if (iss.code === 'unrecognized_keys') {
        const allowed = allowedKeysAt(at, raw);
        for (const key of iss.keys) {
          const p = [...at, key];
          const removed = at.length === 1 && at[0] === 'costs' && Object.hasOwn(REMOVED_COST_KEYS, key) ? REMOVED_COST_KEYS[key] : undefined;
          problems.push({ source: sourceOf(p), path: p, message: removed ?? unknownKeyMessage(key, allowed) });
        }
      } else {
        problems.push({ source: sourceOf(at), path: at, message: iss.message });
      }
    }
    throw new ScenarioError(problems);
  }
  return resolveValid(parsed.data, origin, sourceOf);
}

const dist = (v: string | number | undefined, dflt: string | number, unit: 'duration' | 'size') =>
  parseDistribution(v ?? dflt, unit);

function resolveValid(raw: RawScenario, origin: string, sourceOf: SourceOf): ResolvedScenario {
  const problems: Problem[] = [];
  const problem = (p: PathSegment[], message: string): void => {
    problems.push({ source: sourceOf(p), path: p, message });
  };

  // kernel.version: the default of every setting that differs between versions; a field
  // the file gives wins, and version_source says which it was.
  const version: KernelVersion = raw.kernel?.version ?? DEFAULT_KERNEL_VERSION;
  const row = VERSION_TABLE[version];
  const version_source = {} as Record<VersionSettingKey, string>;
  const byVersion = <K extends VersionSettingKey>(key: K, given: VersionSettings[K] | undefined): VersionSettings[K] => {
    if (given !== undefined) {
      version_source[key] = OVERRIDE_SOURCE;
      return given;
    }
    version_source[key] = `kernel.version ${versionLabel(version)}: ${row[key].source}`;
    return row[key].value as VersionSettings[K];
  };

  // costs: costs.preset, else the machine preset's, else the version's era; explicit keys win.
  const m = raw.machine ?? {};
  const preset: PresetName = byVersion('costs_preset', raw.costs?.preset ?? m.preset);
  const { costs, sources: costs_source } = machinePresetCosts(preset);
  for (const k of COST_KEYS) {
    const override = raw.costs?.[k];
    if (override !== undefined) {
      costs[k] = parseDuration(override);
      costs_source[k] = OVERRIDE_SOURCE;
    }
  }

  // machine: explicit fields, else the machine preset's, else the model defaults.
  const mp = m.preset === undefined ? undefined : PRESETS[canonicalPreset(m.preset)].machine;
  // The machine behind the costs: the machine preset, else the cost preset's machine.
  const costMachine = mp ?? PRESETS[canonicalPreset(preset)].machine;
  const machine: ResolvedMachine = {
    preset: m.preset ?? null,
    cpus: m.cpus ?? mp?.cpus.value ?? 4,
    pae: m.pae ?? mp?.pae.value ?? false,
    lowmem_bytes: m.lowmem !== undefined ? parseSize(m.lowmem) : (mp?.lowmem_bytes.value ?? parseSize('896MiB')),
    highmem_bytes: m.highmem !== undefined ? parseSize(m.highmem) : (mp?.highmem_bytes.value ?? parseSize('3200MiB')),
    // The spinlock is the kernel's, not the machine's: a PIII running 2.6.27 has ticket locks.
    spinlock: byVersion('spinlock', m.spinlock),
    tlb_entries: m.tlb_entries ?? 64,
    tlb_working_set: m.tlb_working_set ?? TLB_WORKING_SET_DEFAULT,
    invlpgb_count_max: m.invlpgb_count_max ?? INVLPGB_COUNT_MAX_DEFAULT,
    // The shared memory bus: the machine preset's, else that of the cost preset's machine.
    memory_bandwidth_bytes_per_s:
      m.memory_bandwidth === undefined ? costMachine.memory_bandwidth_bytes_per_s.value : parseRate(m.memory_bandwidth),
    // Like the bus: the machine preset's, else that of the cost preset's machine.
    invlpgb: m.invlpgb ?? costMachine.invlpgb.value,
  };
  const total = machine.lowmem_bytes + machine.highmem_bytes;
  const memGot = `${formatSizeExact(machine.lowmem_bytes)} + ${formatSizeExact(machine.highmem_bytes)}`;
  if (!machine.pae && total > MAX_MEM_NO_PAE) {
    problem(['machine', 'highmem'], `expected lowmem + highmem <= 4GiB without PAE, got ${memGot} (needs machine.pae: true)`);
  } else if (machine.pae && total > MAX_MEM_PAE) {
    problem(['machine', 'highmem'], `expected lowmem + highmem <= 64GiB with PAE, got ${memGot}`);
  }

  // kernel.tlb_flush: the file's, else the INVLPGB rule (6.15+ on a machine with it), else the row's.
  const tlbFlushOf = (given: VersionSettings['tlb_flush'] | undefined): VersionSettings['tlb_flush'] => {
    if (given !== undefined) {
      if (given === 'invlpgb' && !machine.invlpgb) {
        problem(['kernel', 'tlb_flush'], 'expected flush_tlb_all or flush_tlb_kernel_range: invlpgb needs a machine with INVLPGB (machine.invlpgb: true)');
      }
      return byVersion('tlb_flush', given);
    }
    const d = defaultTlbFlush(version, machine.invlpgb, machine.highmem_bytes);
    version_source.tlb_flush = `kernel.version ${versionLabel(version)}: ${d.source}`;
    return d.value;
  };

  // kernel
  const k = raw.kernel ?? {};
  const lowmemFree = k.lowmem_free_pages ?? 'unlimited';
  const kernel = {
    version,
    strategy: k.strategy ?? 'kmap',
    bounce_pool_pages: byVersion('bounce_pool_pages', k.bounce_pool_pages),
    bounce_write_copy: byVersion('bounce_write_copy', k.bounce_write_copy),
    bounce_read_irqs_off: byVersion('bounce_read_irqs_off', k.bounce_read_irqs_off),
    bounce_alloc_wait: byVersion('bounce_alloc_wait', k.bounce_alloc_wait),
    lowmem_free_pages: lowmemFree === 'unlimited' ? null : lowmemFree,
    vmalloc_size_bytes: parseSize(k.vmalloc_size ?? '128MiB'),
    vmalloc_boot_areas: k.vmalloc_boot_areas ?? VMALLOC_BOOT_AREAS_DEFAULT,
    vmap_block: k.vmap_block ?? true,
    vmlist_lock: byVersion('vmlist_lock', k.vmlist_lock),
    vmalloc_map_lock: byVersion('vmalloc_map_lock', k.vmalloc_map_lock),
    vmalloc_flush_on_map: byVersion('vmalloc_flush_on_map', k.vmalloc_flush_on_map),
    vmap_area_locking: byVersion('vmap_area_locking', k.vmap_area_locking),
    vmap_purge_context: byVersion('vmap_purge_context', k.vmap_purge_context),
    vb_alloc_scan: byVersion('vb_alloc_scan', k.vb_alloc_scan),
    last_pkmap: k.last_pkmap ?? last_pkmap(machine.pae),
    lazy_max_pages: k.lazy_max_pages ?? null,
    tlb_flush: tlbFlushOf(k.tlb_flush),
    tlb_single_page_flush_ceiling: k.tlb_single_page_flush_ceiling ?? TLB_SINGLE_PAGE_FLUSH_CEILING,
    flush_concurrent_local: byVersion('flush_concurrent_local', k.flush_concurrent_local),
    smp_call_function: byVersion('smp_call_function', k.smp_call_function),
    device_irqs_nest: byVersion('device_irqs_nest', k.device_irqs_nest),
    kunmap_atomic_flush: byVersion('kunmap_atomic_flush', k.kunmap_atomic_flush),
    kmap_atomic_map_flush: byVersion('kmap_atomic_map_flush', k.kmap_atomic_map_flush),
    nr_cpus: byVersion('nr_cpus', k.nr_cpus),
    completion_context: byVersion('completion_context', k.completion_context),
    block_lock: byVersion('block_lock', k.block_lock),
    spin_unlock_locked: byVersion('spin_unlock_locked', k.spin_unlock_locked),
    kmap_local: byVersion('kmap_local', k.kmap_local),
    inject_bug: k.inject_bug ?? 'none',
  } satisfies ResolvedScenario['kernel'];
  // Every setting of the table was resolved above, in the table's order.
  if (Object.keys(version_source).length !== VERSION_SETTING_KEYS.length) {
    throw new Error(`resolve: version settings ${VERSION_SETTING_KEYS.filter((x) => !(x in version_source)).join(', ')} not resolved`);
  }
  // The maptorture APIs this kernel has: vmap_lazy from 2.6.28, kmap_local with kernel.kmap_local (5.11+).
  const kernelApis = MAP_APIS.filter((x) => (x !== 'vmap_lazy' || hasVmapLazy(version)) && (x !== 'kmap_local' || kernel.kmap_local));
  // The lazy vmap layer does not exist before 2.6.28: refuse it rather than mix eras.
  if (!hasVmapLazy(version)) {
    const noLazy = `with kernel.version ${versionLabel(version)} (vmap_lazy exists from ${VMAP_LAZY_SINCE})`;
    if (kernel.strategy === 'vmap_lazy') {
      const allowed = STRATEGIES.filter((x) => x !== 'vmap_lazy');
      problem(['kernel', 'strategy'], `expected one of ${allowed.join(', ')} ${noLazy}, got vmap_lazy`);
    }
    if (raw.workload?.type === 'maptorture' && raw.workload.api === 'vmap_lazy') {
      problem(['workload', 'api'], `expected one of ${kernelApis.join(', ')} ${noLazy}, got vmap_lazy`);
    }
  }

  // kmap_local_page exists from 5.11 (kernel.kmap_local): refuse its API on a kernel without it.
  if (raw.workload?.type === 'maptorture' && raw.workload.api === 'kmap_local') {
    if (!kernel.kmap_local) {
      problem(['workload', 'api'], `expected one of ${kernelApis.join(', ')} with kernel.version ${version} and kernel.kmap_local false (kmap_local_page exists from 5.11), got kmap_local`);
    }
    // mm/highmem.c kmap_local_idx_push: BUG_ON(kmap_ctrl.idx >= KM_MAX_IDX) after the push.
    const pages = raw.workload.pages ?? 1;
    if (pages > KM_MAX_IDX - 1) {
      problem(['workload', 'pages'], `expected at most ${KM_MAX_IDX - 1} pages with api kmap_local (a task holds at most KM_MAX_IDX - 1 local maps), got ${pages}`);
    }
  }

  // device
  const d = raw.device ?? {};
  const device = {
    dma_limit: d.dma_limit ?? '32bit',
    latency: dist(d.latency, '100us', 'duration'),
    bandwidth_bytes_per_s: parseRate(d.bandwidth ?? '100MiB/s'),
    queue_depth: d.queue_depth ?? 32,
    irq: d.irq ?? 'cpu0',
  } satisfies ResolvedScenario['device'];

  const workload = resolveWorkload(raw.workload ?? { type: 'io' }, machine, problem);
  const stop = resolveStop(raw, problem);
  const uncertain = resolveUncertain(raw, problem);

  if (problems.length > 0) throw new ScenarioError(problems);
  return {
    name: raw.name ?? nameFromOrigin(origin),
    description: raw.description ?? '',
    seed: raw.seed ?? 1,
    replications: raw.replications ?? 1,
    machine,
    costs_preset: preset,
    costs,
    costs_source,
    kernel,
    // In the table's order, whatever order they were resolved in.
    version_source: Object.fromEntries(VERSION_SETTING_KEYS.map((x) => [x, version_source[x]])) as Record<VersionSettingKey, string>,
    device,
    workload,
    stop,
    ...(uncertain === undefined ? {} : { uncertain }),
  };
}

/**
 * uncertain: each key must name a field of machine, costs, kernel, device or workload (the
 * range's bounds are checked against the field's value by smpsim robustness).
 */
function resolveUncertain(raw: RawScenario, problem: ProblemFn): Record<string, string> | undefined {
  if (raw.uncertain === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [key, range] of Object.entries(raw.uncertain)) {
    const [section, field, ...rest] = key.split('.');
    const sections: readonly string[] = UNCERTAIN_SECTIONS;
    const fields = section !== undefined && sections.includes(section) ? allowedKeysAt([section], raw).filter((f) => f !== 'preset' && f !== 'type') : [];
    if (section === undefined || !sections.includes(section) || field === undefined || rest.length > 0 || !fields.includes(field)) {
      const hint = section !== undefined && sections.includes(section) ? `one of ${fields.map((f) => `${section}.${f}`).join(', ')}` : `<section>.<field> with section one of ${UNCERTAIN_SECTIONS.join(', ')}`;
      problem(['uncertain', key], `expected a field path ${hint}, got ${JSON.stringify(key)}`);
      continue;
    }
    out[key] = range;
  }
  return out;
}

type ProblemFn = (p: PathSegment[], message: string) => void;

function locality(v: string | number | undefined): Locality {
  return v === undefined ? { kind: 'uniform' } : (parseLocality(v) ?? { kind: 'uniform' });
}

function resolveWorkload(w: RawWorkload, machine: ResolvedMachine, problem: ProblemFn): ResolvedWorkload {
  const tasks = w.tasks ?? machine.cpus;
  switch (w.type) {
    case 'locktorture':
      return {
        type: 'locktorture',
        tasks,
        think: w.think === undefined ? { kind: 'exp', mean: 1000 } : dist(w.think, 0, 'duration'),
        hold: w.hold === undefined ? { kind: 'exp', mean: 200 } : dist(w.hold, 0, 'duration'),
      };
    case 'io': {
      const hf =
        w.highmem_fraction === undefined
          ? machine.highmem_bytes / (machine.lowmem_bytes + machine.highmem_bytes)
          : parseFraction(w.highmem_fraction);
      const ws = w.working_set_pages ?? 65536;
      checkWorkingSet(ws, hf, machine, problem);
      return {
        type: 'io',
        tasks,
        think: dist(w.think, 0, 'duration'),
        outstanding: w.outstanding ?? 1,
        size: dist(w.size, '4KiB', 'size'),
        read_fraction: w.read_fraction === undefined ? 0.5 : parseFraction(w.read_fraction),
        working_set_pages: ws,
        highmem_fraction: hf,
        locality: locality(w.locality),
        touch_per_page_ns: parseDuration(w.touch_per_page ?? 0),
      };
    }
    case 'maptorture': {
      const hf =
        w.highmem_fraction === undefined
          ? machine.highmem_bytes > 0 ? 1 : 0
          : parseFraction(w.highmem_fraction);
      const ws = w.working_set_pages ?? 65536;
      checkWorkingSet(ws, hf, machine, problem);
      return {
        type: 'maptorture',
        tasks,
        pages: w.pages ?? 1,
        api: w.api ?? 'kmap',
        touch: w.touch ?? true,
        think: dist(w.think, 0, 'duration'),
        working_set_pages: ws,
        highmem_fraction: hf,
        locality: locality(w.locality),
      };
    }
  }
}

/** The working set's highmem and lowmem shares must exist on the machine. */
function checkWorkingSet(ws: number, hf: number, machine: ResolvedMachine, problem: ProblemFn): void {
  const highPages = Math.floor(machine.highmem_bytes / PAGE_SIZE);
  const lowPages = Math.floor(machine.lowmem_bytes / PAGE_SIZE);
  if (hf > 0 && highPages === 0) {
    problem(['workload', 'highmem_fraction'], `expected 0 when machine.highmem is 0, got ${hf}`);
    return;
  }
  const needHigh = Math.ceil(ws * hf);
  const needLow = Math.ceil(ws * (1 - hf));
  if (needHigh > highPages) {
    problem(
      ['workload', 'working_set_pages'],
      `expected a working set whose highmem share fits in machine.highmem (${highPages} pages), got ${ws} pages x ${hf} = ${needHigh} pages`,
    );
  } else if (needLow > lowPages) {
    problem(
      ['workload', 'working_set_pages'],
      `expected a working set whose lowmem share fits in machine.lowmem (${lowPages} pages), got ${ws} pages x ${1 - hf} = ${needLow} pages`,
    );
  }
}

function resolveStop(raw: RawScenario, problem: ProblemFn): ResolvedStop {
  const s = raw.stop ?? {};
  const time_ns = s.time === undefined ? null : parseDuration(s.time);
  const ops = s.ops ?? (time_ns === null ? DEFAULT_STOP_OPS : null);
  let warmup: ResolvedStop['warmup'] = null;
  if (s.warmup !== undefined) {
    if (typeof s.warmup === 'object') {
      warmup = { ops: s.warmup.ops };
      if (ops !== null && s.warmup.ops >= ops) {
        problem(['stop', 'warmup'], `expected fewer ops than stop.ops (${ops}), got {ops: ${s.warmup.ops}}`);
      }
    } else {
      const w = parseDuration(s.warmup);
      warmup = { time_ns: w };
      if (time_ns !== null && w >= time_ns) {
        problem(
          ['stop', 'warmup'],
          `expected a duration shorter than stop.time (${formatDurationExact(time_ns)}), got ${formatDurationExact(w)}`,
        );
      }
    }
  }
  return { ops, time_ns, warmup };
}
