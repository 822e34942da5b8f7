/**
 * Scenario text → a resolved scenario, in the browser: what src/scenario/load.ts does for a
 * file, from text and without a file system. The same parser (src/scenario/yaml.ts), the
 * same merge and `--set` rules (src/scenario/merge.ts) and the same validator
 * (src/scenario/resolve.ts), so the messages are the CLI's, one line per problem, each
 * naming its field, the allowed values and a did-you-mean. `extends` may name a bundled
 * scenario (no other file can be read here); a pasted result JSON re-runs its recorded
 * scenario (src/scenario/recorded.ts), as `smpsim run result.json` does.
 */
import { ScenarioError, didYouMean, show, type Problem } from '../src/scenario/errors.js';
import { Origins, applySet, cloneData, isPlainObject, mergeInto, parseSetOption, type RawObject } from '../src/scenario/merge.js';
import { RecordedScenarioError, recordedScenario } from '../src/scenario/recorded.js';
import { validateAndResolve } from '../src/scenario/resolve.js';
import type { ResolvedScenario } from '../src/scenario/types.js';
import { parseYaml } from '../src/scenario/yaml.js';
import { BUNDLED_SCENARIOS } from './bundled.js';

function problem(source: string, path: Problem['path'], message: string): ScenarioError {
  return new ScenarioError([{ source, path, message }]);
}

/** Keys a parent does not pass on (src/scenario/load.ts NOT_INHERITED). */
const NOT_INHERITED = ['name', 'extends', '$schema'];

function parseMapping(text: string, origin: string): RawObject {
  const data = parseYaml(text, origin);
  if (data === null || data === undefined) throw problem(origin, [], 'empty scenario: expected a mapping of scenario settings (write {} for all defaults)');
  if (!isPlainObject(data)) throw problem(origin, [], `expected a mapping of scenario settings, got ${show(data)}`);
  return data;
}

/** The bundled scenario an `extends` names (by bare name or file name), or a ScenarioError. */
function bundledParent(ext: unknown, origin: string): { file: string; data: RawObject } {
  const names = BUNDLED_SCENARIOS.map((s) => s.name);
  const name = typeof ext === 'string' ? ext.replace(/^.*\//, '').replace(/\.(ya?ml|json)$/i, '') : '';
  const hit = BUNDLED_SCENARIOS.find((s) => s.name === name);
  if (hit === undefined) {
    const hint = typeof ext === 'string' ? didYouMean(name, names) : undefined;
    throw problem(origin, ['extends'], `in the playground, expected the name of a bundled scenario (${names.join(', ')}), got ${show(ext)}${hint === undefined ? '' : ` (did you mean "${hint}"?)`}`);
  }
  return { file: hit.file, data: parseMapping(hit.text, hit.file) };
}

export interface LoadTextOptions {
  /** `path=value` overrides (the CLI's --set), applied in order after `extends`. */
  set?: readonly string[];
  seed?: number;
}

/** Scenario text → ResolvedScenario; throws ScenarioError (one line per problem). */
export function loadScenarioText(text: string, origin: string, opts: LoadTextOptions = {}): ResolvedScenario {
  let data = parseMapping(text, origin);
  try {
    data = recordedScenario(data) ?? data;
  } catch (err) {
    if (err instanceof RecordedScenarioError) throw problem(origin, [], `cannot re-run ${err.message}`);
    throw err;
  }
  const origins = new Origins(origin);
  // Child over parents, parents first (src/scenario/load.ts mergeChain); a chain of bundled files.
  const layers: Array<{ file: string; data: RawObject }> = [{ file: origin, data }];
  const seen = new Set<string>();
  for (let cur = data; cur.extends !== undefined; ) {
    const parent = bundledParent(cur.extends, layers[layers.length - 1]!.file);
    if (seen.has(parent.file)) throw problem(origin, ['extends'], `expected no cycle, got one through ${parent.file}`);
    seen.add(parent.file);
    layers.push(parent);
    cur = parent.data;
  }
  const raw: RawObject = {};
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = cloneData(layers[i]!.data) as RawObject;
    if (i > 0) for (const k of NOT_INHERITED) delete layer[k];
    mergeInto(raw, layer, origins, layers[i]!.file);
  }
  for (const s of opts.set ?? []) applySet(raw, parseSetOption(s), origins);
  if (opts.seed !== undefined) {
    raw.seed = opts.seed;
    origins.set(['seed'], '--seed');
  }
  return validateAndResolve(raw, origin, (p) => origins.sourceOf(p));
}

/** The problems of a scenario text, one line each (empty: it is valid). */
export function scenarioProblems(text: string, origin: string): string[] {
  try {
    loadScenarioText(text, origin);
    return [];
  } catch (err) {
    if (err instanceof ScenarioError) return err.message.split('\n');
    return [err instanceof Error ? err.message : String(err)];
  }
}
