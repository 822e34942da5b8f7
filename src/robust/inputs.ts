/**
 * The uncertain inputs of a scenario (issue 21): every cost of its preset with its quality's
 * range (src/kernel/uncertainty.ts), and each field its `uncertain:` block names with the
 * range declared there. An input maps a coordinate u in [0, 1] to a value (uniform or
 * log-uniform over [lo, hi]) and a value to the `--set path=value` text that gives it.
 */
import { COST_KEYS, type CostKey } from '../kernel/costs.js';
import { costUncertainty, sourcedUncertainty, type Quality } from '../kernel/uncertainty.js';
import { PRESETS, canonicalPreset } from '../kernel/presets.js';
import { formatDistribution, meanOf, parseDistribution, type DistSpec } from '../engine/distributions.js';
import { UnitError, formatDurationExact, formatRate, formatSizeExact, parseDuration, parseRate, parseSize } from '../engine/units.js';
import { ABSOLUTE_RANGE_RE, FACTOR_RANGE_RE, PERCENT_RANGE_RE, UNCERTAIN_RANGE_WHAT } from '../scenario/schema.js';
import type { ResolvedScenario } from '../scenario/types.js';
import { scenarioFileOf } from '../scenario/unresolve.js';

export type InputKind = 'duration' | 'size' | 'rate' | 'number' | 'integer' | 'duration_dist' | 'size_dist';

export interface UncertainInput {
  /** Scenario path, as --set takes it: costs.tlb_refill, device.latency. */
  path: string;
  kind: InputKind;
  /** Nominal value in base units (ns, bytes, bytes/s; a distribution's mean). */
  nominal: number;
  lo: number;
  hi: number;
  scale: 'linear' | 'log';
  /** The cost's quality, or "scenario" for a range the scenario's `uncertain:` block declares. */
  quality: Quality | 'scenario';
  /** Where the range comes from. */
  range_source: string;
  /** Nominal distribution of a *_dist field (its parameters scale with the mean). */
  dist?: DistSpec;
}

export class InputError extends Error {}

/** The value at coordinate u ∈ [0, 1]. */
export function valueAt(input: UncertainInput, u: number): number {
  if (input.scale === 'log' && input.lo > 0) return input.lo * (input.hi / input.lo) ** u;
  return input.lo + u * (input.hi - input.lo);
}

/** The coordinate of a value (inverse of valueAt), clamped to [0, 1]. */
export function coordinateOf(input: UncertainInput, v: number): number {
  if (input.hi === input.lo) return 0.5;
  const u = input.scale === 'log' && input.lo > 0 ? Math.log(v / input.lo) / Math.log(input.hi / input.lo) : (v - input.lo) / (input.hi - input.lo);
  return Math.min(1, Math.max(0, u));
}

/** The value as the scenario language writes it (rounded to the field's resolution: 1 ns, 1 B). */
export function valueText(input: UncertainInput, v: number): string {
  switch (input.kind) {
    case 'duration':
      return formatDurationExact(Math.max(0, Math.round(v)));
    case 'size':
      return formatSizeExact(Math.max(0, Math.round(v)));
    case 'rate':
      return formatRate(Math.max(1, Math.round(v)));
    case 'integer':
      return String(Math.round(v));
    case 'number':
      return String(Number(v.toPrecision(6)));
    case 'duration_dist':
    case 'size_dist':
      return formatDistribution(scaleDist(input.dist!, input.nominal > 0 ? v / input.nominal : 1), input.kind === 'duration_dist' ? 'duration' : 'size');
  }
}

/** Every parameter of a distribution × f (its mean scales by f), rounded to integers. */
function scaleDist(d: DistSpec, f: number): DistSpec {
  const r = (x: number) => Math.max(0, Math.round(x * f));
  switch (d.kind) {
    case 'const': return { kind: 'const', value: r(d.value) };
    case 'exp': return { kind: 'exp', mean: r(d.mean) };
    case 'uniform': return { kind: 'uniform', lo: r(d.lo), hi: r(d.hi) };
    case 'normal': return { kind: 'normal', mean: r(d.mean), sd: r(d.sd) };
    case 'lognormal': return { kind: 'lognormal', mean: r(d.mean), sd: r(d.sd) };
  }
}

