/**
 * `smpsim check <scenario|dir…> --baseline DIR`: run each scenario (with its baseline's
 * replications) and compare with its baseline (src/check/compare.ts): equal fingerprints
 * pass; otherwise each metric is held to its tolerance, or to a Welch t-test when the
 * baseline has replications. Exit 0 pass, 1 a regression, 2 bad input (a missing or
 * corrupt baseline among them), 3 a run aborted. `--update` rewrites the baselines.
 *
 * Also the input handling `smpsim baseline` shares: scenario arguments (files, folders,
 * bundled names), --metric, --tolerance, atomic writes. Docs: docs/CHECK.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { InputFileError, readInputFile } from '../input/read.js';
import { SimulationAborted } from '../engine/sim.js';
import { UnitError } from '../engine/units.js';
import {
  baselineFileName,
  buildBaseline,
  formatBaseline,
  parseBaseline,
  sameBaseline,
  type Baseline,
} from '../check/baseline.js';
import { abortedCheck, checkAgainstBaseline, type ScenarioCheck } from '../check/compare.js';
import { DEFAULT_METRICS, expandPatterns, metricValues, patternProblem, patternRegex, suggestMetric } from '../check/metrics.js';
import { formatJson, formatJunit, formatText, makeReport } from '../check/report.js';
import { runReplications, type ScenarioRuns } from '../check/runs.js';
import { ScenarioError, checkSetOptions, loadScenario } from '../scenario/load.js';
import type { Problem } from '../scenario/errors.js';
import type { ResolvedScenario } from '../scenario/schema.js';
import { EXIT, UsageError, requireFolderName, checkOutputPath, firstLine, fsReason, inputPath, writeFileAtomic, type CliIo } from './io.js';
import { addLimitOptions, checkMemoryBudget, parseLimitOptions, type LimitOptionValues, type RunLimits } from './limits.js';
import { OutputError, makeDir } from '../files/output.js';
import { MANIFEST_NAME, OutputDir, OutputDirError } from '../files/manifest.js';
import { Progress } from './progress.js';
import { scenarioPath } from './run.js';

export const CHECK_FORMATS = ['text', 'json'] as const;
export type CheckFormat = (typeof CHECK_FORMATS)[number];

export const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

const SCENARIO_FILE = /\.(ya?ml|json)$/i;

/** A scenario to check: the file as the user named it, where to read it, its resolved form. */
export interface ScenarioInput {
  shown: string;
  scenario: ResolvedScenario;
}

/** Scenario arguments → files: a folder stands for its *.yaml, *.yml, *.json (sorted). */
function expandArgs(io: CliIo, args: readonly string[]): { files: Array<{ shown: string; file: string }>; problems: string[] } {
  const files: Array<{ shown: string; file: string }> = [];
  const problems: string[] = [];
  for (const arg of args) {
    const p = inputPath(io, arg);
    let isDir = false;
    try {
      isDir = fs.statSync(p).isDirectory();
    } catch {
      // not a folder: a file or a bundled name, loadScenario reports it
    }
    if (!isDir) {
      files.push({ shown: arg, file: scenarioPath(io, arg) });
      continue;
    }
    const names = fs
      .readdirSync(p)
      .filter((n) => SCENARIO_FILE.test(n))
      .sort();
    if (names.length === 0) problems.push(`${arg}: no scenario files (*.yaml, *.yml, *.json) in this folder`);
    for (const n of names) files.push({ shown: path.join(arg, n), file: path.join(p, n) });
  }
  return { files, problems };
}

/** Load every scenario before running any; all problems at once (exit 2). */
export function loadInputs(io: CliIo, args: readonly string[], set: readonly string[]): ScenarioInput[] {
  checkSetOptions(set);
  const { files, problems } = expandArgs(io, args);
  const lines = [...problems];
  const inputs: ScenarioInput[] = [];
  for (const f of files) {
    try {
      inputs.push({ shown: f.shown, scenario: loadScenario(f.file, { set: [...set] }) });
    } catch (e) {
      if (e instanceof ScenarioError) lines.push(...e.lines);
      else if (e instanceof UnitError) lines.push(`${f.shown}: ${firstLine(e.message)}`);
      else throw e;
    }
  }
  const byName = new Map<string, string>();
  for (const i of inputs) {
    const file = baselineFileName(i.scenario.name);
    const other = byName.get(file);
    if (other !== undefined) lines.push(`${i.shown}: scenario name "${i.scenario.name}" is also the name of ${other}: baselines are kept by name`);
    else byName.set(file, i.shown);
  }
  if (lines.length > 0) throw new UsageError([...new Set(lines)]);
  return inputs;
}

