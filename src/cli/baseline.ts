/**
 * `smpsim baseline <scenario|dir…> --out DIR`: run each scenario (`--replications R`
 * times, with derived seeds) and record `DIR/<scenario-name>.json` atomically: the
 * fingerprint, the chosen metrics with their tolerances, the smpsim version and the
 * resolved scenario (src/check/baseline.ts). `smpsim check` compares against these.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { baselineFileName, buildBaseline, formatBaseline } from '../check/baseline.js';
import { DEFAULT_METRICS, suggestMetric } from '../check/metrics.js';
import { metricValues } from '../check/metrics.js';
import { EXIT, UsageError, type CliIo } from './io.js';
import {
  baselineDir,
  collect,
  loadInputs,
  parseMetrics,
  parseReplications,
  parseTolerances,
  runOrAbort,
  writeBaselineFiles,
  unknownToleranceTargets,
} from './check.js';
import { addLimitOptions, checkMemoryBudget, parseLimitOptions, type LimitOptionValues, type RunLimits } from './limits.js';
import { Progress } from './progress.js';

export interface BaselineJob {
  scenarios: string[];
  out: string;
  /** Write into a non-empty folder smpsim did not record baselines into (replacing none of its files). */
  force?: boolean;
  replications?: number;
  metric?: string[];
  tolerance?: string[];
  set: string[];
  quiet: boolean;
  /** --max-events, --max-wall: the runaway guards of each run. */
  limits?: RunLimits;
}

export async function executeBaseline(job: BaselineJob, io: CliIo): Promise<number> {
  const patterns = parseMetrics(job.metric) ?? [...DEFAULT_METRICS];
  const relative = parseTolerances(job.tolerance);
  const inputs = loadInputs(io, job.scenarios, job.set);
  checkMemoryBudget(inputs.map((i) => ({ label: i.shown, scenario: i.scenario })), job.limits);
  const dir = baselineDir(io, '--out', job.out, true);

  const reps = inputs.map((i) => job.replications ?? i.scenario.replications);
  const progress = Progress.create(io, reps.reduce((a, b) => a + b, 0), job.quiet);
  const writes: Array<{ file: string; shown: string; text: string; note: string }> = [];
  const unknown: string[] = [];
  const aborted: string[] = [];
  let index = 0;
  try {
    for (const [i, input] of inputs.entries()) {
      const s = input.scenario;
      const r = runOrAbort(s, reps[i]!, progress, index, job.limits);
      index += reps[i]!;
      await Promise.resolve();
      if ('aborted' in r) {
        aborted.push(`${input.shown}: ${r.aborted}; no baseline written for ${s.name}`);
        continue;
      }
      const built = buildBaseline(s, r.runs.results, r.runs.fingerprint, r.runs.fingerprints, { patterns, relative });
      for (const u of built.unknown) {
        const hint = suggestMetric(u, metricValues(r.runs.results[0]!).keys());
        unknown.push(`--metric ${u}: no such metric in the result of ${s.name}${hint === undefined ? '' : ` (did you mean ${hint}?)`}`);
      }
      unknown.push(...unknownToleranceTargets(job.tolerance, metricValues(r.runs.results[0]!).keys(), s.name));
      const name = baselineFileName(s.name);
      const runs = reps[i] === 1 ? '1 run' : `${reps[i]} replications`;
      writes.push({
        file: path.join(dir, name),
        shown: path.join(job.out, name),
        text: formatBaseline(built.baseline),
        note: `fingerprint ${built.baseline.fingerprint}, ${runs}, ${Object.keys(built.baseline.metrics).length} metrics, ${(r.runs.wallMs / 1000).toFixed(1)} s`,
      });
    }
  } finally {
    progress.stop();
  }
  // A --metric that names nothing is bad input: nothing is written.
  if (unknown.length > 0) throw new UsageError([...new Set(unknown)]);
  writeBaselineFiles('--out', job.out, dir, writes, { force: job.force === true, foreignFolderOk: false });
  if (!job.quiet) for (const w of writes) io.stdout(`wrote ${w.shown} (${w.note})\n`);
  if (aborted.length > 0) {
    io.stderr(`${aborted.map((a) => `smpsim: ${a}`).join('\n')}\n`);
    return EXIT.ABORTED;
  }
  return EXIT.OK;
}

export function registerBaseline(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const cmd = program
    .command('baseline')
    .description('run scenarios and record their baselines (fingerprint, metrics, tolerances) for smpsim check')
    .argument('<scenario...>', 'scenario files, folders of them, or names of bundled scenarios')
    .option('--out <dir>', 'the folder to write <scenario-name>.json into (created if missing)', 'baselines')
    .option('--replications <n>', "runs per scenario with derived seeds (default: the scenario's replications, 1)")
    .option('--metric <name>', 'record this metric instead of the default set (a name or a * pattern; repeatable)', collect)
    .option('--tolerance <t>', 'relative tolerance to record for every metric (5%) or one (metric=5%); repeatable', collect)
    .option('--set <path=value>', 'override a scenario field (repeatable)', collect)
    .option('--force', 'write into a non-empty folder that holds no baselines of smpsim (its files are never replaced)')
    .option('--quiet', 'print nothing but errors');
  addLimitOptions(cmd).action(
    async (
      scenarios: string[],
      opts: { out: string; force?: boolean; replications?: string; metric?: string[]; tolerance?: string[]; set?: string[]; quiet?: boolean } & LimitOptionValues,
    ) => {
      setExit(
        await executeBaseline(
          {
            scenarios,
            out: opts.out,
            force: opts.force === true,
            replications: opts.replications === undefined ? undefined : parseReplications(opts.replications),
            metric: opts.metric,
            tolerance: opts.tolerance,
            set: opts.set ?? [],
            quiet: opts.quiet === true,
            limits: parseLimitOptions(opts),
          },
          io,
        ),
      );
    },
  );
}
