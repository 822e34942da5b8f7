/**
 * `--vary path=v1,v2,…`: the values one scenario path takes across runs. Several --vary
 * options combine as a cartesian product (the last one varies fastest). Commas inside
 * parentheses or brackets do not split, so `workload.hold=exp(200ns),uniform(100ns,300ns)`
 * is two values.
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
  /** The assignments, joined by " " (the CSV `variant` column). */
  assignment: string;
}

/** At most this many runs from one command line. */
export const MAX_VARIANTS = 1000;

const EXAMPLE = 'kernel.strategy=kmap,vmap';

/** Split on commas at bracket depth 0. Returns undefined if the brackets do not balance. */
export function splitTopLevel(text: string): string[] | undefined {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') {
      depth--;
      if (depth < 0) return undefined;
    }
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (depth !== 0) return undefined;
  out.push(cur);
  return out;
}

export function parseVary(text: string): VarySpec {
  const eq = text.indexOf('=');
  const path = eq < 0 ? '' : text.slice(0, eq).trim();
  if (eq < 0 || path === '' || path.split('.').some((p) => p.trim() === '')) {
    throw new UsageError(`--vary: expected path=v1,v2,... like ${EXAMPLE}, got ${JSON.stringify(text)}`);
  }
  const parts = splitTopLevel(text.slice(eq + 1));
  if (parts === undefined) {
    throw new UsageError(`--vary: unbalanced brackets in the values of ${JSON.stringify(text)}`);
  }
  const values = parts.map((v) => v.trim());
  if (values.some((v) => v === '')) {
    throw new UsageError(`--vary: expected non-empty values separated by commas, got ${JSON.stringify(text)}`);
  }
  return { path, values };
}

/** All --vary options → the variants to run (one empty variant without --vary). */
export function expandVary(texts: readonly string[]): { specs: VarySpec[]; variants: Variant[] } {
  const specs = texts.map(parseVary);
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.path)) throw new UsageError(`--vary: ${s.path} is varied twice; give all its values in one --vary`);
    seen.add(s.path);
  }
  const count = specs.reduce((n, s) => n * s.values.length, 1);
  if (count > MAX_VARIANTS) {
    throw new UsageError(`--vary: ${count} variants is too many (at most ${MAX_VARIANTS})`);
  }
  let combos: Array<Array<[string, string]>> = [[]];
  for (const s of specs) {
    combos = combos.flatMap((c) => s.values.map((v): Array<[string, string]> => [...c, [s.path, v]]));
  }
  const variants = combos.map((c) => ({
    sets: c.map(([p, v]) => `${p}=${v}`),
    label: c.map(([, v]) => v).join(', '),
    assignment: c.map(([p, v]) => `${p}=${v}`).join(' '),
  }));
  return { specs, variants };
}
