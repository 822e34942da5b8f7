/**
 * A sweep folder's manifest (DIR/sweep.json): what the sweep is — version, --set, seed,
 * --vary, replications, precision, warm-up, and each point's key and resolved scenario's
 * hash — written when the folder is made and compared on a rerun (resume the same sweep,
 * refuse a different one naming the first difference).
 */
import { VERSION } from '../version.js';
import { MANIFEST_SCHEMA, sha256 } from './files.js';
import { pointKey, type SweepSpec } from './sweep-spec.js';

export interface Manifest {
  schema: typeof MANIFEST_SCHEMA;
  version: string;
  scenario: { file: string; name: string };
  set: string[];
  seed: number | null;
  vary: Array<{ path: string; values: string[] }>;
  zip: boolean;
  replications: number;
  precision: number | null;
  metric: string | null;
  max_replications: number | null;
  warmup: 'scenario' | 'auto';
  points: Array<{ index: number; key: string; sha256: string; seed_key?: string }>;
}

export function manifestOf(spec: SweepSpec): Manifest {
  return {
    schema: MANIFEST_SCHEMA,
    version: VERSION,
    scenario: { file: spec.scenarioFile, name: spec.points[0]?.scenario.name ?? '' },
    set: spec.set,
    seed: spec.seed,
    vary: spec.vary,
    zip: spec.zip,
    replications: spec.replications,
    precision: spec.precision,
    metric: spec.precision === null ? null : spec.metric,
    max_replications: spec.precision === null ? null : spec.maxReplications,
    warmup: spec.warmup,
    points: spec.points.map((p) => ({
      index: p.index,
      key: pointKey(p.assignments),
      sha256: sha256(JSON.stringify(p.scenario)),
      ...(p.seedKey === undefined ? {} : { seed_key: p.seedKey }),
    })),
  };
}

/** The first field in which two manifests differ (the scenario file's name does not count). */
export function manifestDifference(a: Manifest, b: unknown): string | null {
  if (typeof b !== 'object' || b === null || (b as { schema?: unknown }).schema !== MANIFEST_SCHEMA) {
    return `it is not a sweep manifest (expected "schema": "${MANIFEST_SCHEMA}")`;
  }
  const other = b as Record<string, unknown>;
  const fields: Array<keyof Manifest> = ['version', 'set', 'seed', 'vary', 'zip', 'replications', 'precision', 'metric', 'max_replications', 'warmup'];
  const show = (v: unknown) => JSON.stringify(v);
  for (const f of fields) {
    if (show(a[f]) !== show(other[f])) return `${f}: ${show(a[f])} now, ${show(other[f])} there`;
  }
  const pts = Array.isArray(other.points) ? (other.points as Array<Record<string, unknown>>) : [];
  if (pts.length !== a.points.length) return `points: ${a.points.length} now, ${pts.length} there`;
  for (const [i, p] of a.points.entries()) {
    const q = pts[i]!;
    if (q.key !== p.key) return `point ${i}: ${p.key} now, ${show(q.key)} there`;
    if (q.seed_key !== p.seed_key) return `point ${i}: seeds from ${show(p.seed_key ?? p.key)} now, ${show(q.seed_key ?? q.key)} there`;
    if (q.sha256 !== p.sha256) return `point ${i} (${p.key || 'the scenario'}): the resolved scenario differs (the scenario file or --set changed)`;
  }
  return null;
}
