/**
 * `npm pack` gives a package that installs and runs (issue 14), offline: pack (dist/ built
 * from the current sources first), install the tarball into an empty folder with `npm ci
 * --offline` (dependencies from the local npm cache, pinned by a lockfile made from this
 * repository's), then run `npx smpsim run lkml-2000-4way`, the library example
 * (docs/examples/sweep-cpus.mjs) and a type check of a TypeScript consumer. The install warns
 * about nothing and has no queue stack (issue 23: bullmq/ioredis are optional peers), and
 * `smpsim worker` there says what to install.
 *
 * Slow (a build and an install): nothing here is timed; the timeout is only a backstop.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../cli/helpers.js';
import { builtStamp, sourceStamp } from '../../bin/source-stamp.mjs';

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  license: string;
  bin: Record<string, string>;
  engines: Record<string, string>;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional: boolean }>;
};

interface LockEntry {
  dev?: boolean;
  [k: string]: unknown;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smpsim-pack-'));
const app = path.join(dir, 'app');
let files: string[] = [];
let installStderr = '';

function sh(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  // npm_config_* from an enclosing `npm test` would steer the inner npm: leave them out.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...env, NO_COLOR: '1' }, maxBuffer: 64 << 20 });
}

beforeAll(() => {
  // dist/ as the sources are now: build only if the stamp says it is stale (CI's `npm run
  // build` has just built it), then pack without running `prepack` a second time.
  if (builtStamp(ROOT) !== sourceStamp(ROOT)) {
    const built = sh(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], ROOT);
    expect(built.status, built.stdout + built.stderr).toBe(0);
  }
  const packed = sh('npm', ['pack', '--ignore-scripts', '--json', '--silent', '--pack-destination', dir], ROOT);
  expect(packed.status, packed.stderr).toBe(0);
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; integrity: string; files: Array<{ path: string }> }>;
  files = info!.files.map((f) => f.path);
  const tgz = info!.filename;

  // The consumer: depends on the tarball only; its lockfile pins the runtime dependencies
  // to this repository's (so `npm ci --offline` finds every tarball in the npm cache).
  fs.mkdirSync(app);
  fs.renameSync(path.join(dir, tgz), path.join(app, tgz));
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', dependencies: { [pkg.name]: `file:${tgz}` } },
    [`node_modules/${pkg.name}`]: {
      version: pkg.version,
      resolved: `file:${tgz}`,
      integrity: info!.integrity,
      license: pkg.license,
      dependencies: pkg.dependencies,
      peerDependencies: pkg.peerDependencies,
      peerDependenciesMeta: pkg.peerDependenciesMeta,
      bin: pkg.bin,
      engines: pkg.engines,
    },
  };
  for (const [k, v] of Object.entries(lock.packages)) if (k.startsWith('node_modules/') && v.dev !== true) packages[k] = v;
  fs.writeFileSync(
    path.join(app, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { [pkg.name]: `file:${tgz}` } }),
  );
  fs.writeFileSync(path.join(app, 'package-lock.json'), JSON.stringify({ name: 'consumer', lockfileVersion: 3, requires: true, packages }));
  const installed = sh('npm', ['ci', '--offline', '--no-audit', '--no-fund'], app);
  expect(installed.status, installed.stderr).toBe(0);
  installStderr = installed.stderr;
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('npm pack → install from the tarball → run', () => {
  it('ships dist, bin, scenarios and docs, not sources, tests or benchmarks', () => {
    for (const f of ['LICENSE', 'dist/cli.js', 'dist/index.js', 'dist/index.d.ts', 'dist/study/worker.js', 'bin/smpsim.mjs', 'scenarios/lkml-2000-4way.yaml', 'scenario.schema.json', 'docs/API.md', 'docs/examples/sweep-cpus.mjs']) {
      expect(files, f).toContain(f);
    }
    expect(files.filter((f) => /^(src|test|bench|baselines|scripts|\.ci)\//.test(f))).toEqual([]);
  });

  it('installs without warnings: no install script (npm lists a `prepare` of a tarball), no queue stack (issue 23)', () => {
    expect(installStderr).not.toMatch(/warn/i);
    for (const p of ['bullmq', 'ioredis', 'msgpackr', 'luxon', 'cron-parser']) expect(fs.existsSync(path.join(app, 'node_modules', p)), p).toBe(false);
  });

  it('--queue without the queue stack: exit 2, one line naming what to install', () => {
    const r = sh('npx', ['--offline', 'smpsim', 'worker', '--queue', 'redis://127.0.0.1:1'], app);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toBe('smpsim: worker needs the optional package bullmq (not installed): npm install bullmq ioredis\n');
  });

  it('npx smpsim --version and npx smpsim run lkml-2000-4way work', () => {
    const v = sh('npx', ['--offline', 'smpsim', '--version'], app);
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout.trim()).toBe(pkg.version);
    const r = sh('npx', ['--offline', 'smpsim', 'run', 'lkml-2000-4way', '--set', 'stop.ops=300'], app);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("Performance counter stats for scenario 'lkml-2000-4way'");
    expect(r.stderr).toBe('');
  });

  it('the library example runs against the installed package and prints its table', () => {
    fs.copyFileSync(path.join(ROOT, 'docs', 'examples', 'sweep-cpus.mjs'), path.join(app, 'sweep-cpus.mjs'));
    const r = sh(process.execPath, ['sweep-cpus.mjs'], app);
    expect(r.status, r.stderr).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => /^\s+\d+\s+\d+\s+[\d.]+$/.test(l));
    expect(rows.map((l) => l.trim().split(/\s+/)[0])).toEqual(['1', '2', '4', '8']);
  });

  it('a TypeScript consumer type-checks against the shipped declarations, and a wrong call does not', () => {
    fs.writeFileSync(
      path.join(app, 'good.ts'),
      [
        "import { loadScenario, runScenario, type Result } from 'smpsim';",
        "const s = loadScenario('lkml-2000-4way', { set: ['stop.ops=10'] });",
        'const r: Result = await runScenario(s, { signal: AbortSignal.timeout(60_000), onProgress: (f: number) => void f });',
        'const n: number = r.ops.per_sec;',
        'export { n };',
        '',
      ].join('\n'),
    );
    // The types are real (not `any`): a wrong argument is caught.
    fs.writeFileSync(path.join(app, 'bad.ts'), "import { runScenario } from 'smpsim';\nawait runScenario('not a scenario');\nexport {};\n");
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const args = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022'];
    const r = sh(process.execPath, [tsc, ...args, '--types', 'node', '--typeRoots', path.join(ROOT, 'node_modules', '@types'), 'good.ts', 'bad.ts'], app);
    const errors = r.stdout.split('\n').filter((l) => /error TS/.test(l));
    expect(errors.length, r.stdout).toBe(1);
    expect(errors[0]).toMatch(/^bad\.ts\(2,.*not assignable to parameter of type 'ResolvedScenario'/);
  });
});
