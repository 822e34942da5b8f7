/**
 * Issue 20, failures 1, 3 and 6 (failure 2, output folders: test/study/outdir.test.ts). Each
 * case failed before: an unbounded or hanging read, a secret echoed, or a small item that
 * gave exit 0/70 or the wrong file.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkBaseline, loadScenario } from '../../src/api.js';
import { InputFileError } from '../../src/input/read.js';
import { STACK_FRAME, TINY_SCENARIO, cli, tempDir } from './helpers.js';

const dir = tempDir('smpsim-rel2-');
const p = (name: string) => path.join(dir, name);
const write = (name: string, text: string) => {
  fs.mkdirSync(path.dirname(p(name)), { recursive: true });
  fs.writeFileSync(p(name), text);
  return p(name);
};
write('tiny.yaml', TINY_SCENARIO);
const mkfifo = (name: string) => {
  execFileSync('mkfifo', [p(name)]);
  return p(name);
};

/** Exit 2, one line per problem, no stack trace. */
function expectRefused(r: { code: number; stdout: string; stderr: string }, pattern: RegExp, lines = 1): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).not.toMatch(STACK_FRAME);
  expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(lines);
  expect(r.stderr).toMatch(pattern);
}

/** The first 8-character piece of `secret` found in `out`, if any. */
export function leak(secret: string, out: string): string | undefined {
  for (let i = 0; i + 8 <= secret.length; i++) {
    const piece = secret.slice(i, i + 8);
    if (piece.trim().length === 8 && out.includes(piece)) return piece;
  }
  return undefined;
}

const SHADOW = [
  'root:$6$Qz3eR7tYp$9fKxW2mLbV8nHcJ4dGs1aZqT0uEyIoPr5vXwNk6MhBjLgFtDcSa:19745:0:99999:7:::',
  'daemon:*:19745:0:99999:7:::',
  'alice:$y$j9T$Ld8rTq2Zx$Wm4Hn7Ck1Vb5Gf3Ds9Ja6Pq0Ls2Ue8Yr:19800:0:99999:7:::',
  '',
].join('\n');

