/**
 * `smpsim sweep <scenario> --vary … --out DIR`: a replicated study over the points of the
 * --vary lists (src/study/sweep.ts), summarised per point with 95% CIs and, over
 * machine.cpus, with speedup and USL/Amdahl fits; `--plot` also writes the charts.
 *
 * As with `run`, everything that can be wrong with the input — option values, --vary and
 * --set syntax, every point's scenario, a --out that holds a different sweep — is checked
 * before the first run, and reported as exit code 2, one line per problem.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { ScenarioError, checkSetOptions, loadScenario } from '../scenario/load.js';
import type { Problem } from '../scenario/errors.js';
import { SweepFileError } from '../study/files.js';
import { writePlots } from '../study/plot.js';
import { defaultJobs, type Executor } from '../study/pool.js';
import { QueueUrlError, parseQueueUrl, type QueueUrl } from '../study/queue-url.js';
import { QUEUE_SECRET_ENV, QueueSecretError, queueSecret } from '../study/queue-trust.js';
import { THROUGHPUT, formatSummaryText, isKnownMetric, knownMetricNames } from '../study/summary.js';
import { runSweep, type DirLock, type SweepPoint, type SweepSpec } from '../study/sweep.js';
import { EXIT, UsageError, requireFolderName, type CliIo } from './io.js';
import { addLimitOptions, checkMemoryBudget, parseLimitOptions, type LimitOptionValues, type RunLimits } from './limits.js';
import { Progress } from './progress.js';
import { loadQueue } from './queue-load.js';
import { parseSeed, scenarioPath } from './run.js';
import { expandVary } from './vary.js';

export const DEFAULT_MAX_REPLICATIONS = 30;
/** Replications to start from with --precision when neither --replications nor the scenario says more. */
export const PRECISION_MIN_START = 3;

export interface SweepJob {
  scenario: string;
  vary: string[];
  zip: boolean;
  set: string[];
  seed?: number;
  replications?: number;
  precision?: number;
  metric?: string;
  maxReplications?: number;
  jobs?: number;
  warmup?: 'auto';
  out: string;
  plot: boolean;
  force: boolean;
  quiet: boolean;
  /** --max-events, --max-wall: the runaway guards of each run. */
  limits?: RunLimits;
  /** --queue: run on the workers of this Redis queue (parsed; never printed unredacted). */
  queue?: QueueUrl;
  /** --queue-secret (else $SMPSIM_QUEUE_SECRET): the key the workers sign results with. */
  queueSecret?: string;
}

interface RawSweepOptions extends LimitOptionValues {
  vary?: string[];
  zip?: boolean;
  set?: string[];
  seed?: string;
  replications?: string;
  precision?: string;
  metric?: string;
  maxReplications?: string;
  jobs?: string;
  warmup?: string;
  out: string;
  plot?: boolean;
  force?: boolean;
  quiet?: boolean;
  queue?: string;
  queueSecret?: string;
}

const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

export function parseIntOption(name: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const t = text.trim();
  if (!/^\d+$/.test(t) || Number(t) < min || Number(t) > max) {
    throw new UsageError(`${name}: expected an integer ${min}..${max === Number.MAX_SAFE_INTEGER ? '' : max}, got ${JSON.stringify(text)}`.replace('.., got', ' or more, got'));
  }
  return Number(t);
}

/** --precision: a fraction in (0, 1), or a percentage like 3%. */
export function parsePrecision(text: string): number {
  const t = text.trim();
  const pct = /^(\d+(?:\.\d+)?|\.\d+)%$/.exec(t);
  const v = pct !== null ? Number(pct[1]) / 100 : /^(\d+(?:\.\d+)?|\.\d+)(e-?\d+)?$/i.test(t) ? Number(t) : Number.NaN;
  if (!(v > 0 && v < 1)) {
    throw new UsageError(`--precision: expected a relative half-width between 0 and 1 like 0.03 or 3%, got ${JSON.stringify(text)}`);
  }
  return v;
}

