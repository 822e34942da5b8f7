/**
 * The library API (`import { … } from 'smpsim'`, re-exported by src/index.ts): load a
 * scenario, run it, run a --vary sweep, check results against a baseline — with an
 * `onProgress` callback and an `AbortSignal` so other tools can embed smpsim. The
 * semver-stable surface is listed in docs/API.md.
 *
 * Runs are in-process and asynchronous: the simulation runs in slices of SLICE_EVENTS
 * events (src/model/run.ts runSteps) and yields to the event loop between slices, so a
 * timer, a UI or a signal handler can abort it. Results are the same as the CLI's
 * (byte-identical JSON for the same scenario and seed): slicing pauses between events only.
 */
import fs from 'node:fs';
import { bundledScenario } from './scenario/bundled.js';
import { readInputFile } from './input/read.js';
import { expandVary } from './cli/vary.js';
import { parseBaseline, type Baseline } from './check/baseline.js';
import { checkAgainstBaseline, type CompareOptions, type ScenarioCheck } from './check/compare.js';
import { combineFingerprints } from './engine/fingerprint.js';
import type { Limits } from './engine/sim.js';
import { checkMemory } from './scenario/memory.js';
import { runSteps } from './model/run.js';
import { runSeed } from './model/seeds.js';
import type { Result } from './report/result.js';
import { loadScenario as loadScenarioFile } from './scenario/load.js';
import type { ResolvedScenario } from './scenario/types.js';

/** Events per slice between two yields to the event loop (~20–50 ms of simulation). */
export const SLICE_EVENTS = 1 << 18;

/** The run was stopped through its AbortSignal. `reason` is the signal's reason. */
export class RunCancelledError extends Error {
  override readonly name = 'RunCancelledError';
  readonly code = 'ABORT_ERR';
  constructor(readonly reason: unknown) {
    super('smpsim: run cancelled (AbortSignal)');
  }
}

export interface LoadScenarioOptions {
  /** `path=value` overrides (the CLI's --set), applied in order after `extends`. */
  set?: readonly string[];
  /** Overrides the scenario's seed (the CLI's --seed). */
  seed?: number;
}

/**
 * A scenario file (YAML or JSON) → a resolved scenario; a bare name (`lkml-2000-4way`)
 * that is not a file names a bundled scenario. Throws ScenarioError (one line per problem).
 */
export function loadScenario(file: string, opts: LoadScenarioOptions = {}): ResolvedScenario {
  const path = fs.existsSync(file) ? file : (bundledScenario(file) ?? file);
  return loadScenarioFile(path, { set: opts.set === undefined ? undefined : [...opts.set], seed: opts.seed });
}

export interface RunHooks {
  /** Stops the run between two slices; the promise rejects with RunCancelledError. */
  signal?: AbortSignal;
  /** Called now and then with the fraction done (0..1). */
  onProgress?: (fraction: number) => void;
}

