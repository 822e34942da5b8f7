/**
 * The scenario file (docs/MODEL.md §9): a zod schema of the raw file as written (strict
 * objects, every field optional, unit strings validated but not converted). The resolved
 * form (ResolvedScenario) lives in ./types.ts and is re-exported here.
 *
 * Validation messages are produced here, one `expected <what>, got <found>` per field;
 * src/scenario/resolve.ts turns a validated raw file into a ResolvedScenario.
 */
import { z } from 'zod';
import { COST_KEYS, type CostKey } from '../kernel/costs.js';
import { PRESET_NAMES, type PresetName } from '../kernel/presets.js';
import { UnitError, parseDuration, parseRate, parseSize } from '../engine/units.js';
import { parseDistribution, type DistSpec } from '../engine/distributions.js';
import {
  BLOCK_LOCKS,
  BOUNCE_ALLOC_WAITS,
  COMPLETION_CONTEXTS,
  BOUNCE_WRITE_COPIES,
  DMA_LIMITS,
  KERNEL_VERSIONS,
  SMP_CALL_FUNCTIONS,
  VMALLOC_MAP_LOCKS,
  VMAP_AREA_LOCKINGS,
  VMAP_PURGE_CONTEXTS,
  INJECT_BUGS,
  IRQ_ROUTINGS,
  MAP_APIS,
  SPINLOCKS,
  STRATEGIES,
  TLB_FLUSHES,
  WORKLOAD_TYPES,
  PAGE_SIZE,
  type Locality,
} from './types.js';
import { didYouMean, editDistance, show } from './errors.js';

export * from './types.js';

// ---------------------------------------------------------------------------------------
// Field helpers. Each carries ONE `what` used for every way the field can be wrong.

/** Unit-bearing string fields, for the JSON Schema post-processing. */
export type UnitKind =
  | 'duration'
  | 'duration_positive'
  | 'duration_dist'
  | 'size'
  | 'size_dist'
  | 'rate'
  | 'fraction'
  | 'locality';

export interface UnitFieldInfo {
  kind: UnitKind;
  what: string;
}

/** Schemas of unit-bearing fields → their kind (read by jsonschema.ts). */
export const unitFields = new WeakMap<z.ZodType, UnitFieldInfo>();

function expect(what: string): { error: (iss: { input?: unknown }) => string } {
  return { error: (iss) => `expected ${what}, got ${show(iss.input)}` };
}

function int(lo: number, hi?: number, what = hi === undefined ? `an integer >= ${lo}` : `an integer ${lo}..${hi}`): z.ZodNumber {
  const e = expect(what);
  const s = z.number(e).int(e).min(lo, e);
  return hi === undefined ? s : s.max(hi, e);
}

/**
 * The allowed value a mistyped one was meant as: one edit away (two for long words), so
 * that `mcs` does not suggest `tas`.
 */
export function nearValue(word: string, values: readonly string[]): string | undefined {
  const hint = didYouMean(word, values);
  if (hint === undefined) return undefined;
  return editDistance(word.toLowerCase(), hint.toLowerCase()) <= (word.length >= 6 ? 2 : 1) ? hint : undefined;
}

/** `expected one of a, b, got "kmpa" (did you mean "kmap"?)`: a near miss of a word is named. */
function expectOneOf(values: readonly string[]): { error: (iss: { input?: unknown }) => string } {
  return {
    error: (iss) => {
      const hint = typeof iss.input === 'string' ? nearValue(iss.input, values) : undefined;
      // A YAML number (version: 6.6, or 5.10 read as 5.1) where the values are strings: say to quote it.
      const n = iss.input;
      const same = typeof n === 'number' ? values.find((v) => Number(v) === n) : undefined;
      const quote = same === undefined ? '' : ` (a number: quote it, '${same}')`;
      return `expected one of ${values.join(', ')}, got ${show(iss.input)}${hint === undefined ? quote : ` (did you mean "${hint}"?)`}`;
    },
  };
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, expectOneOf(values));
}

const bool = () => z.boolean(expect('true or false'));
const str = () => z.string(expect('a string'));

/**
 * A string-or-number field whose text must satisfy `ok` (which may throw: any throw counts
 * as invalid). The message is always `expected <what>, got <found>`, plus the violated rule
 * in parentheses when the unit parser names one (`uniform(lo,hi) needs lo <= hi`).
 */
