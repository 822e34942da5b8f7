/** src/files/manifest.ts: what makes a file smpsim's in an output folder (issue 20, failure 2). */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MANIFEST_NAME, OutputDir, OutputDirError, sha256Of } from '../../src/files/manifest.js';
import { tempDir } from '../cli/helpers.js';

describe('output manifest', () => {
  it('a written file is smpsim\'s until its bytes change; a foreign one never is', () => {
    const d = tempDir();
    const out = OutputDir.open(d);
    out.write('a.txt', 'one');
    expect(out.owns('a.txt')).toBe(true);
    out.write('a.txt', 'two');
    fs.writeFileSync(path.join(d, 'a.txt'), 'edited by hand');
    expect(OutputDir.open(d).owns('a.txt')).toBe(false);
    expect(() => OutputDir.open(d).write('a.txt', 'three')).toThrow(/was not written by smpsim/);
    expect(OutputDir.open(d).remove('a.txt')).toBe(false);
    expect(fs.readFileSync(path.join(d, 'a.txt'), 'utf8')).toBe('edited by hand');
    fs.writeFileSync(path.join(d, 'b.txt'), 'mine');
    expect(() => OutputDir.open(d).write('b.txt', 'ours')).toThrow(OutputDirError);
    // The same bytes: nothing is lost by taking it.
    OutputDir.open(d).write('b.txt', 'mine');
    expect(OutputDir.open(d).owns('b.txt')).toBe(true);
  });

  it('a torn last line is ignored; a file of that name that is not a manifest is refused, never appended to', () => {
    const d = tempDir();
    OutputDir.open(d).write('a.txt', 'one');
    fs.appendFileSync(path.join(d, MANIFEST_NAME), '{"file": "b.t');
    expect(OutputDir.open(d).owns('a.txt')).toBe(true);
    const e = tempDir();
    fs.writeFileSync(path.join(e, MANIFEST_NAME), 'my notes\n');
    expect(() => OutputDir.open(e)).toThrow(/not a manifest of smpsim/);
    expect(fs.readFileSync(path.join(e, MANIFEST_NAME), 'utf8')).toBe('my notes\n');
  });

  it('rewriting the same bytes appends nothing; superseded lines are compacted away', () => {
    const d = tempDir();
    const m = path.join(d, MANIFEST_NAME);
    OutputDir.open(d).write('a.txt', 'same');
    const before = fs.readFileSync(m, 'utf8');
    OutputDir.open(d).write('a.txt', 'same');
    expect(fs.readFileSync(m, 'utf8')).toBe(before);
    for (let i = 0; i < 40; i++) OutputDir.open(d).write('a.txt', `v${i}`);
    OutputDir.open(d);
    const lines = fs.readFileSync(m, 'utf8').trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(2 + 16 + 1);
    expect(lines.at(-1)).toContain(sha256Of('v39'));
  });

  it('a link on the way (runs -> elsewhere) or at the entry is refused', () => {
    const d = tempDir();
    const elsewhere = tempDir();
    fs.symlinkSync(elsewhere, path.join(d, 'runs'));
    expect(() => OutputDir.open(d).write('runs/0-0.json', '{}')).toThrow(/runs is a symbolic link/);
    fs.symlinkSync(path.join(elsewhere, 'x'), path.join(d, 'x.txt'));
    expect(() => OutputDir.open(d).write('x.txt', '{}')).toThrow(/x\.txt is a symbolic link/);
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  });
});
