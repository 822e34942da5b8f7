/**
 * `smpsim run <scenario>`: load (with --set, --seed, --vary), run, report.
 *
 * Everything that can be wrong with the input is checked before the first run starts:
 * --set and --vary syntax, the --out directory, and every variant's scenario. A failed
 * check writes nothing (not even --out).
 */
import { Command, Option } from 'commander';
import { SimulationAborted } from '../engine/sim.js';
import { COST_KEYS } from '../kernel/costs.js';
import { VERSION_SETTING_FIELDS, VERSION_SETTING_KEYS, versionLabel, type VersionSettingKey } from '../kernel/versions.js';
import { PRESETS, canonicalPreset } from '../kernel/presets.js';
import { costUncertainty, sourcedUncertainty, type InputRange } from '../kernel/uncertainty.js';
import { runScenario } from '../model/run.js';
import { bottleneckOf } from '../report/bottleneck.js';
import { opMeaning } from '../report/ops.js';
import { warmupNotReached, type Result } from '../report/result.js';
import { formatTextReport } from '../report/text.js';
import { renderTable } from '../report/format.js';
import { ScenarioError, checkSetOptions, loadScenario } from '../scenario/load.js';
import { OVERRIDE_SOURCE } from '../scenario/resolve.js';
import { scenarioFileYaml } from '../scenario/unresolve.js';
import type { Problem } from '../scenario/errors.js';
import type { ResolvedScenario } from '../scenario/schema.js';
import { STDOUT_ARG, UsageError, checkOutputPath, inputPath, writeFileAtomic, type CliIo } from './io.js';
import type { TraceOptionValues, TraceSpec } from './trace.js';
import { scenarioPath } from './scenario-path.js';
import { addLimitOptions, checkMemoryBudget, parseLimitOptions, type LimitOptionValues, type RunLimits } from './limits.js';
import { Progress } from './progress.js';
import type { LatencyCollector } from '../report/latency-collector.js';
import { expandVary, parseVariant, variedPaths, type Variant } from './vary.js';

