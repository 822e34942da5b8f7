/**
 * `smpsim robustness <scenario>`: how far the ranking of a study's variants can be trusted
 * over the uncertainty of its inputs (src/robust/study.ts, docs/ROBUSTNESS.md). Its runs are
 * sweeps in folders of --out (nominal/, design/, ends/, bisect-N/): resumable, --jobs,
 * --queue, byte-identical between them.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { ScenarioError, checkSetOptions } from '../scenario/load.js';
import { SweepFileError, readJsonFile, runFileName, writeAtomic } from '../study/files.js';
import { createExecutor, defaultJobs, type Executor } from '../study/pool.js';
import type { QueueUrl } from '../study/queue-url.js';
import { QUEUE_SECRET_ENV } from '../study/queue-trust.js';
import { THROUGHPUT, isKnownMetric, knownMetricNames } from '../study/summary.js';
import { runSweep, type SweepSpec } from '../study/sweep.js';
import type { Result } from '../report/result.js';
import { RobustnessError, robustInputs, runRobustness, type BatchRunner, type RobustnessSpec } from '../robust/study.js';
import { formatRobustnessText, robustnessHtml, robustnessJson, tornadoSvg } from '../robust/report.js';
import { EXIT, UsageError, writeFileAtomic, type CliIo } from './io.js';
import { addLimitOptions, parseLimitOptions, type LimitOptionValues, type RunLimits } from './limits.js';
import { Progress } from './progress.js';
import { loadQueue } from './queue-load.js';
import { parseSeed, scenarioPath } from './run.js';
import { applyQueueOptions, parseIntOption, queueSecretOf, ranText } from './sweep.js';
import { expandVary } from './vary.js';

/** The default study's variants, and the default --vary of robustness. */
export const DEFAULT_ROBUST_VARY = 'kernel.strategy=bounce,vmap,kmap,direct';
export const DEFAULT_TRAJECTORIES = 10;
export const DEFAULT_SOBOL_N = 64;
export const DEFAULT_SEEDS = 5;
export const DEFAULT_BISECT_INPUTS = 2;
export const DEFAULT_BISECT_STEPS = 8;
export const DEFAULT_LEVELS = 4;

export interface RobustnessJob {
  scenario: string;
  set: string[];
  seed?: number;
  vary: string[];
  metric?: string;
  method: 'morris' | 'sobol';
  samples?: number;
  levels: number;
  inputs: string[];
  seeds: number;
  bisectInputs: number;
  bisectSteps: number;
  jobs?: number;
  queue?: QueueUrl;
  /** --queue-secret (else $SMPSIM_QUEUE_SECRET): the key the workers sign results with. */
  queueSecret?: string;
  out?: string;
  html?: string;
  force: boolean;
  quiet: boolean;
  limits?: RunLimits;
}

interface RawOptions extends LimitOptionValues {
  set?: string[];
  seed?: string;
  vary?: string[];
  metric?: string;
  method?: string;
  samples?: string;
  levels?: string;
  inputs?: string;
  seeds?: string;
  bisectInputs?: string;
  bisectSteps?: string;
  jobs?: string;
  queue?: string;
  queueSecret?: string;
  out?: string;
  html?: string;
  force?: boolean;
  quiet?: boolean;
}

const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

export function robustnessJobFrom(scenario: string, o: RawOptions): RobustnessJob {
  const method = (o.method ?? 'morris').trim();
  if (method !== 'morris' && method !== 'sobol') throw new UsageError(`--method: expected one of morris, sobol, got ${JSON.stringify(o.method)}`);
  const job: RobustnessJob = {
    scenario,
    set: o.set ?? [],
    seed: o.seed === undefined ? undefined : parseSeed(o.seed),
    vary: o.vary ?? [DEFAULT_ROBUST_VARY],
    metric: o.metric,
    method,
    samples: o.samples === undefined ? undefined : parseIntOption('--samples', o.samples, 2, 100_000),
    levels: o.levels === undefined ? DEFAULT_LEVELS : parseIntOption('--levels', o.levels, 2, 64),
    inputs: o.inputs === undefined ? [] : o.inputs.split(',').map((s) => s.trim()).filter((s) => s !== ''),
    seeds: o.seeds === undefined ? DEFAULT_SEEDS : parseIntOption('--seeds', o.seeds, 2, 1000),
    bisectInputs: o.bisectInputs === undefined ? DEFAULT_BISECT_INPUTS : parseIntOption('--bisect-inputs', o.bisectInputs, 0, 1000),
    bisectSteps: o.bisectSteps === undefined ? DEFAULT_BISECT_STEPS : parseIntOption('--bisect-steps', o.bisectSteps, 1, 40),
    jobs: o.jobs === undefined ? undefined : parseIntOption('--jobs', o.jobs, 1, 256),
    out: o.out,
    html: o.html,
    force: o.force === true,
    quiet: o.quiet === true,
    limits: parseLimitOptions(o),
  };
  if (job.levels % 2 !== 0) throw new UsageError(`--levels: expected an even integer 2..64, got ${job.levels}`);
  if (job.metric !== undefined && !isKnownMetric(job.metric)) {
    throw new UsageError(`--metric: expected one of ${knownMetricNames().join(', ')}, got ${JSON.stringify(job.metric)}`);
  }
  applyQueueOptions(o, job);
  return job;
}