/** The --set text giving an input the value at u. */
export function setTextAt(input: UncertainInput, u: number): string {
  return `${input.path}=${valueText(input, valueAt(input, u))}`;
}

/** What a field's value is, read from the scenario as a file would write it. */
function fieldOf(s: ResolvedScenario, path: string): { kind: InputKind; nominal: number; dist?: DistSpec } {
  const [section, field] = path.split('.') as [string, string];
  if (section === 'costs') {
    if (!(COST_KEYS as readonly string[]).includes(field)) throw new InputError(`uncertain.${path}: not a cost key`);
    return { kind: 'duration', nominal: s.costs[field as CostKey] };
  }
  const file = scenarioFileOf(s) as unknown as Record<string, Record<string, unknown> | undefined>;
  const raw = file[section]?.[field];
  const bad = () =>
    new InputError(`uncertain.${path}: expected a numeric field (a number, duration, size, rate or distribution), got ${raw === undefined ? 'a field this scenario does not set' : JSON.stringify(raw)}`);
  if (typeof raw === 'number') return { kind: Number.isInteger(raw) && !/fraction/.test(field) ? 'integer' : 'number', nominal: raw };
  if (typeof raw !== 'string') throw bad();
  const tries: Array<() => { kind: InputKind; nominal: number; dist?: DistSpec }> = [
    () => {
      if (!raw.trim().endsWith('/s')) throw new UnitError('not a rate');
      return { kind: 'rate', nominal: parseRate(raw) };
    },
    () => ({ kind: 'duration', nominal: parseDuration(raw) }),
    () => ({ kind: 'size', nominal: parseSize(raw) }),
    () => {
      const d = parseDistribution(raw, 'duration');
      return { kind: 'duration_dist', nominal: meanOf(d), dist: d };
    },
    () => {
      const d = parseDistribution(raw, 'size');
      return { kind: 'size_dist', nominal: meanOf(d), dist: d };
    },
  ];
  for (const t of tries) {
    try {
      return t();
    } catch {
      // the next form
    }
  }
  throw bad();
}

/** A bound of an absolute range in the field's unit. */
function parseBound(kind: InputKind, text: string): number {
  switch (kind) {
    case 'duration':
    case 'duration_dist':
      return parseDuration(text);
    case 'size':
    case 'size_dist':
      return parseSize(text);
    case 'rate':
      return parseRate(text);
    default: {
      const v = Number(text);
      if (!Number.isFinite(v)) throw new UnitError(`expected a number, got ${JSON.stringify(text)}`);
      return v;
    }
  }
}

/** Parse a declared range against the field's nominal value. */
export function parseRange(path: string, text: string, nominal: number, kind: InputKind): { lo: number; hi: number; scale: 'linear' | 'log' } {
  const f = FACTOR_RANGE_RE.exec(text);
  if (f) return { lo: nominal * Number(f[1]), hi: nominal * Number(f[2]), scale: 'log' };
  const p = PERCENT_RANGE_RE.exec(text);
  if (p) return { lo: nominal * (1 - Number(p[1]) / 100), hi: nominal * (1 + Number(p[1]) / 100), scale: 'linear' };
  const a = ABSOLUTE_RANGE_RE.exec(text);
  if (a) {
    let lo: number;
    let hi: number;
    try {
      lo = parseBound(kind, a[1]!);
      hi = parseBound(kind, a[2]!);
    } catch (e) {
      throw new InputError(`uncertain.${path}: ${e instanceof Error ? e.message : String(e)} in ${JSON.stringify(text)}`);
    }
    if (!(lo <= nominal && nominal <= hi)) {
      throw new InputError(`uncertain.${path}: expected a range lo..hi around the scenario's value ${nominal}, got ${JSON.stringify(text)} (${lo}..${hi})`);
    }
    const log = a[3] !== undefined;
    if (log && !(lo > 0)) throw new InputError(`uncertain.${path}: a log range needs lo > 0, got ${JSON.stringify(text)}`);
    return { lo, hi, scale: log ? 'log' : 'linear' };
  }
  throw new InputError(`uncertain.${path}: expected ${UNCERTAIN_RANGE_WHAT}, got ${JSON.stringify(text)}`);
}

