/**
 * Reading a result file back (for `smpsim compare`): JSON, `schema: "smpsim.result/1"`,
 * and the fields the metrics need, checked. Other fields pass through unchecked.
 */
import { z } from 'zod';
import { checkShape, parseJsonText, shapeMessage } from '../input/text.js';
import { CATEGORY_NAMES } from '../cpu/accounting.js';
import type { Bottleneck } from './bottleneck.js';
import type { MetricSource } from './metrics.js';
import { RESULT_SCHEMA } from './result.js';

const num = z.number();
const timeStat = z.looseObject({ total: num });
const lock = z.looseObject({ acquisitions: num, contentions: num, wait_ns: timeStat });

const ResultFile = z.looseObject({
  schema: z.literal(RESULT_SCHEMA),
  seed: num.optional(),
  scenario: z.looseObject({ name: z.string().optional() }).optional(),
  ops: z.looseObject({
    completed: num,
    per_sec: num,
    latency_ns: z.looseObject({ mean: num, p50: num, p99: num }),
  }),
  tlb: z.looseObject({ ipis_sent: num, shootdowns: num }),
  kmap: z.looseObject({ flushes: num }),
  bounce: z.looseObject({ bytes_copied: num }),
  locks: z.record(z.string(), lock),
  cpus: z.array(z.looseObject({ time_ns: z.partialRecord(z.enum(CATEGORY_NAMES), num) })),
});

/** A result's `bottleneck` (src/report/bottleneck.ts); absent from results before issue 23. */
const BottleneckField = z.object({
  resource: z.string(),
  kind: z.enum(['device', 'memory_bus', 'cpu', 'lock', 'none']),
  utilisation: num,
  saturated: z.boolean(),
  busiest: z.string(),
});

export interface ReadResult {
  result: MetricSource;
  /** The file's bottleneck, when it has a well-formed one. */
  bottleneck: Bottleneck | undefined;
  name: string | undefined;
  seed: number | undefined;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** Parse a result file's text; problems are one line each, prefixed by `file`. */
export function parseResultText(text: string, file: string): { ok: true; value: ReadResult } | { ok: false; problems: string[] } {
  const json = parseJsonText(text);
  if (!json.ok) return { ok: false, problems: [`${file}: not a JSON file: ${json.why}`] };
  const data = json.value;
  const shape = checkShape(data);
  if (shape !== undefined) return { ok: false, problems: [`${file}: not a smpsim result: ${shapeMessage(shape)}`] };
  const schema =
    typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>).schema : undefined;
  if (schema !== RESULT_SCHEMA) {
    const what = Array.isArray(data) ? ' (an array: a --vary run? compare takes single results)' : '';
    return {
      ok: false,
      problems: [`${file}: not a smpsim result: expected "schema": "${RESULT_SCHEMA}", got ${describe(schema)}${what}`],
    };
  }
  const parsed = ResultFile.safeParse(data);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((iss) => {
        const at = iss.path.map(String).join('.');
        return `${file}: ${at === '' ? '' : `${at}: `}${iss.message.split('\n')[0]}`;
      }),
    };
  }
  const d = parsed.data;
  const b = BottleneckField.safeParse((data as Record<string, unknown>).bottleneck);
  return { ok: true, value: { result: d, bottleneck: b.success ? b.data : undefined, name: d.scenario?.name, seed: d.seed } };
}
