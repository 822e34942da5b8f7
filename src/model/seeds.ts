/**
 * Seeds of repeated runs. Replication 0 of the base point is the scenario's own seed, so a
 * single `smpsim run` and the first replication of a study are the same run; every other
 * (point, replication) gets its own seed derived from (scenario seed, point, replication).
 */
import { deriveSeed } from '../engine/random.js';

/**
 * Seed of replication `rep` (0-based) of sweep point `point` ('' for the scenario as is).
 */
export function runSeed(scenarioSeed: number, rep: number, point = ''): number {
  if (rep === 0 && point === '') return scenarioSeed;
  return deriveSeed(scenarioSeed, 'point', point, 'replication', rep);
}
