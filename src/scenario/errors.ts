/**
 * Scenario problems and how they print: every problem is ONE line,
 *   `<source>: <field.path>: <message>`
 * where <source> is the file the offending value came from (or `--set`, `--seed`), and
 * <message> is usually `expected <what>, got <found>`.
 */
import { MAX_EXCERPT, excerpt } from '../input/text.js';

export type PathSegment = string | number;

export interface Problem {
  /** File (as the user named it) or command-line option the value came from. */
  source: string;
  /** Field path inside the scenario; empty for whole-file problems. */
  path: readonly PathSegment[];
  /** One line, no trailing period. */
  message: string;
}

/**
 * `machine.cpus`; numeric segments print as `[0]`. Keys come from the input: each is cut
 * short and escaped (a key may be a line of some file named by mistake).
 */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const key = excerpt(seg);
      out += out === '' ? key : `.${key}`;
    }
  }
  return out;
}

/** At most this many problems are printed; the rest are counted in one more line. */
export const MAX_PROBLEMS = 20;

export function formatProblem(p: Problem): string {
  const where = p.path.length > 0 ? `${formatPath(p.path)}: ` : '';
  return oneLine(`${p.source}: ${where}${p.message}`);
}

function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ');
}

/**
 * Thrown for anything wrong with a scenario; `message` is the problems, one per line: the
 * first MAX_PROBLEMS, then `... and N more problems` (a file of 40,000 unknown keys is one
 * mistake, not 40,000 lines to read).
 */
export class ScenarioError extends Error {
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[]) {
    const unique = dedupe(problems);
    super(unique.length > 0 ? shownLines(unique).join('\n') : 'invalid scenario');
    this.name = 'ScenarioError';
    this.problems = unique;
  }

  /** The problems, formatted, one line each (at most MAX_PROBLEMS + 1 lines). */
  get lines(): string[] {
    return shownLines(this.problems);
  }
}

function shownLines(problems: readonly Problem[]): string[] {
  const lines = problems.slice(0, MAX_PROBLEMS).map(formatProblem);
  const more = problems.length - MAX_PROBLEMS;
  if (more > 0) lines.push(`${problems[MAX_PROBLEMS]!.source}: ... and ${more} more problem${more === 1 ? '' : 's'}`);
  return lines;
}

function dedupe(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const p of problems) {
    const line = formatProblem(p);
    if (seen.has(line)) continue;
    seen.add(line);
    out.push(p);
  }
  return out;
}

/** Render a found value for `got <found>`: JSON-ish, short, never throws. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
    return String(value);
  }
  if (typeof value === 'bigint') return `${value}`;
  if (typeof value === 'function' || typeof value === 'symbol') return typeof value;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Array.isArray(value) ? 'a list' : 'a mapping';
  }
  // JSON escapes C0 controls, excerpt() the rest (DEL, C1); cut short so that no file's
  // content is echoed.
  text = excerpt(text, Number.POSITIVE_INFINITY);
  return text.length > MAX_EXCERPT ? `${text.slice(0, MAX_EXCERPT - 3)}...` : text;
}

/**
 * Optimal-string-alignment (restricted Damerau-Levenshtein) distance: insertions,
 * deletions, substitutions and transpositions of adjacent characters.
 */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  const d: number[][] = [];
  for (let i = 0; i <= m; i++) {
    const row: number[] = new Array<number>(n + 1).fill(0);
    row[0] = i;
    d.push(row);
  }
  for (let j = 0; j <= n; j++) d[0]![j] = j;
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = v;
    }
  }
  return d[m]![n]!;
}

/** The closest allowed word within distance 2 (case-insensitive), or undefined. */
export function didYouMean(word: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  const w = word.toLowerCase();
  for (const cand of allowed) {
    // Lengths 3 or more apart are at distance 3 or more: skip without the O(n·m) table.
    if (Math.abs(cand.length - w.length) >= bestD) continue;
    const dist = editDistance(w, cand.toLowerCase());
    if (dist < bestD) {
      best = cand;
      bestD = dist;
    }
  }
  // A distance-2 "match" of a 1-2 letter key is noise, not a typo.
  if (best !== undefined && bestD >= Math.max(w.length, 1)) return undefined;
  return best;
}

export function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  const hint = didYouMean(key, allowed);
  return hint === undefined ? 'unknown key' : `unknown key (did you mean "${hint}"?)`;
}