export const FORMATS = ['text', 'json', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

export interface RunJob {
  /** The scenario file as given (a path, or the name of a bundled scenario). */
  scenario: string;
  set: string[];
  seed?: number;
  vary: string[];
  /** --variant: explicit columns, each several `path=value` settings (src/cli/vary.ts). */
  variants?: string[];
  format: Format;
  out?: string;
  verbose: boolean;
  quiet: boolean;
  /** --trace FILE [--trace-window] [--trace-limit]: write the run's timeline (docs/TRACE.md). */
  trace?: TraceSpec;
  /** --max-events, --max-wall: the runaway guards of each run. */
  limits?: RunLimits;
  /** --html FILE: also write the run's HTML report (src/report/run-html.ts). */
  html?: string;
}

/** --seed: a non-negative safe integer. */
export function parseSeed(text: string): number {
  const t = text.trim();
  if (!/^\d+$/.test(t) || !Number.isSafeInteger(Number(t))) {
    throw new UsageError(`--seed: expected an integer 0..${Number.MAX_SAFE_INTEGER}, got ${JSON.stringify(text)}`);
  }
  return Number(t);
}

const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

/**
 * The --trace options, checked (src/cli/trace.ts); undefined without them. The trace code
 * is imported only when one of them is given: most runs are not traced (issue 24).
 */
async function traceOptions(o: TraceOptionValues): Promise<TraceSpec | undefined> {
  if (o.trace === undefined && o.traceWindow === undefined && o.traceLimit === undefined) return undefined;
  return (await import('./trace.js')).parseTraceOptions(o);
}

export function registerRun(program: Command, io: CliIo, setExit: (code: number) => void): void {
  addLimitOptions(
    program
      .command('run')
      .description('run a scenario and report (perf-stat-like text, JSON or CSV)')
      .argument('<scenario>', 'scenario file (YAML or JSON), the name of a bundled scenario (see `smpsim list`), or a result/baseline file to re-run')
      .option('--set <path=value>', 'override a scenario field, e.g. --set machine.cpus=8 (repeatable)', collect)
      .option('--seed <n>', 'override the scenario seed (an integer >= 0)')
      .option('--vary <path=v1,v2>', 'run once per value, side by side; repeat for a cartesian product', collect)
      .option(
        '--variant <settings>',
        "one column with several settings, e.g. --variant 'kernel.strategy=vmap kernel.vmalloc_flush_on_map=false' (repeatable: a column each, in order; crossed with --vary)",
        collect,
      )
      .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('text'))
      .option('--out <file>', 'write the output to FILE instead of stdout (a regular file is replaced atomically; - is stdout)')
      .option('--verbose', 'first print the resolved scenario (YAML) and the cost table')
      .addOption(new Option('--quiet', 'print nothing but errors (--out is still written)').conflicts('verbose'))
      .option('--trace <file>', 'write a timeline of the run: Chrome trace JSON for ui.perfetto.dev (docs/TRACE.md); - is stdout')
      .option('--trace-window <start:end>', 'with --trace: keep only this span of simulated time, e.g. 1ms:2ms')
      .option('--trace-limit <n>', 'with --trace: at most N events (default 1000000)')
      .option('--html <file>', 'also write an HTML report of the run: charts, lock_stat, counters, scenario (offline, self-contained)'),
  ).action(
    async (
      scenario: string,
      opts: { set?: string[]; seed?: string; vary?: string[]; variant?: string[]; format: Format; out?: string; verbose?: boolean; quiet?: boolean; trace?: string; traceWindow?: string; traceLimit?: string; html?: string } & LimitOptionValues,
    ) => {
      setExit(
        await executeRun(
          {
            scenario,
            set: opts.set ?? [],
            seed: opts.seed === undefined ? undefined : parseSeed(opts.seed),
            vary: opts.vary ?? [],
            variants: opts.variant ?? [],
            format: opts.format,
            out: opts.out,
            verbose: opts.verbose === true,
            quiet: opts.quiet === true,
            trace: await traceOptions(opts),
            limits: parseLimitOptions(opts),
            html: opts.html,
          },
          io,
        ),
      );
    },
  );
}

export { scenarioPath } from './scenario-path.js';

/** Problems in a variant's --vary values come from `--set` inside loadScenario: say --vary. */
function blameVary(err: ScenarioError, varyPaths: string[], variantPaths: string[] = []): ScenarioError {
  const hits = (at: string, paths: string[]) => paths.some((v) => at === v || at.startsWith(`${v}.`) || v.startsWith(`${at}.`));
  const problems = err.problems.map((p): Problem => {
    const at = p.path.map(String).join('.');
    if (p.source !== '--set') return p;
    if (hits(at, variantPaths)) return { ...p, source: '--variant' };
    return hits(at, varyPaths) ? { ...p, source: '--vary' } : p;
  });
  return new ScenarioError(problems);
}

interface LoadedVariant {
  variant: Variant;
  scenario: ResolvedScenario;
}

/** Resolve every variant before running any. */
function loadVariants(io: CliIo, job: RunJob): { loaded: LoadedVariant[]; varied: string[] } {
  // --set syntax first: a typo there should not wait for the file to be read.
  checkSetOptions(job.set);
  const { specs, variants } = expandVary(job.vary, { variants: job.variants });
  const explicit = (job.variants ?? []).map(parseVariant);
  const varied = variedPaths(specs, explicit);
  const variantPaths = variedPaths([], explicit);
  const file = scenarioPath(io, job.scenario);
  const loaded: LoadedVariant[] = [];
  const problems: Problem[] = [];
  for (const variant of variants) {
    try {
      loaded.push({ variant, scenario: loadScenario(file, { set: [...job.set, ...variant.sets], seed: job.seed }) });
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      problems.push(...blameVary(e, specs.map((s) => s.path), variantPaths).problems);
      // A problem in the file itself repeats for every variant: report it once.
      if (!e.problems.some((p) => p.source === '--set')) break;
    }
  }
  if (problems.length > 0) throw new ScenarioError(problems);
  checkMemoryBudget(loaded.map((l) => ({ label: loaded.length > 1 ? `variant ${l.variant.assignment}` : '', scenario: l.scenario })), job.limits);
  return { loaded, varied };
}