/** --metric patterns, checked; the default set when none. */
export function parseMetrics(list: readonly string[] | undefined): string[] | undefined {
  if (list === undefined || list.length === 0) return undefined;
  const problems = list.map((m) => patternProblem(m)).filter((p): p is string => p !== undefined);
  if (problems.length > 0) throw new UsageError(problems.map((p) => `--metric: ${p}`));
  return [...list];
}

/** "5%" or "0.05" → 0.05. */
function parseFraction(text: string): number | undefined {
  const t = text.trim();
  const pct = /^(\d+(?:\.\d+)?|\.\d+)\s*%$/.exec(t);
  if (pct !== null) return Number(pct[1]) / 100;
  if (/^(\d+(?:\.\d+)?|\.\d+)$/.test(t)) {
    const v = Number(t);
    return v <= 1 ? v : undefined;
  }
  return undefined;
}

/**
 * --tolerance: `5%` (every metric) or `metric=5%` (a metric or a `*` pattern), repeatable,
 * later ones winning. Returns the relative tolerance of a metric, or undefined.
 */
export function parseTolerances(list: readonly string[] | undefined): ((metric: string) => number | undefined) | undefined {
  if (list === undefined || list.length === 0) return undefined;
  const rules: Array<{ re: RegExp | null; value: number }> = [];
  const problems: string[] = [];
  for (const item of list) {
    const eq = item.lastIndexOf('=');
    const target = eq >= 0 ? item.slice(0, eq).trim() : null;
    const value = parseFraction(eq >= 0 ? item.slice(eq + 1) : item);
    const bad = target === null ? undefined : patternProblem(target);
    if (value === undefined) {
      problems.push(`--tolerance: expected a percentage like 5% or a fraction like 0.05 (optionally metric=5%), got ${JSON.stringify(item)}`);
    } else if (bad !== undefined) {
      problems.push(`--tolerance: ${bad}`);
    } else rules.push({ re: target === null ? null : patternRegex(target), value });
  }
  if (problems.length > 0) throw new UsageError(problems);
  return (metric) => {
    for (let i = rules.length - 1; i >= 0; i--) {
      const r = rules[i]!;
      if (r.re === null || r.re.test(metric)) return r.value;
    }
    return undefined;
  };
}

/** The metric names or patterns --tolerance rules name (`metric=5%`), in order. */
export function toleranceTargets(list: readonly string[] | undefined): string[] {
  const out: string[] = [];
  for (const item of list ?? []) {
    const eq = item.lastIndexOf('=');
    if (eq >= 0) out.push(item.slice(0, eq).trim());
  }
  return out;
}

/**
 * --tolerance rules whose metric (or pattern) names no metric of a result (issue 20: they
 * were accepted silently): one line each, naming the metrics there are.
 */
export function unknownToleranceTargets(list: readonly string[] | undefined, available: Iterable<string>, scenarioName: string): string[] {
  const all = [...available];
  const lines: string[] = [];
  for (const t of toleranceTargets(list)) {
    const re = patternRegex(t);
    if (all.some((n) => re.test(n))) continue;
    const hint = t.includes('*') ? undefined : suggestMetric(t, all);
    lines.push(
      `--tolerance ${t}: no such metric in the result of ${scenarioName}${hint === undefined ? '' : ` (did you mean ${hint}?)`}; the metrics are ${metricGroups(all)}`,
    );
  }
  return lines;
}

