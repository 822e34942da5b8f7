/**
 * The runs behind a baseline or a check: `replications` fingerprinted runs of a scenario,
 * replication r with seed runSeed(scenario seed, r) — so replication 0 is the scenario's
 * own run, the same as `smpsim run`.
 */
import { combineFingerprints } from '../engine/fingerprint.js';
import { SimulationAborted } from '../engine/sim.js';
import { runScenario, warmupNotReached, type RunLimits } from '../model/run.js';
import { runSeed } from '../model/seeds.js';
import type { Result } from '../report/result.js';
import type { ResolvedScenario } from '../scenario/schema.js';

export interface ScenarioRuns {
  results: Result[];
  /** The single run's fingerprint, or the replications' combined in order. */
  fingerprint: string;
  fingerprints: string[];
  wallMs: number;
}

export function runReplications(
  scenario: ResolvedScenario,
  replications: number,
  onRun?: (rep: number, fraction: number) => void,
  limits?: RunLimits,
): ScenarioRuns {
  const start = performance.now();
  const results: Result[] = [];
  for (let rep = 0; rep < replications; rep++) {
    const seed = runSeed(scenario.seed, rep);
    const s = seed === scenario.seed ? scenario : { ...scenario, seed };
    onRun?.(rep, 0);
    const r = runScenario(s, { fingerprint: true, limits, onProgress: onRun === undefined ? undefined : (f) => onRun(rep, f) });
    // A run measured from t=0 because its warm-up never came is no baseline and no check.
    const missed = warmupNotReached(r);
    if (missed !== undefined) throw new SimulationAborted('warmup', `${missed} (replication ${rep}, seed ${seed})`, '');
    results.push(r);
  }
  const fingerprints = results.map((r) => r.fingerprint!);
  return { results, fingerprint: combineFingerprints(fingerprints), fingerprints, wallMs: performance.now() - start };
}
