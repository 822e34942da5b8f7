/**
 * Small frictions (issue 15, item 7): `extends:` takes bundled scenario names as `run`
 * does; an unknown scenario name points to `smpsim list` (and the nearest name); a mistyped
 * enumeration value gets a did-you-mean.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.js';
import { ROOT, cli, tempDir } from './helpers.js';

describe('scenario names', () => {
  it('extends: a bundled scenario name, as smpsim run takes it', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'mine.yaml');
    fs.writeFileSync(file, 'extends: lkml-2000-4way\nname: mine\nmachine: {cpus: 8}\n');
    expect(await cli(['validate', file])).toMatchObject({ code: 0 });
    const s = loadScenario(file);
    const parent = loadScenario(path.join(ROOT, 'scenarios', 'lkml-2000-4way.yaml'));
    expect(s.machine.cpus).toBe(8);
    expect({ ...s, name: parent.name, machine: { ...s.machine, cpus: parent.machine.cpus } }).toEqual(parent);
  });

  it('extends: an unknown name says where the names are, and the nearest', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'mine.yaml');
    fs.writeFileSync(file, 'extends: lkml-2000-4wy\n');
    const r = await cli(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `${file}: extends: expected a scenario file ending in .yaml, .yml or .json, or the name of a bundled scenario (see \`smpsim list\`), got "lkml-2000-4wy" (did you mean "lkml-2000-4way"?)\n`,
    );
  });

  it('run NAME that is neither a file nor a bundled scenario: see smpsim list', async () => {
    const dir = tempDir();
    const r = await cli(['run', 'lkml-2000-4wy'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^\S*lkml-2000-4wy: cannot read file: no such file, nor the name of a bundled scenario \(did you mean "lkml-2000-4way"\?\); see `smpsim list`\n$/);
  });
});

describe('did you mean, for values', () => {
  it('kernel.strategy=kmpa → kmap; a far miss gets no guess', async () => {
    const r = await cli(['run', 'lkml-2000-4way', '--set', 'kernel.strategy=kmpa', '--set', 'machine.spinlock=mcs']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')).toEqual([
      '--set: machine.spinlock: expected one of tas, ticket, qspinlock, got "mcs"',
      '--set: kernel.strategy: expected one of bounce, vmap, vmap_lazy, kmap, direct, got "kmpa" (did you mean "kmap"?)',
      '',
    ]);
  });
});

describe('CSV of --vary runs', () => {
  it('one column per varied key, named by it, in --vary order', async () => {
    const r = await cli(['run', 'locktorture-ticket-vs-tas', '--set', 'stop.ops=500', '--vary', 'machine.spinlock=ticket,tas', '--vary', 'machine.cpus=2,4', '--format', 'csv']);
    expect(r.code).toBe(0);
    const rows = r.stdout.trimEnd().split('\n').map((l) => l.split(','));
    expect(rows[0]!.slice(0, 3)).toEqual(['machine.spinlock', 'machine.cpus', 'scenario.name']);
    expect(rows.slice(1).map((row) => row.slice(0, 2))).toEqual([
      ['ticket', '2'],
      ['ticket', '4'],
      ['tas', '2'],
      ['tas', '4'],
    ]);
  });
});

describe('the output says what an op is, and how lock wait and CPU spin differ', () => {
  it.each([
    ['io', 'an op is one I/O: a 4KiB read or write, from submission to completion'],
    ['maptorture', 'an op is one map round: kmap 1 page, touch it, unmap'],
    ['locktorture', 'an op is one acquisition of the lock: spin_lock, hold, spin_unlock'],
  ])('%s: in the report header', async (type, meaning) => {
    const r = await cli(['run', 'locktorture-ticket-vs-tas', '--set', `workload={type: ${type}}`, '--set', 'stop.ops=300']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[1]).toBe(` (${meaning})`);
  });

  it('--vary table: the op, and a note where lock wait rows and CPU spin both show', async () => {
    const r = await cli(['run', 'locktorture-ticket-vs-tas', '--set', 'stop.ops=300', '--vary', 'machine.spinlock=ticket,tas']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('\n (an op is one acquisition of the lock: spin_lock, hold, spin_unlock)\n');
    expect(r.stdout).toMatch(/^torture_spinlock wait total .*\n[\s\S]*^CPU spin /m);
    expect(r.stdout).toMatch(/\n note: lock wait is lock_stat waittime, .*; CPU spin is the CPU time charged to acquiring spinlocks, .*\n$/);
  });
});

describe('times in abort messages are human-readable', () => {
  it('the event limit names the simulated time with a unit', async () => {
    const { runScenario } = await import('../../src/model/run.js');
    const s = loadScenario(path.join(ROOT, 'scenarios', 'locktorture-ticket-vs-tas.yaml'));
    expect(() => runScenario(s, { limits: { maxEvents: 1000 } })).toThrow(
      /^run aborted: event limit of 1000 events reached at t=\d+\.\d\dus of simulated time$/,
    );
  });
});