/** Metric names by their first part: `events, ops.*, locks.*, …` (one line, not 200 names). */
function metricGroups(all: readonly string[]): string {
  const groups = new Map<string, number>();
  for (const n of all) {
    const head = n.split('.')[0]!;
    groups.set(head, (groups.get(head) ?? 0) + 1);
  }
  return [...groups].map(([head, count]) => (count === 1 && all.includes(head) ? head : `${head}.*`)).join(', ');
}

export function parseAlpha(text: string): number {
  const v = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(v) || v <= 0 || v >= 1) {
    throw new UsageError(`--alpha: expected a significance level between 0 and 1 (exclusive), e.g. 0.01, got ${JSON.stringify(text)}`);
  }
  return v;
}

export function parseReplications(text: string): number {
  const t = text.trim();
  const v = Number(t);
  if (!/^\d+$/.test(t) || v < 1 || v > 10000) {
    throw new UsageError(`--replications: expected an integer 1..10000, got ${JSON.stringify(text)}`);
  }
  return v;
}

/** Atomic write whose error names the option it came from. */
export function writeAtomicFor(io: CliIo, flag: string, file: string, text: string): void {
  writeFileAtomic(io, file, text, flag);
}

/**
 * Write baseline files into their folder (issue 20, failure 2): only names that are absent
 * or smpsim's by the folder's manifest (src/files/manifest.ts), never through a link; a
 * non-empty folder with no manifest (not one smpsim wrote baselines into) only with --force.
 * Every file is checked before the first is written.
 */
export function writeBaselineFiles(
  flag: string,
  dirShown: string,
  dir: string,
  writes: ReadonlyArray<{ file: string; text: string }>,
  opts: { force: boolean; foreignFolderOk: boolean },
): void {
  const fail = (e: unknown): never => {
    if (e instanceof OutputDirError) throw new UsageError(`${flag}: ${firstLine(e.message)}`);
    throw e;
  };
  let out: OutputDir;
  try {
    out = OutputDir.open(dir);
    if (!opts.foreignFolderOk && !opts.force && !out.hasManifest && out.otherEntries().length > 0) {
      throw new UsageError(
        `${flag}: ${dirShown} is not empty and holds no baselines smpsim recorded (no ${MANIFEST_NAME}); smpsim writes into such a folder only with --force, and then replaces none of its files`,
      );
    }
    const refused = writes.map((w) => out.refusal(path.basename(w.file), w.text)).filter((r): r is string => r !== null);
    if (refused.length > 0) throw new UsageError(refused.map((r) => `${flag}: ${r}`));
    for (const w of writes) out.write(path.basename(w.file), w.text);
  } catch (e) {
    fail(e);
  }
}

/** A folder for baselines: it must exist, or be creatable when `create`. */
export function baselineDir(io: CliIo, flag: string, dir: string, create: boolean): string {
  requireFolderName(flag, dir);
  const abs = path.resolve(io.cwd, dir);
  try {
    const st = fs.statSync(abs);
    if (!st.isDirectory()) throw new UsageError(`${flag}: ${dir} is not a folder`);
    return abs;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if (!create) throw new UsageError(`${flag}: no baseline folder ${dir}: record baselines with smpsim baseline <scenario…> --out ${dir}`);
  }
  try {
    makeDir(abs);
  } catch (e) {
    throw new UsageError(`${flag}: cannot create folder ${dir}: ${e instanceof OutputError ? e.reason : fsReason(e)}`);
  }
  return abs;
}

/** Run a scenario's replications; an aborted run comes back as its message. */
export function runOrAbort(
  s: ResolvedScenario,
  replications: number,
  progress: Progress,
  firstIndex: number,
  limits?: RunLimits,
): { runs: ScenarioRuns } | { aborted: string; wallMs: number } {
  const start = performance.now();
  try {
    return { runs: runReplications(s, replications, (rep, f) => progress.update(firstIndex + rep, f, s.name), limits) };
  } catch (e) {
    if (!(e instanceof SimulationAborted)) throw e;
    return { aborted: firstLine(e.message), wallMs: performance.now() - start };
  }
}

export interface CheckJob {
  scenarios: string[];
  baseline: string;
  tolerance?: string[];
  metric?: string[];
  alpha: number;
  update: boolean;
  format: CheckFormat;
  junit?: string;
  set: string[];
  /** --max-events, --max-wall: the runaway guards of each run. */
  limits?: RunLimits;
}

