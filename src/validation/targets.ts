/**
 * The validation targets file (scenarios/validation/targets.json, docs/VALIDATION.md):
 * each published measurement as cells (a scenario + `--set` overrides + a metric, with the
 * published value when there is one) and checks over those cells (a value within a
 * tolerance, a ratio, a spread, a range, a collapse), each check with the status recorded
 * for it: `pass` (must keep passing: a failure is a regression) or `miss` (an honest miss,
 * reported but not failing).
 */
import { InputFileError, MAX_INPUT_BYTES, checkShape, parseJsonText, readInputFile, shapeMessage } from '../input/read.js';
import path from 'node:path';
import { z } from 'zod';

export const TARGETS_SCHEMA = 'smpsim.validation-targets/1';

const Status = z.enum(['pass', 'miss']);
export type RecordedStatus = z.infer<typeof Status>;

const Cell = z.strictObject({
  /** `path=value` overrides, as for `smpsim run --set`. */
  set: z.array(z.string()),
  /**
   * What the cell measures: a metric name of `smpsim check` (`ops.latency_ns.mean`,
   * `per_op.kmap.flushes`, `cpu_share.idle`, …) or a derived one (DERIVED_METRICS).
   */
  metric: z.string(),
  /** Multiplies the metric (ns → µs: 0.001). Default 1. */
  scale: z.number().positive().optional(),
  unit: z.string().optional(),
  /** The published value, in `unit`. */
  published: z.number().optional(),
  note: z.string().optional(),
});
export type CellSpec = z.infer<typeof Cell>;

const common = {
  id: z.string(),
  status: Status,
  note: z.string().optional(),
};

const Check = z.discriminatedUnion('kind', [
  /** |sim / published − 1| ≤ tolerance (the cell's published value). */
  z.strictObject({ ...common, kind: z.literal('value'), cell: z.string(), tolerance: z.number().positive() }),
  /** sim(num)/sim(den) within `tolerance` (relative) of `published` (default: the cells' published ratio). */
  z.strictObject({
    ...common,
    kind: z.literal('ratio'),
    num: z.string(),
    den: z.string(),
    published: z.number().positive().optional(),
    tolerance: z.number().positive(),
  }),
  /**
   * sim(num) − sim(den) within `tolerance` (relative) of `published` (default: the cells'
   * published difference): the increment between two points of a curve (a per-page slope),
   * apart from what the two have in common.
   */
  z.strictObject({
    ...common,
    kind: z.literal('difference'),
    num: z.string(),
    den: z.string(),
    published: z.number().optional(),
    tolerance: z.number().positive(),
  }),
  /** max/min of the cells' simulated values ≤ `max` (a flat curve). */
  z.strictObject({ ...common, kind: z.literal('spread'), cells: z.array(z.string()).min(2), max: z.number().min(1) }),
  /** min ≤ sim(cell) ≤ max. */
  z.strictObject({
    ...common,
    kind: z.literal('range'),
    cell: z.string(),
    min: z.number().optional(),
    max: z.number().optional(),
  }),
  /** sim(last cell) / max over the cells ≤ `max`: the curve peaks, then collapses. */
  z.strictObject({ ...common, kind: z.literal('collapse'), cells: z.array(z.string()).min(2), max: z.number().positive() }),
]);
export type CheckSpec = z.infer<typeof Check>;

const Target = z.strictObject({
  id: z.string(),
  title: z.string(),
  /** Scenario file, relative to the targets file. */
  scenario: z.string(),
  /** The publication: list, subject, author, date, and where it can be read. */
  source: z.string(),
  cells: z.record(z.string(), Cell),
  checks: z.array(Check).min(1),
});
export type TargetSpec = z.infer<typeof Target>;

const TargetsFile = z.strictObject({
  $comment: z.string().optional(),
  schema: z.literal(TARGETS_SCHEMA),
  targets: z.array(Target).min(1),
});
export type TargetsFileSpec = z.infer<typeof TargetsFile>;

/** Bad targets file: one line per problem. */
export class TargetsError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
    this.name = 'TargetsError';
  }
}

/** Read and check a targets file; scenario paths come back absolute. */
export function loadTargets(file: string): TargetsFileSpec {
  let text: string;
  try {
    text = readInputFile(file, MAX_INPUT_BYTES, 'targets files');
  } catch (e) {
    throw new TargetsError([`${file}: cannot read file: ${e instanceof InputFileError ? e.message : 'unreadable'}`]);
  }
  const json = parseJsonText(text);
  if (!json.ok) throw new TargetsError([`${file}: ${json.why}`]);
  const shape = checkShape(json.value);
  if (shape !== undefined) throw new TargetsError([`${file}: ${shapeMessage(shape)}`]);
  const data = json.value;
  const parsed = TargetsFile.safeParse(data);
  if (!parsed.success) {
    throw new TargetsError(
      parsed.error.issues.map((i) => `${file}: ${i.path.map(String).join('.') || '(top level)'}: ${i.message}`),
    );
  }
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const t of parsed.data.targets) {
    if (ids.has(t.id)) problems.push(`${file}: targets: duplicate target id "${t.id}"`);
    ids.add(t.id);
    t.scenario = path.resolve(path.dirname(file), t.scenario);
    const checkIds = new Set<string>();
    for (const c of t.checks) {
      if (checkIds.has(c.id)) problems.push(`${file}: ${t.id}: duplicate check id "${c.id}"`);
      checkIds.add(c.id);
      const missing = cellsOf(c).filter((cell) => !(cell in t.cells));
      for (const cell of missing) problems.push(`${file}: ${t.id}: check "${c.id}" names unknown cell "${cell}"`);
      if (missing.length > 0) continue;
      if (c.kind === 'value' && t.cells[c.cell]?.published === undefined) {
        problems.push(`${file}: ${t.id}: check "${c.id}": cell "${c.cell}" has no published value`);
      }
      if ((c.kind === 'ratio' || c.kind === 'difference') && c.published === undefined) {
        if (t.cells[c.num]?.published === undefined || t.cells[c.den]?.published === undefined) {
          problems.push(`${file}: ${t.id}: check "${c.id}": give "published" or published values for both cells`);
        }
      }
    }
  }
  if (problems.length > 0) throw new TargetsError(problems);
  return parsed.data;
}

/** The cells a check reads. */
export function cellsOf(c: CheckSpec): string[] {
  switch (c.kind) {
    case 'value':
    case 'range':
      return [c.cell];
    case 'ratio':
    case 'difference':
      return [c.num, c.den];
    case 'spread':
    case 'collapse':
      return c.cells;
  }
}