/** Options → job; every problem with the options themselves is a UsageError. */
export function sweepJobFrom(scenario: string, o: RawSweepOptions): SweepJob {
  const job: SweepJob = {
    scenario,
    vary: o.vary ?? [],
    zip: o.zip === true,
    set: o.set ?? [],
    seed: o.seed === undefined ? undefined : parseSeed(o.seed),
    replications: o.replications === undefined ? undefined : parseIntOption('--replications', o.replications, 1, 10_000),
    precision: o.precision === undefined ? undefined : parsePrecision(o.precision),
    metric: o.metric,
    maxReplications: o.maxReplications === undefined ? undefined : parseIntOption('--max-replications', o.maxReplications, 2, 10_000),
    jobs: o.jobs === undefined ? undefined : parseIntOption('--jobs', o.jobs, 1, 256),
    out: o.out,
    plot: o.plot === true,
    force: o.force === true,
    quiet: o.quiet === true,
    limits: parseLimitOptions(o),
  };
  applyQueueOptions(o, job);
  if (o.warmup !== undefined) {
    if (o.warmup.trim() !== 'auto') {
      throw new UsageError(`--warmup: expected auto (MSER-5 on a pilot run; for a fixed warm-up use --set stop.warmup=…), got ${JSON.stringify(o.warmup)}`);
    }
    job.warmup = 'auto';
  }
  if (job.precision === undefined) {
    if (job.metric !== undefined) throw new UsageError('--metric: only used with --precision (the metric whose CI must reach it)');
    if (job.maxReplications !== undefined) throw new UsageError('--max-replications: only used with --precision');
  } else {
    if (job.metric !== undefined && !isKnownMetric(job.metric)) {
      throw new UsageError(`--metric: expected one of ${knownMetricNames().join(', ')}, got ${JSON.stringify(job.metric)}`);
    }
    if (job.replications !== undefined && job.replications < 2) {
      throw new UsageError(`--replications: expected 2 or more with --precision (a CI needs two values), got ${job.replications}`);
    }
    const max = job.maxReplications ?? DEFAULT_MAX_REPLICATIONS;
    if (job.replications !== undefined && job.replications > max) {
      throw new UsageError(`--max-replications: expected at least --replications (${job.replications}), got ${max}`);
    }
  }
  return job;
}

export function registerSweep(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const cmd = program
    .command('sweep')
    .description('replicated study over --vary points: means, 95% CIs, scaling (speedup, USL fit); files in --out DIR')
    .argument('<scenario>', 'scenario file (YAML or JSON), or the name of a bundled scenario')
    .requiredOption('--out <dir>', 'directory for the run files, sweep.json, summary.json/csv (and the plots)')
    .option('--vary <path=v1,v2>', 'values of one field; ranges 1..8 and 1..64x2; repeat for a cartesian product', collect)
    .option('--zip', 'pair the --vary lists element by element instead of their product (equal lengths)')
    .option('--set <path=value>', 'override a scenario field (repeatable)', collect)
    .option('--seed <n>', 'override the scenario seed (an integer >= 0)')
    .option('--replications <n>', "replications per point (default: the scenario's replications; 3 with --precision)")
    .option('--precision <p>', 'add replications until the 95% CI half-width / |mean| <= p (e.g. 0.03 or 3%)')
    .option('--metric <name>', `the metric --precision applies to (default ${THROUGHPUT})`)
    .option('--max-replications <n>', `cap on replications per point with --precision (default ${DEFAULT_MAX_REPLICATIONS})`)
    .option('--jobs <n>', 'runs in parallel on worker threads (default: the number of cores)')
    .option('--queue <url>', 'run on the workers of a Redis queue (smpsim worker), redis://[:PASSWORD@]HOST[:PORT][/DB]; see docs/DISTRIBUTED.md')
    .option('--queue-secret <secret>', `the secret the workers sign results with (else $${QUEUE_SECRET_ENV}); required unless Redis is on this machine`)
    .option('--warmup <auto>', 'auto: choose each point\'s warm-up by MSER-5 on a pilot run')
    .option('--plot', 'also write the SVG charts and report.html (as smpsim plot DIR)')
    .option('--force', 'replace a different sweep found in --out instead of refusing')
    .option('--quiet', 'print nothing but errors');
  addLimitOptions(cmd).action(async (scenario: string, opts: RawSweepOptions) => {
    setExit(await executeSweep(sweepJobFrom(scenario, opts), io));
  });
}

