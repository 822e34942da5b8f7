/**
 * Validation verdicts from numbers alone (no simulation here, so the rules are testable on
 * synthetic values): what each check measures, whether it holds, and what that means
 * against the status recorded for it.
 *
 *   recorded pass, holds        → pass
 *   recorded pass, fails/no run → regressed   (the only verdict that fails the run)
 *   recorded miss, fails        → miss        (an honest miss: reported, not failing)
 *   recorded miss, holds        → improved    (record it as pass in the targets file)
 */
import type { CellSpec, CheckSpec, RecordedStatus } from './targets.js';

/** A cell's simulated value (already scaled), or why there is none. */
export interface CellValue {
  value: number | null;
  /** Why the value is null (the run failed, an override was refused). */
  error?: string;
}

export type Verdict = 'pass' | 'regressed' | 'miss' | 'improved';

export interface CheckResult {
  /** Whether the check holds; null when a cell it needs has no value. */
  holds: boolean | null;
  /** The published quantity the check compares with (null: a shape check without one). */
  published: number | null;
  /** The simulated quantity. */
  simulated: number | null;
  /** The rule, in words (`within ±30%`, `<= 1.3`). */
  rule: string;
}

const rel = (sim: number, pub: number): number => Math.abs(sim / pub - 1);

/** Evaluate one check on the cells' values. */
export function evaluateCheck(check: CheckSpec, cells: Record<string, CellSpec>, values: ReadonlyMap<string, CellValue>): CheckResult {
  const v = (id: string): number | null => values.get(id)?.value ?? null;
  switch (check.kind) {
    case 'value': {
      const pub = cells[check.cell]!.published!;
      const sim = v(check.cell);
      const rule = `within ±${pct(check.tolerance)}`;
      return { holds: sim === null ? null : rel(sim, pub) <= check.tolerance, published: pub, simulated: sim, rule };
    }
    case 'ratio': {
      const pub = check.published ?? cells[check.num]!.published! / cells[check.den]!.published!;
      const n = v(check.num);
      const d = v(check.den);
      const sim = n === null || d === null || d === 0 ? null : n / d;
      const rule = `within ±${pct(check.tolerance)}`;
      return { holds: sim === null ? null : rel(sim, pub) <= check.tolerance, published: pub, simulated: sim, rule };
    }
    case 'difference': {
      const pub = check.published ?? cells[check.num]!.published! - cells[check.den]!.published!;
      const n = v(check.num);
      const d = v(check.den);
      const sim = n === null || d === null ? null : n - d;
      const rule = `within ±${pct(check.tolerance)}`;
      return { holds: sim === null || pub === 0 ? null : rel(sim, pub) <= check.tolerance, published: pub, simulated: sim, rule };
    }
    case 'spread': {
      const xs = check.cells.map(v);
      if (xs.some((x) => x === null || x <= 0)) return { holds: null, published: null, simulated: null, rule: `<= ${check.max}` };
      const sim = Math.max(...(xs as number[])) / Math.min(...(xs as number[]));
      const pubs = check.cells.map((c) => cells[c]!.published);
      const pub = pubs.every((p): p is number => p !== undefined && p > 0) ? Math.max(...pubs) / Math.min(...pubs) : null;
      return { holds: sim <= check.max, published: pub, simulated: sim, rule: `max/min <= ${check.max}` };
    }
    case 'range': {
      const sim = v(check.cell);
      const rule = [check.min === undefined ? '' : `>= ${check.min}`, check.max === undefined ? '' : `<= ${check.max}`]
        .filter((s) => s !== '')
        .join(' and ');
      const ok = sim === null ? null : (check.min === undefined || sim >= check.min) && (check.max === undefined || sim <= check.max);
      return { holds: ok, published: cells[check.cell]!.published ?? null, simulated: sim, rule };
    }
    case 'collapse': {
      const xs = check.cells.map(v);
      if (xs.some((x) => x === null)) return { holds: null, published: null, simulated: null, rule: `last/peak <= ${check.max}` };
      const peak = Math.max(...(xs as number[]));
      const sim = peak > 0 ? (xs[xs.length - 1] as number) / peak : null;
      const pubs = check.cells.map((c) => cells[c]!.published);
      const pub = pubs.every((p): p is number => p !== undefined) && Math.max(...pubs) > 0 ? pubs[pubs.length - 1]! / Math.max(...pubs) : null;
      return { holds: sim === null ? null : sim <= check.max, published: pub, simulated: sim, rule: `last/peak <= ${check.max}` };
    }
  }
}

/** The verdict of a check given the status recorded for it. */
export function verdictOf(recorded: RecordedStatus, holds: boolean | null): Verdict {
  if (recorded === 'pass') return holds === true ? 'pass' : 'regressed';
  return holds === true ? 'improved' : 'miss';
}

/** Exit status of a validation run: 1 when anything recorded as passing regressed. */
export function exitCodeOf(verdicts: readonly Verdict[]): 0 | 1 {
  return verdicts.includes('regressed') ? 1 : 0;
}

function pct(f: number): string {
  return `${Math.round(f * 100)}%`;
}