export function registerRobustness(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const cmd = program
    .command('robustness')
    .description('how far the ranking of the variants holds over the uncertainty of the inputs (Morris/Sobol, break-even values); docs/ROBUSTNESS.md')
    .argument('<scenario>', 'scenario file (YAML or JSON), or the name of a bundled scenario')
    .option('--set <path=value>', 'override a scenario field (repeatable)', collect)
    .option('--seed <n>', 'override the scenario seed (an integer >= 0)')
    .option('--vary <path=v1,v2>', `the variants to rank (repeat for a product; default ${DEFAULT_ROBUST_VARY})`, collect)
    .option('--metric <name>', 'the metric the variants are ranked on, lower first (default per_op.cpu_ns for an io workload, else ops.per_sec)')
    .option('--method <m>', 'morris (elementary effects, default) or sobol (Saltelli design, S1/ST with bootstrap CIs)')
    .option('--samples <n>', `Morris trajectories (default ${DEFAULT_TRAJECTORIES}) or Sobol base rows N (default ${DEFAULT_SOBOL_N})`)
    .option('--levels <n>', `Morris grid levels, even (default ${DEFAULT_LEVELS})`)
    .option('--inputs <list>', 'only these uncertain inputs: paths or prefixes ending in *, comma-separated (default: all)')
    .option('--seeds <n>', `replications at nominal for the noise floor (default ${DEFAULT_SEEDS})`)
    .option('--bisect-inputs <n>', `per pair, how many of its most influential inputs are examined for a break-even (default ${DEFAULT_BISECT_INPUTS})`)
    .option('--bisect-steps <n>', `bisection halvings per break-even (default ${DEFAULT_BISECT_STEPS}: 1/256 of the way to the range's end)`)
    .option('--jobs <n>', 'runs in parallel on worker threads (default: the number of cores)')
    .option('--queue <url>', 'run on the workers of a Redis queue (smpsim worker), see docs/DISTRIBUTED.md')
    .option('--queue-secret <secret>', `the secret the workers sign results with (else $${QUEUE_SECRET_ENV}); required unless Redis is on this machine`)
    .option('--out <dir>', 'folder for the runs and robustness.json, robustness.txt, tornado.svg (default robustness-<scenario name>)')
    .option('--html <file>', 'also write an HTML page: the tornado chart and the text report')
    .option('--force', 'replace a different robustness study found in --out instead of refusing')
    .option('--quiet', 'print nothing but errors');
  addLimitOptions(cmd).action(async (scenario: string, opts: RawOptions) => {
    setExit(await executeRobustness(robustnessJobFrom(scenario, opts), io));
  });
}

/** Read each point's run files (replications 0..reps-1) after its sweep. */
function readResults(dir: string, points: number, reps: number): Result[][] {
  const out: Result[][] = [];
  for (let p = 0; p < points; p++) {
    const rs: Result[] = [];
    for (let r = 0; r < reps; r++) {
      const f = readJsonFile(path.join(dir, 'runs', runFileName(p, r))) as { result: Result } | undefined;
      if (f === undefined) throw new SweepFileError(`${dir}: run ${runFileName(p, r)} missing after its sweep`);
      rs.push(f.result);
    }
    out.push(rs);
  }
  return out;
}

