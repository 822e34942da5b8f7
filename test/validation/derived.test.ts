/**
 * The validation runner's derived metrics (src/validation/run.ts metricOf), on a result
 * whose numbers are chosen so that each formula can be worked out by hand, and its `scale`
 * (a cell's value is the metric times it) through `smpsim validation` (issue 23 item 11).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Result } from '../../src/report/result.js';
import { DERIVED_METRICS, metricOf } from '../../src/validation/run.js';
import { cli } from '../cli/helpers.js';

const ZERO = { work: 0, copy: 0, spin: 0, ipi_wait: 0, irq: 0, tlb: 0, map: 0, sched: 0, idle: 0 };

/** 2 CPUs over 1 ms: CPU 0 600 us busy / 400 us idle, CPU 1 300 us busy / 700 us idle; 2 MiB moved; 1,000 kmaps, 750 hits, LAST_PKMAP 512. */
const RESULT = {
  sim_time_ns: 1_000_000,
  cpus: [
    { time_ns: { ...ZERO, work: 500_000, copy: 100_000, idle: 400_000 } },
    { time_ns: { ...ZERO, irq: 300_000, idle: 700_000 } },
  ],
  device: { bytes: 2 * 1024 * 1024 },
  kmap: { kmaps: 1000, hits: 750 },
  scenario: { kernel: { last_pkmap: 512 } },
} as unknown as Result;

describe('derived metrics', () => {
  it('each formula, by hand', () => {
    expect([...DERIVED_METRICS].sort()).toEqual(['derived.busy_cpu_ns_per_KiB', 'derived.busy_share', 'derived.new_kmaps_per_slot', 'derived.throughput_KiB_per_s']);
    // 2,048 KiB in 1 ms.
    expect(metricOf(RESULT, 'derived.throughput_KiB_per_s')).toBeCloseTo(2_048_000, 6);
    // Idle 1,100 us of 2,000 us.
    expect(metricOf(RESULT, 'derived.busy_share')).toBeCloseTo(0.45, 12);
    // 900 us of busy CPU time per 2,048 KiB.
    expect(metricOf(RESULT, 'derived.busy_cpu_ns_per_KiB')).toBeCloseTo(900_000 / 2048, 9);
    // 250 of 1,000 kmaps needed a new slot, per 512 slots.
    expect(metricOf(RESULT, 'derived.new_kmaps_per_slot')).toBeCloseTo(0.25 / 512, 15);
  });

  it('no bytes, no kmaps, no time: 0, not NaN', () => {
    const empty = { ...RESULT, sim_time_ns: 0, device: { bytes: 0 }, kmap: { kmaps: 0, hits: 0 } } as unknown as Result;
    for (const m of ['derived.throughput_KiB_per_s', 'derived.busy_cpu_ns_per_KiB', 'derived.new_kmaps_per_slot']) expect(metricOf(empty, m)).toBe(0);
  });
});

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smpsim-validation-derived-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('smpsim validation: scale and derived metrics end to end', () => {
  it('a scaled cell is its metric times the scale (one shared run); an unknown metric is flagged', async () => {
    fs.writeFileSync(
      path.join(dir, 'tiny.json'),
      JSON.stringify({ name: 'tiny-lock', machine: { cpus: 2 }, workload: { type: 'locktorture', tasks: 2, think: '1us', hold: '200ns' }, stop: { ops: 2000 } }),
    );
    const file = path.join(dir, 'targets.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        schema: 'smpsim.validation-targets/1',
        targets: [
          {
            id: 'scaled',
            title: 'scaled',
            scenario: 'tiny.json',
            source: 'synthetic',
            cells: {
              share: { set: [], metric: 'derived.busy_share', published: 1 },
              percent: { set: [], metric: 'derived.busy_share', scale: 100, published: 100 },
              nope: { set: [], metric: 'derived.nope', published: 1 },
            },
            checks: [
              { id: 'same', kind: 'ratio', num: 'percent', den: 'share', published: 100, tolerance: 1e-9, status: 'pass' },
              { id: 'missing', kind: 'value', cell: 'nope', tolerance: 0.1, status: 'miss' },
            ],
          },
        ],
      }),
    );
    const r = await cli(['validation', file, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { targets: Array<{ cells: Record<string, { simulated: number | null; error?: string }> }> };
    const cells = j.targets[0]!.cells;
    const share = cells.share!.simulated!;
    expect(share).toBeGreaterThan(0);
    expect(share).toBeLessThanOrEqual(1);
    expect(cells.percent!.simulated).toBe(share * 100);
    expect(cells.nope!.simulated).toBeNull();
    expect(JSON.stringify(cells.nope)).toContain('no metric \\"derived.nope\\" in the result');
  });
});
