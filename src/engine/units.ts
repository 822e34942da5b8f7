/**
 * Units for scenario files. Base units are integer nanoseconds for time and integer bytes
 * for sizes, so the simulator's accounting sums exactly. A number without a unit is
 * refused (except 0, and byte counts) because "12" is ambiguous in a file that mixes ns,
 * us and ms.
 */

export class UnitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnitError';
  }
}

const NUM = String.raw`(\d+(?:\.\d+)?|\.\d+)`;

const DURATION_RE = new RegExp(String.raw`^\s*${NUM}\s*(ns|us|\u00b5s|\u03bcs|ms|s)?\s*$`);
const DURATION_FACTOR: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  '\u00b5s': 1e3, // micro sign
  '\u03bcs': 1e3, // Greek small mu, which some keyboards produce instead
  ms: 1e6,
  s: 1e9,
};

const SIZE_UNITS = 'B|KiB|MiB|GiB';
const SIZE_RE = new RegExp(String.raw`^\s*${NUM}\s*(${SIZE_UNITS})?\s*$`);
const RATE_RE = new RegExp(String.raw`^\s*${NUM}\s*(?:(${SIZE_UNITS})/s)?\s*$`);
const SIZE_FACTOR: Readonly<Record<string, number>> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

function durationMessage(text: string | number): string {
  return `expected a duration like "200ns", "1.5us", "3ms" or "1s" (units: ns, us, ms, s), got ${JSON.stringify(text)}`;
}
function sizeMessage(text: string | number): string {
  return `expected a size like "512B", "4KiB", "1.5MiB" or "2GiB" (units: B, KiB, MiB, GiB; a bare integer means bytes), got ${JSON.stringify(text)}`;
}
function rateMessage(text: string | number): string {
  return `expected a rate like "500KiB/s", "80MiB/s" or "1GiB/s" (units: B/s, KiB/s, MiB/s, GiB/s; a bare integer means bytes per second), got ${JSON.stringify(text)}`;
}

/**
 * raw × factor rounded to an integer, exact up to 2^53: the integer part is scaled
 * exactly and only the fraction goes through floating point, so "8989705781550.647us"
 * does not lose its last digits. Refuses results beyond 2^53, where integer sums stop
 * being exact.
 */
function scaled(raw: string, factor: number, text: string | number, what: string): number {
  const dot = raw.indexOf('.');
  const whole = dot < 0 ? raw : raw.slice(0, dot);
  const frac = dot < 0 ? 0 : Number(`0${raw.slice(dot)}`);
  const n = Number(whole === '' ? '0' : whole) * factor + Math.round(frac * factor);
  if (!Number.isSafeInteger(n)) throw new UnitError(`${what} ${JSON.stringify(text)} is too large (at most ${Number.MAX_SAFE_INTEGER} base units)`);
  return n;
}

/** "1.5us" → 1500 (ns). Only 0 may be written without a unit. */
export function parseDuration(text: string | number): number {
  if (typeof text === 'number') {
    if (text === 0) return 0;
    throw new UnitError(durationMessage(text));
  }
  const m = DURATION_RE.exec(text);
  if (m === null) throw new UnitError(durationMessage(text));
  const raw = m[1] as string;
  const unit = m[2];
  if (unit === undefined) {
    if (Number(raw) === 0) return 0;
    throw new UnitError(durationMessage(text));
  }
  return scaled(raw, DURATION_FACTOR[unit] as number, text, 'duration');
}

/** Shared by sizes and rates: a bare number must be an integer byte count. */
function bytesOf(m: RegExpExecArray, text: string, message: (t: string | number) => string, what: string): number {
  const raw = m[1] as string;
  const unit = m[2];
  if (unit === undefined) {
    if (raw.includes('.')) throw new UnitError(message(text));
    return scaled(raw, 1, text, what);
  }
  return scaled(raw, SIZE_FACTOR[unit] as number, text, what);
}

/** "4KiB" → 4096 (bytes). A bare integer means bytes. */
export function parseSize(text: string | number): number {
  if (typeof text === 'number') {
    if (Number.isSafeInteger(text) && text >= 0) return text;
    throw new UnitError(sizeMessage(text));
  }
  const m = SIZE_RE.exec(text);
  if (m === null) throw new UnitError(sizeMessage(text));
  return bytesOf(m, text, sizeMessage, 'size');
}

