/**
 * Reading files the user names (scenarios, `extends` targets, results, baselines, sweep
 * summaries) without trusting them: only regular files, at most MAX_INPUT_BYTES, opened
 * so that a FIFO or a device never blocks or streams forever; parsed data at most
 * MAX_NESTING deep and free of cycles before any recursive code walks it; and any piece of
 * the input echoed in a message cut short and escaped, so that naming a secret file never
 * prints it.
 */
import fs from 'node:fs';
import { MAX_INPUT_BYTES } from './text.js';

// The pure half (limits, excerpts, shape checks, JSON text), free of Node: ./text.ts.
export * from './text.js';

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
