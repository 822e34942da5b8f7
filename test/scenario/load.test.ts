import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRawScenario, loadScenario, parseSetOption, resolveScenario } from '../../src/scenario/load.js';
import { ScenarioError } from '../../src/scenario/errors.js';
import { problemsOf } from './helpers.js';

let dir: string;
const p = (name: string): string => path.join(dir, name);
const write = (name: string, text: string): string => {
  fs.mkdirSync(path.dirname(p(name)), { recursive: true });
  fs.writeFileSync(p(name), text);
  return p(name);
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smpsim-scenario-'));
  write(
    'base.yaml',
    `# a base scenario
name: base
description: shared machine
$schema: ../scenario.schema.json
machine:
  cpus: 8
  spinlock: tas
costs:
  preset: era2000
  ipi_latency: 4us
kernel:
  strategy: kmap
workload:
  type: io
  size: uniform(4KiB,64KiB)
  read_fraction: 70%
stop:
  ops: 5000
`,
  );
  write(
    'child.yaml',
    `extends: base.yaml
machine:
  cpus: 2
kernel:
  strategy: vmap
`,
  );
  write('sub/grandchild.yml', 'extends: ../child.yaml\ncosts: {memcpy_page: 20us}\n');
  write('locks.yaml', 'extends: base.yaml\nworkload:\n  type: locktorture\n  hold: 1us\n');
  write('a.yaml', 'extends: b.yaml\n');
  write('b.yaml', 'extends: a.yaml\n');
  write('self.yaml', 'extends: ./self.yaml\n');
  write('orphan.yaml', 'extends: missing.yaml\n');
  write('badparent.yaml', 'machine:\n  cpus: 0\n');
  write('badchild.yaml', 'extends: badparent.yaml\nkernel: {strategy: kmapp}\n');
  write('plain.json', '{"machine": {"cpus": 16}, "workload": {"type": "maptorture", "api": "vmap", "pages": 4}}\n');
  write('empty.yaml', '');
  write('comments.yaml', '# nothing but comments\n');
  write('null.yaml', 'null\n');
  write('defaults.yaml', '{}\n');
  write('list.yaml', '- a\n- b\n');
  write('syntax.yaml', 'machine:\n  cpus: [1, 2\n');
  write('dup.yaml', 'machine:\n  cpus: 1\n  cpus: 2\n');
  write('cyclic-alias.yaml', 'a: &x [*x]\n');
  write('typo.yaml', 'machine:\n  cpuss: 4\n');
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('reading files', () => {
  it('reads YAML and fills defaults; the name is the file base name unless given', () => {
    const r = loadScenario(p('child.yaml'));
    expect(r.name).toBe('child');
    expect(loadScenario(p('base.yaml')).name).toBe('base');
  });

  it('reads JSON', () => {
    const r = loadScenario(p('plain.json'));
    expect(r.name).toBe('plain');
    expect(r.machine.cpus).toBe(16);
    expect(r.workload).toMatchObject({ type: 'maptorture', api: 'vmap', pages: 4, tasks: 16 });
  });

  it('an empty file, only comments or a null document is refused; {} is all defaults', () => {
    for (const f of ['empty.yaml', 'comments.yaml', 'null.yaml']) {
      expect(problemsOf(() => loadScenario(p(f)))).toEqual([
        `${p(f)}: empty scenario: expected a mapping of scenario settings (write {} for all defaults)`,
      ]);
    }
    expect(loadScenario(p('defaults.yaml')).machine.cpus).toBe(4);
    expect(loadScenario(p('defaults.yaml')).kernel.strategy).toBe('kmap');
  });

  it('a missing file is one line', () => {
    expect(problemsOf(() => loadScenario(p('nope.yaml')))).toEqual([`${p('nope.yaml')}: cannot read file: no such file`]);
    expect(problemsOf(() => loadScenario(dir))).toEqual([`${dir}: cannot read file: is a directory`]);
  });

  it('a YAML syntax error is one line with line and column', () => {
    expect(problemsOf(() => loadScenario(p('syntax.yaml')))).toEqual([
      `${p('syntax.yaml')}:3:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]`,
    ]);
    expect(problemsOf(() => loadScenario(p('dup.yaml')))).toEqual([
      `${p('dup.yaml')}:3:3: YAML syntax error: Map keys must be unique`,
    ]);
  });

  it('a file that is not a mapping, or cyclic data, is one line', () => {
    expect(problemsOf(() => loadScenario(p('list.yaml')))).toEqual([
      `${p('list.yaml')}: expected a mapping of scenario settings, got ["a","b"]`,
    ]);
    expect(problemsOf(() => loadScenario(p('cyclic-alias.yaml')))).toEqual([
      `${p('cyclic-alias.yaml')}: YAML error: an alias refers to its own anchor (cyclic data)`,
    ]);
  });

  it('unknown keys are reported against the file with a did-you-mean', () => {
    expect(problemsOf(() => loadScenario(p('typo.yaml')))).toEqual([
      `${p('typo.yaml')}: machine.cpuss: unknown key (did you mean "cpus"?)`,
    ]);
  });

  it('messages never carry a stack trace', () => {
    // problemsOf fails the test when nothing is thrown, so this cannot pass vacuously.
    const lines = problemsOf(() => loadScenario(p('syntax.yaml')));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).not.toMatch(/\n|\bat .*\(/);
  });
});

describe('extends', () => {
  it('deep-merges child over parent, key by key', () => {
    const r = loadScenario(p('child.yaml'));
    expect(r.machine.cpus).toBe(2); // child
    expect(r.machine.spinlock).toBe('tas'); // parent, same mapping
    expect(r.kernel.strategy).toBe('vmap');
    expect(r.costs_preset).toBe('era2000');
    expect(r.costs.ipi_latency).toBe(4000);
    expect(r.costs_source.ipi_latency).toBe('scenario override');
    expect(r.workload).toMatchObject({ type: 'io', read_fraction: 0.7, size: { kind: 'uniform', lo: 4096, hi: 65536 }, tasks: 2 });
    expect(r.stop.ops).toBe(5000);
    expect(r.description).toBe('shared machine'); // inherited
    expect(r.name).toBe('child'); // not inherited
  });

  it('follows chains relative to each file', () => {
    const r = loadScenario(p('sub/grandchild.yml'));
    expect(r.name).toBe('grandchild');
    expect(r.kernel.strategy).toBe('vmap');
    expect(r.machine.cpus).toBe(2);
    expect(r.costs.memcpy_page).toBe(20_000);
    expect(r.costs.ipi_latency).toBe(4000);
  });

  it('a child that changes workload.type replaces the workload instead of merging it', () => {
    expect(loadScenario(p('locks.yaml')).workload).toEqual({
      type: 'locktorture',
      tasks: 8,
      think: { kind: 'exp', mean: 1000 },
      hold: { kind: 'const', value: 1000 },
    });
  });

  it('detects cycles, including a file extending itself', () => {
    expect(problemsOf(() => loadScenario(p('a.yaml')))).toEqual([
      `${p('b.yaml')}: extends: expected no cycle, got ${p('a.yaml')} -> ${p('b.yaml')} -> ${p('a.yaml')}`,
    ]);
    expect(problemsOf(() => loadScenario(p('self.yaml')))).toEqual([
      `${p('self.yaml')}: extends: expected no cycle, got ${p('self.yaml')} -> ${p('self.yaml')}`,
    ]);
  });

  it('a missing parent is reported against the extends that names it', () => {
    expect(problemsOf(() => loadScenario(p('orphan.yaml')))).toEqual([
      `${p('orphan.yaml')}: extends: cannot read ${p('missing.yaml')}: no such file`,
    ]);
  });

  it('problems are blamed on the file that supplied the value', () => {
    expect(problemsOf(() => loadScenario(p('badchild.yaml')))).toEqual([
      `${p('badparent.yaml')}: machine.cpus: expected an integer 1..4096, got 0`,
      `${p('badchild.yaml')}: kernel.strategy: expected one of bounce, vmap, vmap_lazy, kmap, direct, got "kmapp" (did you mean "kmap"?)`,
    ]);
  });

  it('resolveScenario follows extends relative to its origin', () => {
    const r = resolveScenario({ extends: 'base.yaml', machine: { cpus: 3 } }, p('inline.yaml'));
    expect(r.machine.cpus).toBe(3);
    expect(r.costs_preset).toBe('era2000');
    expect(r.name).toBe('inline');
  });
});

describe('--set', () => {
  it('parses path=value with YAML scalars', () => {
    expect(parseSetOption('machine.cpus=8')).toEqual({ path: ['machine', 'cpus'], value: 8 });
    expect(parseSetOption('kernel.strategy=vmap')).toEqual({ path: ['kernel', 'strategy'], value: 'vmap' });
    expect(parseSetOption('workload.think=exp(2us)')).toEqual({ path: ['workload', 'think'], value: 'exp(2us)' });
    expect(parseSetOption('machine.pae=true')).toEqual({ path: ['machine', 'pae'], value: true });
    expect(parseSetOption('workload.read_fraction=0.25')).toEqual({ path: ['workload', 'read_fraction'], value: 0.25 });
    expect(parseSetOption('workload.read_fraction=70%')).toEqual({ path: ['workload', 'read_fraction'], value: '70%' });
    expect(parseSetOption('description=a: b')).toEqual({ path: ['description'], value: 'a: b' });
    expect(parseSetOption('description=x=y')).toEqual({ path: ['description'], value: 'x=y' });
    expect(parseSetOption('description=')).toEqual({ path: ['description'], value: '' });
    expect(parseSetOption('stop.warmup={ops: 10}')).toEqual({ path: ['stop', 'warmup'], value: { ops: 10 } });
    expect(parseSetOption(' machine . cpus = 8 ')).toEqual({ path: ['machine', 'cpus'], value: 8 });
  });

  it('a missing "=" or an empty path is one clear line', () => {
    expect(problemsOf(() => parseSetOption('machine.cpus'))).toEqual([
      '--set: expected path=value like machine.cpus=8, got "machine.cpus" (missing "=")',
    ]);
    expect(problemsOf(() => parseSetOption('=4'))).toEqual([
      '--set: expected a dotted path like machine.cpus before "=", got ""',
    ]);
    expect(problemsOf(() => parseSetOption('machine..cpus=4'))).toEqual([
      '--set: expected a dotted path like machine.cpus before "=", got "machine..cpus"',
    ]);
    expect(problemsOf(() => parseSetOption('stop.warmup={ops: 1'))).toEqual([
      '--set: expected a YAML flow value, got "{ops: 1"',
    ]);
  });

  it('overrides nested paths after extends, creating mappings as needed', () => {
    const r = loadScenario(p('child.yaml'), {
      set: ['machine.cpus=8', 'kernel.strategy=vmap_lazy', 'workload.think=exp(2us)', 'device.latency=uniform(1us,3us)', 'stop.warmup={ops: 10}'],
    });
    expect(r.machine.cpus).toBe(8);
    expect(r.machine.spinlock).toBe('tas');
    expect(r.kernel.strategy).toBe('vmap_lazy');
    expect(r.workload.think).toEqual({ kind: 'exp', mean: 2000 });
    expect(r.workload.tasks).toBe(8);
    expect(r.device.latency).toEqual({ kind: 'uniform', lo: 1000, hi: 3000 });
    expect(r.stop).toEqual({ ops: 5000, time_ns: null, warmup: { ops: 10 } });
  });

  it('later --set wins; --set can switch the workload type', () => {
    expect(loadScenario(p('defaults.yaml'), { set: ['machine.cpus=8', 'machine.cpus=3'] }).machine.cpus).toBe(3);
    expect(loadScenario(p('defaults.yaml'), { set: ['workload.type=locktorture'] }).workload.type).toBe('locktorture');
  });

  it('problems from --set values are blamed on --set', () => {
    expect(problemsOf(() => loadScenario(p('child.yaml'), { set: ['machine.cpus=0'] }))).toEqual([
      '--set: machine.cpus: expected an integer 1..4096, got 0',
    ]);
    expect(problemsOf(() => loadScenario(p('child.yaml'), { set: ['machine.cpuss=4'] }))).toEqual([
      '--set: machine.cpuss: unknown key (did you mean "cpus"?)',
    ]);
  });

  it('cannot set inside a scalar', () => {
    expect(problemsOf(() => loadScenario(p('base.yaml'), { set: ['name.first=4'] }))).toEqual([
      '--set: name: expected a mapping to set name.first in, got "base"',
    ]);
  });

  it('--seed overrides the seed and is validated', () => {
    expect(loadScenario(p('child.yaml'), { seed: 42 }).seed).toBe(42);
    expect(problemsOf(() => loadScenario(p('child.yaml'), { seed: -3 }))).toEqual([
      '--seed: seed: expected an integer >= 0, got -3',
    ]);
  });

  it('does not pollute prototypes', () => {
    expect(() => loadScenario(p('defaults.yaml'), { set: ['__proto__.polluted=1'] })).toThrow(ScenarioError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const { raw } = loadRawScenario(p('defaults.yaml'), { set: ['machine.__proto__=5'] });
    expect(Object.getPrototypeOf(raw.machine)).toBe(Object.prototype);
  });
});
