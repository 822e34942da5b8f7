/**
 * Bars beyond a count are drawn as groups (issue 20): a chart of 4096 CPUs, or of a sweep
 * over machine.cpus=1..1000, is unreadable bar by bar, and Vega compiles an explicit sort
 * order of that many labels into an expression deep enough to overflow the stack. Past
 * MAX_BARS, consecutive items are grouped into at most MAX_BARS groups of near-equal size,
 * labelled by their first and last item ("CPU0–63"), and charts order bars by a numeric
 * field, never by a list of labels.
 */

/** The most bars (or x categories) a chart draws one by one. */
export const MAX_BARS = 64;

/** `items` in at most `max` groups of consecutive items, sizes differing by at most one. */
export function groupConsecutive<T>(items: readonly T[], max: number = MAX_BARS): T[][] {
  if (!(max >= 1)) throw new RangeError(`groupConsecutive: max must be >= 1, got ${max}`);
  if (items.length <= max) return items.map((x) => [x]);
  const groups: T[][] = [];
  const n = items.length;
  for (let g = 0; g < max; g++) {
    const lo = Math.floor((g * n) / max);
    const hi = Math.floor(((g + 1) * n) / max);
    groups.push(items.slice(lo, hi));
  }
  return groups;
}

/** A group's label from its first and last item's labels: "CPU0–63", "1–16", or the one label. */
export function groupLabel(first: string, last: string, prefix = ''): string {
  return first === last ? `${prefix}${first}` : `${prefix}${first}–${last}`;
}
