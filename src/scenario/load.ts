/**
 * Scenario files → ResolvedScenario: read YAML/JSON, follow `extends` (relative to the
 * file, recursively, cycles refused), deep-merge child over parent, apply `--set` and
 * `--seed`, validate and resolve. Everything wrong is a ScenarioError whose message is one
 * line per problem.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { ScenarioError, show, type Problem } from './errors.js';
import { Origins, applySet, cloneData, isPlainObject, mergeInto, parseSetOption, type RawObject } from './merge.js';
import { validateAndResolve } from './resolve.js';
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
  const data = readScenarioFile(file, file, []);
  const raw = mergeChain([{ file, data }, ...readParents(data, file, [path.resolve(file)])], origins);
  for (const text of opts.set ?? []) applySet(raw, parseSetOption(text), origins);
  if (opts.seed !== undefined) {
    raw.seed = opts.seed;
    origins.set(['seed'], '--seed');
  }
  return { raw, origins };
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
    const ext = cur.extends;
    if (typeof ext !== 'string' || ext.trim() === '') {
      throw problem(curFile, ['extends'], `expected a path to a scenario file, got ${show(ext)}`);
    }
    const parent = path.join(path.dirname(curFile), ext);
    const abs = path.resolve(parent);
    if (seen.includes(abs)) {
      throw problem(curFile, ['extends'], `expected no cycle, got ${[...shown, parent].join(' -> ')}`);
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

function problem(source: string, p: Problem['path'], message: string): ScenarioError {
  return new ScenarioError([{ source, path: p, message }]);
}

/**
 * Read and parse one file into a mapping. A file that cannot be read is reported against
 * `referrer` at `refPath` (the `extends` that named it), or as the file itself.
 */
function readScenarioFile(file: string, referrer: string, refPath: string[]): RawObject {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const why = ioReason(err);
    if (refPath.length > 0) throw problem(referrer, refPath, `cannot read ${file}: ${why}`);
    throw problem(file, [], `cannot read file: ${why}`);
  }
  const data = parseText(text, file);
  if (data === null || data === undefined) return {};
  if (!isPlainObject(data)) throw problem(file, [], `expected a mapping of scenario settings, got ${show(data)}`);
  return data;
}

function ioReason(err: unknown): string {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return typeof code === 'string' ? code : firstLine(err instanceof Error ? err.message : String(err));
  }
}

function firstLine(s: string): string {
  return s.split(/\r?\n/)[0]!.trim();
}

/** YAML (JSON is YAML); a syntax error becomes one `file:line:col: YAML syntax error: ...` line. */
export function parseText(text: string, file: string): unknown {
  // Warnings (e.g. an unknown `!tag`) are errors too: the value would otherwise be taken
  // silently as something the author did not mean. logLevel 'error' keeps warnings off stderr.
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true, logLevel: 'error' });
  const err = doc.errors[0] ?? doc.warnings[0];
  if (err) {
    const pos = err.linePos?.[0];
    const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
    const msg = firstLine(err.message).replace(/ at line \d+, column \d+:?$/, '');
    throw new ScenarioError([{ source: where, path: [], message: `YAML syntax error: ${msg}` }]);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 }) as unknown;
  } catch (e) {
    const msg = e instanceof Error ? firstLine(e.message) : String(e);
    throw new ScenarioError([{ source: file, path: [], message: `YAML error: ${msg}` }]);
  }
  if (isCyclic(data, new Set())) {
    throw new ScenarioError([{ source: file, path: [], message: 'YAML error: an alias refers to its own anchor (cyclic data)' }]);
  }
  return data;
}

function isCyclic(v: unknown, stack: Set<object>): boolean {
  if (typeof v !== 'object' || v === null) return false;
  if (stack.has(v)) return true;
  stack.add(v);
  const children = Array.isArray(v) ? v : Object.values(v);
  const cyclic = children.some((c) => isCyclic(c, stack));
  stack.delete(v);
  return cyclic;
}
