/**
 * Issue 20, failure 1: every file smpsim reads goes through src/input/read.ts (regular files
 * only, bounded, never blocking). The sweep lock and the validation targets read around it
 * and streamed /dev/zero without bound. This scan fails when any file under src/ reads a
 * file another way.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../cli/helpers.js';

/** fs calls that read file contents, or open a file that may then be read. */
const READ_API = /\b(readFileSync|readFile|createReadStream|readSync|readvSync|openSync|openAsBlob|open|opendir)\s*\(|fs\/promises|\bfs\.promises\b|\bpromises as\b/;
/** The reader itself. */
const READER = 'src/input/read.ts';
/**
 * Opens for writing only: create-exclusive (the sweep lock), write (src/files/output.ts) and
 * append with O_WRONLY (the output manifest, src/files/manifest.ts).
 */
const WRITE_ONLY_OPEN = /openSync\([^)]*(,\s*'wx?'\s*\)|\bO_WRONLY\b)/;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (/\.(ts|mts|mjs|js)$/.test(e.name)) out.push(p);
  }
  return out;
}

describe('one reader for everything read', () => {
  it('no file under src/ but src/input/read.ts reads a file', () => {
    const offenders: string[] = [];
    for (const file of sources(path.join(ROOT, 'src'))) {
      const rel = path.relative(ROOT, file);
      if (rel === READER) continue;
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, i) => {
        const code = line.replace(/\/\/.*$/, '');
        if (/^\s*\*/.test(code)) return; // a doc comment line
        if (!READ_API.test(code)) return;
        if (!/\bfs\b|fs\/promises|promises as/.test(code)) return; // not the fs module (e.g. a socket's open())
        if (WRITE_ONLY_OPEN.test(code)) return;
        offenders.push(`${rel}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });

  it('the scan finds a direct read (it is not vacuous)', () => {
    const code = "const t = fs.readFileSync(file, 'utf8');";
    expect(READ_API.test(code) && /\bfs\b/.test(code) && !WRITE_ONLY_OPEN.test(code)).toBe(true);
  });
});