/**
 * --verbose: the resolved scenario as YAML, the settings kernel.version decides (each
 * value, and whether it came from the version's table or from the file), the cost table
 * and the machine preset, with sources.
 */
export function formatVerbose(s: ResolvedScenario, heading: string): string {
  // Quality and range of each value (issue 21, docs/ROBUSTNESS.md): what smpsim robustness samples.
  const rows: string[][] = [['key', 'value', 'unit', 'quality', 'range', 'source']];
  const rangeOf = (r: InputRange) => `${Number(r.lo.toPrecision(4))}..${Number(r.hi.toPrecision(4))}${r.scale === 'log' ? ' log' : ''}`;
  for (const k of COST_KEYS) {
    const declared = s.uncertain?.[`costs.${k}`];
    const u = costUncertainty(s.costs_preset, k, s.costs[k], s.costs_source[k]);
    const [quality, range] = declared !== undefined ? ['scenario', declared] : [u.quality, s.costs[k] > 0 ? rangeOf(u.range) : '-'];
    rows.push([k, String(s.costs[k]), 'ns', quality, range, s.costs_source[k]]);
  }
  // The machine preset also picks the shared memory bus (a rate, so not a cost key).
  const busPreset = PRESETS[canonicalPreset(s.machine.preset ?? s.costs_preset)].machine.memory_bandwidth_bytes_per_s;
  const busBps = s.machine.memory_bandwidth_bytes_per_s;
  const busDeclared = s.uncertain?.['machine.memory_bandwidth'];
  const bus = busBps === busPreset.value ? sourcedUncertainty(busBps, busPreset.source) : null;
  rows.push([
    'machine.memory_bandwidth',
    String(busBps),
    'B/s',
    busDeclared !== undefined ? 'scenario' : (bus?.quality ?? '-'),
    busDeclared ?? (bus === null ? '-' : rangeOf(bus.range)),
    busBps === busPreset.value ? busPreset.source : 'scenario setting',
  ]);
  const vrows: string[][] = [['setting', 'value', 'from', 'source']];
  for (const k of VERSION_SETTING_KEYS) {
    const src = s.version_source[k];
    const fromFile = src === OVERRIDE_SOURCE;
    vrows.push([VERSION_SETTING_FIELDS[k], String(versionSettingValue(s, k)), fromFile ? 'scenario' : 'version', fromFile ? '' : src.replace(/^kernel\.version [^:]*: /, '')]);
  }
  const costName = canonicalPreset(s.costs_preset);
  const alias = costName === s.costs_preset ? '' : ` = ${costName}`;
  // As a scenario file (issue 15): it validates and re-runs; the settings kernel.version
  // decides and the costs print once, as the tables below.
  return (
    scenarioFileYaml(s, [`${heading}: every default filled, as a scenario file (smpsim validate and smpsim run read it)`, 'the settings kernel.version decides and the costs: see the tables below']) +
    `\n# settings from kernel.version ${versionLabel(s.kernel.version)} (from: version = its default, scenario = set by the file or --set)\n` +
    renderTable(vrows, ['l', 'l', 'l', 'l']).join('\n') +
    `\n\n# cost table (preset ${s.costs_preset}${alias}: ${PRESETS[costName].title})\n` +
    renderTable(rows, ['l', 'r', 'l', 'l', 'l', 'l']).join('\n') +
    '\n\n' +
    formatMachinePreset(s)
  );
}

