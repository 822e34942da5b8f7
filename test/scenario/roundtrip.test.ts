/**
 * A run can be reproduced from its own output (issue 15, item 1): the scenario file written
 * from a resolved scenario validates, and resolving it gives back the identical resolved
 * scenario (costs and version sources included). Over the bundled scenarios and a
 * fixed-seed random sample of their variants (--set over many fields).
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/scenario/errors.js';
import { loadScenario, resolveScenario } from '../../src/scenario/load.js';
import { ScenarioRaw } from '../../src/scenario/schema.js';
import type { ResolvedScenario } from '../../src/scenario/schema.js';
import { scenarioFileOf } from '../../src/scenario/unresolve.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const BUNDLED = [
  ...fs.readdirSync(path.join(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml')).map((f) => path.join(ROOT, 'scenarios', f)),
  ...fs.readdirSync(path.join(ROOT, 'scenarios', 'validation')).filter((f) => f.endsWith('.yaml')).map((f) => path.join(ROOT, 'scenarios', 'validation', f)),
];

/** The file form survives YAML and JSON text, validates, and resolves to the same scenario. */
function roundTrip(s: ResolvedScenario): void {
  const file = scenarioFileOf(s);
  expect(ScenarioRaw.safeParse(file).success).toBe(true);
  for (const text of [YAML.stringify(file), JSON.stringify(file)]) {
    const again = resolveScenario(YAML.parse(text), 'elsewhere/other-name.yaml');
    expect(again).toEqual(s);
  }
}

describe('scenarioFileOf: resolved → file → resolved', () => {
  it.each(BUNDLED.map((f) => [path.relative(ROOT, f), f]))('%s', (_shown, file) => {
    roundTrip(loadScenario(file));
  });

  it('the file form uses the input language: units and distributions as written', () => {
    const s = loadScenario(path.join(ROOT, 'scenarios', 'locktorture-ticket-vs-tas.yaml'));
    const text = YAML.stringify(scenarioFileOf(s));
    expect(text).not.toMatch(/_ns\b|_bytes\b|kind:/);
    expect(text).toMatch(/hold: exp\(\d+(\.\d+)?(ns|us)\)/);
  });

  // Values per field, some valid only with others (invalid variants are skipped).
  const SETS: Array<[string, string[]]> = [
    ['machine.cpus', ['1', '2', '3', '8', '16']],
    ['machine.preset', ['era2000', 'modern']],
    ['machine.pae', ['true', 'false']],
    ['machine.lowmem', ['512MiB', '896MiB', '1000001B']],
    ['machine.highmem', ['0', '1GiB', '1536MiB']],
    ['machine.spinlock', ['tas', 'ticket']],
    ['machine.memory_bandwidth', ['1GiB/s', '123456789']],
    ['costs.preset', ['era2000', 'modern']],
    ['costs.ipi_latency', ['1us', '1234ns', '2.5us']],
    ['costs.memcpy_page', ['700ns', '1.001us']],
    ['kernel.version', ['2.3.40', '2.4.0', '2.4.16', '2.6.27', '2.6.28', 'modern']],
    ['kernel.strategy', ['bounce', 'vmap', 'kmap', 'direct']],
    ['kernel.bounce_pool_pages', ['0', '32']],
    ['kernel.lowmem_free_pages', ['0', '100', 'unlimited']],
    ['kernel.lazy_max_pages', ['64']],
    ['kernel.tlb_flush', ['flush_tlb_all', 'flush_tlb_kernel_range']],
    ['kernel.vmlist_lock', ['true', 'false']],
    ['kernel.inject_bug', ['none', 'skip_pkmap_flush']],
    ['device.latency', ['100us', 'exp(1ms)', 'uniform(50us,150us)', 'normal(10us,2us)', 'lognormal(10us,5us)', 'const(3us)']],
    ['device.bandwidth', ['100MiB/s', '1.5GiB/s']],
    ['workload', ['{type: io}', '{type: locktorture}', '{type: maptorture}']],
    ['workload.think', ['0', 'exp(1us)', 'uniform(1ns,3ns)']],
    ['workload.size', ['4KiB', 'uniform(4KiB,64KiB)', '1537B']],
    ['workload.locality', ['uniform', 'zipf(1.1)', 'zipf(0.000001)']],
    ['workload.highmem_fraction', ['0.3', '70%']],
    ['workload.read_fraction', ['1', '33%']],
    ['stop', ['{time: 10ms}', '{ops: 500}', '{time: 1.5ms, warmup: 1ms}', '{ops: 100, warmup: {ops: 10}}']],
    ['seed', ['0', '9007199254740991']],
  ];

  it('a fixed-seed random sample of variants of the bundled scenarios (300 cases, seed 15)', () => {
    const seed = 15;
    console.log(`round-trip property: seed ${seed}, 300 cases`);
    let checked = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...BUNDLED),
        fc.array(fc.constantFrom(...SETS).chain(([p, vs]) => fc.constantFrom(...vs).map((v) => `${p}=${v}`)), { maxLength: 6 }),
        (file, set) => {
          let s: ResolvedScenario;
          try {
            s = loadScenario(file, { set });
          } catch (e) {
            if (e instanceof ScenarioError) return; // an invalid combination: nothing to reproduce
            throw e;
          }
          checked++;
          roundTrip(s);
        },
      ),
      { seed, numRuns: 300 },
    );
    expect(checked).toBeGreaterThan(100);
  });
});