export async function executeRobustness(job: RobustnessJob, io: CliIo): Promise<number> {
  checkSetOptions(job.set);
  const { specs, variants } = expandVary(job.vary, { zip: false });
  if (variants.length < 2) throw new UsageError('--vary: robustness ranks variants: give at least two values');
  const file = scenarioPath(io, job.scenario);
  const varySpecs = specs.map((s) => ({ path: s.path, values: s.values }));
  const spec: RobustnessSpec = {
    scenarioFile: file,
    set: job.set,
    ...(job.seed === undefined ? {} : { seed: job.seed }),
    variants: variants.map((v) => ({ label: v.label, sets: v.sets, values: v.values })),
    metric: job.metric ?? '',
    method: job.method,
    samples: job.samples ?? (job.method === 'morris' ? DEFAULT_TRAJECTORIES : DEFAULT_SOBOL_N),
    levels: job.levels,
    inputs: job.inputs,
    seeds: job.seeds,
    bisectInputs: job.bisectInputs,
    bisectSteps: job.bisectSteps,
  };
  // Everything about the input is checked before the first run.
  let checked;
  try {
    checked = robustInputs(spec);
  } catch (e) {
    if (e instanceof RobustnessError) throw new UsageError(e.message);
    throw e;
  }
  if (spec.metric === '') spec.metric = checked.base.workload.type === 'io' ? 'per_op.cpu_ns' : THROUGHPUT;
  const outDir = job.out ?? `robustness-${checked.base.name}`;
  const dir = path.resolve(io.cwd, outDir);

  let queue: (Executor & { readonly workersSeen: number; readonly foundFinished: number; readonly display: string }) | null = null;
  if (job.queue !== undefined) {
    const q = await loadQueue('--queue');
    try {
      queue = await q.QueueExecutor.open(job.queue, {
        secret: queueSecretOf(job.queue, job.queueSecret, io.env),
        onNote: (line) => {
          if (!job.quiet) io.stderr(`${line}\n`);
        },
      });
    } catch (e) {
      if (e instanceof q.QueueError) throw new UsageError(e.message);
      throw e;
    }
  }
  const jobs = job.jobs ?? defaultJobs();
  const executor: Executor = queue ?? createExecutor(jobs, io.onInterrupt !== undefined);
  const progress = job.quiet ? null : new Progress(io, 1);
  const started = Date.now();
  let executed = 0;
  let reused = 0;
  const runBatch: BatchRunner = async (name, points, replications) => {
    const sweep: SweepSpec = {
      scenarioFile: job.scenario,
      set: job.set,
      seed: job.seed ?? null,
      vary: varySpecs,
      zip: false,
      replications,
      precision: null,
      metric: THROUGHPUT,
      maxReplications: replications,
      warmup: 'scenario',
      points,
    };
    const bdir = path.join(dir, name);
    const outcome = await runSweep(sweep, {
      dir: bdir,
      jobs: queue === null ? jobs : executor.jobs,
      force: job.force,
      limits: job.limits,
      executor,
      // The label of a design point is every input's value: the batch and its size say more.
      onProgress: progress === null ? undefined : (done, total) => progress.report(done, total, `${name}: ${points.length} points`),
      onNote: (line) => {
        if (!job.quiet) io.stderr(`${line}\n`);
      },
    });
    executed += outcome.executed;
    reused += outcome.reused;
    return readResults(bdir, points.length, replications);
  };
  const unregister = io.onInterrupt?.((signal) => {
    progress?.stop();
    io.stderr(`smpsim: robustness interrupted (${signal}); the finished runs are kept in ${outDir}: run the same command again to resume\n`);
  });
  let report;
  try {
    fs.mkdirSync(dir, { recursive: true });
    report = await runRobustness(spec, runBatch);
  } catch (e) {
    if (e instanceof SweepFileError) throw new UsageError(e.message);
    if (e instanceof RobustnessError) throw new UsageError(e.message);
    if (e instanceof ScenarioError) throw e;
    if (queue !== null && e instanceof Error && e.name === 'QueueError') throw new UsageError(e.message);
    throw e;
  } finally {
    await executor.close();
    unregister?.();
    progress?.stop();
  }
  const text = formatRobustnessText(report, outDir);
  writeAtomic(path.join(dir, 'robustness.json'), robustnessJson(report));
  writeAtomic(path.join(dir, 'robustness.txt'), text);
  writeAtomic(path.join(dir, 'tornado.svg'), tornadoSvg(report));
  if (job.html !== undefined) writeFileAtomic(io, job.html, robustnessHtml(report, text), '--html');
  if (!job.quiet) {
    io.stdout(text);
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    io.stderr(
      `smpsim: robustness: ${executed + reused} runs (${ranText(executed, queue?.foundFinished ?? 0)}, ${reused} reused) ${queue === null ? `with --jobs ${jobs}` : `on ${queue.display} (${queue.workersSeen} workers)`} in ${secs}s\n`,
    );
  }
  return EXIT.OK;
}
