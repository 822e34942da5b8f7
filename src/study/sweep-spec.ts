/**
 * What a sweep is: its points (an assignment of the --vary paths each, with its resolved
 * scenario), how many replications, the --precision rule and the warm-up; a point's key,
 * the seeds its replications derive from (runSeed), and each replication's scenario.
 */
import { runSeed } from '../model/seeds.js';
import type { ResolvedScenario, Warmup } from '../scenario/types.js';

export interface SweepPoint {
  index: number;
  /** (path, value) in --vary order. */
  assignments: Array<[string, string]>;
  /** The point's resolved scenario (seed: the scenario's; replications get their own). */
  scenario: ResolvedScenario;
  /**
   * The key the replications' seeds derive from, instead of the point key: smpsim
   * robustness gives every point '' so that all points run with the same seeds (common
   * random numbers). Absent: the point key (every point its own seeds).
   */
  seedKey?: string;
}

export interface SweepSpec {
  /** The scenario file as given (for people; not compared on resume). */
  scenarioFile: string;
  set: string[];
  seed: number | null;
  vary: Array<{ path: string; values: string[] }>;
  zip: boolean;
  replications: number;
  /** Relative CI half-width target, or null for a fixed number of replications. */
  precision: number | null;
  metric: string;
  maxReplications: number;
  warmup: 'scenario' | 'auto';
  points: SweepPoint[];
}

/** Canonical point key: the assignments sorted by path, as JSON. Seeds derive from it. */
export function pointKey(assignments: ReadonlyArray<readonly [string, string]>): string {
  if (assignments.length === 0) return '';
  const sorted = [...assignments].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return JSON.stringify(Object.fromEntries(sorted));
}

export function assignmentText(assignments: ReadonlyArray<readonly [string, string]>): string {
  return assignments.map(([p, v]) => `${p}=${v}`).join(' ');
}

/** The scenario of one replication: its own seed, the point's warm-up. */
export function replicationScenario(p: SweepPoint, key: string, rep: number, warmup: Warmup | null): ResolvedScenario {
  return { ...p.scenario, seed: runSeed(p.scenario.seed, rep, p.seedKey ?? key), stop: { ...p.scenario.stop, warmup } };
}
