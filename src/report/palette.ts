/**
 * One fixed colour per value that reports colour by: per CPU time category, per kernel.strategy,
 * per spinlock kind and per map API, the same in every chart of every report (sweep SVGs,
 * report.html, run --html), whatever subset of values a report shows. Other series take the
 * Tableau 10 colours in the order of their --vary values.
 *
 * Colours are Tableau 10 (Vega's `tableau10` scheme), chosen so that related meanings share a
 * hue: lock spinning red, copying blue, idle a light grey that recedes.
 *
 * The trace (src/trace/chrome.ts) carries no colours: ui.perfetto.dev ignores the format's
 * `cname` on purpose (google/perfetto#208, #624) and colours slices by their name, so the
 * category slices, named after their category, keep one colour across traces by themselves.
 */
import { CATEGORY_NAMES, type CategoryName } from '../cpu/accounting.js';

/** Vega's tableau10, in order: the fallback for series without a fixed colour. */
export const TABLEAU10 = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'] as const;

export const CATEGORY_COLOURS: Readonly<Record<CategoryName, string>> = {
  work: '#59a14f',
  copy: '#4e79a7',
  spin: '#e15759',
  ipi_wait: '#f28e2b',
  irq: '#b07aa1',
  tlb: '#edc948',
  map: '#76b7b2',
  sched: '#9c755f',
  idle: '#d7d2cc',
};

/** Fixed colours of the values of a few enum fields, by field path. */
const FIELD_COLOURS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'kernel.strategy': { bounce: '#f28e2b', vmap: '#4e79a7', vmap_lazy: '#76b7b2', kmap: '#59a14f', direct: '#9c755f' },
  'machine.spinlock': { ticket: '#4e79a7', tas: '#e15759', qspinlock: '#59a14f' },
  'workload.api': { kmap: '#59a14f', kmap_atomic: '#b07aa1', vmap: '#4e79a7', vmap_lazy: '#76b7b2', kmap_local: '#f28e2b', vmalloc: '#9c755f' },
};

/** Category colours as a Vega scale (domain = every category, so colours never shift). */
export function categoryScale(): { domain: string[]; range: string[] } {
  return { domain: [...CATEGORY_NAMES], range: CATEGORY_NAMES.map((c) => CATEGORY_COLOURS[c]) };
}

/**
 * Colours for series that differ in `path`'s value (null: anything else). A field with fixed
 * colours gets them; otherwise Tableau 10 in the order given, skipping colours already taken.
 */
export function seriesColours(path: string | null, values: readonly string[]): string[] {
  const fixed = path === null ? undefined : FIELD_COLOURS[path];
  const taken = new Set(values.map((v) => fixed?.[v]).filter((c): c is string => c !== undefined));
  const free = TABLEAU10.filter((c) => !taken.has(c));
  let next = 0;
  return values.map((v) => fixed?.[v] ?? free[next++ % free.length]!);
}