function unitField(kind: UnitKind, what: string, ok: (v: string | number) => boolean) {
  const e = expect(what);
  const s = z.union([z.string(), z.number()], e).superRefine((v, ctx) => {
    let good = false;
    let detail = '';
    try {
      good = ok(v);
    } catch (err) {
      good = false;
      detail = ruleOf(err);
    }
    if (!good) ctx.addIssue({ code: 'custom', message: `expected ${what}, got ${show(v)}${detail}` });
  });
  unitFields.set(s, { kind, what });
  return s;
}

/** The rule a UnitError names, as ` (rule)`, or ''. */
function ruleOf(err: unknown): string {
  if (!(err instanceof UnitError)) return '';
  const rule = /^([a-z]+\([a-z,]+\) (?:with [^;]* )?needs [^;]+);/.exec(err.message);
  if (rule) return ` (${rule[1]})`;
  if (/too large/.test(err.message)) return ' (too large)';
  return '';
}

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * A parsed distribution (parseDistribution already checked its own rules) whose location
 * parameter is at least `min`: a size distribution must not centre on 0 bytes.
 */
export function distributionOk(d: DistSpec, min: number): boolean {
  switch (d.kind) {
    case 'const':
      return isNum(d.value) && d.value >= min;
    case 'uniform':
      return isNum(d.lo) && isNum(d.hi) && d.lo >= min && d.hi >= d.lo;
    case 'exp':
    case 'normal':
    case 'lognormal':
      return isNum(d.mean) && d.mean >= min;
    default:
      return false;
  }
}

export function durationOk(v: string | number, min = 0): boolean {
  const ns = parseDuration(v);
  return Number.isSafeInteger(ns) && ns >= min;
}

const DURATION_EXAMPLES = 'ns, us, ms, s';
const duration = (what = `a duration (${DURATION_EXAMPLES}) like 100us`) =>
  unitField('duration', what, (v) => durationOk(v));
const positiveDuration = (what: string) => unitField('duration_positive', what, (v) => durationOk(v, 1));

const durationDist = (example: string) =>
  unitField(
    'duration_dist',
    `a duration or distribution like ${example}`,
    (v) => distributionOk(parseDistribution(v, 'duration'), 0),
  );

export function sizeOk(v: string | number, min: number): boolean {
  const b = parseSize(v);
  return Number.isSafeInteger(b) && b >= min;
}

const size = (what: string, min: number) => unitField('size', what, (v) => sizeOk(v, min));

/** `0.7`, or a percentage string `"70%"`. Returns NaN if unparseable. */
export function parseFraction(v: string | number): number {
  if (typeof v === 'number') return v;
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*%\s*$/.exec(v);
  return m ? Number(m[1]) / 100 : Number.NaN;
}

const fraction = () =>
  unitField('fraction', 'a fraction 0..1 or a percentage like "70%"', (v) => {
    const f = parseFraction(v);
    return isNum(f) && f >= 0 && f <= 1;
  });

