/**
 * Issue 20, failure 2: nothing in an output folder is deleted or replaced that smpsim cannot
 * prove it wrote (DIR/.smpsim-manifest names it with its hash), no entry is followed through
 * a link, and a folder that is not a sweep is written only with --force. Each case below
 * deleted or replaced a user's file before.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../cli/helpers.js';
import { scenarioFile, sweep } from './helpers.js';

const ARGS = ['--vary', 'machine.cpus=1,2', '--replications', '1', '--jobs', '1'];

/** Files the user made in `dir` (name → content), written now. */
function plant(dir: string, files: Record<string, string>): void {
  for (const [n, t] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, n)), { recursive: true });
    fs.writeFileSync(path.join(dir, n), t);
  }
}

function expectKept(dir: string, files: Record<string, string>): void {
  for (const [n, t] of Object.entries(files)) expect(fs.readFileSync(path.join(dir, n), 'utf8'), n).toBe(t);
}

function expectOneLine(r: { code: number; stderr: string }, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
}

const USER = { 'report.html': '<p>my report</p>', 'throughput.svg': '<svg>mine</svg>', 'runs/0-0.json': '{"mine": 1}' };

describe('sweep --out', () => {
  it('--force with an unparsable sweep.json deletes none of the files it never wrote', async () => {
    const { dir, file } = scenarioFile();
    const out = path.join(dir, 'o');
    plant(out, { ...USER, 'sweep.json': '{not json' });
    expectOneLine(await sweep(file, out, ...ARGS, '--force'), /sweep\.json was not written by smpsim/);
    expectKept(out, { ...USER, 'sweep.json': '{not json' });
  });

  it('--force with sweep.json a directory: exit 2 and nothing deleted', async () => {
    const { dir, file } = scenarioFile();
    const out = path.join(dir, 'o');
    plant(out, USER);
    fs.mkdirSync(path.join(out, 'sweep.json'));
    expectOneLine(await sweep(file, out, ...ARGS, '--force'), /sweep\.json is a directory/);
    expectKept(out, USER);
  });

  it("a non-empty folder that is not a sweep: refused without --force; with it, the user's summary.csv is not replaced", async () => {
    const { dir, file } = scenarioFile();
    const out = path.join(dir, 'o');
    plant(out, { 'summary.csv': 'a,b\n1,2\n' });
    expectOneLine(await sweep(file, out, ...ARGS), /is not a sweep \(no sweep\.json\) and not empty; .*only with --force/);
    expectKept(out, { 'summary.csv': 'a,b\n1,2\n' });
    const forced = await sweep(file, out, ...ARGS, '--force');
    expect(forced.code).toBe(2);
    expect(forced.stderr).toMatch(/summary\.csv was not written by smpsim/);
    expectKept(out, { 'summary.csv': 'a,b\n1,2\n' });
  });

  it('summary.csv planted as a link to another file: refused, the target untouched', async () => {
    const { dir, file } = scenarioFile();
    const out = path.join(dir, 'o');
    expect((await sweep(file, out, ...ARGS)).code).toBe(0);
    const victim = path.join(dir, 'passwd');
    fs.writeFileSync(victim, 'root:x:0:0::/root:/bin/sh\n');
    fs.rmSync(path.join(out, 'summary.csv'));
    fs.symlinkSync(victim, path.join(out, 'summary.csv'));
    const r = await sweep(file, out, ...ARGS);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/summary\.csv is a symbolic link/);
    expect(fs.readFileSync(victim, 'utf8')).toBe('root:x:0:0::/root:/bin/sh\n');
    expect(fs.lstatSync(path.join(out, 'summary.csv')).isSymbolicLink()).toBe(true);
  });

  it('runs/ a link elsewhere, with --force: refused, nothing there deleted', async () => {
    const { dir, file } = scenarioFile();
    const out = path.join(dir, 'o');
    expect((await sweep(file, out, ...ARGS)).code).toBe(0);
    const elsewhere = path.join(dir, 'elsewhere');
    plant(elsewhere, { '0-0.json': 'precious', '1-0.json': 'precious too' });
    fs.rmSync(path.join(out, 'runs'), { recursive: true });
    fs.symlinkSync(elsewhere, path.join(out, 'runs'));
    expectOneLine(await sweep(file, out, '--vary', 'machine.cpus=1,2,3', '--replications', '1', '--jobs', '1', '--force'), /runs is a symbolic link/);
    expectKept(elsewhere, { '0-0.json': 'precious', '1-0.json': 'precious too' });
  });

  it("--force on a different sweep leaves a plot the user edited since (its hash changed)", async () => {
    const { dir, file } = scenarioFile();
    const out = path.join(dir, 'o');
    expect((await sweep(file, out, ...ARGS, '--plot')).code).toBe(0);
    fs.writeFileSync(path.join(out, 'report.html'), '<p>annotated by hand</p>');
    const r = await sweep(file, out, '--vary', 'machine.cpus=1,2,3', '--replications', '1', '--jobs', '1', '--force');
    expect(r.code, r.stderr).toBe(0);
    expectKept(out, { 'report.html': '<p>annotated by hand</p>' });
    expect(fs.existsSync(path.join(out, 'throughput.svg'))).toBe(false);
  });
});

