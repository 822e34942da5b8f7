/**
 * Reading files the user names (scenarios, `extends` targets, results, baselines, sweep
 * summaries) without trusting them: only regular files, at most MAX_INPUT_BYTES, opened
 * so that a FIFO or a device never blocks or streams forever; parsed data at most
 * MAX_NESTING deep and free of cycles before any recursive code walks it; and any piece of
 * the input echoed in a message cut short and escaped, so that naming a secret file never
 * prints it.
 */
import fs from 'node:fs';

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

/** Why an input file cannot be read; `message` is one line without the file name. */
export class InputFileError extends Error {
  constructor(
    message: string,
    readonly code: 'missing' | 'unreadable' | 'not-regular' | 'too-large',
  ) {
    super(message);
    this.name = 'InputFileError';
  }
}

function errCode(err: unknown): string | undefined {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

function reason(err: unknown): InputFileError {
  const code = errCode(err);
  switch (code) {
    case 'ENOENT':
      return new InputFileError('no such file', 'missing');
    case 'ENOTDIR':
      return new InputFileError('no such file (a parent is not a directory)', 'missing');
    case 'EISDIR':
      return new InputFileError('is a directory', 'not-regular');
    case 'EACCES':
    case 'EPERM':
      return new InputFileError('permission denied', 'unreadable');
    default:
      return new InputFileError(code ?? firstLine(err instanceof Error ? err.message : String(err)), 'unreadable');
  }
}

function firstLine(s: string): string {
  return (s.split(/\r?\n/)[0] ?? '').trim();
}

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function notRegular(st: fs.Stats): InputFileError {
  if (st.isDirectory()) return new InputFileError('is a directory', 'not-regular');
  return new InputFileError(`is ${kindOf(st)}: only regular files are read`, 'not-regular');
}

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MiB` : `${bytes / 1024} KiB`;
}

function tooLarge(limit: number, what: string): InputFileError {
  return new InputFileError(`larger than ${sizeText(limit)}, the limit for ${what}`, 'too-large');
}

/** How readInputFile opens a file. */
export interface ReadOptions {
  /**
   * Refuse a symbolic link instead of following it (lstat, then O_NOFOLLOW): for the
   * entries of an output folder (a sweep's lock, manifest and run files), which smpsim
   * itself wrote and which a planted link must not redirect.
   */
  noFollow?: boolean;
}

/**
 * The text of a regular file of at most `limit` bytes, or an InputFileError (`what` names
 * the kind of file in the message). stat before
 * open refuses devices, FIFOs and sockets; the open itself is O_NONBLOCK (a FIFO swapped in
 * between cannot block it) and fstat re-checks what was opened; the read stops one byte past
 * the cap, so a file that grows (or lies about its size, like /proc files) is still bounded.
 */
export function readInputFile(file: string, limit = MAX_INPUT_BYTES, what = 'input files', opts: ReadOptions = {}): string {
  const noFollow = opts.noFollow === true;
  let st: fs.Stats;
  try {
    st = noFollow ? fs.lstatSync(file) : fs.statSync(file);
  } catch (err) {
    throw reason(err);
  }
  if (st.isSymbolicLink()) throw new InputFileError('is a symbolic link: links inside an output folder are not followed', 'not-regular');
  if (!st.isFile()) throw notRegular(st);
  if (st.size > limit) throw tooLarge(limit, what);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | (noFollow ? fs.constants.O_NOFOLLOW : 0));
  } catch (err) {
    if (noFollow && errCode(err) === 'ELOOP') throw new InputFileError('is a symbolic link: links inside an output folder are not followed', 'not-regular');
    throw reason(err);
  }
  try {
    const fst = fs.fstatSync(fd);
    if (!fst.isFile()) throw notRegular(fst);
    const buf = Buffer.allocUnsafe(Math.min(limit + 1, Math.max(fst.size + 1, 4096)));
    let got = 0;
    let chunk = buf;
    for (;;) {
      if (got === chunk.length) {
        if (chunk.length > limit) throw tooLarge(limit, what);
        const bigger = Buffer.allocUnsafe(Math.min(limit + 1, chunk.length * 2));
        chunk.copy(bigger, 0, 0, got);
        chunk = bigger;
      }
      let n: number;
      try {
        n = fs.readSync(fd, chunk, got, chunk.length - got, null);
      } catch (err) {
        throw reason(err);
      }
      if (n === 0) break;
      got += n;
    }
    if (got > limit) throw tooLarge(limit, what);
    return chunk.toString('utf8', 0, got);
  } finally {
    fs.closeSync(fd);
  }
}

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
