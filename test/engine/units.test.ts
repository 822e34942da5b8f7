import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  UnitError,
  formatDuration,
  formatDurationExact,
  formatRate,
  formatSize,
  formatSizeExact,
  parseDuration,
  parseRate,
  parseSize,
} from '../../src/engine/units.js';

const DURATION_MSG = (got: string): string =>
  `expected a duration like "200ns", "1.5us", "3ms" or "1s" (units: ns, us, ms, s), got ${got}`;
const SIZE_MSG = (got: string): string =>
  `expected a size like "512B", "4KiB", "1.5MiB" or "2GiB" (units: B, KiB, MiB, GiB; a bare integer means bytes), got ${got}`;
const RATE_MSG = (got: string): string =>
  `expected a rate like "500KiB/s", "80MiB/s" or "1GiB/s" (units: B/s, KiB/s, MiB/s, GiB/s; a bare integer means bytes per second), got ${got}`;

function errorOf(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    if (e instanceof Error) return e;
  }
  throw new Error('expected a throw');
}

describe('parseDuration', () => {
  it.each([
    ['200ns', 200],
    ['200 ns', 200],
    ['1.5us', 1500],
    ['1.5\u00b5s', 1500],
    ['1.5\u03bcs', 1500],
    ['3ms', 3_000_000],
    ['1s', 1_000_000_000],
    ['0.1s', 100_000_000],
    ['.5us', 500],
    ['  2 ms ', 2_000_000],
    ['1.1us', 1100],
    ['0.0004us', 0],
    ['0.0006us', 1],
    ['0', 0],
    ['0.0', 0],
    [0, 0],
  ] as const)('%j → %d ns', (text, ns) => {
    expect(parseDuration(text)).toBe(ns);
  });

  it.each([
    ['12 parsecs', '"12 parsecs"'],
    ['12', '"12"'],
    ['-1us', '"-1us"'],
    ['1US', '"1US"'],
    ['us', '"us"'],
    ['', '""'],
    ['1e3ns', '"1e3ns"'],
    [12, '12'],
    [-0.5, '-0.5'],
  ] as const)('rejects %j with the one-line message', (text, got) => {
    const e = errorOf(() => parseDuration(text));
    expect(e).toBeInstanceOf(UnitError);
    expect(e.name).toBe('UnitError');
    expect(e.message).toBe(DURATION_MSG(got));
  });

  it('rejects values beyond exact integer range', () => {
    expect(() => parseDuration('10000000s')).toThrow(/too large/);
  });
});

describe('parseSize', () => {
  it.each([
    ['512B', 512],
    ['4KiB', 4096],
    ['4 KiB', 4096],
    ['1.5MiB', 1_572_864],
    ['2GiB', 2 * 1024 ** 3],
    ['4096', 4096],
    [4096, 4096],
    [0, 0],
    ['0', 0],
  ] as const)('%j → %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each([
    ['4KB', '"4KB"'],
    ['4K', '"4K"'],
    ['4kib', '"4kib"'],
    ['1.5', '"1.5"'],
    ['4TiB', '"4TiB"'],
    ['-4KiB', '"-4KiB"'],
    [1.5, '1.5'],
    [-1, '-1'],
  ] as const)('rejects %j with the one-line message', (text, got) => {
    const e = errorOf(() => parseSize(text));
    expect(e).toBeInstanceOf(UnitError);
    expect(e.message).toBe(SIZE_MSG(got));
  });
});

describe('parseRate', () => {
  it.each([
    ['80MiB/s', 80 * 1024 ** 2],
    ['1GiB/s', 1024 ** 3],
    ['500KiB/s', 500 * 1024],
    ['500 KiB/s', 500 * 1024],
    ['100B/s', 100],
    ['1000', 1000],
    [1000, 1000],
  ] as const)('%j → %d B/s', (text, rate) => {
    expect(parseRate(text)).toBe(rate);
  });

  it.each([
    ['80MB/s', '"80MB/s"'],
    ['80MiB', '"80MiB"'],
    ['80MiB/ms', '"80MiB/ms"'],
    ['fast', '"fast"'],
  ] as const)('rejects %j with the one-line message', (text, got) => {
    const e = errorOf(() => parseRate(text));
    expect(e).toBeInstanceOf(UnitError);
    expect(e.message).toBe(RATE_MSG(got));
  });
});

describe('formatting', () => {
  it.each([
    [850, '850ns'],
    [0, '0ns'],
    [999.4, '999ns'],
    [999.6, '1.00us'],
    [1250, '1.25us'],
    [999_999, '1.00ms'],
    [3_000_000, '3.00ms'],
    [2_000_000_000, '2.000s'],
    [-1250, '-1.25us'],
  ])('formatDuration(%d) = %s', (ns, text) => {
    expect(formatDuration(ns)).toBe(text);
  });

  it.each([
    [512, '512B'],
    [4096, '4.00KiB'],
    [1_572_864, '1.50MiB'],
    [1024 ** 2 - 1, '1.00MiB'],
    [2 * 1024 ** 3, '2.00GiB'],
  ])('formatSize(%d) = %s', (bytes, text) => {
    expect(formatSize(bytes)).toBe(text);
  });

  it.each([
    [1500, '1.5us'],
    [1_234_567, '1234.567us'],
    [1001, '1.001us'],
    [999, '999ns'],
    [3_000_000, '3ms'],
    [0, '0ns'],
  ])('formatDurationExact(%d) = %s', (ns, text) => {
    expect(formatDurationExact(ns)).toBe(text);
  });

  it.each([
    [1536, '1.5KiB'],
    [1025, '1025B'],
    [4096, '4KiB'],
    [1280, '1.25KiB'],
    [3 * 1024 ** 3, '3GiB'],
  ])('formatSizeExact(%d) = %s', (bytes, text) => {
    expect(formatSizeExact(bytes)).toBe(text);
  });

  it('round-trips exact formats through the parsers', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (n) => {
        expect(parseDuration(formatDurationExact(n))).toBe(n);
        expect(parseSize(formatSizeExact(n))).toBe(n);
        expect(parseRate(formatRate(n))).toBe(n);
      }),
      { numRuns: 2000, seed: 104 },
    );
  });

  it('human formats parse back within their printed precision', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e13 }), (n) => {
        const back = parseDuration(formatDuration(n));
        expect(Math.abs(back - n)).toBeLessThanOrEqual(Math.max(0.5, n * 0.005));
        const bytes = parseSize(formatSize(n));
        expect(Math.abs(bytes - n)).toBeLessThanOrEqual(Math.max(0.5, n * 0.005));
      }),
      { numRuns: 2000, seed: 105 },
    );
  });
});
