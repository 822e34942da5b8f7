/**
 * The playground's scenario loader (web/scenario.ts: text, no file system) against the CLI's
 * (src/scenario/load.ts): every bundled scenario resolves to the same scenario, with --set;
 * a bad one gives the CLI's lines; `extends` names a bundled scenario; a result JSON re-runs
 * its recorded scenario. Runs in node, so it holds where Chromium is skipped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/scenario/errors.js';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/model/run.js';
import { ROOT, tempDir } from '../cli/helpers.js';
// @ts-expect-error a plain .mjs build script without types
import { bundledScenarios } from '../../scripts/playground.mjs';

type Loader = typeof import('../../web/scenario.js');
let web: Loader;

beforeAll(async () => {
  // What the build's `define` puts in the bundle.
  (globalThis as Record<string, unknown>).__SMPSIM_SCENARIOS__ = bundledScenarios();
  web = await import('../../web/scenario.js');
});

const names = fs.readdirSync(path.join(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));

function cliError(file: string, set: string[] = []): string {
  try {
    loadScenario(file, { set });
  } catch (e) {
    if (e instanceof ScenarioError) return e.message;
  }
  throw new Error('expected a ScenarioError');
}

describe('web/scenario.ts', () => {
  it('resolves every bundled scenario as the CLI does, --set included', () => {
    expect(names.length).toBeGreaterThan(3);
    for (const n of names) {
      const file = path.join(ROOT, 'scenarios', `${n}.yaml`);
      const text = fs.readFileSync(file, 'utf8');
      expect(web.loadScenarioText(text, `${n}.yaml`), n).toEqual(loadScenario(file));
      expect(web.loadScenarioText(text, `${n}.yaml`, { set: ['seed=9'] }), n).toEqual(loadScenario(file, { set: ['seed=9'] }));
    }
  });

  it('words a bad scenario as the CLI does', () => {
    const dir = tempDir();
    const bads = [
      'machine: {spinlock: tiket}\n',
      'machin: {cpus: 4}\n',
      'workload: {type: io, size: 64 bananas}\n',
      'kernel: {strategy: kmapp, version: 9.9}\nstop: {ops: -1}\n',
      'machine: [1, 2\n',
    ];
    for (const [i, text] of bads.entries()) {
      const file = path.join(dir, `bad${i}.yaml`);
      fs.writeFileSync(file, text);
      expect(web.scenarioProblems(text, file), text).toEqual(cliError(file).split('\n'));
    }
    const file = path.join(ROOT, 'scenarios', 'lkml-2000-4way.yaml');
    expect(() => web.loadScenarioText(fs.readFileSync(file, 'utf8'), file, { set: ['kernel.strategy=kamp'] })).toThrow(cliError(file, ['kernel.strategy=kamp']));
  });

  it('extends a bundled scenario by name, as the CLI does', () => {
    const dir = tempDir();
    const text = 'extends: lkml-2000-4way\nname: child\nmachine: {cpus: 2}\n';
    const file = path.join(dir, 'child.yaml');
    fs.writeFileSync(file, text);
    expect(web.loadScenarioText(text, file)).toEqual(loadScenario(file));
    expect(web.scenarioProblems('extends: lkml-2000-4wy\n', 'x.yaml')[0]).toMatch(/^x\.yaml: extends: .*\(did you mean "lkml-2000-4way"\?\)$/);
  });

  it('re-runs the scenario a result JSON recorded', () => {
    const file = path.join(ROOT, 'scenarios', 'locktorture-ticket-vs-tas.yaml');
    const s = loadScenario(file, { set: ['stop.ops=500', 'seed=3'] });
    const json = JSON.stringify(runScenario(s), null, 2);
    const dir = tempDir();
    const saved = path.join(dir, 'result.json');
    fs.writeFileSync(saved, json);
    expect(web.loadScenarioText(json, saved)).toEqual(loadScenario(saved));
    expect(web.loadScenarioText(json, saved).seed).toBe(3);
  });
});