describe('plot DIR and baseline --out DIR', () => {
  it('plot: a report.html link planted in the sweep folder is refused; its target untouched', async () => {
    const { dir, file } = scenarioFile();
    const out = path.join(dir, 'o');
    expect((await sweep(file, out, ...ARGS)).code).toBe(0);
    const victim = path.join(dir, 'victim.html');
    fs.writeFileSync(victim, 'keep');
    fs.symlinkSync(victim, path.join(out, 'report.html'));
    const r = await cli(['plot', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/report\.html is a symbolic link/);
    expect(fs.readFileSync(victim, 'utf8')).toBe('keep');
    // Nothing half-done: no chart was written before the refusal.
    expect(fs.existsSync(path.join(out, 'throughput.svg'))).toBe(false);
  });

  it("baseline --out: a non-empty foreign folder only with --force, a user's file or a link never replaced", async () => {
    const { dir, file } = scenarioFile();
    const out = path.join(dir, 'b');
    plant(out, { 'notes.txt': 'mine' });
    const args = ['baseline', file, '--out', out, '--set', 'stop.ops=300', '--quiet'];
    expectOneLine(await cli(args), /is not empty and holds no baselines smpsim recorded/);
    expect((await cli([...args, '--force'])).code).toBe(0);
    expectKept(out, { 'notes.txt': 'mine' });
    // Recorded by smpsim: re-recording needs no --force.
    expect((await cli(args)).code).toBe(0);
    // The baseline replaced by a link elsewhere: refused, the target kept.
    const victim = path.join(dir, 'victim.json');
    fs.writeFileSync(victim, 'keep');
    fs.rmSync(path.join(out, 'sweep-test.json'));
    fs.symlinkSync(victim, path.join(out, 'sweep-test.json'));
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/sweep-test\.json is a symbolic link/);
    expect(fs.readFileSync(victim, 'utf8')).toBe('keep');
  });
});

describe('the manifest itself', () => {
  it('a manifest that is a link (to /dev/zero) is refused at once', async () => {
    const { dir, file } = scenarioFile();
    const out = path.join(dir, 'o');
    fs.mkdirSync(out);
    fs.symlinkSync('/dev/zero', path.join(out, '.smpsim-manifest'));
    const r = await sweep(file, out, ...ARGS, '--force');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\.smpsim-manifest: is a symbolic link/);
  });

  it('a folder is writable again once its manifest lists it: resume reuses every run', async () => {
    const { dir, file } = scenarioFile();
    const out = path.join(dir, 'o');
    expect((await sweep(file, out, ...ARGS)).code).toBe(0);
    const again = await sweep(file, out, ...ARGS);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/\(0 computed, 2 reused/);
  });
});