/** "80MiB/s" → 83886080 (bytes per second). A bare integer means bytes per second. */
export function parseRate(text: string | number): number {
  if (typeof text === 'number') {
    if (Number.isSafeInteger(text) && text >= 0) return text;
    throw new UnitError(rateMessage(text));
  }
  const m = RATE_RE.exec(text);
  if (m === null) throw new UnitError(rateMessage(text));
  return bytesOf(m, text, rateMessage, 'rate');
}

/** For reports: 850ns, 1.25us, 3.00ms, 2.000s. Lossy; use formatDurationExact for files. */
export function formatDuration(ns: number): string {
  if (!Number.isFinite(ns)) return String(ns);
  const a = Math.abs(ns);
  const sign = ns < 0 && Math.round(a) !== 0 ? '-' : '';
  if (Math.round(a) < 1000) return `${sign}${Math.round(a)}ns`;
  // Promote when rounding would print 1000.00 of the smaller unit.
  const us = (a / 1e3).toFixed(2);
  if (Number(us) < 1000) return `${sign}${us}us`;
  const ms = (a / 1e6).toFixed(2);
  if (Number(ms) < 1000) return `${sign}${ms}ms`;
  return `${sign}${(a / 1e9).toFixed(3)}s`;
}

/** For reports: 512B, 4.00KiB, 1.50MiB, 2.00GiB. Lossy; use formatSizeExact for files. */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const a = Math.abs(bytes);
  const sign = bytes < 0 && Math.round(a) !== 0 ? '-' : '';
  if (Math.round(a) < 1024) return `${sign}${Math.round(a)}B`;
  const kib = (a / 1024).toFixed(2);
  if (Number(kib) < 1024) return `${sign}${kib}KiB`;
  const mib = (a / 1024 ** 2).toFixed(2);
  if (Number(mib) < 1024) return `${sign}${mib}MiB`;
  return `${sign}${(a / 1024 ** 3).toFixed(2)}GiB`;
}

/**
 * n / f as a decimal string, computed in integers so that no digit is lost near 2^53
 * (String(n / f) may print a neighbouring double). Requires n·10^digits / f to be an integer.
 */
function exactQuotient(n: number, f: number, digits: number): string {
  let whole = Math.floor(n / f);
  let rem = n - whole * f;
  // n / f may have rounded up to the next integer.
  if (rem < 0) {
    whole--;
    rem += f;
  }
  if (rem === 0) return String(whole);
  const frac = String((rem * 10 ** digits) / f).padStart(digits, '0').replace(/0+$/, '');
  return `${whole}.${frac}`;
}

/**
 * Exact form that parseDuration reads back to the same integer: the largest unit in which
 * the value needs at most 3 decimals (1234567 → "1234.567us"), else plain ns.
 */
export function formatDurationExact(ns: number): string {
  if (Number.isInteger(ns) && ns > 0) {
    for (const [unit, f] of [['s', 1e9], ['ms', 1e6], ['us', 1e3]] as const) {
      if (ns >= f && ns % (f / 1000) === 0) return `${exactQuotient(ns, f, 3)}${unit}`;
    }
  }
  return `${ns}ns`;
}

/**
 * Exact form that parseSize reads back to the same integer: the largest binary unit in which
 * the value needs at most 2 decimals (1536 → "1.5KiB"), else plain B. Because units are
 * powers of two, "at most 2 decimals" is "divisible by unit/4".
 */
export function formatSizeExact(bytes: number): string {
  if (Number.isInteger(bytes) && bytes > 0) {
    for (const [unit, f] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
      if (bytes >= f && bytes % (f / 4) === 0) return `${exactQuotient(bytes, f, 2)}${unit}`;
    }
  }
  return `${bytes}B`;
}

/** Exact form that parseRate reads back: "80MiB/s". */
export function formatRate(bytesPerSecond: number): string {
  return `${formatSizeExact(bytesPerSecond)}/s`;
}