describe('failure 1: every read bounded, special files refused at once', () => {
  const ARGS = ['--vary', 'machine.cpus=1,2', '--jobs', '1'];
  it('sweep.lock a link to /dev/zero, a FIFO, a directory: exit 2, one line (was 16.9 GB, a hang, exit 70)', async () => {
    for (const [kind, make] of [
      ['link', (f: string) => fs.symlinkSync('/dev/zero', f)],
      ['fifo', (f: string) => execFileSync('mkfifo', [f])],
      ['dir', (f: string) => fs.mkdirSync(f)],
    ] as const) {
      const out = p(`lock-${kind}`);
      fs.mkdirSync(out);
      make(path.join(out, 'sweep.lock'));
      expectRefused(await cli(['sweep', p('tiny.yaml'), '--out', out, ...ARGS]), /sweep\.lock is not a lock of smpsim \(is (a symbolic link|a FIFO|a directory)/);
    }
  });

  it('validation of /dev/zero, a FIFO, a directory: exit 2, one line (was 8 GB)', async () => {
    expectRefused(await cli(['validation', '/dev/zero']), /\/dev\/zero: cannot read file: is a character device/);
    expectRefused(await cli(['validation', mkfifo('targets.fifo')]), /cannot read file: is a FIFO/);
    expectRefused(await cli(['validation', dir]), /cannot read file: is a directory/);
  });

  it('the API reads a baseline through the reader too', async () => {
    const s = loadScenario(p('tiny.yaml'));
    await expect(checkBaseline(s, '/dev/zero')).rejects.toBeInstanceOf(InputFileError);
  });
});

describe('failure 3: no secret echoed', () => {
  const shadow = write('shadow', SHADOW);
  const shadowYaml = write('shadow.yaml', SHADOW);
  fs.symlinkSync(shadow, p('link.yaml'));
  write('ext-link.yaml', 'extends: link.yaml\n');
  write('ext-shadow.yaml', 'extends: shadow.yaml\n');

  it('run, validate, resolve, sweep, baseline, init --from on a shadow file: "not a scenario file", nothing of it shown', async () => {
    for (const f of [shadow, shadowYaml]) {
      for (const argv of [
        ['run', f],
        ['validate', f],
        ['resolve', f],
        ['sweep', f, '--out', p('sw-shadow'), '--vary', 'machine.cpus=1,2'],
        ['baseline', f, '--out', p('bl-shadow')],
        ['init', '--from', f],
      ]) {
        const r = await cli(argv);
        expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toMatch(/not a scenario file: \d+ of its \d+ top-level keys are not scenario settings/);
        expect(leak(SHADOW, r.stderr + r.stdout), argv.join(' ')).toBeUndefined();
      }
    }
  });

  it('a .yaml link to a non-scenario file, named or extended: refused by its target, nothing shown', async () => {
    for (const f of [p('link.yaml'), p('ext-link.yaml')]) {
      const r = await cli(['validate', f]);
      expectRefused(r, /is a link to a file that is not a scenario file/);
      expect(leak(SHADOW, r.stderr)).toBeUndefined();
    }
    const r = await cli(['validate', p('ext-shadow.yaml')]);
    expectRefused(r, /shadow\.yaml: not a scenario file/);
    expect(leak(SHADOW, r.stderr)).toBeUndefined();
  });

  it('compare and validation on an environ-like file: JSON errors quote nothing', async () => {
    const environ = 'SECRET_TOKEN=hunter2hunter2\u0000AWS_KEY=AKIAABCDEFGHIJKL\u0000';
    const f = write('environ', environ);
    for (const argv of [['compare', f, f], ['validation', f]]) {
      const r = await cli(argv);
      expect(r.code).toBe(2);
      expect(leak(environ, r.stderr + r.stdout), argv[0]).toBeUndefined();
      expect(r.stderr).toMatch(/not valid JSON/);
    }
    // /proc/self/environ itself, when there is one to read.
    if (fs.existsSync('/proc/self/environ')) {
      const r = await cli(['compare', '/proc/self/environ', '/proc/self/environ']);
      expect(r.code).toBe(2);
      expect(r.stderr).not.toMatch(/[A-Z_]{3,}=/);
    }
  });

  it('a YAML error names where, not what: an unresolved alias does not quote its name', async () => {
    const r = await cli(['validate', write('alias.yaml', 'name: x\nmachine: *Qz3eR7tYp9fKxW2m\n')]);
    expectRefused(r, /Unresolved alias \(the anchor must be set before the alias\)$/m);
    expect(r.stderr).not.toContain('Qz3eR7tY');
  });

  it('a scenario with a typo is still told its key (a near miss of a scenario key is not "not a scenario")', async () => {
    expectRefused(await cli(['validate', write('typo.yaml', 'machin:\n  cpus: 2\n')]), /machin: unknown key \(did you mean "machine"\?\)/);
  });
});

describe('failure 6: the smaller items', () => {
  const lt = write('lt.yaml', 'name: lt\nmachine: {cpus: 2}\nworkload: {type: locktorture}\nstop: {ops: 300}\n');

  it("baseline --metric 'zzz*' naming nothing: exit 2, nothing written (was 0 metrics, exit 0)", async () => {
    const out = p('bl-zzz');
    expectRefused(await cli(['baseline', lt, '--out', out, '--metric', 'zzz*']), /--metric zzz\*: no such metric in the result of lt/);
    expect(fs.existsSync(path.join(out, 'lt.json'))).toBe(false);
  });

  it('--tolerance nosuch.metric=5%: exit 2 naming the metrics there are (baseline and check)', async () => {
    const out = p('bl-tol');
    const r = await cli(['baseline', lt, '--out', out, '--tolerance', 'nosuch.metric=5%']);
    expectRefused(r, /--tolerance nosuch\.metric: no such metric in the result of lt; the metrics are .*ops\.\*/);
    expect((await cli(['baseline', lt, '--out', out, '--quiet'])).code).toBe(0);
    expectRefused(await cli(['check', lt, '--baseline', out, '--tolerance', 'ops.per_sek=5%']), /--tolerance ops\.per_sek: .*\(did you mean ops\.per_sec\?\)/);
  });

  it("--out '' (and plot '', check --baseline ''): exit 2, nothing written in the current directory", async () => {
    const cwd = tempDir();
    expectRefused(await cli(['sweep', lt, '--out', '', '--vary', 'machine.cpus=1,2'], { cwd }), /^--out: expected a folder name, got ""/);
    expectRefused(await cli(['baseline', lt, '--out', ''], { cwd }), /^--out: expected a folder name, got ""/);
    expectRefused(await cli(['run', lt, '--out', ''], { cwd }), /^--out: expected a file name/);
    expectRefused(await cli(['plot', ''], { cwd }), /^plot: expected a folder name/);
    expectRefused(await cli(['check', lt, '--baseline', ''], { cwd }), /^--baseline: expected a folder name/);
    expect(fs.readdirSync(cwd)).toEqual([]);
  });

  it('run --out nd/ (a folder, or none yet): refused, naming it, no file nd written', async () => {
    const cwd = tempDir();
    fs.mkdirSync(path.join(cwd, 'nd'));
    expectRefused(await cli(['run', lt, '--out', 'nd/'], { cwd }), /--out: nd\/ ends in \/, so it names a folder/);
    expectRefused(await cli(['run', lt, '--out', 'nx/'], { cwd }), /--out: nx\/ ends in \/, so it names a folder/);
    expectRefused(await cli(['run', lt, '--html', 'nx/'], { cwd }), /--html: nx\/ ends in \/, so it names a folder/);
    expect(fs.readdirSync(cwd)).toEqual(['nd']);
  });

  it("init null.yaml, true.yaml, 123.yaml, ''.yaml: written and valid, the name a string; init '' refused", async () => {
    const cwd = tempDir();
    for (const stem of ['null', 'true', '123', "''", '~', 'a: b', '#x']) {
      const r = await cli(['init', `${stem}.yaml`], { cwd });
      expect(r.code, `${stem}: ${r.stderr}`).toBe(0);
      expect(loadScenario(path.join(cwd, `${stem}.yaml`)).name).toBe(stem);
    }
    expectRefused(await cli(['init', ''], { cwd }), /^init: expected a file name/);
  });

  it('init --force replaces the file atomically (a new inode, no temporary file left)', async () => {
    const cwd = tempDir();
    const f = path.join(cwd, 'a.yaml');
    fs.writeFileSync(f, 'old');
    const ino = fs.statSync(f).ino;
    // A hard link to the old file keeps its bytes: an in-place write would change them.
    fs.linkSync(f, path.join(cwd, 'old-link'));
    expect((await cli(['init', 'a.yaml', '--force'], { cwd })).code).toBe(0);
    expect(fs.statSync(f).ino).not.toBe(ino);
    expect(fs.readFileSync(path.join(cwd, 'old-link'), 'utf8')).toBe('old');
    expect(fs.readdirSync(cwd).sort()).toEqual(['a.yaml', 'old-link']);
  });

  it('output names of 231-255 characters are written (the temporary name is shorter)', async () => {
    const cwd = tempDir();
    for (const n of [231, 240, 255]) {
      const name = `${'n'.repeat(n - 4)}.txt`;
      const r = await cli(['run', lt, '--out', name], { cwd });
      expect(r.code, r.stderr).toBe(0);
      expect(fs.statSync(path.join(cwd, name)).size).toBeGreaterThan(0);
    }
    expect(fs.readdirSync(cwd).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('seed: 9007199254740993 refused as beyond 2^53 - 1 (YAML, JSON, --set), not rounded to ...992', async () => {
    expectRefused(await cli(['validate', write('big.yaml', 'seed: 9007199254740993\n')]), /big\.yaml:1:7: an integer beyond 2\^53 - 1 cannot be represented exactly/);
    expectRefused(await cli(['validate', write('big.json', '{"seed": 9007199254740993}')]), /big\.json: an integer beyond 2\^53 - 1/);
    const r = await cli(['resolve', lt, '--set', 'seed=9007199254740993']);
    // --set falls back to the text when YAML refuses it: refused as not an integer, never rounded.
    expectRefused(r, /--set: seed: expected an integer >= 0, got "9007199254740993"/);
    // 2^53 - 1 itself is exact, and kept.
    expect(loadScenario(write('max.yaml', 'seed: 9007199254740991\n')).seed).toBe(9007199254740991);
  });

  it('.json scenarios are strict JSON: single quotes, trailing commas, 0x10, comments refused', async () => {
    for (const [name, text] of [
      ['sq.json', "{'seed': 1}"],
      ['comma.json', '{"seed": 1,}'],
      ['hex.json', '{"seed": 0x10}'],
      ['comment.json', '# c\n{"seed": 1}'],
      ['bare.json', 'seed: 1'],
    ]) {
      expectRefused(await cli(['validate', write(name!, text!)]), /not valid JSON \(line \d+, column \d+\)|not valid JSON/);
    }
    expect(loadScenario(write('fine.json', '{"seed": 16, "machine": {"cpus": 2}}')).seed).toBe(16);
  });
});
