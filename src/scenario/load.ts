/**
 * Scenario files → ResolvedScenario: read YAML/JSON, follow `extends` (relative to the
 * file, recursively, cycles refused), deep-merge child over parent, apply `--set` and
 * `--seed`, validate and resolve. Everything wrong is a ScenarioError whose message is one
 * line per problem.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ScenarioError, didYouMean, show, type Problem } from './errors.js';
import { bundledScenario, bundledScenarioNames, isBareName } from './bundled.js';
import { Origins, applySet, cloneData, isPlainObject, mergeInto, parseSetOption, type RawObject } from './merge.js';
import { validateAndResolve } from './resolve.js';
import { parseYaml } from './yaml.js';
import { RECORDED_SCHEMAS, RecordedScenarioError, recordedScenario } from './recorded.js';
import { InputFileError, MAX_SCENARIO_BYTES, checkShape, excerpt, parseJsonText, readInputFile, shapeMessage } from '../input/read.js';
import { ScenarioRaw } from './schema.js';
import type { ResolvedScenario } from './types.js';

export { ScenarioError } from './errors.js';
export { checkSetOptions, parseSetOption } from './merge.js';

export interface LoadOptions {
  /** `path=value` overrides, applied in order after `extends`. */
  set?: string[];
  /** Overrides the scenario's seed (the CLI's --seed). */
  seed?: number;
}

/** Keys a parent file does not pass on to the files that extend it. */
const NOT_INHERITED = ['name', 'extends', '$schema'];
const MAX_EXTENDS_DEPTH = 64;

export function loadScenario(file: string, opts: LoadOptions = {}): ResolvedScenario {
  const { raw, origins } = loadRawScenario(file, opts);
  return validateAndResolve(raw, file, (p) => origins.sourceOf(p));
}

/**
 * Resolve an in-memory scenario object. `origin` names it in messages and gives the
 * default name; an `extends` in it is read relative to origin's directory.
 */
export function resolveScenario(raw: unknown, origin: string): ResolvedScenario {
  if (isPlainObject(raw)) refuseNonScenario(raw, origin);
  const origins = new Origins(origin);
  let merged: unknown = raw;
  if (isPlainObject(raw) && raw.extends !== undefined) {
    merged = mergeChain([{ file: origin, data: raw }, ...readParents(raw, origin, [path.resolve(origin)])], origins);
  }
  return validateAndResolve(merged, origin, (p) => origins.sourceOf(p));
}

/** The merged raw scenario (extends, --set and --seed applied), not yet validated. */
export function loadRawScenario(file: string, opts: LoadOptions = {}): { raw: RawObject; origins: Origins } {
  const origins = new Origins(file);
  const data = scenarioOfFile(readScenarioFile(file, file, []), file);
  const raw = mergeChain([{ file, data }, ...readParents(data, file, [path.resolve(file)])], origins);
  for (const text of opts.set ?? []) applySet(raw, parseSetOption(text), origins);
  if (opts.seed !== undefined) {
    raw.seed = opts.seed;
    origins.set(['seed'], '--seed');
  }
  return { raw, origins };
}

/** A scenario file as it stands, or the scenario an smpsim output file recorded (./recorded.ts). */
function scenarioOfFile(data: RawObject, file: string): RawObject {
  try {
    return recordedScenario(data) ?? data;
  } catch (err) {
    if (err instanceof RecordedScenarioError) throw problem(file, [], `cannot re-run ${err.message}`);
    throw err;
  }
}

interface Layer {
  file: string;
  data: RawObject;
}

/** Layers child-first → one object, parent values under child values. */
function mergeChain(layers: Layer[], origins: Origins): RawObject {
  const out: RawObject = {};
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i]!;
    const data = cloneData(layer.data) as RawObject;
    if (i > 0) for (const k of NOT_INHERITED) delete data[k];
    mergeInto(out, data, origins, layer.file);
  }
  return out;
}

/** What an `extends` may name: a scenario file (not /etc/shadow, not /proc/self/environ). */
const SCENARIO_EXTENSIONS = ['.yaml', '.yml', '.json'];

/**
 * The file an `extends` value names: relative to the directory of the file holding it; an
 * absolute path is taken as it stands (docs/CLI.md). Only YAML/JSON scenario files.
 */
