/**
 * ============================ EXTENSION POINT ============================
 * The list of benchmarks that `npm run bench` runs, in this order. To add one, append a
 * BenchDef (bench/harness.ts) to BENCHMARKS: either hand-written (see bench/phold.ts) or,
 * for a whole model run, `scenarioBench({...})` (bench/scenario.ts), which measures
 * ops/s and events/s with runScenario and, with `memory: true`, the live heap at 1× and
 * 4× the ops. A benchmark whose model is missing reports "not available" instead of failing.
 * ========================================================================
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NotAvailable, median, metric, type BenchDef } from './harness.js';
import { pholdBench, pholdProcessBench, pholdQueueBench } from './phold.js';
import { locktortureProcessBench, startupBench } from './process.js';
import { scenarioBench } from './scenario.js';

export const BENCHMARKS: BenchDef[] = [
  pholdBench,
  pholdQueueBench,
  pholdProcessBench,

  scenarioBench({
    name: 'locktorture',
    issue: '#3',
    description: '8 CPUs, ticket spinlock, think exp(1us), hold exp(200ns), 1M acquisitions; target ≥ 1.5 M acquisitions/s',
    scenario: (ops) => ({
      machine: { cpus: 8, spinlock: 'ticket' },
      workload: { type: 'locktorture', think: 'exp(1us)', hold: 'exp(200ns)' },
      stop: { ops },
    }),
    ops: 1_000_000,
    opsLabel: 'acquisitions/s',
    targets: { opsPerSec: 1_500_000 },
    memory: true,
  }),

  // Issue #5. Everything not given here is the scenario defaults (16 tasks, 4 KiB I/Os,
  // 78% of the working set in highmem). Should runScenario throw for this scenario (as it
  // did before the io workload existed), the benchmark reports "not available".
  scenarioBench({
    name: 'io-kmap-16cpu',
    issue: '#5',
    description: 'io workload, 16 CPUs, kmap; targets ≥ 1 M events/s and a live heap that does not grow with run length',
    scenario: (ops) => ({
      machine: { cpus: 16 },
      kernel: { strategy: 'kmap' },
      workload: { type: 'io' },
      stop: { ops },
    }),
    ops: 200_000,
    targets: { eventsPerSec: 1_000_000 },
    memory: true,
  }),

  // Issue #6: the same sweep with --jobs 1 and --jobs 2 (below).
  sweepJobsBench(),
  // Issue #16: the same sweep on 2 queue workers (Redis) against --jobs 2.
  sweepQueueBench(),

  // Issue #14: whole smpsim processes (bench/process.ts).
  startupBench,
  locktortureProcessBench,

  // Issue #21: the default study's robustness run (long: only with SMPSIM_BENCH_LONG=1).
  robustnessDefaultBench(),

  // Issue #25: the default scenario in the playground's Web Worker (Chromium) vs the CLI.
  playgroundBench(),
];

// ---------------------------------------------------------------------------------------
// playground (issue #25): the default scenario (lkml-2000-4way, its own stop: 2 s simulated)
// in the playground's run worker in headless Chromium, against the CLI's runScenario in
// node, events per wall second of each run (the result's events / wall_ms), in interleaved
// pairs after a warm-up of each (bench/playground-child.ts, one child process: build, serve,
// Chromium). The ratio is the median of the per-pair ratios browser/CLI; target ≥ 0.8.
function playgroundBench(): BenchDef {
  return {
    name: 'playground',
    issue: '#25',
    description: 'the default scenario in the playground Web Worker (headless Chromium) vs the CLI, events/s; target ≥ 0.8× the CLI',
    run(opts, info) {
      const chromiumPath = process.env.SMPSIM_CHROMIUM ?? '/usr/bin/chromium';
      if (!fs.existsSync(chromiumPath)) throw new NotAvailable(`no Chromium at ${chromiumPath} (apt-get install chromium, or set SMPSIM_CHROMIUM)`);
      const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'playground-child.ts')], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, SMPSIM_BENCH_PLAYGROUND: JSON.stringify([opts.reps, chromiumPath]) },
        maxBuffer: 64 << 20,
      });
      if (r.status !== 0) throw new Error(`playground child failed: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
      const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { browser: number[]; cli: number[]; events: number; chromium: string; node: string };
      info['events per run'] = out.events;
      info['chromium'] = out.chromium;
      info['node'] = out.node;
      const ratios = out.browser.map((b, i) => b / out.cli[i]!);
      return [
        metric('worker events/s (Chromium)', 'events/s', out.browser),
        metric('CLI events/s (node)', 'events/s', out.cli),
        metric('worker / CLI', 'ratio', ratios, { op: '>=', value: 0.8 }, 'median of per-pair ratios'),
      ];
    },
  };
}

// ---------------------------------------------------------------------------------------
// robustness-default (issue #21): `smpsim robustness lkml-2000-4way --jobs 2` as a user runs
// it — the default study's strategies (bounce, vmap, kmap, direct), Morris with 10
// trajectories over its uncertain inputs, the scenario's own stop (2 s) — in a fresh
// process, wall time from spawn to exit, once (it takes minutes). Long: it runs only when
// SMPSIM_BENCH_LONG=1 (otherwise "not available"); --scale < 1 shortens stop.time for a
// quick check of the benchmark itself (the target then says nothing).
function robustnessDefaultBench(): BenchDef {
  return {
    name: 'robustness-default',
    issue: '#21',
    description: 'smpsim robustness of the default study (4 strategies, Morris, 10 trajectories), --jobs 2; target ≤ 600 s wall (long: SMPSIM_BENCH_LONG=1)',
    run(opts, info) {
      if (process.env.SMPSIM_BENCH_LONG !== '1') throw new NotAvailable('long benchmark (~10 min): set SMPSIM_BENCH_LONG=1 to run it');
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'smpsim-bench-robust-'));
      const set = opts.scale < 1 ? ['--set', `stop.time=${Math.max(20, Math.round(2000 * opts.scale))}ms`, '--set', `stop.warmup=${Math.max(5, Math.round(200 * opts.scale))}ms`] : [];
      try {
        const t0 = performance.now();
        const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli.ts'), 'robustness', 'lkml-2000-4way', '--jobs', '2', '--out', out, '--quiet', ...set], {
          cwd: ROOT,
          encoding: 'utf8',
          maxBuffer: 64 << 20,
        });
        const seconds = (performance.now() - t0) / 1000;
        if (r.status !== 0) throw new Error(`robustness failed: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
        const report = JSON.parse(fs.readFileSync(path.join(out, 'robustness.json'), 'utf8')) as { runs: number; inputs: unknown[] };
        info['runs'] = report.runs;
        info['inputs'] = report.inputs.length;
        info['cores'] = os.availableParallelism();
        info['load average at end'] = os.loadavg()[0]!.toFixed(1);
        if (set.length > 0) info['stop.time'] = set[1]!.slice('stop.time='.length);
        return [metric('robustness wall, --jobs 2', 's', [seconds], opts.scale >= 1 ? { op: '<=', value: 600 } : undefined, 'one run, spawn to exit')];
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
      }
    },
  };
}

// ---------------------------------------------------------------------------------------
// sweep-jobs (issue #6): `smpsim sweep` of 16 short runs (scenarios/scaling-1-32.yaml,
// machine.cpus=1,2,4,8 × kmap,vmap × 2 replications, stop.time 300 ms × scale; 0.3–2 s each), timed
// with --jobs 1 and --jobs 2 in interleaved pairs. Each timing runs in a fresh node process
// (so both pay the same cold JIT) and covers runSweep alone: worker-pool start-up, the runs,
// the run files and the summary — not node's own start-up or the scenario loading. The
// speedup is the median of the per-pair ratios; the two summaries must be identical bytes.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const SWEEP_CHILD = `
import { buildSpec } from './src/cli/sweep.ts';
import { runSweep } from './src/study/sweep.ts';
import fs from 'node:fs';
import path from 'node:path';
const [jobs, out, timeMs, replications = 2] = JSON.parse(process.env.SMPSIM_BENCH_SWEEP);
const io = { stdout() {}, stderr() {}, isTTY: false, env: {}, cwd: process.cwd() };
const spec = buildSpec(io, {
  scenario: 'scenarios/scaling-1-32.yaml',
  vary: ['machine.cpus=1..8x2', 'kernel.strategy=kmap,vmap'],
  zip: false,
  set: ['stop.time=' + timeMs + 'ms', 'stop.warmup=' + timeMs / 10 + 'ms'],
  replications,
  out, plot: false, force: true, quiet: true,
});
const t0 = performance.now();
const o = await runSweep(spec, { dir: out, jobs, force: true });
const seconds = (performance.now() - t0) / 1000;
const summary = fs.readFileSync(path.join(out, 'summary.json'), 'utf8');
process.stdout.write(JSON.stringify({ seconds, executed: o.executed, summary }));
`;

interface SweepTiming {
  seconds: number;
  executed: number;
  summary: string;
}

/** The sweep of sweep-jobs through a private Redis and two workers (bench/sweep-queue-child.ts). */
function timeQueueSweep(timeMs: number, replications = 2): SweepTiming {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'smpsim-bench-queue-'));
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'sweep-queue-child.ts')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, SMPSIM_BENCH_SWEEP: JSON.stringify([out, timeMs, replications]) },
      maxBuffer: 64 << 20,
    });
    if (r.status !== 0) throw new Error(`queue sweep child failed: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
    return JSON.parse(r.stdout) as SweepTiming;
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

// sweep-queue (issue #16): the 16-run sweep of sweep-jobs through BullMQ on a private
// redis-server with two `smpsim worker --concurrency 1` processes (started and ready before
// the clock starts), against --jobs 2, in interleaved pairs. Overhead: the median of the
// per-pair ratios queue/--jobs 2 − 1 (the workers are started before the clock, the pool of
// --jobs 2 within it: a worker serves many sweeps). Per-job overhead: the extra worker time
// per run, from tiny runs (stop.time 1 ms) where the queue's cost is not lost in the runs'
// noise, as a marginal cost so that fixed costs cancel: 16 and 64 runs, queue and --jobs 2,
// ((q64 − q16) − (l64 − l16)) × 2 workers / 48.
function sweepQueueBench(): BenchDef {
  return {
    name: 'sweep-queue',
    issue: '#16',
    description: 'the sweep-jobs sweep on 2 queue workers (Redis) vs --jobs 2 (interleaved pairs); target overhead ≤ 15%',
    run(opts, info) {
      if (spawnSync('redis-server', ['--version']).status !== 0) throw new NotAvailable('redis-server is not installed');
      const timeMs = Math.max(5, Math.round(300 * opts.scale));
      timeQueueSweep(timeMs); // warm-up
      const local: number[] = [];
      const queue: number[] = [];
      const overhead: number[] = [];
      const perJob: number[] = [];
      let identical = true;
      let runs = 0;
      for (let i = 0; i < opts.reps; i++) {
        const a = timeSweep(2, timeMs);
        const b = timeQueueSweep(timeMs);
        identical &&= a.summary === b.summary;
        runs = b.executed;
        local.push(a.seconds);
        queue.push(b.seconds);
        overhead.push(b.seconds / a.seconds - 1);
        // Marginal cost of 48 more tiny runs, queue against --jobs 2: the fixed costs (pool
        // start-up, connections) cancel out, the per-run costs remain.
        const l16 = timeSweep(2, 1, 2);
        const q16 = timeQueueSweep(1, 2);
        const l64 = timeSweep(2, 1, 8);
        const q64 = timeQueueSweep(1, 8);
        identical &&= l16.summary === q16.summary && l64.summary === q64.summary;
        const more = q64.executed - q16.executed;
        perJob.push((((q64.seconds - q16.seconds) - (l64.seconds - l16.seconds)) * 2 * 1000) / more);
        info['tiny runs/sweep'] = `${q16.executed} and ${q64.executed}`;
      }
      info['runs/sweep'] = runs;
      info['stop.time'] = `${timeMs}ms`;
      info['summaries identical'] = identical;
      info['cores'] = os.availableParallelism();
      info['median --jobs 2 / queue'] = `${median(local).toFixed(2)} s / ${median(queue).toFixed(2)} s`;
      return [
        metric('sweep wall, --jobs 2', 's', local),
        metric('sweep wall, 2 queue workers', 's', queue),
        metric('queue overhead vs --jobs 2', 'ratio', overhead, { op: '<=', value: 0.15 }, 'median of per-pair (queue / --jobs 2 − 1)'),
        metric('per-job overhead', 'ms', perJob, undefined, 'runs of stop.time 1 ms: ((q64 − q16) − (l64 − l16)) × 2 workers / 48'),
      ];
    },
  };
}

function timeSweep(jobs: number, timeMs: number, replications = 2): SweepTiming {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'smpsim-bench-sweep-'));
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SWEEP_CHILD], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, SMPSIM_BENCH_SWEEP: JSON.stringify([jobs, out, timeMs, replications]) },
      maxBuffer: 64 << 20,
    });
    if (r.status !== 0) throw new Error(`sweep child (--jobs ${jobs}) failed: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
    return JSON.parse(r.stdout) as SweepTiming;
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

function sweepJobsBench(): BenchDef {
  return {
    name: 'sweep-jobs',
    issue: '#6',
    description: 'smpsim sweep of 16 short runs, --jobs 1 vs --jobs 2 (interleaved pairs); target speedup ≥ 1.8× on 2 cores',
    run(opts, info) {
      if (!fs.existsSync(path.join(ROOT, 'src', 'study', 'sweep.ts'))) throw new NotAvailable('src/study/sweep.ts is missing');
      const timeMs = Math.max(5, Math.round(300 * opts.scale));
      timeSweep(2, timeMs); // warm-up: disk caches, tsx's transform cache
      const one: number[] = [];
      const two: number[] = [];
      const ratio: number[] = [];
      let identical = true;
      let runs = 0;
      for (let i = 0; i < opts.reps; i++) {
        const a = timeSweep(1, timeMs);
        const b = timeSweep(2, timeMs);
        identical &&= a.summary === b.summary;
        runs = a.executed;
        one.push(a.seconds);
        two.push(b.seconds);
        ratio.push(a.seconds / b.seconds);
      }
      info['runs/sweep'] = runs;
      info['stop.time'] = `${timeMs}ms`;
      info['summaries identical'] = identical;
      info['cores'] = os.availableParallelism();
      info['median --jobs 1 / --jobs 2'] = `${median(one).toFixed(2)} s / ${median(two).toFixed(2)} s`;
      return [
        metric('sweep wall, --jobs 1', 's', one),
        metric('sweep wall, --jobs 2', 's', two),
        metric('speedup --jobs 2 vs 1', 'ratio', ratio, { op: '>=', value: 1.8 }, 'median of per-pair ratios'),
      ];
    },
  };
}