/** Problems in a point's --vary values come from `--set` inside loadScenario: say --vary. */
function blameVary(err: ScenarioError, varyPaths: string[]): Problem[] {
  return err.problems.map((p): Problem => {
    const at = p.path.map(String).join('.');
    return p.source === '--set' && varyPaths.some((v) => at === v || at.startsWith(`${v}.`) || v.startsWith(`${at}.`)) ? { ...p, source: '--vary' } : p;
  });
}

/** The job → a validated spec with every point resolved (nothing has run yet). */
export function buildSpec(io: CliIo, job: SweepJob): SweepSpec {
  checkSetOptions(job.set);
  const { specs, variants } = expandVary(job.vary, { zip: job.zip });
  const varied = specs.map((s) => s.path);
  const file = scenarioPath(io, job.scenario);
  const points: SweepPoint[] = [];
  const problems: Problem[] = [];
  for (const [index, v] of variants.entries()) {
    try {
      const scenario = loadScenario(file, { set: [...job.set, ...v.sets], seed: job.seed });
      points.push({ index, assignments: v.sets.map((a, i) => [specs[i]!.path, a.slice(specs[i]!.path.length + 1)]), scenario });
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      problems.push(...blameVary(e, varied));
      if (!e.problems.some((p) => p.source === '--set')) break;
    }
  }
  if (problems.length > 0) throw new ScenarioError(problems);
  checkMemoryBudget(points.map((p) => ({ label: points.length > 1 ? `point ${p.assignments.map(([k, v]) => `${k}=${v}`).join(',')}` : '', scenario: p.scenario })), job.limits);
  const fromScenario = points[0]!.scenario.replications;
  const replications = job.replications ?? (job.precision !== undefined ? Math.max(PRECISION_MIN_START, fromScenario) : fromScenario);
  const maxReplications = job.maxReplications ?? Math.max(DEFAULT_MAX_REPLICATIONS, replications);
  return {
    scenarioFile: job.scenario,
    set: job.set,
    seed: job.seed ?? null,
    vary: specs.map((s) => ({ path: s.path, values: s.values })),
    zip: job.zip,
    replications,
    precision: job.precision ?? null,
    metric: job.metric ?? THROUGHPUT,
    maxReplications,
    warmup: job.warmup ?? 'scenario',
    points,
  };
}

/**
 * The runs a sweep ran: "8 computed", or with --queue "2 computed, 6 found finished in
 * Redis" when an earlier sweep had queued and finished some (issue 23: not "computed").
 */
export function ranText(executed: number, foundInRedis: number): string {
  return foundInRedis > 0 ? `${executed - foundInRedis} computed, ${foundInRedis} found finished in Redis` : `${executed} computed`;
}

/** --queue, --queue-secret and their conflict with --jobs, as sweep and robustness take them. */
export function applyQueueOptions(
  o: { queue?: string; queueSecret?: string },
  job: { jobs?: number; queue?: QueueUrl; queueSecret?: string },
): void {
  if (o.queue !== undefined) {
    try {
      job.queue = parseQueueUrl(o.queue);
    } catch (e) {
      if (e instanceof QueueUrlError) throw new UsageError(e.message);
      throw e;
    }
    if (job.jobs !== undefined) throw new UsageError('--jobs: not used with --queue (each worker has its own --concurrency)');
    if (o.queueSecret !== undefined) job.queueSecret = o.queueSecret;
  } else if (o.queueSecret !== undefined) {
    throw new UsageError('--queue-secret: only used with --queue');
  }
}

