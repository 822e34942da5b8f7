import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main, type CliIo } from '../../src/cli/main.js';

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the CLI in-process with `cwd` as its working directory. */
export async function cli(argv: string[], cwd: string = process.cwd()): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (s) => out.push(s), stderr: (s) => err.push(s), isTTY: false, env: {}, cwd };
  const code = await main(argv, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const made: string[] = [];
process.on('exit', () => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

export function tempDir(prefix = 'smpsim-check-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}

/** A small locktorture (tas: lock arbitration draws random numbers); runs in milliseconds. */
export const LT_SCENARIO = [
  'name: check-lt',
  'description: a small locktorture for check tests',
  'seed: 7',
  'machine: {cpus: 4, spinlock: tas}',
  'costs: {preset: modern}',
  'workload: {type: locktorture, think: exp(1us), hold: exp(200ns)}',
  'stop: {ops: 5000}',
  '',
].join('\n');

/** A temp folder with scenarios/check-lt.yaml and an empty baselines/. */
export function workspace(): { dir: string; scenario: string; baselines: string } {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'scenarios'));
  fs.mkdirSync(path.join(dir, 'baselines'));
  const scenario = path.join(dir, 'scenarios', 'check-lt.yaml');
  fs.writeFileSync(scenario, LT_SCENARIO);
  return { dir, scenario, baselines: path.join(dir, 'baselines') };
}

export const STACK_FRAME = /^\s+at\s/m;
