/**
 * `smpsim init` (issue 15, item 6): a commented scenario file that validates, whose
 * `$schema` line points at the installed scenario.schema.json from wherever it is written;
 * and the README's minimal example, placed at the repository root as it says, does too.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.js';
import { ROOT, cli, tempDir } from './helpers.js';

const SCHEMA = path.join(ROOT, 'scenario.schema.json');

/** The file the `$schema` line of `text` names, read relative to `dir`. */
function schemaTarget(text: string, dir: string): string {
  const m = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text);
  expect(m, 'a $schema line').not.toBeNull();
  return path.resolve(dir, m![1]!);
}

describe('smpsim init', () => {
  it.each(['io', 'maptorture', 'locktorture'])('--workload %s writes a commented file that validates, $schema found from any folder', async (w) => {
    const base = tempDir();
    for (const sub of ['.', 'a', 'a/b/c']) {
      const dir = path.join(base, sub);
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${w}.yaml`);
      const r = await cli(['init', '--workload', w, file]);
      expect(r).toMatchObject({ code: 0, stdout: '' });
      const text = fs.readFileSync(file, 'utf8');
      expect(text.split('\n').filter((l) => l.trimStart().startsWith('#')).length).toBeGreaterThan(5);
      expect(schemaTarget(text, dir)).toBe(SCHEMA);
      expect(await cli(['validate', file])).toMatchObject({ code: 0 });
      const s = loadScenario(file);
      expect(s.workload.type).toBe(w);
      expect(s.name).toBe(w);
    }
  });

  it('relative FILE is read against the working directory; without FILE it prints the template', async () => {
    const dir = tempDir();
    const r = await cli(['init', 'x.yaml'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(schemaTarget(fs.readFileSync(path.join(dir, 'x.yaml'), 'utf8'), dir)).toBe(SCHEMA);
    const out = await cli(['init'], { cwd: dir });
    expect(out.code).toBe(0);
    expect(schemaTarget(out.stdout, dir)).toBe(SCHEMA);
  });

  it('--from copies a bundled scenario with its comments, fixes $schema and the name', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'mine.yaml');
    expect((await cli(['init', '--from', 'lkml-2000-4way', file])).code).toBe(0);
    const text = fs.readFileSync(file, 'utf8');
    expect(schemaTarget(text, dir)).toBe(SCHEMA);
    const copy = loadScenario(file);
    const orig = loadScenario(path.join(ROOT, 'scenarios', 'lkml-2000-4way.yaml'));
    expect(copy.name).toBe('mine');
    expect({ ...copy, name: orig.name }).toEqual(orig);
  });

  it('never overwrites a file without --force; bad input is one line, exit 2', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'x.yaml');
    fs.writeFileSync(file, 'keep me\n');
    const r = await cli(['init', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^init: .*x\.yaml exists; not overwriting it \(use --force, or another name\)\n$/);
    expect(fs.readFileSync(file, 'utf8')).toBe('keep me\n');
    expect((await cli(['init', '--force', file])).code).toBe(0);
    const bad = await cli(['init', '--from', 'no-such-scenario', path.join(dir, 'y.yaml')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect((await cli(['init', '--workload', 'disk'])).code).toBe(2);
  });
});

describe("the README's minimal scenario", () => {
  it('validates, and its $schema line finds the schema from the repository root where it says to put it', async () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const block = /A minimal one[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme);
    expect(block).not.toBeNull();
    const text = block![1]!;
    expect(schemaTarget(text, ROOT)).toBe(SCHEMA);
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'my.yaml'), text);
    expect(await cli(['validate', path.join(dir, 'my.yaml')])).toMatchObject({ code: 0 });
  });
});