function extendsTarget(ext: unknown, curFile: string): string {
  if (typeof ext !== 'string' || ext.trim() === '') {
    throw problem(curFile, ['extends'], `expected a path to a scenario file or a bundled scenario name, got ${show(ext)}`);
  }
  if (!SCENARIO_EXTENSIONS.includes(path.extname(ext).toLowerCase())) {
    // A bare name names a bundled scenario, as on the command line (`smpsim run NAME`).
    const bundled = bundledScenario(ext);
    if (bundled !== undefined) return bundled;
    const hint = isBareName(ext) ? didYouMean(ext, bundledScenarioNames()) : undefined;
    throw problem(
      curFile,
      ['extends'],
      `expected a scenario file ending in .yaml, .yml or .json, or the name of a bundled scenario (see \`smpsim list\`), got "${excerpt(ext)}"` +
        (hint === undefined ? '' : ` (did you mean "${hint}"?)`),
    );
  }
  return path.isAbsolute(ext) ? ext : path.join(path.dirname(curFile), ext);
}

/**
 * The parents of `data` (read from `file`), nearest first. `chain`: absolute paths of the
 * files already on the chain (for cycle detection).
 */
function readParents(data: RawObject, file: string, chain: string[]): Layer[] {
  const layers: Layer[] = [];
  let cur = data;
  let curFile = file;
  const seen = [...chain];
  const shown = chain.map(() => file);
  while (cur.extends !== undefined) {
    const parent = extendsTarget(cur.extends, curFile);
    const abs = path.resolve(parent);
    if (seen.includes(abs)) {
      throw problem(curFile, ['extends'], `expected no cycle, got ${[...shown, parent].map((f) => excerpt(f, 200)).join(' -> ')}`);
    }
    if (seen.length >= MAX_EXTENDS_DEPTH) {
      throw problem(curFile, ['extends'], `expected at most ${MAX_EXTENDS_DEPTH} levels of extends, got more`);
    }
    seen.push(abs);
    shown.push(parent);
    const parentData = readScenarioFile(parent, curFile, ['extends']);
    layers.push({ file: parent, data: parentData });
    cur = parentData;
    curFile = parent;
  }
  return layers;
}

/** Top-level keys of a scenario mapping. */
const SCENARIO_KEYS: readonly string[] = Object.keys(ScenarioRaw.shape);

/**
 * Refuse a mapping that is not a scenario (issue 20, failure 3): no top-level key is a
 * scenario setting (or a near-miss of one, a typo the "did you mean" check reports), or most
 * of them are not. A password or shadow file parses as a mapping whose keys are its lines;
 * listing them as "unknown key" printed its users, salts and hashes. Nothing of the content
 * is quoted here, only counts.
 */
function refuseNonScenario(data: RawObject, file: string): void {
  const keys = Object.keys(data);
  if (keys.length === 0) return;
  let known = 0;
  for (const k of keys) if (SCENARIO_KEYS.includes(k) || (k.length <= MAX_KEY_TYPO && didYouMean(k, SCENARIO_KEYS) !== undefined)) known++;
  if (known === 0 || known * 2 < keys.length) {
    throw problem(
      file,
      [],
      `not a scenario file: ${keys.length - known} of its ${keys.length} top-level keys are not scenario settings (expected ${SCENARIO_KEYS.filter((k) => k !== '$schema').join(', ')}); nothing of it is shown`,
    );
  }
}

/** Longest top-level key taken as a typo of a scenario key ("descripton"): longer is not one. */
const MAX_KEY_TYPO = 20;

/** Integers beyond this are not exact in a double; a scenario value there is refused, not rounded. */
const MAX_EXACT_INTEGER = Number.MAX_SAFE_INTEGER;

/**
 * The real file behind `file` when it is a link (its target decides the extension rule and
 * the parser); the path as given when it cannot be resolved (the read then says why).
 */
function realTarget(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}

function problem(source: string, p: Problem['path'], message: string): ScenarioError {
  return new ScenarioError([{ source, path: p, message }]);
}

/**
 * Read and parse one file into a mapping. A file that cannot be read is reported against
 * `referrer` at `refPath` (the `extends` that named it), or as the file itself. Only
 * regular files of at most MAX_SCENARIO_BYTES are read (src/input/read.ts).
 */
