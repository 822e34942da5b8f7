import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../cli/helpers.js';
import { counts, read, scenarioFile, sweep } from './helpers.js';

const ARGS = ['--vary', 'machine.cpus=1..4', '--replications', '3', '--jobs', '1'];
const TOTAL = 12; // 4 points x 3 replications
const KILL_AFTER = 3; // run files written before the process kills itself
const PRELOAD = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), 'kill-after.mjs')).href;

describe('smpsim sweep killed with SIGKILL', () => {
  it('resumes from the files it had written, and ends with the summary of an uninterrupted sweep', async () => {
    const { dir, file } = scenarioFile();
    const out = path.join(dir, 'out');
    const runs = path.join(out, 'runs');
    // The child kills itself right after its 3rd run file (see kill-after.mjs): a count, not a time.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--import', PRELOAD, path.join(ROOT, 'src', 'cli.ts'), 'sweep', file, '--out', out, ...ARGS],
      { cwd: ROOT, stdio: 'ignore', env: { ...process.env, SMPSIM_TEST_KILL_AFTER_RUNS: String(KILL_AFTER) } },
    );
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    expect(signal).toBe('SIGKILL');
    const before = fs.readdirSync(runs).filter((f) => /^\d+-\d+\.json$/.test(f)).length;
    expect(before).toBe(KILL_AFTER);
    expect(fs.existsSync(path.join(out, 'summary.json'))).toBe(false);

    const resumed = await sweep(file, out, ...ARGS);
    expect(resumed.code, resumed.stderr).toBe(0);
    const c = counts(resumed.stderr);
    expect(c).toEqual({ computed: TOTAL - KILL_AFTER, reused: KILL_AFTER });

    const ref = path.join(dir, 'ref');
    expect((await sweep(file, ref, ...ARGS)).code).toBe(0);
    expect(read(path.join(out, 'summary.json'))).toBe(read(path.join(ref, 'summary.json')));
    expect(read(path.join(out, 'summary.csv'))).toBe(read(path.join(ref, 'summary.csv')));
  });
});