export interface RunScenarioOptions extends RunHooks {
  /** Compute the run's fingerprint into `result.fingerprint` (docs/CHECK.md). */
  fingerprint?: boolean;
  /**
   * Abort guards (maxEvents; wallMs applies per slice) and the memory budget (memoryBytes:
   * a run whose estimate exceeds it rejects with MemoryBudgetError before anything is built;
   * default: half the machine's memory, at most the JS heap limit). Defaults: generous.
   */
  limits?: Partial<Limits> & { memoryBytes?: number };
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new RunCancelledError(signal.reason);
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Run one scenario. Rejects with RunCancelledError when `signal` aborts, with
 * SimulationAborted when the model aborts (deadlock, an event or wall-time limit).
 */
export async function runScenario(scenario: ResolvedScenario, opts: RunScenarioOptions = {}): Promise<Result> {
  const { signal, onProgress } = opts;
  throwIfAborted(signal);
  const steps = runSteps(scenario, { onProgress, fingerprint: opts.fingerprint, limits: opts.limits }, SLICE_EVENTS);
  for (;;) {
    const r = steps.next();
    if (r.done === true) {
      onProgress?.(1);
      return r.value;
    }
    await nextTurn();
    throwIfAborted(signal);
  }
}

export interface SweepOptions extends LoadScenarioOptions {
  /**
   * What to vary: `{ 'machine.cpus': [1, 2, 4, 8] }`, or the CLI's --vary strings
   * (`'machine.cpus=1..8x2'`). Several paths combine as a cartesian product (the last
   * varies fastest), or pair up element by element with `zip`.
   */
  vary: Readonly<Record<string, ReadonlyArray<string | number>>> | readonly string[];
  zip?: boolean;
  signal?: AbortSignal;
  /** Called as runs progress: runs done, runs in all, the current run's label and fraction. */
  onProgress?: (done: number, total: number, label: string, fraction: number) => void;
}

export interface SweepRun {
  /** The values of this run, by path, as given. */
  values: Record<string, string>;
  /** The values joined by ", " (the CLI's column header). */
  label: string;
  scenario: ResolvedScenario;
  result: Result;
}

function varyStrings(vary: SweepOptions['vary']): string[] {
  if (Array.isArray(vary)) return [...(vary as readonly string[])];
  return Object.entries(vary as Record<string, ReadonlyArray<string | number>>).map(([p, values]) => `${p}=${values.map(String).join(',')}`);
}

/**
 * Run a scenario once per combination of values (what `smpsim run --vary` does), one run
 * after the other in this thread. Every variant is resolved before the first run, so a bad
 * value fails fast (ScenarioError).
 */
export async function runSweep(file: string, opts: SweepOptions): Promise<SweepRun[]> {
  const { specs, variants } = expandVary(varyStrings(opts.vary), { zip: opts.zip === true });
  const loaded = variants.map((v) => ({ v, scenario: loadScenario(file, { set: [...(opts.set ?? []), ...v.sets], seed: opts.seed }) }));
  // Every variant's memory estimate before the first run (MemoryBudgetError).
  for (const { scenario } of loaded) checkMemory(scenario);
  const out: SweepRun[] = [];
  for (const [i, { v, scenario }] of loaded.entries()) {
    opts.onProgress?.(i, loaded.length, v.label, 0);
    const result = await runScenario(scenario, {
      signal: opts.signal,
      onProgress: (f) => opts.onProgress?.(i, loaded.length, v.label, f),
    });
    const values: Record<string, string> = {};
    v.sets.forEach((s, k) => (values[specs[k]!.path] = s.slice(specs[k]!.path.length + 1)));
    out.push({ values, label: v.label, scenario, result });
  }
  opts.onProgress?.(loaded.length, loaded.length, '', 1);
  return out;
}

export interface CheckBaselineOptions extends RunHooks {
  /** Significance level of the Welch tests (replicated baselines). Default 0.01. */
  alpha?: number;
}

/**
 * Run a scenario as its baseline was recorded (the same replications, fingerprinted) and
 * compare (docs/CHECK.md): what `smpsim check` does for one scenario. `baseline` is a
 * baseline file or its parsed contents.
 */
export async function checkBaseline(scenario: ResolvedScenario, baseline: string | Baseline, opts: CheckBaselineOptions = {}): Promise<ScenarioCheck> {
  let b: Baseline;
  let baselineFile = '(in memory)';
  if (typeof baseline === 'string') {
    const parsed = parseBaseline(readInputFile(baseline), baseline);
    if (!parsed.ok) throw new Error(parsed.problem);
    b = parsed.value;
    baselineFile = baseline;
  } else b = baseline;
  const start = performance.now();
  const results: Result[] = [];
  for (let rep = 0; rep < b.replications; rep++) {
    const seed = runSeed(scenario.seed, rep);
    results.push(
      await runScenario(seed === scenario.seed ? scenario : { ...scenario, seed }, {
        fingerprint: true,
        signal: opts.signal,
        onProgress: opts.onProgress === undefined ? undefined : (f) => opts.onProgress!((rep + f) / b.replications),
      }),
    );
  }
  const fingerprints = results.map((r) => r.fingerprint!);
  const compare: CompareOptions = { alpha: opts.alpha ?? 0.01 };
  return checkAgainstBaseline(
    { name: scenario.name, file: scenario.name, baselineFile },
    b,
    scenario,
    { results, fingerprint: combineFingerprints(fingerprints), fingerprints, wallMs: performance.now() - start },
    compare,
  );
}
