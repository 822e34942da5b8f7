/**
 * `--vary path=v1,v2,…`: the values one scenario path takes across runs. Several --vary
 * options combine as a cartesian product (the last one varies fastest). Commas inside
 * parentheses or brackets do not split, so `workload.hold=exp(200ns),uniform(100ns,300ns)`
 * is two values.
 *
 * Integer ranges expand in place: `1..8` is 1,2,…,8 and `1..64x2` multiplies by 2 from 1
 * up to 64 (1,2,4,…,64); they mix with plain values (`1,3..5` is 1,3,4,5). With
 * `{ zip: true }` (`smpsim sweep --zip`) the lists pair up element by element instead.
 *
 * `--variant 'path=v path=v …'` (`smpsim run`): one column with several settings at once,
 * e.g. `--variant 'kernel.strategy=vmap kernel.vmalloc_flush_on_map=false'`. Repeated, the
 * variants are the values of one dimension, in the order given; --vary lists, if any, are
 * crossed with them. A variant's label is its first value, then `path=value` for the rest,
 * so the column names every setting that tells it apart.
 */
import { UsageError } from './io.js';

export interface VarySpec {
  path: string;
  values: string[];
}

export interface Variant {
  /** `path=value` assignments, applied like --set after the --set options. */
  sets: string[];
  /** Column header: the values, joined by ", ". */
  label: string;
  /** The assignments, joined by " " (messages: "variant kernel.strategy=kmap"). */
  assignment: string;
  /** The assignments as (path, value) pairs, in --vary order (the CSV's columns). */
  values: Array<[string, string]>;
}

/** At most this many runs from one command line. */
export const MAX_VARIANTS = 1000;

const EXAMPLE = 'kernel.strategy=kmap,vmap';

/**
 * Split `text` at the characters `isSep` accepts when they stand at bracket depth 0 (a
 * distribution or a flow value may hold separators inside brackets). Runs of separators
 * give empty parts unless `dropEmpty`. Undefined if the brackets do not balance.
 */
function splitAtDepth0(text: string, isSep: (ch: string) => boolean, dropEmpty: boolean): string[] | undefined {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') {
      depth--;
      if (depth < 0) return undefined;
    }
    if (depth === 0 && isSep(ch)) {
      if (!dropEmpty || cur !== '') out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (depth !== 0) return undefined;
  if (!dropEmpty || cur !== '') out.push(cur);
  return out;
}

/** Split on commas at bracket depth 0. Returns undefined if the brackets do not balance. */
export function splitTopLevel(text: string): string[] | undefined {
  return splitAtDepth0(text, (ch) => ch === ',', false);
}

export function parseVary(text: string): VarySpec {
  const eq = text.indexOf('=');
  const path = eq < 0 ? '' : text.slice(0, eq).trim();
  if (eq < 0 || path === '' || path.split('.').some((p) => p.trim() === '')) {
    throw new UsageError(`--vary: expected path=v1,v2,... like ${EXAMPLE}, got ${JSON.stringify(text)}`);
  }
  if (path.split('.')[0]!.trim() === 'extends') {
    throw new UsageError('--vary: extends cannot be varied: write one scenario file per parent and sweep each');
  }
  const parts = splitTopLevel(text.slice(eq + 1));
  if (parts === undefined) {
    throw new UsageError(`--vary: unbalanced brackets in the values of ${JSON.stringify(text)}`);
  }
  const values = parts.map((v) => v.trim());
  if (values.some((v) => v === '')) {
    throw new UsageError(`--vary: expected non-empty values separated by commas, got ${JSON.stringify(text)}`);
  }
  return { path, values: values.flatMap((v) => expandRange(path, v)) };
}

const RANGE = /^(\d+)\.\.(\d+)(?:x(\d+))?$/;

/**
 * `a..b` → a, a+1, …, b; `a..bxk` → a, a·k, a·k², … up to b; anything else that does not
 * start like a range is one value as it stands.
 */
export function expandRange(path: string, value: string): string[] {
  if (!/^\s*-?\d+\s*\.\./.test(value)) return [value];
  const m = RANGE.exec(value.replace(/\s+/g, ''));
  const bad = (why: string) => new UsageError(`--vary: ${path}: ${why}, got ${JSON.stringify(value)}`);
  if (m === null) throw bad('expected a range of integers >= 0 like 1..8 or 1..64x2');
  const from = Number(m[1]);
  const to = Number(m[2]);
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) throw bad('expected range bounds up to 2^53');
  if (to < from) throw bad('expected a range whose end is not below its start');
  const out: string[] = [];
  if (m[3] === undefined) {
    if (to - from + 1 > MAX_VARIANTS) throw bad(`expected at most ${MAX_VARIANTS} values in a range`);
    for (let v = from; v <= to; v++) out.push(String(v));
    return out;
  }
  const factor = Number(m[3]);
  if (!(factor >= 2)) throw bad('expected a factor of 2 or more after x');
  if (from === 0) throw bad('expected a start of 1 or more when multiplying');
  for (let v = from; v <= to; v *= factor) out.push(String(v));
  return out;
}

