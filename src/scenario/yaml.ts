/**
 * YAML (and JSON, which is YAML) text → plain data, safe against hostile input:
 *   - duplicate keys are errors, found in one pass with a set per mapping (the yaml
 *     package's own `uniqueKeys` check compares every key with every earlier one: 20,000
 *     keys took 1.5 s, 40,000 took 6 s);
 *   - nesting deeper than MAX_NESTING is refused on the parser's token tree, walked without
 *     recursion, before the (recursive) composer sees it — so 100,000 `[` is "nested too
 *     deeply", not a stack overflow;
 *   - the composed data is checked again (aliases can nest what the text does not; a
 *     self-referencing alias makes cyclic data), and anything but mappings, lists and plain
 *     values (`!!set`, `!!omap`, `!!binary`, `!!timestamp`) is refused where it is.
 * Every problem is a ScenarioError of one line; nothing from the text is echoed but short,
 * escaped excerpts.
 */
import { Composer, LineCounter, Parser, isMap, isPair, isScalar, isSeq, type CST, type Node } from 'yaml';
import { MAX_NESTING, checkShape, excerpt, shapeMessage } from '../input/text.js';
import { ScenarioError, type PathSegment } from './errors.js';

/** The parser's alias limit: the composed data stays within a small multiple of the text. */
const MAX_ALIAS_COUNT = 1000;

function fail(source: string, message: string, path: readonly PathSegment[] = []): never {
  throw new ScenarioError([{ source, path, message }]);
}

/**
 * One line of a yaml package message, escaped and cut short. The lines after the first quote
 * the source, and an unresolved alias names what follows its `*` (any text of the file):
 * both are dropped, so a parse error shows where, not what (issue 20). A tag (`!bogus`) the
 * author wrote is kept, cut to MAX_EXCERPT.
 */
function yamlMessage(message: string): string {
  const first = (message.split(/\r?\n/)[0] ?? '')
    .trim()
    .replace(/ at line \d+, column \d+:?$/, '')
    .replace(/^(Unresolved alias[^:]*):.*$/, '$1');
  return excerpt(first, 100);
}

/** Deepest nesting of collections in a CST token tree, found without recursion. */
function cstDepthExceeds(tokens: readonly CST.Token[], limit: number): boolean {
  const stack: Array<{ t: CST.Token | null | undefined; depth: number }> = tokens.map((t) => ({ t, depth: 0 }));
  while (stack.length > 0) {
    const { t, depth } = stack.pop()!;
    if (t === null || t === undefined) continue;
    switch (t.type) {
      case 'document':
        stack.push({ t: t.value, depth });
        break;
      case 'block-map':
      case 'block-seq':
      case 'flow-collection':
        if (depth >= limit) return true;
        for (const it of t.items) {
          if ('key' in it) stack.push({ t: it.key, depth: depth + 1 });
          stack.push({ t: it.value, depth: depth + 1 });
        }
        break;
      default:
        break;
    }
  }
  return false;
}

function keyId(n: unknown): string | undefined {
  if (!isScalar(n)) return undefined;
  const v = n.value;
  return `${typeof v}:${String(v)}`;
}

/** The first duplicate key of any mapping (its node), in one pass over the document. */
function firstDuplicateKey(root: unknown): Node | undefined {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const n = stack.pop();
    if (isMap(n)) {
      const seen = new Set<string>();
      for (const pair of n.items) {
        const id = keyId(pair.key);
        if (id !== undefined) {
          if (seen.has(id)) return pair.key as Node;
          seen.add(id);
        }
        stack.push(pair.key, pair.value);
      }
    } else if (isSeq(n)) {
      for (const it of n.items) stack.push(isPair(it) ? it.value : it);
    }
  }
  return undefined;
}

/**
 * The first integer literal beyond 2^53 − 1 (issue 20, item 6: `seed: 9007199254740993` was
 * read as …992): a double cannot hold it, so it is refused rather than silently rounded. A
 * literal written as a float (1e20, 2.0) is a float and is left to the field's own check.
 */
