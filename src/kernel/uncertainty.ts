/**
 * How far each cost can be trusted (issue 21): its quality and the range it may really
 * take, per preset. Kept beside the cost table rather than in it, so that a cost key added
 * to COST_TABLE or a preset needs nothing here: its quality is read off its source text
 * (qualityOfSource) and its range is the quality's default.
 *
 * Qualities (docs/ROBUSTNESS.md):
 *   measured  a published measurement of this very quantity on this kind of machine
 *   derived   arithmetic from measurements or specs (bus widths, clock scaling of a figure)
 *   estimate  no measurement behind it ("estimate" in its source)
 *   fitted    chosen so that an end-to-end result comes out ("fitted" in its source)
 *
 * Default ranges (DEFAULT_RANGE): measured ±15%, derived ±30% (uniform), estimate and
 * fitted ×0.5..×2 (log-uniform: half and double are equally likely). A source that gives a
 * spread (several published figures, a measured min..max) replaces the default (EXPLICIT).
 */
import { COST_TABLE, type CostKey, type CostTableName } from './costs.js';
import { PRESETS, canonicalPreset, type MachinePresetName, type PresetName } from './presets.js';

export const QUALITIES = ['measured', 'derived', 'estimate', 'fitted'] as const;
export type Quality = (typeof QUALITIES)[number];

/** A range of values an input may take: [lo, hi], sampled uniformly in `scale`. */
export interface InputRange {
  lo: number;
  hi: number;
  /** 'log': log-uniform (factor ranges such as ×0.5..×2); 'linear': uniform. */
  scale: 'linear' | 'log';
}

export interface CostUncertainty {
  quality: Quality;
  range: InputRange;
  /** Where the range comes from: "default for <quality>" or the source's own spread. */
  range_source: string;
}

/** costs_source of a value the scenario (or --set) gave: src/scenario/resolve.ts OVERRIDE_SOURCE. */
export const SCENARIO_OVERRIDE = 'scenario override';

/** Quality and range of a value with only a source text (a machine preset's memory bandwidth). */
export function sourcedUncertainty(value: number, source: string): CostUncertainty {
  const quality = qualityOfSource(source);
  const d = DEFAULT_RANGE[quality];
  return { quality, range: { lo: value * d.lo, hi: value * d.hi, scale: d.scale }, range_source: `default for ${quality} (${d.text})` };
}

/** The default range of each quality, as factors of the nominal value. */
export const DEFAULT_RANGE: Record<Quality, { lo: number; hi: number; scale: 'linear' | 'log'; text: string }> = {
  measured: { lo: 0.85, hi: 1.15, scale: 'linear', text: '±15%' },
  derived: { lo: 0.7, hi: 1.3, scale: 'linear', text: '±30%' },
  estimate: { lo: 0.5, hi: 2, scale: 'log', text: '×0.5..×2' },
  // A fitted value carries the uncertainty of the end-to-end figure it was fitted to, which
  // the table does not know: the estimate's range, and the report names it "fitted".
  fitted: { lo: 0.5, hi: 2, scale: 'log', text: '×0.5..×2' },
};

/**
 * The quality a source text states. "fitted" anywhere wins, then "estimate" anywhere (a
 * source that is partly an estimate is an estimate), then arithmetic on published figures
 * (derived: "arithmetic", "=", "÷", scaling, spec figures); anything else cites a measurement.
 * The one classifier: docs/MODEL.md's cost table (scripts/model-tables.ts) uses it too.
 */
export function qualityOfSource(source: string): Quality {
  const s = source.trim().toLowerCase();
  if (/\bfitted\b/.test(s)) return 'fitted';
  if (s === '' || /\bestimate\b/.test(s)) return 'estimate';
  // Arithmetic on published figures: bus or spec arithmetic, scaling, halving a ping-pong, "a = b".
  if (/arithmetic|=|÷|scaled|derived|\bspec\b|\bx\b.*\/|\dx\d/.test(s)) return 'derived';
  return 'measured';
}