/** `uniform` or `zipf(s)`; undefined if unparseable or s ≤ 0. */
export function parseLocality(v: string | number): Locality | undefined {
  if (typeof v !== 'string') return undefined;
  if (v.trim() === 'uniform') return { kind: 'uniform' };
  const m = /^\s*zipf\(\s*([0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)\s*\)\s*$/.exec(v);
  if (!m) return undefined;
  const s = Number(m[1]);
  return isNum(s) && s > 0 ? { kind: 'zipf', s } : undefined;
}

const locality = () =>
  unitField('locality', 'uniform or zipf(s) with s > 0', (v) => parseLocality(v) !== undefined);

function obj<T extends z.ZodRawShape>(shape: T, what: string) {
  // unrecognized_keys messages are rebuilt in load.ts with a did-you-mean.
  return z.strictObject(shape, expect(what));
}

// ---------------------------------------------------------------------------------------
// The raw file

const presetName = () =>
  z.enum(PRESET_NAMES as unknown as [PresetName, ...PresetName[]], expectOneOf(PRESET_NAMES));

/** LAST_PKMAP = 1 << PKMAP_ORDER, and the pkmap area (4 KiB a slot) must fit the 128 MiB above lowmem. */
export const LAST_PKMAP_MAX = 32768;
const lastPkmap = () => {
  const e = expect(`a power of two 2..${LAST_PKMAP_MAX} like 1024`);
  return z
    .number(e)
    .int(e)
    .min(2, e)
    .max(LAST_PKMAP_MAX, e)
    .refine((n) => (n & (n - 1)) === 0, e);
};

export const MachineRaw = obj(
  {
    preset: presetName().optional(),
    cpus: int(1, 4096).optional(),
    pae: bool().optional(),
    lowmem: size('a size (B, KiB, MiB, GiB) of at least 4KiB like 896MiB', PAGE_SIZE).optional(),
    highmem: size('a size (B, KiB, MiB, GiB) like 3200MiB', 0).optional(),
    spinlock: oneOf(SPINLOCKS).optional(),
    tlb_entries: int(1, 65536).optional(),
    tlb_working_set: int(0, 65536).optional(),
    invlpgb_count_max: int(1, 65536).optional(),
    memory_bandwidth: unitField('rate', 'a rate > 0 like 600MiB/s', (v) => {
      const r = parseRate(v);
      return isNum(r) && r > 0;
    }).optional(),
    invlpgb: bool().optional(),
  },
  'a mapping of machine settings',
);

export const CostsRaw = obj(
  {
    preset: presetName().optional(),
    ...Object.fromEntries(COST_KEYS.map((k) => [k, duration().optional()])) as Record<
      CostKey,
      z.ZodOptional<ReturnType<typeof duration>>
    >,
  },
  'a mapping of cost settings (preset and per-key durations)',
);

export const KernelRaw = obj(
  {
    version: oneOf(KERNEL_VERSIONS).optional(),
    strategy: oneOf(STRATEGIES).optional(),
    bounce_pool_pages: int(0).optional(),
    bounce_write_copy: oneOf(BOUNCE_WRITE_COPIES).optional(),
    bounce_read_irqs_off: bool().optional(),
    bounce_alloc_wait: oneOf(BOUNCE_ALLOC_WAITS).optional(),
    lowmem_free_pages: z
      .union(
        [int(0, undefined, 'an integer >= 0 or unlimited'), z.literal('unlimited')],
        expect('an integer >= 0 or unlimited'),
      )
      .optional(),
    vmalloc_size: size('a size (B, KiB, MiB, GiB) of at least 8KiB like 128MiB', 2 * PAGE_SIZE).optional(),
    vmalloc_boot_areas: int(0, 4096).optional(),
    vmap_block: bool().optional(),
    vmlist_lock: bool().optional(),
    vmalloc_map_lock: oneOf(VMALLOC_MAP_LOCKS).optional(),
    vmalloc_flush_on_map: bool().optional(),
    vmap_area_locking: oneOf(VMAP_AREA_LOCKINGS).optional(),
    vmap_purge_context: oneOf(VMAP_PURGE_CONTEXTS).optional(),
    vb_alloc_scan: bool().optional(),
    last_pkmap: lastPkmap().optional(),
    lazy_max_pages: int(1).optional(),
    tlb_flush: oneOf(TLB_FLUSHES).optional(),
    tlb_single_page_flush_ceiling: int(0).optional(),
    flush_concurrent_local: bool().optional(),
    smp_call_function: oneOf(SMP_CALL_FUNCTIONS).optional(),
    device_irqs_nest: bool().optional(),
    kunmap_atomic_flush: bool().optional(),
    kmap_atomic_map_flush: bool().optional(),
    nr_cpus: int(1, 4096).optional(),
    completion_context: oneOf(COMPLETION_CONTEXTS).optional(),
    block_lock: oneOf(BLOCK_LOCKS).optional(),
    spin_unlock_locked: bool().optional(),
    kmap_local: bool().optional(),
    inject_bug: oneOf(INJECT_BUGS).optional(),
  },
  'a mapping of kernel settings',
);

export const DeviceRaw = obj(
  {
    dma_limit: oneOf(DMA_LIMITS).optional(),
    latency: durationDist('100us, exp(100us), uniform(50us,150us)').optional(),
    bandwidth: unitField('rate', 'a rate > 0 like 100MiB/s', (v) => {
      const r = parseRate(v);
      return isNum(r) && r > 0;
    }).optional(),
    queue_depth: int(1, 4096).optional(),
    irq: oneOf(IRQ_ROUTINGS).optional(),
  },
  'a mapping of device settings',
);

const tasks = () => int(1).optional();
const workingSet = () => int(1).optional();

export const LocktortureRaw = obj(
  {
    type: z.literal('locktorture'),
    tasks: tasks(),
    think: durationDist('1us, exp(1us), uniform(500ns,1500ns)').optional(),
    hold: durationDist('200ns, exp(200ns), uniform(100ns,300ns)').optional(),
  },
  'a mapping of workload settings',
);

export const IoRaw = obj(
  {
    type: z.literal('io'),
    tasks: tasks(),
    think: durationDist('0, 10us, exp(10us)').optional(),
    outstanding: int(1, 1024).optional(),
    size: unitField(
      'size_dist',
      'a size of at least 1B or a distribution of sizes like 4KiB, uniform(4KiB,64KiB)',
      (v) => distributionOk(parseDistribution(v, 'size'), 1),
    ).optional(),
    read_fraction: fraction().optional(),
    working_set_pages: workingSet(),
    highmem_fraction: fraction().optional(),
    locality: locality().optional(),
    touch_per_page: duration().optional(),
  },
  'a mapping of workload settings',
);

export const MaptortureRaw = obj(
  {
    type: z.literal('maptorture'),
    tasks: tasks(),
    pages: int(1, 65536).optional(),
    api: oneOf(MAP_APIS).optional(),
    touch: bool().optional(),
    think: durationDist('0, 1us, exp(1us)').optional(),
    working_set_pages: workingSet(),
    highmem_fraction: fraction().optional(),
    locality: locality().optional(),
  },
  'a mapping of workload settings',
);

const workloadWhat = `one of ${WORKLOAD_TYPES.join(', ')}`;

export const WorkloadRaw = z.discriminatedUnion('type', [IoRaw, LocktortureRaw, MaptortureRaw], {
  error: (iss: { code?: string; input?: unknown }) => {
    if (iss.code === 'invalid_union') {
      const input = iss.input;
      const type =
        typeof input === 'object' && input !== null && !Array.isArray(input)
          ? (input as Record<string, unknown>).type
          : undefined;
      const hint = typeof type === 'string' ? nearValue(type, WORKLOAD_TYPES) : undefined;
      return `expected ${workloadWhat}, got ${show(type)}${hint === undefined ? '' : ` (did you mean "${hint}"?)`}`;
    }
    return `expected a mapping with type: ${workloadWhat}, got ${show(iss.input)}`;
  },
});

const WARMUP_WHAT = 'a duration like 1ms or {ops: N} with N >= 1';

export const WarmupOpsRaw = obj({ ops: int(1) }, 'a mapping {ops: N}');

export const StopRaw = obj(
  {
    ops: int(1).optional(),
    time: positiveDuration('a duration > 0 like 10ms').optional(),
    warmup: z.union([duration(WARMUP_WHAT), WarmupOpsRaw], expect(WARMUP_WHAT)).optional(),
  },
  'a mapping of stop conditions',
);

// ---------------------------------------------------------------------------------------
// uncertain: ranges of the scenario's own guessed inputs (issue 21, docs/ROBUSTNESS.md)

/** The sections whose numeric fields an `uncertain:` entry may name. */
export const UNCERTAIN_SECTIONS = ['machine', 'costs', 'kernel', 'device', 'workload'] as const;

const RANGE_NUM = String.raw`(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?`;
/** `x0.5..x2` (factors of the nominal value, log-uniform). */
export const FACTOR_RANGE_RE = new RegExp(String.raw`^\s*[x\u00d7]\s*(${RANGE_NUM})\s*\.\.\s*[x\u00d7]\s*(${RANGE_NUM})\s*$`);
/** `±15%` (or `+-15%`): nominal × (1 ± p), uniform. */
export const PERCENT_RANGE_RE = new RegExp(String.raw`^\s*(?:\u00b1|\+-|\+/-)\s*(${RANGE_NUM})\s*%\s*$`);
/** `200us..1ms`, `0.5..0.9`, optionally ` log`: bounds in the field's own unit. */
export const ABSOLUTE_RANGE_RE = /^\s*([^.\s][^\s]*?)\s*\.\.\s*([^\s]+?)(\s+log)?\s*$/;

export const UNCERTAIN_RANGE_WHAT =
  'a range: x0.5..x2 (factors of the value, log-uniform), ±15% (uniform), or lo..hi in the field\'s unit like 200us..1ms (add " log" for log-uniform)';

/** Whether a range text has one of the three forms (its bounds are checked against the field later). */
export function uncertainRangeOk(text: string): boolean {
  const f = FACTOR_RANGE_RE.exec(text);
  if (f) return Number(f[1]) > 0 && Number(f[1]) <= 1 && Number(f[2]) >= 1;
  const p = PERCENT_RANGE_RE.exec(text);
  if (p) return Number(p[1]) > 0 && Number(p[1]) < 100;
  return !text.includes('..') ? false : ABSOLUTE_RANGE_RE.test(text) && !/^\s*[x\u00d7]/.test(text);
}

export const UncertainRaw = z.record(
  z.string(expect('a field path like device.latency or costs.tlb_refill')),
  z.string(expect(UNCERTAIN_RANGE_WHAT)).refine(uncertainRangeOk, { error: (iss) => `expected ${UNCERTAIN_RANGE_WHAT}, got ${show(iss.input)}` }),
  expect('a mapping of field paths to ranges, like {device.latency: x0.5..x2}'),
);

export const ScenarioRaw = obj(
  {
    $schema: str().optional(),
    name: str().optional(),
    description: str().optional(),
    seed: int(0).optional(),
    extends: str().optional(),
    replications: int(1, 10000).optional(),
    machine: MachineRaw.optional(),
    costs: CostsRaw.optional(),
    kernel: KernelRaw.optional(),
    device: DeviceRaw.optional(),
    workload: WorkloadRaw.optional(),
    stop: StopRaw.optional(),
    uncertain: UncertainRaw.optional(),
  },
  'a mapping of scenario settings',
);

export type RawScenario = z.infer<typeof ScenarioRaw>;
export type RawWorkload = z.infer<typeof WorkloadRaw>;

/** Fallback stop condition when a scenario gives neither stop.ops nor stop.time. */
export const DEFAULT_STOP_OPS = 100_000;

/** The keys a scenario mapping may carry at `path` (for "did you mean"). */
export function allowedKeysAt(path: readonly (string | number)[], raw: unknown): string[] {
  let schema: z.ZodType = ScenarioRaw;
  let value: unknown = raw;
  for (const seg of path) {
    const next = childSchema(schema, seg, value);
    if (next === undefined) return [];
    schema = next;
    value = isRecord(value) ? value[String(seg)] : undefined;
  }
  return objectKeys(schema, value);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
  return s;
}

/** The object option(s) a schema stands for at this value. */
function objectOptions(schema: z.ZodType, value: unknown): z.ZodObject[] {
  const s = unwrap(schema);
  if (s instanceof z.ZodObject) return [s];
  if (s instanceof z.ZodUnion) {
    const opts = (s.options as readonly z.ZodType[]).flatMap((o) => objectOptions(o, value));
    if (s instanceof z.ZodDiscriminatedUnion && isRecord(value)) {
      const match = opts.filter((o) => {
        const t = o.shape.type;
        return t instanceof z.ZodLiteral && t.value === value.type;
      });
      if (match.length > 0) return match;
    }
    return opts;
  }
  return [];
}

function childSchema(schema: z.ZodType, key: string | number, value: unknown): z.ZodType | undefined {
  for (const o of objectOptions(schema, value)) {
    const shape = o.shape as Record<string, z.ZodType>;
    if (Object.prototype.hasOwnProperty.call(shape, String(key))) return shape[String(key)];
  }
  return undefined;
}

function objectKeys(schema: z.ZodType, value: unknown): string[] {
  const keys = new Set<string>();
  for (const o of objectOptions(schema, value)) for (const k of Object.keys(o.shape)) keys.add(k);
  return [...keys];
}

/**
 * Whether the scenario field at `path` takes one of a set of names (a string enum): text
 * given for it on the command line is its value as written ('6.6' stays '6.6', not the
 * number 6.6). Fields under `workload` (a union by type) and unknown paths are not.
 */
export function isNameField(path: readonly string[]): boolean {
  let s: z.ZodType | undefined = ScenarioRaw;
  for (const seg of path) {
    while (s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
    if (!(s instanceof z.ZodObject)) return false;
    s = (s.shape as Record<string, z.ZodType | undefined>)[seg];
    if (s === undefined) return false;
  }
  while (s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
  return s instanceof z.ZodEnum;
}
