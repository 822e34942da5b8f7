/**
 * Baseline files (`baselines/<scenario-name>.json`, schema "smpsim.baseline/1"): what a
 * scenario's runs looked like when the baseline was recorded — the fingerprint, the chosen
 * metrics with their tolerances (and, with replications, their sample mean, sd and n), the
 * smpsim version and the resolved scenario. Docs: docs/CHECK.md.
 */
import { z } from 'zod';
import { checkShape, parseJsonText, shapeMessage } from '../input/read.js';
import type { Result } from '../report/result.js';
import type { ResolvedScenario } from '../scenario/schema.js';
import { VERSION } from '../version.js';
import { defaultTolerance, expandPatterns, metricValues, type Tolerance } from './metrics.js';
import { summarize } from './stats.js';

export const BASELINE_SCHEMA = 'smpsim.baseline/1';

/** One metric of a single-run baseline. */
export interface SingleMetric {
  value: number | null;
  tolerance: Tolerance;
}

/** One metric of a baseline with replications: the sample of its values. */
export interface SampleMetric {
  mean: number | null;
  sd: number | null;
  n: number;
  tolerance: Tolerance;
}

export type BaselineMetric = SingleMetric | SampleMetric;

export interface Baseline {
  schema: typeof BASELINE_SCHEMA;
  name: string;
  smpsim_version: string;
  replications: number;
  /** The seed of each replication (the first is the scenario's own). */
  seeds: number[];
  /** Of the single run, or combined over the replications (in order). */
  fingerprint: string;
  /** Of each replication, when there are several. */
  fingerprints?: string[];
  /** The --metric patterns the metrics were chosen with. */
  metric_patterns: string[];
  metrics: Record<string, BaselineMetric>;
  scenario: ResolvedScenario;
}

export function isSample(m: BaselineMetric): m is SampleMetric {
  return 'n' in m;
}

const hex16 = z.string().regex(/^[0-9a-f]{16}$/, 'expected 16 hex digits');
const nonNeg = z.number().min(0);
const toleranceSchema = z.strictObject({ relative: nonNeg, absolute: nonNeg });
const finiteOrNull = z.number().nullable();
const metricSchema = z.union([
  z.strictObject({ value: finiteOrNull, tolerance: toleranceSchema }),
  z.strictObject({ mean: finiteOrNull, sd: z.number().min(0).nullable(), n: z.number().int().min(2), tolerance: toleranceSchema }),
]);

const baselineSchema = z.strictObject({
  schema: z.literal(BASELINE_SCHEMA),
  name: z.string().min(1),
  smpsim_version: z.string(),
  replications: z.number().int().min(1),
  seeds: z.array(z.number().int().min(0)).min(1),
  fingerprint: hex16,
  fingerprints: z.array(hex16).optional(),
  metric_patterns: z.array(z.string()),
  metrics: z.record(z.string(), metricSchema),
  scenario: z.looseObject({ name: z.string(), seed: z.number() }),
});

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/**
 * Parse a baseline file's text. Problems come back as one line, naming `file`: the first
 * problem found (a corrupt file rarely has only one, and one line is what CI logs need).
 */
export function parseBaseline(text: string, file: string): { ok: true; value: Baseline } | { ok: false; problem: string } {
  const json = parseJsonText(text);
  if (!json.ok) return { ok: false, problem: `${file}: corrupt baseline: ${json.why}` };
  const data = json.value;
  // Before anything recursive (zod, the scenario diff) walks it.
  const shape = checkShape(data);
  if (shape !== undefined) return { ok: false, problem: `${file}: corrupt baseline: ${shapeMessage(shape)}` };
  const schema = typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>).schema : undefined;
  if (schema !== BASELINE_SCHEMA) {
    return { ok: false, problem: `${file}: not a smpsim baseline: expected "schema": "${BASELINE_SCHEMA}", got ${describe(schema)}` };
  }
  const parsed = baselineSchema.safeParse(data);
  if (!parsed.success) {
    const iss = parsed.error.issues[0]!;
    const at = iss.path.map(String).join('.');
    return { ok: false, problem: `${file}: corrupt baseline: ${at === '' ? '' : `${at}: `}${iss.message.split('\n')[0]}` };
  }
  // The data as read, not zod's copy (which reorders keys): baselines are compared as text.
  const b = data as Baseline;
  if (b.seeds.length !== b.replications) {
    return { ok: false, problem: `${file}: corrupt baseline: seeds: expected ${b.replications} seeds (one per replication), got ${b.seeds.length}` };
  }
  for (const [name, m] of Object.entries(b.metrics)) {
    const single = !isSample(m);
    if (single !== (b.replications === 1) || (!single && m.n !== b.replications)) {
      return {
        ok: false,
        problem: `${file}: corrupt baseline: metrics.${name}: expected ${b.replications === 1 ? '{value, tolerance}' : `{mean, sd, n: ${b.replications}, tolerance}`} for ${b.replications} replication(s)`,
      };
    }
  }
  return { ok: true, value: b };
}

/** The file name of a scenario's baseline: its name, made safe for file systems. */
export function baselineFileName(scenarioName: string): string {
  const safe = scenarioName.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return `${safe === '' ? '_' : safe}.json`;
}

export interface BuildOptions {
  patterns: readonly string[];
  /** Relative tolerance for every metric (default 5%), or per metric name. */
  relative?: (metric: string) => number | undefined;
  /** Tolerances to keep from a previous baseline, by metric name. */
  keep?: Record<string, Tolerance>;
}

/**
 * The baseline of a scenario from its runs (one per replication, in order) and their
 * fingerprint. Metrics: the patterns expanded against the first run.
 */
export function buildBaseline(
  scenario: ResolvedScenario,
  runs: readonly Result[],
  fingerprint: string,
  fingerprints: readonly string[],
  opts: BuildOptions,
): { baseline: Baseline; unknown: string[] } {
  const values = runs.map(metricValues);
  const { names, unknown } = expandPatterns(opts.patterns, values[0]!.keys());
  const metrics: Record<string, BaselineMetric> = {};
  for (const name of names) {
    const rel = opts.relative?.(name);
    const tolerance = rel !== undefined ? defaultTolerance(name, rel) : (opts.keep?.[name] ?? defaultTolerance(name));
    if (runs.length === 1) {
      metrics[name] = { value: jsonNumber(values[0]!.get(name)), tolerance };
    } else {
      const s = summarize(values.map((v) => v.get(name) ?? Number.NaN));
      metrics[name] = { mean: jsonNumber(s.mean), sd: jsonNumber(s.sd), n: s.n, tolerance };
    }
  }
  const baseline: Baseline = {
    schema: BASELINE_SCHEMA,
    name: scenario.name,
    smpsim_version: VERSION,
    replications: runs.length,
    seeds: runs.map((r) => r.seed),
    fingerprint,
    ...(runs.length > 1 ? { fingerprints: [...fingerprints] } : {}),
    metric_patterns: [...opts.patterns],
    metrics,
    scenario,
  };
  return { baseline, unknown };
}

function jsonNumber(v: number | undefined): number | null {
  return v === undefined || !Number.isFinite(v) ? null : v;
}

export function formatBaseline(b: Baseline): string {
  return `${JSON.stringify(b, null, 2)}\n`;
}

/** Whether two baselines say the same thing (the smpsim version aside). */
export function sameBaseline(a: Baseline, b: Baseline): boolean {
  return formatBaseline({ ...a, smpsim_version: '' }) === formatBaseline({ ...b, smpsim_version: '' });
}