/** The resolved value of a version-dependent setting. */
function versionSettingValue(s: ResolvedScenario, k: VersionSettingKey): string | number | boolean {
  switch (k) {
    case 'spinlock':
      return s.machine.spinlock;
    case 'costs_preset':
      return s.costs_preset;
    default:
      return s.kernel[k];
  }
}

/** The machine preset behind the scenario (machine.preset, else the cost preset's machine). */
function formatMachinePreset(s: ResolvedScenario): string {
  const name = canonicalPreset(s.machine.preset ?? s.costs_preset);
  const d = PRESETS[name].machine;
  const used = s.machine.preset === null ? ' (described only: machine.preset is not set, so it filled no defaults)' : '';
  const rows: string[][] = [['field', 'preset value', 'source']];
  rows.push(['cpus', String(d.cpus.value), d.cpus.source]);
  rows.push(['cores per package', String(d.cores_per_package.value), d.cores_per_package.source]);
  rows.push(['clock', `${d.clock_mhz.value} MHz`, d.clock_mhz.source]);
  rows.push(['memory bandwidth', `${(d.memory_bandwidth_bytes_per_s.value / 1e6).toFixed(0)} MB/s`, d.memory_bandwidth_bytes_per_s.source]);
  rows.push(['pae', String(d.pae.value), d.pae.source]);
  rows.push(['lowmem', `${d.lowmem_bytes.value / 2 ** 20} MiB`, d.lowmem_bytes.source]);
  rows.push(['highmem', `${d.highmem_bytes.value / 2 ** 20} MiB`, d.highmem_bytes.source]);
  rows.push(['invlpgb', String(d.invlpgb.value), d.invlpgb.source]);
  return `# machine preset ${name}${used}\n` + renderTable(rows, ['l', 'r', 'l']).join('\n') + '\n\n';
}

/** Several columns: --vary or --variant given. */
function isVaried(job: RunJob): boolean {
  return job.vary.length > 0 || (job.variants ?? []).length > 0;
}

/** The report; the CSV and --vary table code is imported only for them (start-up, issue 24). */
async function formatOutput(job: RunJob, runs: Array<{ variant: Variant; result: Result }>, varied: string[]): Promise<string> {
  const vary = isVaried(job);
  switch (job.format) {
    case 'json':
      return `${JSON.stringify(vary ? runs.map((r) => r.result) : runs[0]!.result, null, 2)}\n`;
    case 'csv':
      return (await import('../report/csv.js')).formatCsv(runs.map((r) => ({ values: r.variant.values, result: r.result })));
    case 'text': {
      if (!vary) return formatTextReport(runs[0]!.result);
      const first = runs[0]!.result;
      const seed = job.seed !== undefined ? `seed ${job.seed}` : `seed ${first.seed}`;
      const per = (job.variants ?? []).length > 0 ? `--variant (${varied.join(', ')})${job.vary.length > 0 ? ` × --vary ${job.vary.map((v) => v.slice(0, v.indexOf('='))).join(' × ')}` : ''}` : `--vary ${varied.join(' × ')}`;
      const title = ` scenario '${first.scenario.name}' (${seed}), one column per ${per}:\n (${opMeaning(first.scenario.workload)})`;
      return (await import('../report/compare.js')).formatVaryTable(
        title,
        runs.map((r) => ({ label: r.variant.label, result: r.result, bottleneck: bottleneckOf(r.result) })),
      );
    }
  }
}

