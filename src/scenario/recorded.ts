/**
 * smpsim's own output files as scenarios (issue 15, item 1): `smpsim run result.json`
 * re-runs exactly the run a result records, and the same for a sweep's run file
 * (`DIR/runs/<p>-<r>.json`, the replication's own seed) and a baseline (replication 0).
 *
 * A result carries `scenario_file`, the scenario in the input language; a baseline (and a
 * result written before that field existed) only the resolved `scenario`, which is turned
 * back into a scenario file here (./unresolve.ts). The schema names are matched as plain
 * strings: the scenario layer stays upstream of the report and check modules that own them.
 */
import { isPlainObject, type RawObject } from './merge.js';
import type { ResolvedScenario } from './types.js';
import { scenarioFileOf } from './unresolve.js';

/** The output files a scenario can be read back from, by their `schema`. */
export const RECORDED_SCHEMAS = ['smpsim.result/1', 'smpsim.sweep-run/1', 'smpsim.baseline/1'] as const;

/** Thrown when a recorded file's scenario is missing or not one smpsim wrote. */
export class RecordedScenarioError extends Error {
  override name = 'RecordedScenarioError';
}

/**
 * The scenario file recorded in `data`, or undefined when `data` is not one of smpsim's
 * output files (then it is read as a scenario file itself).
 */
export function recordedScenario(data: RawObject): RawObject | undefined {
  const schema = data.schema;
  if (typeof schema !== 'string' || !(RECORDED_SCHEMAS as readonly string[]).includes(schema)) return undefined;
  const holder = schema === 'smpsim.sweep-run/1' ? data.result : data;
  if (!isPlainObject(holder)) throw new RecordedScenarioError(`a ${schema} file without its result`);
  if (isPlainObject(holder.scenario_file)) return holder.scenario_file;
  if (!isPlainObject(holder.scenario)) throw new RecordedScenarioError(`a ${schema} file without a recorded scenario`);
  try {
    // Written by smpsim: a resolved scenario. A hand-edited one that lost fields is refused.
    return scenarioFileOf(holder.scenario as unknown as ResolvedScenario) as RawObject;
  } catch {
    throw new RecordedScenarioError(`a ${schema} file whose recorded scenario is not a complete resolved scenario`);
  }
}
