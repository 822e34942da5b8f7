/**
 * The pure half of reading untrusted input (src/input/read.ts holds the file reading): the
 * size and nesting limits, short escaped excerpts for messages, the shape check (depth,
 * cycles) and JSON text parsing without echoing the input. No Node module: the scenario
 * validator runs in the browser too (the playground, docs/PLAYGROUND.md).
 */

/** Largest result, baseline or sweep summary read (bytes): 16 MiB, far above any real one. */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;
/**
 * Largest scenario file (or `extends` target) read: 256 KiB, 100 times the largest bundled
 * one. YAML parsing holds ~750 bytes of memory per byte of a worst-case file (a 1 MiB flow
 * list of numbers took 790 MB, 16 MiB ran out of memory), so the cap is what bounds memory.
 */
export const MAX_SCENARIO_BYTES = 256 * 1024;
/** Deepest nesting of mappings/lists accepted in an input (real files nest < 10 deep). */
export const MAX_NESTING = 64;
/** Longest excerpt of an input value or key echoed in a message (characters). */
export const MAX_EXCERPT = 40;

/**
 * A short, escaped excerpt of text from an input: control and non-ASCII-printable
 * characters as escapes, at most MAX_EXCERPT characters (then `...`).
 */
export function excerpt(text: string, max = MAX_EXCERPT): string {
  let out = '';
  let n = 0;
  for (const ch of text) {
    if (n >= max) return `${out}...`;
    const c = ch.codePointAt(0)!;
    if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c === 0x2028 || c === 0x2029 || c === 0xfffd) {
      out += c <= 0xff ? `\\x${c.toString(16).padStart(2, '0')}` : `\\u${c.toString(16).padStart(4, '0')}`;
    } else out += ch;
    n++;
  }
  return out;
}

/** What is wrong with the shape of parsed data, if anything. */
export type ShapeProblem = { kind: 'cyclic' } | { kind: 'deep'; limit: number };

/**
 * Whether `data` (objects and arrays) nests deeper than `limit` or refers to itself, found
 * without recursion (so it cannot overflow the stack however deep the input). A value
 * reached twice by two paths (YAML aliases) is walked once per path; the depth limit and the
 * parser's alias limit bound that.
 */
export function checkShape(data: unknown, limit = MAX_NESTING): ShapeProblem | undefined {
  // Explicit DFS: an entry is a value to enter, or the marker that leaves it.
  const onPath = new Set<object>();
  const stack: Array<{ v: unknown; depth: number; leave: boolean }> = [{ v: data, depth: 0, leave: false }];
  let visits = 0;
  while (stack.length > 0) {
    const e = stack.pop()!;
    const v = e.v;
    if (typeof v !== 'object' || v === null) continue;
    if (e.leave) {
      onPath.delete(v);
      continue;
    }
    if (onPath.has(v)) return { kind: 'cyclic' };
    if (e.depth >= limit) return { kind: 'deep', limit };
    // Aliases may share a subtree many times over; past this many visits the data is far
    // larger than any input file could spell out, so call it too deep rather than walk on.
    if (++visits > 4 * MAX_INPUT_BYTES) return { kind: 'deep', limit };
    onPath.add(v);
    stack.push({ v, depth: e.depth, leave: true });
    const children: unknown[] = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
    for (const c of children) if (typeof c === 'object' && c !== null) stack.push({ v: c, depth: e.depth + 1, leave: false });
  }
  return undefined;
}

/** The message for a ShapeProblem, one line. */
export function shapeMessage(p: ShapeProblem): string {
  return p.kind === 'cyclic'
    ? 'an alias refers to its own anchor (cyclic data)'
    : `nested too deeply (more than ${p.limit} levels of mappings and lists)`;
}

/**
 * JSON.parse's message without the input it quotes (V8 writes `Unexpected token 'r',
 * "root:$6$…" is not valid JSON`): only where the text stopped being JSON.
 */
export function jsonErrorText(err: unknown, text: string): string {
  const msg = err instanceof Error ? err.message : String(err);
  const pos = /at position (\d+)/.exec(msg);
  if (pos !== null) {
    const at = Number(pos[1]);
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    const col = at - before.lastIndexOf('\n');
    return `not valid JSON (line ${line}, column ${col})`;
  }
  if (/end of (JSON )?input/i.test(msg)) return 'not valid JSON (it ends too early)';
  return 'not valid JSON';
}

/** Parse JSON text; a SyntaxError's message becomes jsonErrorText (nothing of the text echoed). */
export function parseJsonText(text: string): { ok: true; value: unknown } | { ok: false; why: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, why: jsonErrorText(err, text) };
  }
}
