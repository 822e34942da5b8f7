/**
 * Small formatting helpers shared by the text reports: thousands separators, fixed-width
 * columns, aligned tables. Pure string functions, no I/O.
 */

/** 1234567 → "1,234,567" (perf stat style); non-integers are rounded first. */
export function fmtInt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const r = Math.round(n);
  const s = String(Math.abs(r)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return r < 0 ? `-${s}` : s;
}

/** Fixed decimals, with thousands separators on the integer part. */
export function fmtFixed(n: number, digits: number): string {
  if (!Number.isFinite(n)) return String(n);
  const s = Math.abs(n).toFixed(digits);
  const [whole, frac] = s.split('.') as [string, string | undefined];
  const w = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const sign = n < 0 && Number(s) !== 0 ? '-' : '';
  return frac === undefined ? `${sign}${w}` : `${sign}${w}.${frac}`;
}

/** A compact plain number for comparisons: integers as-is, others to 4 significant digits. */
export function fmtPlain(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return String(n);
  if (Math.abs(n) >= 1000) return n.toFixed(1);
  return String(Number(n.toPrecision(4)));
}

/** A percentage of a whole: 0.7123 → "71.2%". */
export function fmtPercent(fraction: number, digits = 1): string {
  if (!Number.isFinite(fraction)) return 'n/a';
  return `${(fraction * 100).toFixed(digits)}%`;
}

export function padLeft(s: string, width: number): string {
  return s.length >= width ? s : ' '.repeat(width - s.length) + s;
}

export function padRight(s: string, width: number): string {
  return s.length >= width ? s : s + ' '.repeat(width - s.length);
}

export type Align = 'l' | 'r';

/**
 * Rows of cells → lines with columns padded to their widest cell, separated by `gap`
 * spaces. `align[i]` aligns column i (default: first column left, others right).
 */
export function renderTable(rows: readonly (readonly string[])[], align: readonly Align[] = [], gap = 2, indent = ''): string[] {
  const ncols = Math.max(0, ...rows.map((r) => r.length));
  const widths: number[] = [];
  for (let c = 0; c < ncols; c++) widths.push(Math.max(0, ...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => {
    const cells: string[] = [];
    for (let c = 0; c < ncols; c++) {
      const a = align[c] ?? (c === 0 ? 'l' : 'r');
      const cell = r[c] ?? '';
      cells.push(a === 'l' ? padRight(cell, widths[c]!) : padLeft(cell, widths[c]!));
    }
    return (indent + cells.join(' '.repeat(gap))).replace(/\s+$/, '');
  });
}

/** a / b, or 0 when b is 0 (a per-op ratio of a run that completed no ops). */
export function ratio(a: number, b: number): number {
  return b > 0 ? a / b : 0;
}
