/**
 * Whole-process benchmarks (issue 14): what a user waits for, node's own start-up, module
 * loading and the build-stamp check included. Every timing spawns a fresh process of the
 * compiled command, `node bin/smpsim.mjs …` (what `npx smpsim` and `npm start` run), and
 * measures its wall time from spawn to exit.
 *
 * - startup: `smpsim --version`; `smpsim run` of a 1,000-op scenario (lkml-2000-4way with
 *   stop.ops=1000, the default job's scenario); `npm start` (the default job: 5 runs).
 * - locktorture-process: `smpsim run locktorture-ticket-vs-tas --set stop.ops=2000000`
 *   (8 CPUs, ticket, zero lock costs, exp(1us) think, exp(200ns) hold), in acquisitions per
 *   wall second including start-up.
 *
 * The warm-up pass also brings dist/ up to date (bin/smpsim.mjs rebuilds a stale one), so
 * no timed repetition includes a build.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { metric, type BenchDef } from './harness.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'smpsim.mjs');

/** Wall seconds of one process; throws if it fails. */
function wall(cmd: string, args: readonly string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status ?? r.signal}: ${(r.stderr ?? '').trim().split('\n').slice(-2).join(' | ')}`);
  return s;
}

const smpsim = (...args: string[]) => wall(process.execPath, [BIN, ...args]);

export const startupBench: BenchDef = {
  name: 'startup',
  issue: '#14',
  description: 'whole processes: smpsim --version (≤ 0.15 s), smpsim run of 1,000 ops (≤ 0.4 s), npm start (≤ 2 s)',
  run(opts, info) {
    const ops = Math.max(10, Math.round(1000 * opts.scale));
    const run = ['run', 'lkml-2000-4way', '--set', `stop.ops=${ops}`, '--quiet'];
    const npmStart = ['start', '--silent'];
    // Warm-up: rebuilds a stale dist/, fills the disk cache.
    smpsim('--version');
    smpsim(...run);
    wall('npm', npmStart);
    const version: number[] = [];
    const runs: number[] = [];
    const start: number[] = [];
    for (let i = 0; i < opts.reps; i++) {
      version.push(smpsim('--version'));
      runs.push(smpsim(...run));
      start.push(wall('npm', npmStart));
    }
    info['run'] = `smpsim ${run.join(' ')}`;
    info['npm start'] = 'the default job: lkml-2000-4way, once per strategy it compares';
    return [
      metric('smpsim --version', 's', version, { op: '<=', value: 0.15 }),
      metric(`smpsim run, ${ops} ops`, 's', runs, { op: '<=', value: 0.4 }),
      metric('npm start', 's', start, { op: '<=', value: 2 }),
    ];
  },
};

export const locktortureProcessBench: BenchDef = {
  name: 'locktorture-process',
  issue: '#14',
  description: 'smpsim run locktorture-ticket-vs-tas, 2 M acquisitions, whole process; target ≥ 1.5 M acquisitions per wall second incl. start-up',
  run(opts, info) {
    const ops = Math.max(1000, Math.round(2_000_000 * opts.scale));
    const args = ['run', 'locktorture-ticket-vs-tas', '--set', `stop.ops=${ops}`, '--quiet'];
    smpsim(...args); // warm-up
    const rate: number[] = [];
    const seconds: number[] = [];
    for (let i = 0; i < opts.reps; i++) {
      const s = smpsim(...args);
      seconds.push(s);
      rate.push(ops / s);
    }
    info['command'] = `smpsim ${args.join(' ')}`;
    return [metric('process wall', 's', seconds), metric('acquisitions/s incl. start-up', '/s', rate, { op: '>=', value: 1_500_000 })];
  },
};
