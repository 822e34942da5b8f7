/**
 * The lock table in the layout of /proc/lock_stat, version 0.4, as printed by
 * kernel/locking/lockdep_proc.c (seq_header, seq_stats, seq_lock_time, snprint_time):
 *
 *   - a 221-column rule of '-', the column header (`%40s` then twelve ` %14s`), the rule
 *     again, a blank line;
 *   - one row per lock class, sorted by contentions (lock_stat_cmp), classes with no
 *     acquisition left out (seq_stats prints nothing for them either):
 *       `%40s:` name, `%14lu ` con-bounces, `%14lu` contentions, four ` %14s` wait times,
 *       ` %14lu ` acq-bounces, `%14lu` acquisitions, four ` %14s` hold times;
 *   - times in µs with two decimals, rounded like snprint_time: (ns + 5) / 1000 and the
 *     remainder / 10; the averages are integer ns first (div_s64);
 *   - when the class was contended: a short rule of '-' under the name, then up to 4
 *     contention points `%40s %14lu %29s %pS` (name, count, `[<address>]`, symbol: where
 *     the waiters were), the short rule again and up to 4 contending points in the same
 *     layout (where the lock had last been acquired when they began to wait: the holders'
 *     acquire sites), then — only when there were contending points, as seq_stats does —
 *     a blank line and a rule of '.'.
 *
 * The simulator has call sites, not addresses: the address prints as zeros (as with
 * kptr_restrict) and the symbol as `site+0x0/0x0`.
 */
import type { LockStatJson, TimeStat } from '../kernel/lockstat.js';

const NAME_WIDTH = 40;
const COL = 14;
/** 40 + 1 + 12 * (14 + 1), the kernel's rule width. */
export const LOCKSTAT_WIDTH = NAME_WIDTH + 1 + 12 * (COL + 1);
/** The kernel truncates class names to fit `char name[39]` with snprintf(name, 38). */
const MAX_NAME = 37;

export const LOCKSTAT_COLUMNS = [
  'class name',
  'con-bounces',
  'contentions',
  'waittime-min',
  'waittime-max',
  'waittime-total',
  'waittime-avg',
  'acq-bounces',
  'acquisitions',
  'holdtime-min',
  'holdtime-max',
  'holdtime-total',
  'holdtime-avg',
] as const;

const pad = (s: string, w: number) => (s.length >= w ? s : ' '.repeat(w - s.length) + s);

/** snprint_time: ns → "µs.cc", rounded to the nearest 10 ns. */
export function lockstatTime(ns: number): string {
  const n = Math.max(0, Math.trunc(ns)) + 5;
  const whole = Math.floor(n / 1000);
  const rem = n - whole * 1000;
  return `${whole}.${String(Math.floor(rem / 10)).padStart(2, '0')}`;
}

/**
 * lockstatTime with thousands separators on the whole microseconds ("12,345.67"), for
 * tables that print counts with separators beside the times (the HTML lock_stat table:
 * issue 23, item 4). The text table keeps /proc/lock_stat's plain digits.
 */
export function lockstatTimeGrouped(ns: number): string {
  const [whole, frac] = lockstatTime(ns).split('.') as [string, string];
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac}`;
}

function lockTime(nr: number, t: TimeStat): string {
  const avg = nr > 0 ? Math.trunc(t.total / nr) : 0;
  return (
    pad(String(nr), COL) +
    [t.min, t.max, t.total, avg].map((v) => ` ${pad(lockstatTime(v), COL)}`).join('')
  );
}

function rule(c: string, offset: number, length: number): string {
  return ' '.repeat(offset) + c.repeat(length);
}

export function lockstatHeader(): string[] {
  return [
    'lock_stat version 0.4',
    rule('-', 0, LOCKSTAT_WIDTH),
    pad(LOCKSTAT_COLUMNS[0], NAME_WIDTH) + LOCKSTAT_COLUMNS.slice(1).map((c) => ` ${pad(c, COL)}`).join(''),
    rule('-', 0, LOCKSTAT_WIDTH),
    '',
  ];
}

/** Classes sorted as lock_stat_cmp does (contentions, descending); ties by name. */
export function sortedClasses(locks: Record<string, LockStatJson>): Array<[string, LockStatJson]> {
  return Object.entries(locks)
    .filter(([, s]) => s.acquisitions > 0)
    .sort((a, b) => b[1].contentions - a[1].contentions || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** One class: its row, then its contention points (if it was contended). */
export function lockstatClass(className: string, s: LockStatJson): string[] {
  const name = className.slice(0, MAX_NAME);
  const lines = [
    `${pad(name, NAME_WIDTH)}:` +
      `${pad(String(s.con_bounces), COL)} ` +
      lockTime(s.contentions, s.wait_ns) +
      ` ${pad(String(s.acq_bounces), COL)} ` +
      lockTime(s.acquisitions, s.hold_ns),
  ];
  if (s.contentions === 0) return lines;
  const point = (p: { site: string; count: number }) =>
    `${pad(name, NAME_WIDTH)} ${pad(String(p.count), COL)} ${pad('[<0000000000000000>]', 29)} ${p.site}+0x0/0x0`;
  // seq_stats: each block opens with the short rule; the closing rule follows the second.
  const points = s.contention_points.slice(0, 4);
  if (points.length > 0) lines.push(rule('-', NAME_WIDTH - name.length, name.length), ...points.map(point));
  // Results written before contending points were recorded have none.
  const holders = (s.contending_points ?? []).slice(0, 4);
  if (holders.length > 0) lines.push(rule('-', NAME_WIDTH - name.length, name.length), ...holders.map(point), '', rule('.', 0, LOCKSTAT_WIDTH), '');
  return lines;
}

/** The whole table, `/proc/lock_stat` style; one string, newline-terminated. */
export function formatLockStat(locks: Record<string, LockStatJson>): string {
  const lines = lockstatHeader();
  for (const [name, s] of sortedClasses(locks)) lines.push(...lockstatClass(name, s));
  return `${lines.join('\n')}\n`;
}
