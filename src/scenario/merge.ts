/**
 * Raw scenario layering: `extends` parents under children, `--set` overrides on top,
 * remembering which layer (file or option) supplied each value so that a problem is
 * reported against the file the user has to edit.
 */
import { ScenarioError, show, type PathSegment, type Problem } from './errors.js';
import { isNameField } from './schema.js';
import { parseYaml } from './yaml.js';

export type RawObject = Record<string, unknown>;

export function isPlainObject(v: unknown): v is RawObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Assign without ever invoking the `__proto__` setter (keys come from user files). */
export function setOwn(obj: RawObject, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function getOwn(obj: RawObject, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

/** Deep copy of plain data (objects and arrays), safe against `__proto__` keys. */
export function cloneData(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(cloneData);
  if (isPlainObject(v)) {
    const out: RawObject = {};
    for (const k of Object.keys(v)) setOwn(out, k, cloneData(v[k]));
    return out;
  }
  return v;
}

/** One node of the Origins tree: who wrote the value at this path, and the paths below. */
interface OriginNode {
  source?: string;
  children?: Map<string, OriginNode>;
}

/**
 * Which layer supplied each path. A lookup walks up to the longest recorded prefix, so a
 * problem at a missing key is blamed on whoever wrote the mapping around it. A tree, so
 * that replacing a value forgets what was below it in constant time (a flat map made
 * merging a file of n keys cost n² steps).
 */
export class Origins {
  private readonly root: OriginNode = {};

  constructor(private readonly fallback: string) {}

  private node(path: readonly PathSegment[], create: true): OriginNode;
  private node(path: readonly PathSegment[], create: false): OriginNode | undefined;
  private node(path: readonly PathSegment[], create: boolean): OriginNode | undefined {
    let n = this.root;
    for (const seg of path) {
      const k = String(seg);
      let next = n.children?.get(k);
      if (next === undefined) {
        if (!create) return undefined;
        next = {};
        (n.children ??= new Map()).set(k, next);
      }
      n = next;
    }
    return n;
  }

  set(path: readonly PathSegment[], source: string): void {
    this.node(path, true).source = source;
  }

  /** Forget everything under (not at) `path`: the value there was replaced wholesale. */
  clearBelow(path: readonly PathSegment[]): void {
    const n = this.node(path, false);
    if (n !== undefined) delete n.children;
  }

  /** Record `value` and everything inside it as coming from `source`. */
  record(path: readonly PathSegment[], value: unknown, source: string): void {
    const n = this.node(path, true);
    n.source = source;
    if (isPlainObject(value)) {
      for (const k of Object.keys(value)) this.record([...path, k], value[k], source);
    }
  }

  sourceOf(path: readonly PathSegment[]): string {
    let n: OriginNode | undefined = this.root;
    let found = this.fallback;
    for (const seg of path) {
      n = n.children?.get(String(seg));
      if (n === undefined) break;
      if (n.source !== undefined) found = n.source;
    }
    return found;
  }
}

/**
 * Merge `over` into `target` in place: mappings key by key, everything else replaced.
 * A mapping whose `type` changes (a parent's `workload: {type: io, ...}` under a child's
 * `workload: {type: locktorture}`) is replaced, not merged: the parent's io keys would
 * be unknown keys of the child's workload.
 */
export function mergeInto(
  target: RawObject,
  over: RawObject,
  origins: Origins,
  source: string,
  path: readonly PathSegment[] = [],
): void {
  for (const key of Object.keys(over)) {
    const p = [...path, key];
    const ov = over[key];
    const tv = getOwn(target, key);
    if (isPlainObject(ov) && isPlainObject(tv) && !typeChanged(tv, ov)) {
      origins.set(p, source);
      mergeInto(tv, ov, origins, source, p);
    } else {
      origins.clearBelow(p);
      setOwn(target, key, cloneData(ov));
      origins.record(p, ov, source);
    }
  }
}

function typeChanged(a: RawObject, b: RawObject): boolean {
  const ta = getOwn(a, 'type');
  const tb = getOwn(b, 'type');
  return ta !== undefined && tb !== undefined && ta !== tb;
}

export interface SetOption {
  path: string[];
  value: unknown;
}

const SET_SOURCE = '--set';

/**
 * `machine.cpus=8` → {path: ['machine','cpus'], value: 8}. The value is read as a YAML
 * scalar (numbers, booleans); `{...}`/`[...]` are read as YAML flow collections; anything
 * else that YAML would read as a mapping (e.g. `a: b`) or cannot read stays a string.
 */
export function parseSetOption(s: string): SetOption {
  const eq = s.indexOf('=');
  if (eq < 0) {
    throw new ScenarioError([
      { source: SET_SOURCE, path: [], message: `expected path=value like machine.cpus=8, got ${show(s)} (missing "=")` },
    ]);
  }
  const pathText = s.slice(0, eq).trim();
  const path = pathText.split('.').map((p) => p.trim());
  if (pathText === '' || path.some((p) => p === '')) {
    throw new ScenarioError([
      { source: SET_SOURCE, path: [], message: `expected a dotted path like machine.cpus before "=", got ${show(pathText)}` },
    ]);
  }
  if (path[0] === 'extends') {
    throw new ScenarioError([
      {
        source: SET_SOURCE,
        path: ['extends'],
        message: 'cannot be set from the command line: write a scenario file with extends: <file> and run that',
      },
    ]);
  }
  return { path, value: parseSetValue(s.slice(eq + 1), path) };
}

/** Check the syntax of every `--set` at once: one ScenarioError listing all bad ones. */
export function checkSetOptions(set: readonly string[]): void {
  const problems: Problem[] = [];
  for (const s of set) {
    try {
      parseSetOption(s);
    } catch (e) {
      if (e instanceof ScenarioError) problems.push(...e.problems);
      else throw e;
    }
  }
  if (problems.length > 0) throw new ScenarioError(problems);
}

function parseSetValue(text: string, path: string[]): unknown {
  const t = text.trim();
  if (t === '') return '';
  // A name field keeps the text: kernel.version=6.6 is the version '6.6', not the number 6.6.
  if (isNameField(path)) return t;
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return parseYaml(t, SET_SOURCE);
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      const first = e.problems[0];
      // Not a syntax error: nested too deeply, cyclic, a !!set...: say that, at the path.
      if (first !== undefined && !first.message.startsWith('YAML syntax error')) {
        throw new ScenarioError([{ source: SET_SOURCE, path: [...path, ...first.path], message: first.message }]);
      }
      throw new ScenarioError([{ source: SET_SOURCE, path: [], message: `expected a YAML flow value, got ${show(t)}` }]);
    }
  }
  try {
    const v: unknown = parseYaml(t, SET_SOURCE);
    if (v === null || typeof v === 'object') return t;
    return v;
  } catch {
    return t;
  }
}

/** Apply one override in place (creating mappings on the way). */
export function applySet(target: RawObject, opt: SetOption, origins: Origins): void {
  let obj = target;
  for (let i = 0; i < opt.path.length - 1; i++) {
    const key = opt.path[i]!;
    const next = getOwn(obj, key);
    if (next === undefined) {
      const fresh: RawObject = {};
      setOwn(obj, key, fresh);
      origins.set(opt.path.slice(0, i + 1), SET_SOURCE);
      obj = fresh;
    } else if (isPlainObject(next)) {
      obj = next;
    } else {
      throw new ScenarioError([
        {
          source: SET_SOURCE,
          path: opt.path.slice(0, i + 1),
          message: `expected a mapping to set ${opt.path.join('.')} in, got ${show(next)}`,
        },
      ]);
    }
  }
  const last = opt.path[opt.path.length - 1]!;
  const p = opt.path;
  const old = getOwn(obj, last);
  if (isPlainObject(old) && isPlainObject(opt.value) && !typeChanged(old, opt.value)) {
    mergeInto(old, opt.value, origins, SET_SOURCE, p);
  } else {
    origins.clearBelow(p);
    setOwn(obj, last, cloneData(opt.value));
    origins.record(p, opt.value, SET_SOURCE);
  }
}