/** The queue secret, or exit 2 saying it is required (queue-trust.ts queueSecret). */
export function queueSecretOf(url: QueueUrl, option: string | undefined, env: CliIo['env']): string {
  try {
    return queueSecret(url, option, env);
  } catch (e) {
    if (e instanceof QueueSecretError) throw new UsageError(e.message);
    throw e;
  }
}

export async function executeSweep(job: SweepJob, io: CliIo): Promise<number> {
  const spec = buildSpec(io, job);
  requireFolderName('--out', job.out);
  const dir = path.resolve(io.cwd, job.out);
  const jobs = job.jobs ?? defaultJobs();
  const progress = job.quiet ? null : new Progress(io, 1);
  // --queue: the runs go to Redis; the queue code (bullmq, ioredis) is loaded only then.
  let queue: (Executor & { readonly workersSeen: number; readonly foundFinished: number; readonly display: string }) | null = null;
  if (job.queue !== undefined) {
    const secret = queueSecretOf(job.queue, job.queueSecret, io.env);
    const q = await loadQueue('--queue');
    try {
      queue = await q.QueueExecutor.open(job.queue, {
        secret,
        onNote: (line) => {
          if (!job.quiet) io.stderr(`${line}\n`);
        },
      });
    } catch (e) {
      if (e instanceof q.QueueError) throw new UsageError(e.message);
      throw e;
    }
  }

  // The bar and the plain lines count runs: done (in-flight runs by their fraction) of the total.
  const started = Date.now();
  let outcome;
  let lock: DirLock | null = null;
  // Ctrl-C (or a killed launcher): say how to go on; the finished runs are on disk.
  const unregister = io.onInterrupt?.((signal) => {
    progress?.stop();
    lock?.release();
    io.stderr(
      `smpsim: sweep interrupted (${signal}); the finished runs are kept in ${path.join(job.out, 'runs')}: run the same command again to resume\n`,
    );
  });
  try {
    outcome = await runSweep(spec, {
      dir,
      jobs,
      force: job.force,
      limits: job.limits,
      ...(queue === null ? {} : { executor: queue }),
      // The CLI's main thread must stay free to answer Ctrl-C: runs go to worker threads.
      threads: io.onInterrupt !== undefined,
      onLock: (l) => {
        lock = l;
      },
      onProgress:
        progress === null
          ? undefined
          : // On the queue every run is queued at once: the workers seen say more than a run's name.
            (done, total, label) => progress.report(done, total, queue === null ? label : `${queue.workersSeen} workers seen`),
      onNote: (line) => {
        if (!job.quiet) {
          const wasActive = progress?.active === true;
          progress?.stop();
          io.stderr(`${line}\n`);
          if (wasActive) progress?.resume();
        }
      },
    });
  } catch (e) {
    if (e instanceof SweepFileError) throw new UsageError(e.message);
    // A run the queue could not give back (a refusing worker, a crash): one line, exit 2.
    if (queue !== null && e instanceof Error && e.name === 'QueueError') throw new UsageError(e.message);
    throw e;
  } finally {
    await queue?.close();
    unregister?.();
    progress?.stop();
  }
  let plots: string[] = [];
  if (job.plot) {
    try {
      plots = await writePlots(dir, outcome.summary);
    } catch (e) {
      if (e instanceof SweepFileError) throw new UsageError(e.message);
      throw e;
    }
  }
  if (!job.quiet) {
    io.stdout(formatSummaryText(outcome.summary, job.out));
    const total = outcome.executed + outcome.reused;
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    io.stderr(
      `smpsim: sweep: ${total} runs (${ranText(outcome.executed, queue?.foundFinished ?? 0)}, ${outcome.reused} reused${outcome.corrupt > 0 ? `, ${outcome.corrupt} corrupt files recomputed` : ''}) ${queue === null ? `with --jobs ${jobs}` : `on ${queue.display} (${queue.workersSeen} workers)`} in ${secs}s; ` +
        `summary in ${path.join(job.out, 'summary.json')} and summary.csv${plots.length > 0 ? `; report in ${path.join(job.out, 'report.html')}` : ''}\n`,
    );
  }
  return EXIT.OK;
}
