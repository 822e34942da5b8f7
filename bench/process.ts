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

/**
 * SimPy side by side (issue 24): bench/simpy/locktorture.py is the same locktorture (8
 * writers, FIFO lock with zero costs, exp(1us) think, exp(200ns) hold, the run ending at the
 * N-th acquisition) in SimPy 3, run with Debian's python3-simpy3 through /usr/bin/python3
 * (not a pyenv python on PATH). Both are whole processes, start-up included; the ratio is
 * the median of interleaved per-pair ratios. One extra smpsim run with --format json and
 * the SimPy run's own JSON give the check that both did the same work: acquisitions per
 * simulated second, lock utilisation, mean latency and the share of contended acquisitions.
 */
const PYTHON = '/usr/bin/python3';
const SIMPY_MODEL = path.join(ROOT, 'bench', 'simpy', 'locktorture.py');

/** What the SimPy model and the bare loop print: the same-work figures. */
interface LocktortureReport {
  ops: number;
  sim_time_ns: number;
  per_sec: number;
  latency_mean_ns: number;
  lock_utilisation: number;
  contended_share: number;
}

interface SimpyReport extends LocktortureReport {
  simpy: string;
  python: string;
}

/** Null (and one line on stderr saying how to get it) when /usr/bin/python3 has no simpy. */
function simpyAvailable(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import simpy; print(simpy.__version__)'], { encoding: 'utf8' });
  if (r.status === 0) return r.stdout.trim();
  process.stderr.write(`bench: SimPy row skipped: ${PYTHON} cannot import simpy (install it with: apt-get install python3-simpy3)\n`);
  return null;
}