/**
 * The uncertain inputs of a resolved scenario: each cost with a non-zero value (a cost of 0
 * means "not charged": no range around it), the machine preset's memory bandwidth when the
 * scenario takes it from the preset, and each `uncertain:` field; a cost the block
 * names takes the declared range. `only`: keep the inputs whose path matches one of these
 * (exact, or a prefix ending in `*`).
 */
export function uncertainInputs(s: ResolvedScenario, only: readonly string[] = []): UncertainInput[] {
  const declared = s.uncertain ?? {};
  const out: UncertainInput[] = [];
  for (const k of COST_KEYS) {
    const path = `costs.${k}`;
    if (declared[path] !== undefined) continue;
    const value = s.costs[k];
    if (!(value > 0)) continue;
    const u = costUncertainty(s.costs_preset, k, value, s.costs_source[k]);
    out.push({ path, kind: 'duration', nominal: value, ...u.range, quality: u.quality, range_source: u.range_source });
  }
  // The shared memory bus, when the machine preset decides it (a scenario's own value: declare it).
  const bus = PRESETS[canonicalPreset(s.machine.preset ?? s.costs_preset)].machine.memory_bandwidth_bytes_per_s;
  if (declared['machine.memory_bandwidth'] === undefined && s.machine.memory_bandwidth_bytes_per_s === bus.value) {
    const u = sourcedUncertainty(bus.value, bus.source);
    out.push({ path: 'machine.memory_bandwidth', kind: 'rate', nominal: bus.value, ...u.range, quality: u.quality, range_source: u.range_source });
  }
  for (const [path, text] of Object.entries(declared)) {
    const f = fieldOf(s, path);
    const r = parseRange(path, text, f.nominal, f.kind);
    out.push({ path, kind: f.kind, nominal: f.nominal, ...r, quality: 'scenario', range_source: `uncertain: ${text}`, ...(f.dist ? { dist: f.dist } : {}) });
  }
  const match = (p: string) => only.some((o) => (o.endsWith('*') ? p.startsWith(o.slice(0, -1)) : p === o));
  const kept = only.length === 0 ? out : out.filter((i) => match(i.path));
  for (const o of only) {
    if (!out.some((i) => (o.endsWith('*') ? i.path.startsWith(o.slice(0, -1)) : i.path === o))) {
      throw new InputError(`--inputs: ${JSON.stringify(o)} matches no uncertain input of this scenario (${out.map((i) => i.path).join(', ')})`);
    }
  }
  return kept;
}

/** A value for people (reports): durations and sizes exact, rates in MB/s, 4 digits otherwise. */
export function displayText(i: UncertainInput, v: number): string {
  switch (i.kind) {
    case 'duration':
    case 'duration_dist':
      return formatDurationExact(Math.round(v));
    case 'size':
    case 'size_dist':
      return formatSizeExact(Math.round(v));
    case 'rate':
      return `${Number((v / 1e6).toPrecision(4))}MB/s`;
    default:
      return String(Number(v.toPrecision(4)));
  }
}

/** "lo..hi" of an input, for people, "(log)" when sampled log-uniformly. */
export function rangeText(i: UncertainInput): string {
  return `${displayText(i, i.lo)}..${displayText(i, i.hi)}${i.scale === 'log' ? ' (log)' : ''}`;
}

