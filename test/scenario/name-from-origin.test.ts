/**
 * nameFromOrigin (src/scenario/resolve.ts) gives a scenario its default name from the file
 * it came from. It no longer uses node:path (the validator runs in the browser too: the
 * playground); this pins it to what path.basename + path.extname gave, on the paths and
 * names smpsim meets and the odd ones (dot files, trailing slashes, `..`).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nameFromOrigin } from '../../src/scenario/resolve.js';

/** The former implementation, with node:path (POSIX). */
function withNodePath(origin: string): string {
  const base = path.posix.basename(origin);
  const ext = path.posix.extname(base);
  return ext && ext !== base ? base.slice(0, -ext.length) : base;
}

const ORIGINS = [
  'scenarios/lkml-2000-4way.yaml',
  '/abs/dir/x.yml',
  'x.json',
  'x',
  'a.b.c',
  '.bashrc',
  'dir/.hidden.yaml',
  'a.',
  'a..',
  '.',
  '..',
  '...',
  'a/..',
  'dir/',
  'dir//',
  '/',
  '',
  'a\\b.yaml',
  '(in memory)',
  '--set',
  'lkml-2000-4way.yaml',
];

describe('nameFromOrigin', () => {
  it('is the file name without its extension, as path.basename + path.extname made it', () => {
    for (const o of ORIGINS) expect(nameFromOrigin(o), JSON.stringify(o)).toBe(withNodePath(o));
    expect(nameFromOrigin('scenarios/lkml-2000-4way.yaml')).toBe('lkml-2000-4way');
  });
});
