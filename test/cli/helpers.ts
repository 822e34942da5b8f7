import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main, type CliIo } from '../../src/cli/main.js';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
export const BUNDLED = path.join(ROOT, 'scenarios', 'locktorture-ticket-vs-tas.yaml');

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

export interface FakeIoOptions {
  isTTY?: boolean;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Wall clock for the progress bar (see CliIo.now). */
  now?: () => number;
}

export function fakeIo(opts: FakeIoOptions = {}): { io: CliIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    isTTY: opts.isTTY ?? false,
    env: opts.env ?? {},
    cwd: opts.cwd ?? process.cwd(),
    ...(opts.now === undefined ? {} : { now: opts.now }),
  };
  return { io, out, err };
}

export async function cli(argv: string[], opts: FakeIoOptions = {}): Promise<Captured> {
  const { io, out, err } = fakeIo(opts);
  const code = await main(argv, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const made: string[] = [];
process.on('exit', () => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh temporary directory, removed when the test process exits. */
export function tempDir(prefix = 'smpsim-cli-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}

/** A stack frame line, as Node prints them. */
export const STACK_FRAME = /^\s+at\s/m;

/** A tiny valid scenario (fast to run). */
export const TINY_SCENARIO = [
  'name: tiny',
  'description: a tiny locktorture for CLI tests',
  'machine: {cpus: 2, spinlock: ticket}',
  'workload: {type: locktorture, think: exp(1us), hold: exp(200ns)}',
  'stop: {ops: 200}',
  '',
].join('\n');
