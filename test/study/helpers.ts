import fs from 'node:fs';
import path from 'node:path';
import { cli, tempDir, type Captured } from '../cli/helpers.js';

/** A small, fast scenario for sweeps: locktorture, a few thousand acquisitions per run. */
export const SWEEP_SCENARIO = [
  'name: sweep-test',
  'description: a small locktorture for sweep tests',
  'seed: 7',
  'machine: {cpus: 2, spinlock: ticket}',
  'workload: {type: locktorture, think: exp(1us), hold: exp(300ns)}',
  'stop: {ops: 3000}',
  '',
].join('\n');

export function scenarioFile(text = SWEEP_SCENARIO): { dir: string; file: string } {
  const dir = tempDir('smpsim-sweep-');
  const file = path.join(dir, 'scenario.yaml');
  fs.writeFileSync(file, text);
  return { dir, file };
}

export async function sweep(file: string, out: string, ...args: string[]): Promise<Captured> {
  return cli(['sweep', file, '--out', out, ...args]);
}

/** "(N computed, M reused" from the closing note on stderr. */
export function counts(stderr: string): { computed: number; reused: number } {
  const m = /\((\d+) computed, (\d+) reused/.exec(stderr);
  if (m === null) throw new Error(`no run counts in: ${stderr}`);
  return { computed: Number(m[1]), reused: Number(m[2]) };
}

export function read(file: string): string {
  return fs.readFileSync(file, 'utf8');
}
