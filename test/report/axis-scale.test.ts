import { describe, expect, it } from 'vitest';
import { LINEAR_MARGIN, LOG_AXIS_MIN_RATIO, fittedScale } from '../../src/report/axis-scale.js';

describe('fittedScale: an axis over the data (issue 23, item 3)', () => {
  it('less than a decade: linear, the data range and 5% of it either side', () => {
    expect(LOG_AXIS_MIN_RATIO).toBe(10);
    expect(LINEAR_MARGIN).toBe(0.05);
    // 6,000-8,000 µs: span 2,000, margin 100.
    expect(fittedScale([6000, 7100, 8000])).toEqual({ log: false, lo: 6000, hi: 8000, scale: { type: 'linear', domain: [5900, 8100], nice: false, zero: false } });
    // Just under a decade.
    expect(fittedScale([100, 999]).log).toBe(false);
  });

  it('a decade or more: log over exactly the data, no rounding out to whole decades', () => {
    expect(fittedScale([100, 5000, 1000])).toEqual({ log: true, lo: 100, hi: 5000, scale: { type: 'log', domain: [100, 5000], nice: false } });
    expect(fittedScale([100, 1000]).log).toBe(true);
  });

  it('non-negative data keep a non-negative axis; zero or negative data are never log; one value gets a margin', () => {
    expect(fittedScale([1, 2]).scale).toMatchObject({ domain: [0.95, 2.05] });
    expect(fittedScale([0, 50]).scale).toMatchObject({ type: 'linear', domain: [0, 52.5] });
    expect(fittedScale([-5, 500]).log).toBe(false);
    expect(fittedScale([-10, -10]).scale).toMatchObject({ domain: [-10.5, -9.5] });
    expect(fittedScale([0, 0]).scale).toMatchObject({ domain: [0, 1] });
    expect(fittedScale([Number.NaN, 4, Infinity, 8]).scale).toMatchObject({ domain: [3.8, 8.2] });
  });
});