function readScenarioFile(file: string, referrer: string, refPath: string[]): RawObject {
  const real = realTarget(file);
  const realExt = path.extname(real).toLowerCase();
  if (real !== path.resolve(file) && SCENARIO_EXTENSIONS.includes(path.extname(file).toLowerCase()) && !SCENARIO_EXTENSIONS.includes(realExt)) {
    // `x.yaml -> /etc/shadow`: the name says scenario, the file it links to does not.
    const why = 'is a link to a file that is not a scenario file (its target does not end in .yaml, .yml or .json)';
    if (refPath.length > 0) throw problem(referrer, refPath, `cannot read ${excerpt(file, 200)}: ${why}`);
    throw problem(file, [], `cannot read file: ${why}`);
  }
  let text: string;
  try {
    text = readInputFile(file, MAX_SCENARIO_BYTES, 'scenario files');
  } catch (err) {
    if (!(err instanceof InputFileError)) throw err;
    if (refPath.length > 0) throw problem(referrer, refPath, `cannot read ${excerpt(file, 200)}: ${err.message}`);
    throw problem(file, [], `cannot read file: ${err.message}${notBundledHint(file, err)}`);
  }
  const data = realExt === '.json' ? parseJsonScenario(text, file) : parseText(text, file);
  if (data === null || data === undefined) {
    throw problem(file, [], 'empty scenario: expected a mapping of scenario settings (write {} for all defaults)');
  }
  if (typeof data === 'string') {
    // A whole file read as one string is not a scenario but some other text file
    // (/proc/self/environ, a password file): say so without quoting any of it.
    throw problem(file, [], `expected a mapping of scenario settings, got plain text (${data.length} characters), not YAML or JSON key: value pairs`);
  }
  if (Array.isArray(data) && isPlainObject(data[0]) && data[0].schema === 'smpsim.result/1') {
    // `run --vary --format json` writes one result per variant.
    throw problem(file, [], `holds ${data.length} results (run --vary); re-run one of them: jq '.[0]' ${excerpt(file, 200)} > one.json, then smpsim run one.json`);
  }
  if (!isPlainObject(data)) throw problem(file, [], `expected a mapping of scenario settings, got ${show(data)}`);
  const recorded = typeof data.schema === 'string' && (RECORDED_SCHEMAS as readonly string[]).includes(data.schema);
  if (!recorded) refuseNonScenario(data, file);
  return data;
}

/**
 * A `.json` scenario (by its real name) as strict JSON (issue 20, item 6): YAML would take
 * single quotes, trailing commas and 0x10. Errors give the line and column, no content;
 * integers beyond 2^53 − 1 are refused (JSON.parse would round them).
 */
export function parseJsonScenario(text: string, file: string): unknown {
  const json = parseJsonText(text);
  if (!json.ok) throw problem(file, [], json.why);
  const shape = checkShape(json.value);
  if (shape !== undefined) throw problem(file, [], shapeMessage(shape));
  // Integer literals outside strings; strings blanked first (their digits are not numbers).
  const bare = text.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  for (const m of bare.matchAll(/-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g)) {
    if (/[.eE]/.test(m[0])) continue;
    const v = BigInt(m[0]);
    if (v > BigInt(MAX_EXACT_INTEGER) || v < -BigInt(MAX_EXACT_INTEGER)) {
      throw problem(file, [], `an integer beyond 2^53 - 1 (${m[0].length} digits) cannot be represented exactly; smpsim refuses it rather than round it`);
    }
  }
  return json.value;
}

/**
 * Read `file` as a scenario file is read (link target's extension, strict JSON, "not a
 * scenario file"), without `extends`: for `init --from`, which copies the text.
 */
export function checkScenarioFile(file: string): void {
  readScenarioFile(file, file, []);
}

/**
 * For a bare name that is neither a file nor a bundled scenario (`smpsim run lkml-2000-4wy`):
 * where the names are, and the nearest one.
 */
function notBundledHint(file: string, err: InputFileError): string {
  // The CLI may have joined a bare name to its working directory: judge the last part.
  if (!/no such file/.test(err.message) || SCENARIO_EXTENSIONS.includes(path.extname(file).toLowerCase())) return '';
  const hint = didYouMean(path.basename(file), bundledScenarioNames());
  return `, nor the name of a bundled scenario${hint === undefined ? '' : ` (did you mean "${hint}"?)`}; see \`smpsim list\``;
}

/** YAML (JSON is YAML) text → data; every problem is one `file[:line:col]: ...` line (yaml.ts). */
export function parseText(text: string, file: string): unknown {
  return parseYaml(text, file);
}