/** Load, run and report; returns the exit code. Throws the errors main() classifies. */
export async function executeRun(job: RunJob, io: CliIo): Promise<number> {
  // Only a traced run, or one with --html, loads their code (start-up, issue 24).
  const traceCli = job.trace === undefined ? undefined : await import('./trace.js');
  const htmlCli = job.html === undefined ? undefined : await import('./run-html.js');
  if (job.out !== undefined) checkOutputPath(io, job.out);
  if (job.trace !== undefined) {
    traceCli!.checkTracePath(io, job.trace);
    // One stream cannot carry two documents.
    if (job.trace.file === STDOUT_ARG && (job.out === undefined ? !job.quiet : job.out === STDOUT_ARG)) {
      throw new UsageError('--trace -: standard output already carries the report; write the report elsewhere with --out FILE, or add --quiet');
    }
  }
  const { loaded, varied } = loadVariants(io, job);
  if (job.html !== undefined) htmlCli!.checkHtmlOption(io, job.html, loaded.length);
  if (job.trace !== undefined && loaded.length > 1) {
    throw new UsageError('--trace: traces a single run, so it cannot be combined with --vary or --variant (choose the variant with --set)');
  }

  // `replications` is for studies and checks; say so rather than ignore it silently.
  const reps = Math.max(...loaded.map((l) => l.scenario.replications));
  if (reps > 1 && !job.quiet) {
    io.stderr(
      `smpsim: note: the scenario asks for ${reps} replications; run does one per variant (replication 0, the scenario's seed). ` +
        `For replicated statistics use: smpsim sweep ${job.scenario} --out DIR (or smpsim baseline/check)\n`,
    );
  }

  // Verbose output goes to stdout unless stdout carries JSON/CSV, then to stderr.
  const stdoutFree = job.trace?.file !== STDOUT_ARG && (job.format === 'text' || (job.out !== undefined && job.out !== STDOUT_ARG));
  const verboseSink = stdoutFree ? io.stdout : io.stderr;
  if (job.verbose) {
    for (const { variant, scenario } of loaded) {
      const heading =
        loaded.length > 1 ? `resolved scenario, variant ${variant.assignment}` : 'resolved scenario';
      verboseSink(formatVerbose(scenario, heading));
    }
  }

  const progress = Progress.create(io, loaded.length, job.quiet);
  let latency: LatencyCollector | undefined;
  const runs: Array<{ variant: Variant; result: Result }> = [];
  try {
    for (const [i, { variant, scenario }] of loaded.entries()) {
      progress.update(i, 0, variant.label);
      let result: Result;
      const trace = job.trace === undefined ? null : traceCli!.TraceSession.open(io, job.trace, scenario);
      if (job.html !== undefined) latency = htmlCli!.latencyCollector(scenario);
      try {
        result = runScenario(scenario, { onProgress: (f) => progress.update(i, f, variant.label), trace: trace?.tracer, limits: job.limits, onOpSample: latency?.add });
      } catch (e) {
        if (trace !== null) {
          progress.stop();
          trace.close(io, job.quiet, e);
        }
        if (e instanceof SimulationAborted && loaded.length > 1) {
          throw new SimulationAborted(e.reason, `${e.message} (variant ${variant.assignment})`, e.diagnosis);
        }
        throw e;
      }
      if (trace !== null) {
        progress.stop();
        trace.close(io, job.quiet, null);
      }
      runs.push({ variant, result });
      // Let the event loop breathe between runs (signals, the progress bar's timer).
      await Promise.resolve();
    }
  } finally {
    progress.stop();
  }

  // The single-run text report carries the warning itself; JSON/CSV and the --vary table
  // only the flag, so say it on stderr too.
  if (!job.quiet && (job.format !== 'text' || isVaried(job))) {
    for (const r of runs) {
      const missed = warmupNotReached(r.result);
      if (missed === undefined) continue;
      const which = isVaried(job) ? ` (variant ${r.variant.assignment})` : '';
      io.stderr(`smpsim: warning: ${missed.replace(/^run aborted: /, '')}${which}; measured from t=0 (warmup_reached: false)\n`);
    }
  }
  if (job.html !== undefined) await htmlCli!.writeRunHtml(io, job.html, runs[0]!.result, latency!);
  const text = await formatOutput(job, runs, varied);
  if (job.out !== undefined && job.out !== STDOUT_ARG) writeFileAtomic(io, job.out, text);
  else if (job.out === STDOUT_ARG || !job.quiet) io.stdout(text);
  return 0;
}