const VARIANT_EXAMPLE = "'kernel.strategy=vmap kernel.vmalloc_flush_on_map=false'";

/** Split on whitespace at bracket depth 0 (a distribution may contain ", "). */
function splitWords(text: string): string[] | undefined {
  return splitAtDepth0(text, (ch) => /\s/.test(ch), true);
}

/** One --variant: its `path=value` assignments, in the order given. */
export function parseVariant(text: string): Array<[string, string]> {
  const words = splitWords(text);
  if (words === undefined) throw new UsageError(`--variant: unbalanced brackets in ${JSON.stringify(text)}`);
  if (words.length === 0) throw new UsageError(`--variant: expected path=value settings separated by spaces like ${VARIANT_EXAMPLE}, got ${JSON.stringify(text)}`);
  const seen = new Set<string>();
  return words.map((w): [string, string] => {
    const eq = w.indexOf('=');
    const path = eq < 0 ? '' : w.slice(0, eq);
    const value = eq < 0 ? '' : w.slice(eq + 1);
    if (path === '' || value === '' || path.split('.').some((p) => p === '')) {
      throw new UsageError(`--variant: expected path=value settings separated by spaces like ${VARIANT_EXAMPLE}, got ${JSON.stringify(w)}`);
    }
    if (path.split('.')[0] === 'extends') throw new UsageError('--variant: extends cannot be varied: write one scenario file per parent');
    if (seen.has(path)) throw new UsageError(`--variant: ${path} is set twice in ${JSON.stringify(text)}`);
    seen.add(path);
    return [path, value];
  });
}

/** The paths a run varies: those of its --variant options, then its --vary lists. */
export function variedPaths(specs: readonly VarySpec[], variants: ReadonlyArray<ReadonlyArray<[string, string]>>): string[] {
  const out: string[] = [];
  for (const v of variants) for (const [p] of v) if (!out.includes(p)) out.push(p);
  for (const s of specs) if (!out.includes(s.path)) out.push(s.path);
  return out;
}

/**
 * All --vary options → the variants to run (one empty variant without --vary): their
 * cartesian product, or with `zip` the i-th value of every list together. `variants`
 * (--variant) are the values of one more dimension, the outermost.
 */
export function expandVary(
  texts: readonly string[],
  opts: { zip?: boolean; variants?: readonly string[] } = {},
): { specs: VarySpec[]; variants: Variant[] } {
  const specs = texts.map(parseVary);
  const explicit = (opts.variants ?? []).map(parseVariant);
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.path)) throw new UsageError(`--vary: ${s.path} is varied twice; give all its values in one --vary`);
    seen.add(s.path);
  }
  for (const v of explicit) {
    for (const [p] of v) {
      if (seen.has(p)) throw new UsageError(`--variant: ${p} is also varied by --vary; set it in each --variant instead`);
    }
  }
  if (opts.zip === true && specs.some((s) => s.values.length !== specs[0]!.values.length)) {
    const lengths = specs.map((s) => `${s.path} has ${s.values.length}`).join(', ');
    throw new UsageError(`--zip: expected --vary lists of equal length, got ${lengths} values`);
  }
  const count =
    (opts.zip === true ? (specs[0]?.values.length ?? 1) : specs.reduce((n, s) => n * s.values.length, 1)) * Math.max(1, explicit.length);
  if (count > MAX_VARIANTS) {
    throw new UsageError(`--vary: ${count} variants is too many (at most ${MAX_VARIANTS})`);
  }
  let combos: Array<Array<[string, string]>> = [[]];
  if (opts.zip === true && specs.length > 0) {
    combos = specs[0]!.values.map((_, i) => specs.map((s): [string, string] => [s.path, s.values[i]!]));
  } else {
    for (const s of specs) {
      combos = combos.flatMap((c) => s.values.map((v): Array<[string, string]> => [...c, [s.path, v]]));
    }
  }
  // --variant: the outermost dimension; its label names every setting after the first.
  const outer: Array<{ values: Array<[string, string]>; label: string | null }> =
    explicit.length === 0
      ? [{ values: [], label: null }]
      : explicit.map((v) => ({ values: v, label: [v[0]![1], ...v.slice(1).map(([p, x]) => `${p}=${x}`)].join(' ') }));
  const variants = outer.flatMap((o) =>
    combos.map((c) => {
      const all = [...o.values, ...c];
      const labels = [...(o.label === null ? [] : [o.label]), ...c.map(([, v]) => v)];
      return {
        sets: all.map(([p, v]) => `${p}=${v}`),
        label: labels.join(', '),
        assignment: all.map(([p, v]) => `${p}=${v}`).join(' '),
        values: all,
      };
    }),
  );
  return { specs, variants };
}