function firstInexactInteger(root: unknown, text: string): Node | undefined {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const n = stack.pop();
    if (isMap(n)) {
      for (const pair of n.items) stack.push(pair.key, pair.value);
    } else if (isSeq(n)) {
      for (const it of n.items) stack.push(isPair(it) ? it.value : it);
    } else if (isScalar(n) && typeof n.value === 'number' && Number.isInteger(n.value) && !Number.isSafeInteger(n.value)) {
      const src = n.range === undefined || n.range === null ? '' : text.slice(n.range[0], n.range[1]).trim();
      if (/^[-+]?(0x[0-9a-f_]+|0o[0-7_]+|[0-9_]+)$/i.test(src)) return n;
    }
  }
  return undefined;
}

const EXOTIC: ReadonlyArray<[new (...args: never[]) => object, string]> = [
  [Set, 'a YAML set (!!set)'],
  [Map, 'an ordered YAML mapping (!!omap/!!pairs)'],
  [Date, 'a YAML timestamp (!!timestamp)'],
  [Uint8Array, 'binary data (!!binary)'],
];

/** The path of the first value that is an object but neither a plain mapping nor a list. */
function firstExotic(data: unknown): { path: PathSegment[]; what: string } | undefined {
  const stack: Array<{ v: unknown; path: PathSegment[] }> = [{ v: data, path: [] }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      v.forEach((c, i) => stack.push({ v: c, path: [...path, i] }));
      continue;
    }
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) {
      const hit = EXOTIC.find(([cls]) => v instanceof cls);
      return { path, what: hit?.[1] ?? 'a YAML value that is not a mapping, a list or a plain value' };
    }
    for (const [k, c] of Object.entries(v)) stack.push({ v: c, path: [...path, k] });
  }
  return undefined;
}

/**
 * Parse one YAML document. `source` names the text in messages (a file, or `--set`); a
 * syntax error is `source:line:col: YAML syntax error: ...`.
 */
export function parseYaml(text: string, source: string): unknown {
  const lines = new LineCounter();
  const tokens = [...new Parser(lines.addNewLine).parse(text)];
  if (cstDepthExceeds(tokens, MAX_NESTING)) fail(source, `YAML error: ${shapeMessage({ kind: 'deep', limit: MAX_NESTING })}`);
  // Warnings (e.g. an unknown `!tag`) are errors too: the value would otherwise be taken
  // silently as something the author did not mean. logLevel 'error' keeps warnings off stderr.
  const composer = new Composer({ uniqueKeys: false, logLevel: 'error' });
  const docs = [...composer.compose(tokens, true, text.length)];
  const doc = docs[0]!;
  const at = (offset: number): string => {
    if (offset < 0) return source;
    const pos = lines.linePos(offset);
    return `${source}:${pos.line}:${pos.col}`;
  };
  if (docs.length > 1) fail(at(docs[1]!.range[0]), 'YAML syntax error: Source contains multiple documents');
  const err = doc.errors[0] ?? doc.warnings[0];
  if (err) fail(at(err.pos[0]), `YAML syntax error: ${yamlMessage(err.message)}`);
  const dup = firstDuplicateKey(doc.contents);
  if (dup !== undefined) fail(at(dup.range?.[0] ?? -1), 'YAML syntax error: Map keys must be unique');
  const big = firstInexactInteger(doc.contents, text);
  if (big !== undefined) {
    fail(at(big.range?.[0] ?? -1), 'an integer beyond 2^53 - 1 cannot be represented exactly; smpsim refuses it rather than round it');
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
  } catch (e) {
    fail(source, `YAML error: ${yamlMessage(e instanceof Error ? e.message : String(e))}`);
  }
  const shape = checkShape(data);
  if (shape !== undefined) fail(source, `YAML error: ${shapeMessage(shape)}`);
  const exotic = firstExotic(data);
  if (exotic !== undefined) {
    fail(source, `expected a mapping, a list or a plain value, got ${exotic.what}`, exotic.path);
  }
  return data;
}
