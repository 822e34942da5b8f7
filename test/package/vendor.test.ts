/**
 * The compiled command loads zod, yaml, commander and seedrandom from dist/vendor/ (one file
 * each, scripts/vendor.mjs; start-up, issue 24), and behaves byte for byte as the sources
 * do, which import the packages themselves: the JSON Schema zod generates, zod's and yaml's
 * error messages, commander's help and usage errors, a run's result (seedrandom's streams).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../cli/helpers.js';

const LOG_HOOK = path.join(ROOT, 'test', 'package', 'load-log.mjs');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smpsim-vendor-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** bin/smpsim.mjs (dist/, rebuilt first if stale) or src/cli.ts through tsx. */
function smpsim(from: 'dist' | 'src', args: string[]): Ran {
  const entry = from === 'dist' ? [path.join(ROOT, 'bin', 'smpsim.mjs')] : ['--import', 'tsx', path.join(ROOT, 'src', 'cli.ts')];
  // From the repository root: tsx resolves from there; every path given is absolute.
  const r = spawnSync(process.execPath, [...entry, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const BAD = path.join(dir, 'bad.yaml');
fs.writeFileSync(BAD, 'name: bad\nmachine:\n  cpus: many\n  spinlok: ticket\nworkload:\n  type: locktorture\n  bogus: [1, 2\n');
const WRONG = path.join(dir, 'wrong.yaml');
fs.writeFileSync(WRONG, 'name: [x]\nseed: -1\nstop: 5\nmachine:\n  cpus: many\n  spinlok: ticket\nkernel: {strategy: kmapp}\nworkload: {type: nope}\n');
const NOT_YAML = path.join(dir, 'tabs.yaml');
fs.writeFileSync(NOT_YAML, 'name: x\n\tmachine: {cpus: 2}\n');

describe('dist/vendor: the bundled dependencies', () => {
  it('the compiled command loads zod, yaml, commander and seedrandom from dist/vendor/, not from node_modules', () => {
    const log = path.join(dir, 'modules.log');
    const r = spawnSync(process.execPath, ['--import', LOG_HOOK, path.join(ROOT, 'bin', 'smpsim.mjs'), 'run', 'lkml-2000-4way', '--set', 'stop.ops=50', '--quiet'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, SMPSIM_TEST_LOAD_LOG: log },
    });
    expect(r.status, r.stderr).toBe(0);
    const urls = fs.readFileSync(log, 'utf8').split('\n');
    for (const name of ['zod', 'yaml', 'commander', 'seedrandom']) {
      expect(urls.some((u) => u.endsWith(`/dist/vendor/${name}.js`)), name).toBe(true);
      expect(urls.filter((u) => u.includes(`/node_modules/${name}/`)), name).toEqual([]);
    }
  });

  it('dist/ and the sources give the same bytes: schema, validation errors, YAML errors, help, usage errors', () => {
    const cases: Array<{ args: string[] }> = [
      { args: ['schema'] },
      { args: ['validate', BAD] },
      { args: ['validate', WRONG] },
      { args: ['validate', NOT_YAML] },
      { args: ['run', BAD] },
      { args: ['--help'] },
      { args: ['run', '--help'] },
      { args: ['rn'] },
      { args: ['run', 'lkml-2000-4way', '--format', 'xml'] },
      { args: ['resolve', 'lkml-2000-4way'] },
      // seedrandom: the same streams, so the same result (less the wall-clock fields).
      { args: ['run', 'lkml-2000-4way', '--set', 'stop.ops=300', '--format', 'json', '--out', '-'] },
    ];
    for (const { args } of cases) {
      const d = smpsim('dist', args);
      const s = smpsim('src', args);
      const noWall = (r: Ran): Ran => ({ ...r, stdout: r.stdout.replace(/"wall_ms": [\d.e+-]+/g, '"wall_ms": 0') });
      expect(noWall(d), args.join(' ')).toEqual(noWall(s));
    }
  });
});
