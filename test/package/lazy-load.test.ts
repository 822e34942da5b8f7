/**
 * Start-up loads only what a command uses (issue 14): `--version` and `validate` load
 * neither vega (plots) nor piscina (the sweep's worker pool), and `run` loads no plotting
 * or sweep code. Checked on whole processes by logging every module they resolve.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMAND_MODULES, commandsFor } from '../../src/cli/commands.js';
import { ROOT } from '../cli/helpers.js';

const LOG_HOOK = path.join(ROOT, 'test', 'package', 'load-log.mjs');

/** Run the CLI from its sources; the URLs of every module it resolved. */
function modulesLoadedBy(args: string[]): { code: number | null; urls: string[]; stderr: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smpsim-load-'));
  const log = path.join(dir, 'modules.log');
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', LOG_HOOK, path.join(ROOT, 'src', 'cli.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, SMPSIM_TEST_LOAD_LOG: log },
  });
  const urls = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter((l) => l !== '') : [];
  fs.rmSync(dir, { recursive: true, force: true });
  return { code: r.status, urls, stderr: r.stderr };
}

const packages = (urls: string[]) => new Set(urls.flatMap((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1] ?? []));
const sources = (urls: string[]) => urls.filter((u) => u.includes('/src/')).map((u) => u.slice(u.lastIndexOf('/src/') + 1));

describe('lazy loading: a command loads only what it uses', () => {
  it('--version loads no command module, no vega, no piscina', () => {
    const r = modulesLoadedBy(['--version']);
    expect(r.code, r.stderr).toBe(0);
    const pkgs = packages(r.urls);
    expect(pkgs.has('commander')).toBe(true); // the log works
    for (const p of ['vega', 'vega-lite', 'piscina', 'zod', 'yaml', 'bullmq', 'ioredis']) expect(pkgs.has(p), p).toBe(false);
    expect(sources(r.urls).filter((s) => /^src\/(cli\/(run|sweep|plot|check)|study\/)/.test(s))).toEqual([]);
    // …nor the engine, the scenario code or the output files: main() imports the error
    // classes it reports (src/cli/report-error.ts) only when a command throws (issue 24).
    expect(sources(r.urls).filter((s) => /^src\/(engine|scenario|model|files\/manifest|cli\/report-error)/.test(s))).toEqual([]);
  });

  it('an error still loads the error classes: a bad --seed is a usage error (exit 2)', () => {
    const r = modulesLoadedBy(['run', 'lkml-2000-4way', '--seed', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('--seed: expected an integer 0..9007199254740991, got "x"\n');
    expect(sources(r.urls)).toContain('src/cli/report-error.ts');
  });

  it('validate loads the scenario code but no vega, no piscina, no model', () => {
    const r = modulesLoadedBy(['validate', path.join(ROOT, 'scenarios', 'lkml-2000-4way.yaml')]);
    expect(r.code, r.stderr).toBe(0);
    const pkgs = packages(r.urls);
    expect(pkgs.has('zod')).toBe(true);
    for (const p of ['vega', 'vega-lite', 'piscina']) expect(pkgs.has(p), p).toBe(false);
    // …nor the model: it reads scenarios, it runs nothing.
    expect(sources(r.urls).filter((s) => /^src\/(model|workload|trace|cli\/(run|progress)|kernel\/(machine|iopath|highmem))/.test(s))).toEqual([]);
    // …nor the engine (main() no longer imports SimulationAborted up front).
    expect(sources(r.urls).filter((s) => /^src\/engine\/(sim|random)\.ts$/.test(s))).toEqual([]);
  });

  it('run loads no plotting or sweep code', () => {
    const r = modulesLoadedBy(['run', 'lkml-2000-4way', '--set', 'stop.ops=50', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const pkgs = packages(r.urls);
    expect(sources(r.urls)).toContain('src/engine/sim.ts'); // the model ran
    for (const p of ['vega', 'vega-lite', 'piscina', 'bullmq', 'ioredis']) expect(pkgs.has(p), p).toBe(false);
    expect(sources(r.urls).filter((s) => /^src\/(cli\/(sweep|plot)|study\/|report\/run-html)/.test(s))).toEqual([]);
    // Untraced, without --html, not on a terminal: no trace code, no HTML checks, no progress
    // bar library, no CSV or --vary table (issue 24).
    expect(sources(r.urls).filter((s) => /^src\/(trace\/|cli\/(trace|run-html)\.ts|report\/(csv|compare)\.ts)/.test(s))).toEqual([]);
    expect(pkgs.has('cli-progress')).toBe(false);
  });

  it('run --trace loads the trace code, and the trace is written', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smpsim-lazy-trace-'));
    const file = path.join(dir, 't.json');
    const r = modulesLoadedBy(['run', 'lkml-2000-4way', '--set', 'stop.ops=50', '--quiet', '--trace', file]);
    const written = fs.existsSync(file) && fs.readFileSync(file, 'utf8').startsWith('{"traceEvents":[');
    fs.rmSync(dir, { recursive: true, force: true });
    expect(r.code, r.stderr).toBe(0);
    expect(written).toBe(true);
    expect(sources(r.urls)).toEqual(expect.arrayContaining(['src/cli/trace.ts', 'src/trace/timeline.ts']));
  });

  it('sweep without --queue loads nothing of Redis (bullmq, ioredis, the queue code)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smpsim-lazy-sweep-'));
    const r = modulesLoadedBy(['sweep', 'lkml-2000-4way', '--set', 'stop.ops=50', '--set', 'stop.warmup=0ms', '--replications', '1', '--jobs', '1', '--quiet', '--out', path.join(dir, 's')]);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(r.code, r.stderr).toBe(0);
    const pkgs = packages(r.urls);
    expect(pkgs.has('piscina')).toBe(true); // the sweep ran
    for (const p of ['bullmq', 'ioredis']) expect(pkgs.has(p), p).toBe(false);
    expect(sources(r.urls).filter((s) => /^src\/(study\/(queue|fingerprint)\.ts|cli\/worker)/.test(s))).toEqual([]);
  });

  it('run --html loads vega (the report needs it), and only then', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smpsim-html-'));
    const r = modulesLoadedBy(['run', 'lkml-2000-4way', '--set', 'stop.ops=50', '--quiet', '--html', path.join(dir, 'r.html')]);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(r.code, r.stderr).toBe(0);
    expect(packages(r.urls).has('vega')).toBe(true);
    expect(packages(r.urls).has('piscina')).toBe(false);
  });
});

describe('commandsFor: which command modules argv needs', () => {
  const all = COMMAND_MODULES.map(([name]) => name);
  it('none for --version, the named one for a command or `help <command>`, all otherwise', () => {
    expect(commandsFor(['--version'])).toEqual([]);
    expect(commandsFor(['-V'])).toEqual([]);
    expect(commandsFor(['run', 'x.yaml', '--vary', 'sweep=1'])).toEqual(['run']);
    expect(commandsFor(['help', 'sweep'])).toEqual(['sweep']);
    // The full help lists every command; an unknown one needs them all for "did you mean".
    for (const argv of [['--help'], ['help'], ['rn'], ['help', 'nope'], ['--bogus', 'run']]) expect(commandsFor(argv), argv.join(' ')).toEqual(all);
  });
});