/** Wall seconds of one locktorture model process (`cmd model --ops N`) and the report it prints. */
function runModel<R extends LocktortureReport>(what: string, cmd: string, model: string, ops: number): { seconds: number; report: R } {
  const t0 = performance.now();
  const r = spawnSync(cmd, [model, '--ops', String(ops)], { cwd: ROOT, encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${what} locktorture: exit ${r.status ?? r.signal}: ${(r.stderr ?? '').trim().split('\n').slice(-2).join(' | ')}`);
  return { seconds, report: JSON.parse(r.stdout) as R };
}

const runSimpy = (ops: number) => runModel<SimpyReport>('simpy', PYTHON, SIMPY_MODEL, ops);

/** The same figures from one smpsim run (--format json). */
function smpsimWork(args: readonly string[]): { per_sec: number; latency_mean_ns: number; lock_utilisation: number; contended_share: number } {
  const r = spawnSync(process.execPath, [BIN, ...args.filter((a) => a !== '--quiet'), '--format', 'json'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`smpsim --format json: exit ${r.status ?? r.signal}`);
  const j = JSON.parse(r.stdout) as {
    sim_time_ns: number;
    warmup_ns: number;
    ops: { completed: number; per_sec: number; latency_ns: { mean: number } };
    locks: Record<string, { acquisitions: number; contentions: number; hold_ns: { total: number } }>;
  };
  const lock = j.locks['torture_spinlock']!;
  return {
    per_sec: j.ops.per_sec,
    latency_mean_ns: j.ops.latency_ns.mean,
    lock_utilisation: lock.hold_ns.total / (j.sim_time_ns - j.warmup_ns),
    contended_share: lock.contentions / lock.acquisitions,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

/**
 * The ceiling (issue 24): bench/bare/locktorture.mjs does the same events (think end,
 * acquired, hold end) with the same kind of draws in a bare loop over a typed-array heap —
 * no engine, no processes, no statistics or accounting, no CLI. What smpsim / SimPy could
 * reach if smpsim did nothing a user reads beyond the same-work figures.
 */
const BARE_MODEL = path.join(ROOT, 'bench', 'bare', 'locktorture.mjs');

const runBare = (ops: number) => runModel<LocktortureReport>('bare', process.execPath, BARE_MODEL, ops);

export const locktortureProcessBench: BenchDef = {
  name: 'locktorture-process',
  issue: '#14, #24',
  description:
    'smpsim run locktorture-ticket-vs-tas, 2 M acquisitions, whole process; targets ≥ 1.5 M acquisitions per wall second incl. start-up (#14), ≥ 20× the same model in SimPy 3 (#24)',
  run(opts, info) {
    const ops = Math.max(1000, Math.round(2_000_000 * opts.scale));
    const args = ['run', 'locktorture-ticket-vs-tas', '--set', `stop.ops=${ops}`, '--quiet'];
    const simpyVersion = simpyAvailable();
    smpsim(...args); // warm-up
    if (simpyVersion !== null) runSimpy(Math.min(ops, 20_000)); // warm-up: disk cache, .pyc
    const rate: number[] = [];
    const seconds: number[] = [];
    const simpyRate: number[] = [];
    const ratio: number[] = [];
    const bareRate: number[] = [];
    const bareRatio: number[] = [];
    const ofBare: number[] = [];
    let simpyReport: SimpyReport | null = null;
    let bareReport: LocktortureReport | null = null;
    runBare(Math.min(ops, 20_000)); // warm-up
    for (let i = 0; i < opts.reps; i++) {
      // Interleaved, order alternating, so that drift in the machine's load falls on both.
      let s = 0;
      let p = 0;
      if (i % 2 === 0 || simpyVersion === null) s = smpsim(...args);
      if (simpyVersion !== null) {
        const r = runSimpy(ops);
        p = r.seconds;
        simpyReport = r.report;
        if (i % 2 === 1) s = smpsim(...args);
        simpyRate.push(ops / p);
        ratio.push(p / s);
      }
      seconds.push(s);
      rate.push(ops / s);
      const b = runBare(ops);
      bareReport = b.report;
      bareRate.push(ops / b.seconds);
      ofBare.push(b.seconds / s);
      if (simpyVersion !== null) bareRatio.push(p / b.seconds);
    }
    info['command'] = `smpsim ${args.join(' ')}`;
    const out = [metric('process wall', 's', seconds), metric('acquisitions/s incl. start-up', '/s', rate, { op: '>=', value: 1_500_000 })];
    if (simpyVersion !== null && simpyReport !== null) {
      const w = smpsimWork(args);
      info['simpy command'] = `${PYTHON} bench/simpy/locktorture.py --ops ${ops} (SimPy ${simpyVersion}, Python ${simpyReport.python})`;
      info['same work: acquisitions per simulated s, smpsim / simpy'] = `${(w.per_sec / 1e6).toFixed(4)} M / ${(simpyReport.per_sec / 1e6).toFixed(4)} M`;
      info['same work: lock utilisation, smpsim / simpy'] = `${pct(w.lock_utilisation)} / ${pct(simpyReport.lock_utilisation)}`;
      info['same work: mean latency ns, smpsim / simpy'] = `${w.latency_mean_ns.toFixed(1)} / ${simpyReport.latency_mean_ns.toFixed(1)}`;
      info['same work: contended acquisitions, smpsim / simpy'] = `${pct(w.contended_share)} / ${pct(simpyReport.contended_share)}`;
      out.push(metric('simpy acquisitions/s incl. start-up', '/s', simpyRate));
      out.push(metric('smpsim / simpy', 'ratio', ratio, { op: '>=', value: 20 }, 'median of per-pair ratios, whole processes'));
      out.push(metric('bare loop / simpy (the ceiling)', 'ratio', bareRatio, undefined, 'bench/bare/locktorture.mjs, whole processes'));
    }
    if (bareReport !== null) {
      info['bare command'] = `node bench/bare/locktorture.mjs --ops ${ops}`;
      info['same work: acquisitions per simulated s, bare loop'] = `${(bareReport.per_sec / 1e6).toFixed(4)} M (mean latency ${bareReport.latency_mean_ns.toFixed(1)} ns, lock utilisation ${pct(bareReport.lock_utilisation)})`;
      out.push(metric('bare loop acquisitions/s incl. start-up', '/s', bareRate));
      out.push(metric('smpsim / bare loop', 'ratio', ofBare, undefined, 'whole processes, same rep'));
    }
    return out;
  },
};
