/**
 * Reading DIR/summary.json (written by `smpsim sweep`) for `smpsim plot`: what the charts and
 * the report read of it is checked before any is drawn, so that a hand-edited or truncated
 * summary is one line naming the field, not a TypeError.
 */
import path from 'node:path';
import { z } from 'zod';
import { excerpt } from '../input/read.js';
import type { SweepSummary } from './summary.js';
import { SweepFileError, readJsonFile, SUMMARY_SCHEMA } from './files.js';

const num = z.number();
const stats = z.looseObject({ mean: num, ci95: num.nullable() });
const fit = z.looseObject({ alpha: num, beta: num, gamma: num, peak_n: num.nullable(), r2: num }).nullable();
const SummaryFile = z.looseObject({
  schema: z.literal(SUMMARY_SCHEMA),
  version: z.string(),
  confidence: num,
  scenario: z.looseObject({ name: z.string(), description: z.string() }),
  vary: z.array(z.looseObject({ path: z.string(), values: z.array(z.string()) })),
  zip: z.boolean(),
  replications: num,
  precision: num.nullable(),
  metric: z.string(),
  max_replications: num.nullable(),
  warmup: z.enum(['scenario', 'auto']),
  metrics: z.record(z.string(), z.looseObject({ label: z.string(), kind: z.enum(['rate', 'duration', 'per_op', 'bytes', 'count', 'share']) })),
  points: z.array(
    z.looseObject({ index: num, assignments: z.record(z.string(), z.string()), replications: num, metrics: z.record(z.string(), stats) }),
  ),
  scaling: z
    .looseObject({
      x: z.string(),
      metric: z.string(),
      series: z.array(
        z.looseObject({
          label: z.string(),
          points: z.array(z.looseObject({ n: num, point: num, mean: num, ci95: num.nullable(), speedup: num, efficiency: num })),
          usl: fit,
          amdahl: z.looseObject({ serial_fraction: num, gamma: num, r2: num }).nullable(),
        }),
      ),
    })
    .nullable(),
});

export function readSummary(dir: string): SweepSummary {
  const file = path.join(dir, 'summary.json');
  const v = readJsonFile(file);
  if (v === undefined) throw new SweepFileError(`${file}: no such file (run smpsim sweep --out ${dir} first)`);
  if (typeof v !== 'object' || v === null || (v as { schema?: unknown }).schema !== SUMMARY_SCHEMA) {
    throw new SweepFileError(`${file}: not a sweep summary (expected "schema": "${SUMMARY_SCHEMA}")`);
  }
  const parsed = SummaryFile.safeParse(v);
  if (!parsed.success) {
    const iss = parsed.error.issues[0]!;
    const at = iss.path.map(String).join('.');
    throw new SweepFileError(`${file}: corrupt sweep summary: ${at === '' ? '' : `${excerpt(at, 80)}: `}${iss.message.split('\n')[0]}`);
  }
  // Every point names a value for every varied path (the charts' x axis and series).
  const d = parsed.data;
  for (const [i, pt] of d.points.entries()) {
    const missing = d.vary.find((q) => typeof pt.assignments[q.path] !== 'string');
    if (missing !== undefined) {
      throw new SweepFileError(`${file}: corrupt sweep summary: points.${i}.assignments: expected a value for ${excerpt(missing.path)}, got none`);
    }
  }
  // The data as read (zod's copy drops nothing here, but the summary is the file's).
  return v as SweepSummary;
}

/** Write every chart as DIR/<name>.svg and DIR/report.html; returns the files written. */