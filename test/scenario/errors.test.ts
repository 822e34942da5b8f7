import { describe, expect, it } from 'vitest';
import {
  ScenarioError,
  didYouMean,
  editDistance,
  formatPath,
  formatProblem,
  show,
} from '../../src/scenario/errors.js';

describe('editDistance (optimal string alignment)', () => {
  it.each([
    ['', '', 0],
    ['cpus', 'cpus', 0],
    ['cpuss', 'cpus', 1],
    ['cpsu', 'cpus', 1], // transposition counts 1
    ['pcus', 'cpus', 1],
    ['cpu', 'cpus', 1],
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
  ])('%j vs %j = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe('didYouMean', () => {
  const keys = ['cpus', 'pae', 'lowmem', 'highmem', 'spinlock', 'tlb_entries'];
  it('suggests within distance 2', () => {
    expect(didYouMean('cpuss', keys)).toBe('cpus');
    expect(didYouMean('hihgmem', keys)).toBe('highmem');
    expect(didYouMean('lowmemm', keys)).toBe('lowmem');
    expect(didYouMean('CPUS', keys)).toBe('cpus');
    expect(didYouMean('tlb_entires', keys)).toBe('tlb_entries');
  });
  it('says nothing beyond distance 2 or for tiny words', () => {
    expect(didYouMean('processors', keys)).toBeUndefined();
    expect(didYouMean('tlb', keys)).toBeUndefined();
    expect(didYouMean('x', keys)).toBeUndefined();
  });
  it('prefers the closest candidate', () => {
    expect(didYouMean('vmap_lazyy', ['vmap', 'vmap_lazy'])).toBe('vmap_lazy');
  });
});

describe('formatting', () => {
  it('formats paths and values', () => {
    expect(formatPath(['machine', 'cpus'])).toBe('machine.cpus');
    expect(formatPath(['a', 0, 'b'])).toBe('a[0].b');
    expect(show('kmapp')).toBe('"kmapp"');
    expect(show(3)).toBe('3');
    expect(show(undefined)).toBe('nothing');
    expect(show(null)).toBe('null');
    expect(show(Number.NaN)).toBe('NaN');
    expect(show({ a: 1 })).toBe('{"a":1}');
    expect(show('x'.repeat(100))).toHaveLength(40);
  });
  it('one line per problem, even if a message had newlines', () => {
    expect(formatProblem({ source: 'f.yaml', path: ['machine', 'cpus'], message: 'bad\nthing' })).toBe(
      'f.yaml: machine.cpus: bad thing',
    );
    expect(formatProblem({ source: 'f.yaml', path: [], message: 'cannot read file: no such file' })).toBe(
      'f.yaml: cannot read file: no such file',
    );
  });
  it('ScenarioError message is the problem lines, deduplicated, no stack', () => {
    const p = { source: 'f.yaml', path: ['a'], message: 'm' };
    const e = new ScenarioError([p, p, { ...p, message: 'n' }]);
    expect(e.message).toBe('f.yaml: a: m\nf.yaml: a: n');
    expect(e.problems).toHaveLength(2);
    expect(e.name).toBe('ScenarioError');
    expect(e).toBeInstanceOf(Error);
  });
});