/**
 * The part of a COST_TABLE source that speaks for one column: sources of the form
 * "A (modern); B (era2000)" say different things for each column.
 */
export function columnSource(source: string, column: CostTableName): string {
  const parts = source.split(/;\s*/);
  const tagged = parts.filter((p) => /\((?:modern|era2000)\)\s*$/.test(p.trim()));
  if (tagged.length === 0) return source;
  const mine = tagged.filter((p) => p.trim().endsWith(`(${column})`));
  return mine.length > 0 ? mine.join('; ') : source;
}

interface Explicit {
  quality?: Quality;
  /** Absolute bounds, ns, from the source's own spread. */
  lo?: number;
  hi?: number;
  why: string;
}

/**
 * Where the source text alone does not say it right: per table column (for values taken
 * from COST_TABLE) or per machine preset (for the preset's own overrides).
 */
export const EXPLICIT: Partial<Record<CostTableName | MachinePresetName, Partial<Record<CostKey, Explicit>>>> = {
  era2000: {
    ipi_latency: {
      quality: 'derived',
      lo: 1000,
      hi: 1400,
      why: 'Lundell 2001: 35-48 APIC-bus clocks at 16.7 MHz per exchange, one message ~1.0-1.4 us',
    },
    memcpy_page: { quality: 'derived', why: 'FSB arithmetic (800 MB/s peak)' },
  },
  modern: {
    ipi_latency: { quality: 'measured', lo: 1300, hi: 1450, why: 'KVM IPIv series, Jul 2021: 1.3-1.45 us one-way' },
    invlpg: { quality: 'measured', why: 'cycle count quoted in arch/x86/mm/tlb.c' },
    invlpgb: { quality: 'estimate', lo: 20, hi: 300, why: 'estimate: 20-300 ns, a fraction of an INVLPG to a few (no published INVLPGB latency)' },
    tlbsync: { quality: 'estimate', lo: 100, hi: 1000, why: 'estimate: 100-1000 ns, a fabric round trip to every core (no published TLBSYNC latency)' },
  },
  'piii-8way-2002': {
    lock_handoff: { quality: 'estimate', why: 'estimate: cross-FSB transfer' },
  },
  'opteron-2x4-2008': {
    lock_handoff: {
      quality: 'derived',
      lo: 76,
      hi: 100,
      why: 'AnandTech 2007: one-way 76 ns same die, 100 ns across sockets (the nominal is their mix)',
    },
  },
};

/**
 * Quality and range of one cost as a scenario resolved it: `value` and `source` are
 * the scenario's (costs / costs_source). A value the scenario set itself ("scenario
 * override") is an estimate unless the scenario's `uncertain:` block says otherwise.
 */
export function costUncertainty(preset: PresetName, key: CostKey, value: number, source: string): CostUncertainty {
  if (source === SCENARIO_OVERRIDE) {
    const d = DEFAULT_RANGE.estimate;
    return { quality: 'estimate', range: { lo: value * d.lo, hi: value * d.hi, scale: d.scale }, range_source: `set by the scenario, no source: default for estimate (${d.text})` };
  }
  const name = canonicalPreset(preset);
  const p = PRESETS[name];
  const own = p.costs[key];
  let explicit: Explicit | undefined;
  let text = source;
  if (own !== undefined && own.value === value && own.source === source) {
    explicit = EXPLICIT[name]?.[key];
  } else if (COST_TABLE[key][p.base] === value && COST_TABLE[key].source === source) {
    explicit = EXPLICIT[p.base]?.[key];
    text = columnSource(source, p.base);
  }
  const quality = explicit?.quality ?? qualityOfSource(text);
  const d = DEFAULT_RANGE[quality];
  if (explicit?.lo !== undefined && explicit.hi !== undefined) {
    const lo = Math.min(explicit.lo, value);
    const hi = Math.max(explicit.hi, value);
    return { quality, range: { lo, hi, scale: 'linear' }, range_source: explicit.why };
  }
  return {
    quality,
    range: { lo: value * d.lo, hi: value * d.hi, scale: d.scale },
    range_source: `default for ${quality} (${d.text})`,
  };
}
