import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportError } from '../../src/cli/main.js';
import { SimulationAborted } from '../../src/engine/sim.js';
import { BUNDLED, STACK_FRAME, cli, fakeIo, tempDir } from './helpers.js';

async function fails(argv: string[], stderr: string, code = 2) {
  const r = await cli(argv);
  expect(r.stderr).toBe(stderr);
  expect(r.code).toBe(code);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toMatch(STACK_FRAME);
}

describe('usage errors: exit 2, one line, nothing on stdout', () => {
  it('unknown command', async () => {
    await fails(['rn'], "smpsim: unknown command 'rn' (did you mean run?); see 'smpsim --help'\n");
    await fails(['frobnicate'], "smpsim: unknown command 'frobnicate'; see 'smpsim --help'\n");
  });

  it('unknown option', async () => {
    await fails(['--bogus'], "smpsim: unknown option '--bogus'; see 'smpsim --help'\n");
    await fails(['run', BUNDLED, '--bogus'], "smpsim: unknown option '--bogus'; see 'smpsim run --help'\n");
    await fails(['run', BUNDLED, '--formt', 'json'], "smpsim: unknown option '--formt' (did you mean --format?); see 'smpsim run --help'\n");
  });

  it('no command, help for an unknown command', async () => {
    await fails(['--'], "smpsim: no command given; see 'smpsim --help'\n");
    await fails(['help', 'bogus'], "smpsim: unknown command 'bogus'; see 'smpsim --help'\n");
  });

  it('missing argument, extra argument, bad choice, conflicting options', async () => {
    await fails(['run'], "smpsim: missing required argument 'scenario'; see 'smpsim run --help'\n");
    await fails(['schema', 'x'], "smpsim: too many arguments for 'schema'. Expected 0 arguments but got 1; see 'smpsim schema --help'\n");
    await fails(
      ['run', BUNDLED, '--format', 'xml'],
      "smpsim: option '--format <format>' argument 'xml' is invalid. Allowed choices are text, json, csv; see 'smpsim run --help'\n",
    );
    await fails(['run', BUNDLED, '--quiet', '--verbose'], "smpsim: option '--quiet' cannot be used with option '--verbose'; see 'smpsim run --help'\n");
    await fails(['run', BUNDLED, '--seed'], "smpsim: option '--seed <n>' argument missing; see 'smpsim run --help'\n");
  });

  it('missing scenario file', async () => {
    await fails(['run', 'no-such-scenario.yaml'], 'no-such-scenario.yaml: cannot read file: no such file\n');
    await fails(['validate', 'no-such-scenario.yaml'], 'no-such-scenario.yaml: cannot read file: no such file\n');
  });

  it('invalid scenario: the field path is in the message', async () => {
    const dir = tempDir();
    const f = path.join(dir, 'bad.yaml');
    fs.writeFileSync(f, 'machine: {cpus: 0, spinlok: tas}\nworkload: {type: locktorture}\n');
    await fails(
      ['run', f],
      `${f}: machine.cpus: expected an integer 1..4096, got 0\n${f}: machine.spinlok: unknown key (did you mean "spinlock"?)\n`,
    );
    const y = path.join(dir, 'syntax.yaml');
    fs.writeFileSync(y, 'machine: [1, 2\n');
    const r = await cli(['run', y]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^${y.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: YAML syntax error: `));
  });

  it('bad --set syntax and bad --set values', async () => {
    await fails(['run', BUNDLED, '--set', 'foo'], '--set: expected path=value like machine.cpus=8, got "foo" (missing "=")\n');
    await fails(['run', BUNDLED, '--set', '=3'], '--set: expected a dotted path like machine.cpus before "=", got ""\n');
    await fails(['run', BUNDLED, '--set', 'machine.cpus=lots'], '--set: machine.cpus: expected an integer 1..4096, got "lots"\n');
    // --set syntax is checked before the file is read.
    await fails(['run', 'no-such.yaml', '--set', 'foo'], '--set: expected path=value like machine.cpus=8, got "foo" (missing "=")\n');
  });

  it('bad --vary', async () => {
    await fails(['run', BUNDLED, '--vary', 'machine.spinlock'], '--vary: expected path=v1,v2,... like kernel.strategy=kmap,vmap, got "machine.spinlock"\n');
    await fails(['run', BUNDLED, '--vary', 'machine.spinlock=ticket,,tas'], '--vary: expected non-empty values separated by commas, got "machine.spinlock=ticket,,tas"\n');
    await fails(['run', BUNDLED, '--vary', 'workload.hold=exp(1us'], '--vary: unbalanced brackets in the values of "workload.hold=exp(1us"\n');
    await fails(
      ['run', BUNDLED, '--vary', 'machine.cpus=1,2', '--vary', 'machine.cpus=4'],
      '--vary: machine.cpus is varied twice; give all its values in one --vary\n',
    );
    await fails(['run', BUNDLED, '--vary', 'machine.spinlock=ticket,mcs'], '--vary: machine.spinlock: expected one of tas, ticket, qspinlock, got "mcs"\n');
  });

  it('bad --seed, bad --out', async () => {
    await fails(['run', BUNDLED, '--seed', '-1'], `--seed: expected an integer 0..${Number.MAX_SAFE_INTEGER}, got "-1"\n`);
    await fails(['run', BUNDLED, '--seed', 'abc'], `--seed: expected an integer 0..${Number.MAX_SAFE_INTEGER}, got "abc"\n`);
    await fails(['run', BUNDLED, '--out', '/no/such/dir/r.json'], '--out: cannot write /no/such/dir/r.json: no directory /no/such/dir\n');
  });

  it('an invalid input writes nothing to --out', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'r.json');
    const r = await cli(['run', BUNDLED, '--set', 'machine.cpus=0', '--out', out]);
    expect(r.code).toBe(2);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('help and version', () => {
  it('--help and help <command> exit 0 on stdout', async () => {
    const h = await cli(['--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('Usage: smpsim');
    for (const c of ['run', 'validate', 'schema', 'list', 'compare']) expect(h.stdout).toContain(`${c} `);
    const r = await cli(['help', 'run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--vary <path=v1,v2>');
    const rh = await cli(['run', '--help']);
    expect(rh.code).toBe(0);
    expect(rh.stdout).toContain('--format <format>');
  });

  it('--version', async () => {
    const v = await cli(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

describe('aborted runs and internal errors', () => {
  it('a run that deadlocks: exit 3, the message and the diagnosis, nothing on stdout', async () => {
    // Every task holds more persistent kmaps than its share of the pool: all end up asleep
    // on pkmap_map_wait, as a real kernel would.
    const dir = tempDir();
    const f = path.join(dir, 'deadlock.yaml');
    fs.writeFileSync(
      f,
      'machine: {cpus: 4, pae: true, highmem: 7GiB}\n' +
        'workload: {type: maptorture, api: kmap, pages: 2000, working_set_pages: 100000}\n' +
        'stop: {ops: 100}\n',
    );
    const r = await cli(['run', f, '--format', 'json']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    // Human-readable simulated time (issue 15): `t=57.29ms of simulated time`, not `t=57287085 ns`.
    expect(lines[0]).toMatch(/^smpsim: run aborted: deadlock at t=(\d+ns|\d+\.\d\d(us|ms)|\d+\.\d{3}s) of simulated time: /);
    expect(lines[1]).toBe('diagnosis (per-CPU state, lock holders and waiters):');
    expect(lines.slice(2).every((l) => l.startsWith('  '))).toBe(true);
    expect(r.stderr).toContain('cpu0:');
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it('SimulationAborted: exit 3 with its message and diagnosis', () => {
    const { io, out, err } = fakeIo();
    const e = new SimulationAborted('deadlock', 'run aborted: deadlock at t=5 ns: no event pending', 'cpu0: spinning on kmap_lock\nkmap_lock: held by cpu1');
    expect(reportError(e, io, ['run', 'x'])).toBe(3);
    expect(out).toEqual([]);
    expect(err.join('')).toBe(
      'smpsim: run aborted: deadlock at t=5 ns: no event pending\n' +
        'diagnosis (per-CPU state, lock holders and waiters):\n' +
        '  cpu0: spinning on kmap_lock\n' +
        '  kmap_lock: held by cpu1\n',
    );
  });

  it('anything else: one line, exit 70; the stack only with SMPSIM_DEBUG=1', () => {
    const quiet = fakeIo();
    expect(reportError(new TypeError('x is undefined\nsecond line'), quiet.io, [])).toBe(70);
    expect(quiet.err.join('')).toBe('smpsim: internal error: x is undefined\n');
    const dbg = fakeIo({ env: { SMPSIM_DEBUG: '1' } });
    expect(reportError(new TypeError('boom'), dbg.io, [])).toBe(70);
    expect(dbg.err.join('')).toMatch(STACK_FRAME);
  });
});

describe('validate, schema, list', () => {
  it('validate: ok lines, problems on stderr, exit 2 if any invalid', async () => {
    const dir = tempDir();
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, 'stop: {ops: -1}\n');
    const good = await cli(['validate', BUNDLED]);
    expect(good).toEqual({ code: 0, stdout: `ok ${BUNDLED}\n`, stderr: '' });
    const mixed = await cli(['validate', BUNDLED, bad]);
    expect(mixed.code).toBe(2);
    expect(mixed.stdout).toBe(`ok ${BUNDLED}\n`);
    expect(mixed.stderr).toBe(`${bad}: stop.ops: expected an integer >= 1, got -1\n`);
  });

  it('schema: the JSON Schema of scenario files', async () => {
    const r = await cli(['schema']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as { title: string; properties: Record<string, unknown> };
    expect(s.title).toBe('smpsim scenario');
    expect(Object.keys(s.properties)).toEqual(expect.arrayContaining(['machine', 'costs', 'kernel', 'workload', 'stop']));
  });

  it('list: bundled scenarios with their description, whatever the cwd', async () => {
    const r = await cli(['list'], { cwd: tempDir() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^locktorture-ticket-vs-tas +How much does the unfair 2\.4 test-and-set spinlock/m);
    for (const line of r.stdout.trimEnd().split('\n')) expect(line).not.toContain('(invalid');
  });
});