interface Planned {
  input: ScenarioInput;
  file: string;
  shownFile: string;
  old: Baseline | undefined;
  only: string[] | undefined;
}

export async function executeCheck(job: CheckJob, io: CliIo): Promise<number> {
  const patterns = parseMetrics(job.metric);
  const relative = parseTolerances(job.tolerance);
  if (job.junit !== undefined) {
    checkOutputPath(io, job.junit, '--junit');
  }
  const inputs = loadInputs(io, job.scenarios, job.set);
  checkMemoryBudget(inputs.map((i) => ({ label: i.shown, scenario: i.scenario })), job.limits);
  const dir = baselineDir(io, '--baseline', job.baseline, job.update);

  // Every baseline is read (and every --metric checked against it) before any run.
  const problems: string[] = [];
  const planned: Planned[] = [];
  for (const input of inputs) {
    const name = input.scenario.name;
    const file = path.join(dir, baselineFileName(name));
    const shownFile = path.join(job.baseline, baselineFileName(name));
    let text: string | undefined;
    try {
      text = readInputFile(file);
    } catch (e) {
      const why = e instanceof InputFileError ? (e.code === 'missing' ? 'no such file or directory' : e.message) : fsReason(e);
      if (why !== 'no such file or directory') problems.push(`${shownFile}: cannot read baseline: ${why}`);
      else if (!job.update) problems.push(`no baseline for ${name}: run smpsim baseline ${input.shown} --out ${job.baseline} (expected ${shownFile})`);
    }
    let old: Baseline | undefined;
    if (text !== undefined) {
      const parsed = parseBaseline(text, shownFile);
      if (!parsed.ok) {
        if (job.update) io.stderr(`note: ${parsed.problem}; --update records it anew\n`);
        else problems.push(parsed.problem);
      } else if (parsed.value.name !== name) {
        const msg = `${shownFile}: baseline of scenario "${parsed.value.name}", not of "${name}"`;
        if (job.update) io.stderr(`note: ${msg}; --update records it anew\n`);
        else problems.push(msg);
      } else old = parsed.value;
    }
    let only: string[] | undefined;
    if (patterns !== undefined && old !== undefined && !job.update) {
      const { names, unknown } = expandPatterns(patterns, Object.keys(old.metrics));
      const none = patterns.filter((p) => p.includes('*') && !names.some((n) => patternRegex(p).test(n)));
      for (const u of [...unknown, ...none]) {
        const hint = suggestMetric(u, Object.keys(old.metrics));
        problems.push(
          `--metric ${u}: not in ${shownFile}${hint === undefined ? '' : ` (did you mean ${hint}?)`}; record it with smpsim baseline ${input.shown} --metric ${u}`,
        );
      }
      only = names;
    }
    planned.push({ input, file, shownFile, old, only });
  }
  if (problems.length > 0) throw new UsageError(problems);

  const reps = planned.map((p) => p.old?.replications ?? p.input.scenario.replications);
  const progress = new Progress(io, reps.reduce((a, b) => a + b, 0));
  const checks: ScenarioCheck[] = [];
  const updated: string[] = [];
  const unknownMetrics: string[] = [];
  const writes: Array<{ file: string; shown: string; text: string }> = [];
  let index = 0;
  try {
    for (const [i, p] of planned.entries()) {
      const s = p.input.scenario;
      const names = { name: s.name, file: p.input.shown, baselineFile: p.shownFile };
      const r = runOrAbort(s, reps[i]!, progress, index, job.limits);
      index += reps[i]!;
      await Promise.resolve();
      if ('aborted' in r) {
        if (p.old !== undefined) checks.push(abortedCheck(names, p.old, s, r.aborted, r.wallMs));
        else checks.push(createdCheck(names, null, reps[i]!, r.wallMs, r.aborted));
        continue;
      }
      unknownMetrics.push(...unknownToleranceTargets(job.tolerance, metricValues(r.runs.results[0]!).keys(), s.name));
      if (p.old !== undefined) checks.push(checkAgainstBaseline(names, p.old, s, r.runs, { alpha: job.alpha, relative, only: p.only }));
      else checks.push(createdCheck(names, r.runs.fingerprint, reps[i]!, r.runs.wallMs));
      if (job.update) {
        const keep = p.old === undefined ? undefined : Object.fromEntries(Object.entries(p.old.metrics).map(([k, m]) => [k, m.tolerance]));
        const { baseline, unknown } = buildBaseline(s, r.runs.results, r.runs.fingerprint, r.runs.fingerprints, {
          patterns: patterns ?? p.old?.metric_patterns ?? DEFAULT_METRICS,
          relative,
          keep,
        });
        for (const u of unknown) unknownMetrics.push(`--metric ${u}: no such metric in the result of ${s.name}`);
        if (p.old === undefined || !sameBaseline(p.old, baseline)) writes.push({ file: p.file, shown: p.shownFile, text: formatBaseline(baseline) });
      }
    }
  } finally {
    progress.stop();
  }
  if (unknownMetrics.length > 0) throw new UsageError(unknownMetrics);
  writeBaselineFiles('--update', job.baseline, dir, writes, { force: false, foreignFolderOk: true });
  for (const w of writes) updated.push(w.shown);

  const report = makeReport(checks, job.alpha, job.baseline, updated);
  io.stdout(job.format === 'json' ? formatJson(report) : formatText(report));
  if (job.junit !== undefined) writeAtomicFor(io, '--junit', job.junit, formatJunit(report));
  if (report.errors > 0) return EXIT.ABORTED;
  if (report.failed > 0 && !job.update) return EXIT.CHECK_FAILED;
  return EXIT.OK;
}

