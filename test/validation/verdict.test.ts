import { describe, expect, it } from 'vitest';
import type { CellSpec, CheckSpec } from '../../src/validation/targets.js';
import { evaluateCheck, exitCodeOf, verdictOf, type CellValue } from '../../src/validation/verdict.js';

const cell = (published?: number): CellSpec => ({ set: [], metric: 'ops.per_sec', published });
const values = (o: Record<string, number | null>): Map<string, CellValue> =>
  new Map(Object.entries(o).map(([k, v]) => [k, { value: v }]));

describe('validation checks on synthetic numbers', () => {
  const cells = { a: cell(10), b: cell(40), c: cell(2), d: cell() };

  it('value: within the tolerance of the published value', () => {
    const chk: CheckSpec = { id: 'a', kind: 'value', cell: 'a', tolerance: 0.3, status: 'pass' };
    expect(evaluateCheck(chk, cells, values({ a: 12.9 })).holds).toBe(true);
    expect(evaluateCheck(chk, cells, values({ a: 7.1 })).holds).toBe(true);
    expect(evaluateCheck(chk, cells, values({ a: 13.1 })).holds).toBe(false);
    expect(evaluateCheck(chk, cells, values({ a: 6.9 })).holds).toBe(false);
    expect(evaluateCheck(chk, cells, values({ a: null })).holds).toBe(null);
  });

  it('ratio: against the cells\' published ratio, or an explicit one', () => {
    const chk: CheckSpec = { id: 'r', kind: 'ratio', num: 'b', den: 'a', tolerance: 0.2, status: 'miss' };
    const r = evaluateCheck(chk, cells, values({ a: 1, b: 4.5 }));
    expect(r.published).toBe(4);
    expect(r.simulated).toBe(4.5);
    expect(r.holds).toBe(true);
    expect(evaluateCheck(chk, cells, values({ a: 1, b: 5 })).holds).toBe(false);
    const explicit: CheckSpec = { ...chk, published: 5 };
    expect(evaluateCheck(explicit, cells, values({ a: 1, b: 5 })).holds).toBe(true);
  });

  it('difference: the increment between two cells against the cells\' published increment, or an explicit one', () => {
    const chk: CheckSpec = { id: 'd', kind: 'difference', num: 'b', den: 'a', tolerance: 0.2, status: 'pass' };
    // published 40 − 10 = 30; a common offset of 25 in both cells cancels.
    const r = evaluateCheck(chk, cells, values({ a: 35, b: 60 }));
    expect(r.published).toBe(30);
    expect(r.simulated).toBe(25);
    expect(r.holds).toBe(true);
    expect(evaluateCheck(chk, cells, values({ a: 35, b: 58 })).holds).toBe(false);
    expect(evaluateCheck({ ...chk, published: 23 }, cells, values({ a: 35, b: 58 })).holds).toBe(true);
    expect(evaluateCheck(chk, cells, values({ a: null, b: 58 })).holds).toBe(null);
  });

  it('spread: a flat curve stays under max/min', () => {
    const chk: CheckSpec = { id: 's', kind: 'spread', cells: ['a', 'b', 'c'], max: 1.3, status: 'pass' };
    expect(evaluateCheck(chk, cells, values({ a: 2.9, b: 3.0, c: 2.8 })).holds).toBe(true);
    expect(evaluateCheck(chk, cells, values({ a: 2.0, b: 3.0, c: 2.8 })).holds).toBe(false);
  });

  it('range: bounds on one cell', () => {
    const chk: CheckSpec = { id: 'g', kind: 'range', cell: 'd', max: 50, status: 'pass' };
    expect(evaluateCheck(chk, cells, values({ d: 49 })).holds).toBe(true);
    expect(evaluateCheck(chk, cells, values({ d: 51 })).holds).toBe(false);
    const lo: CheckSpec = { id: 'g', kind: 'range', cell: 'd', min: 1, status: 'pass' };
    expect(evaluateCheck(lo, cells, values({ d: 0.5 })).holds).toBe(false);
  });

  it('collapse: the last point falls well below the peak', () => {
    const chk: CheckSpec = { id: 'c', kind: 'collapse', cells: ['a', 'b', 'c'], max: 0.7, status: 'miss' };
    expect(evaluateCheck(chk, cells, values({ a: 1, b: 4, c: 2 })).holds).toBe(true);
    expect(evaluateCheck(chk, cells, values({ a: 1, b: 4, c: 4 })).holds).toBe(false);
  });
});

describe('verdicts: what a result means against the recorded status', () => {
  it('recorded pass: holds is pass, fails or cannot run is a regression', () => {
    expect(verdictOf('pass', true)).toBe('pass');
    expect(verdictOf('pass', false)).toBe('regressed');
    expect(verdictOf('pass', null)).toBe('regressed');
  });

  it('recorded miss: failing is an honest miss, holding is an improvement', () => {
    expect(verdictOf('miss', false)).toBe('miss');
    expect(verdictOf('miss', null)).toBe('miss');
    expect(verdictOf('miss', true)).toBe('improved');
  });

  it('only a regression fails the run', () => {
    expect(exitCodeOf(['pass', 'miss', 'improved'])).toBe(0);
    expect(exitCodeOf(['pass', 'miss', 'regressed'])).toBe(1);
    expect(exitCodeOf([])).toBe(0);
  });
});
