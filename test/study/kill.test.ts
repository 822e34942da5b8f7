import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../cli/helpers.js';
import { counts, read, scenarioFile, sweep } from './helpers.js';

const SCENARIO = [
  'name: kill-test',
  'seed: 11',
  'machine: {cpus: 2, spinlock: ticket}',
  'workload: {type: locktorture, think: exp(1us), hold: exp(300ns)}',
  'stop: {ops: 40000}',
  '',
].join('\n');
const ARGS = ['--vary', 'machine.cpus=1..4', '--replications', '3', '--jobs', '1'];

describe('smpsim sweep killed with SIGKILL', () => {
  it('resumes from the files it had written, and ends with the summary of an uninterrupted sweep', async () => {
    const { dir, file } = scenarioFile(SCENARIO);
    const out = path.join(dir, 'out');
    const runs = path.join(out, 'runs');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli.ts'), 'sweep', file, '--out', out, ...ARGS], {
      cwd: ROOT,
      stdio: 'ignore',
    });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const deadline = Date.now() + 20_000;
    const done = () => (fs.existsSync(runs) ? fs.readdirSync(runs).filter((f) => /^\d+-\d+\.json$/.test(f)).length : 0);
    while (done() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    await exited;
    const before = done();
    expect(before).toBeGreaterThanOrEqual(3);
    expect(before).toBeLessThan(12); // killed mid-way, not after the end
    expect(fs.existsSync(path.join(out, 'summary.json'))).toBe(false);

    const resumed = await sweep(file, out, ...ARGS);
    expect(resumed.code, resumed.stderr).toBe(0);
    const c = counts(resumed.stderr);
    expect(c.computed + c.reused).toBe(12);
    expect(c.reused).toBe(before);

    const ref = path.join(dir, 'ref');
    expect((await sweep(file, ref, ...ARGS)).code).toBe(0);
    expect(read(path.join(out, 'summary.json'))).toBe(read(path.join(ref, 'summary.json')));
    expect(read(path.join(out, 'summary.csv'))).toBe(read(path.join(ref, 'summary.csv')));
  });
});