/** --update of a scenario that had no baseline: recorded now, nothing to compare. */
function createdCheck(
  names: { name: string; file: string; baselineFile: string },
  fingerprint: string | null,
  replications: number,
  wallMs: number,
  aborted?: string,
): ScenarioCheck {
  return {
    name: names.name,
    file: names.file,
    baseline_file: names.baselineFile,
    replications,
    fingerprint: { baseline: '', now: fingerprint, equal: false },
    verdict: aborted === undefined ? 'pass' : 'error',
    ...(aborted === undefined ? {} : { error: aborted }),
    created: aborted === undefined,
    metrics: [],
    scenario_changes: [],
    wall_ms: Math.round(wallMs),
  };
}

export function registerCheck(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const cmd = program
    .command('check')
    .description('run scenarios and compare them with their baselines: exit 0 pass, 1 regression, 2 bad input, 3 aborted')
    .argument('<scenario...>', 'scenario files, folders of them, or names of bundled scenarios')
    .option('--baseline <dir>', 'the folder of baseline files (<scenario-name>.json)', 'baselines')
    .option('--tolerance <t>', 'relative tolerance for every metric (5%) or one (metric=5%); repeatable; overrides the baseline file', collect)
    .option('--metric <name>', 'compare only this metric (a name or a * pattern; repeatable)', collect)
    .option('--alpha <a>', 'significance level of the Welch t-test (baselines with replications)', '0.01')
    .option('--update', 'rewrite the baselines from these runs (atomically), deliberately; exit 0')
    .addOption(new Option('--format <format>', 'output format').choices(CHECK_FORMATS).default('text'))
    .option('--junit <file>', 'also write a JUnit XML report to FILE (atomically)')
    .option('--set <path=value>', 'override a scenario field for these runs (repeatable)', collect);
  addLimitOptions(cmd).action(
    async (
      scenarios: string[],
      opts: { baseline: string; tolerance?: string[]; metric?: string[]; alpha: string; update?: boolean; format: CheckFormat; junit?: string; set?: string[] } & LimitOptionValues,
    ) => {
      setExit(
        await executeCheck(
          {
            scenarios,
            baseline: opts.baseline,
            tolerance: opts.tolerance,
            metric: opts.metric,
            alpha: parseAlpha(opts.alpha),
            update: opts.update === true,
            format: opts.format,
            junit: opts.junit,
            set: opts.set ?? [],
            limits: parseLimitOptions(opts),
          },
          io,
        ),
      );
    },
  );
}
