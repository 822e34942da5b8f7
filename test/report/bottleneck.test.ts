/**
 * The bottleneck of a run (issue 23, item 1): which resource saturates, by the utilisation
 * law (U = X·S) and by hand-computed shares, and where it shows (text, --vary, sweep).
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../src/model/run.js';
import {
  SATURATED,
  bottleneckOf,
  formatBottleneck,
  formatBottleneckCell,
  meanResourceUses,
  pickBottleneck,
  resourceUses,
  type BottleneckSource,
} from '../../src/report/bottleneck.js';
import { formatVaryTable } from '../../src/report/compare.js';
import { formatCsv } from '../../src/report/csv.js';
import type { Result } from '../../src/report/result.js';
import { formatTextReport } from '../../src/report/text.js';
import { loadScenario, resolveScenario } from '../../src/scenario/load.js';
import { formatSummaryText, summarize, summaryCsv } from '../../src/study/summary.js';
import { ROOT } from '../cli/helpers.js';

const MiB = 1024 * 1024;

/** A hand-made source: 1 s measured, device 160 MiB/s with 64 slots, two CPUs. */
function source(over: Partial<BottleneckSource> = {}): BottleneckSource {
  return {
    sim_time_ns: 1e9,
    scenario: { device: { bandwidth_bytes_per_s: 160 * MiB, queue_depth: 64 } },
    device: { requests: 100, bytes: 80 * MiB, mean_queue: 16 },
    memory_bus: { bytes: 10, utilisation: 0.3 },
    locks: { io_request_lock: { acquisitions: 10, hold_ns: { total: 0.2e9 } } },
    cpus: [
      { cpu: 0, time_ns: { work: 0.6e9, idle: 0.4e9 } },
      { cpu: 1, time_ns: { work: 0.1e9, spin: 0.1e9, idle: 0.8e9 } },
    ],
    ...over,
  };
}

describe('bottleneckOf: utilisations by hand', () => {
  it('device = max(bytes / (bandwidth × time), mean_queue / queue_depth); lock = hold / time; cpu = not idle / total', () => {
    const uses = Object.fromEntries(resourceUses(source()).map((u) => [u.resource, u.utilisation]));
    // 80 MiB over 1 s at 160 MiB/s: half the channel; 16 of 64 slots: a quarter.
    expect(uses).toEqual({ device: 0.5, 'memory bus': 0.3, 'lock io_request_lock': 0.2, cpu0: 0.6, cpu1: 0.2 });
    // Slots full (mean queue above the depth) saturate a device whose channel is idle.
    const slots = source({ device: { requests: 100, bytes: 0, mean_queue: 80 } });
    expect(resourceUses(slots).find((u) => u.kind === 'device')!.utilisation).toBe(1);
  });

  it('names the busiest resource when none reaches SATURATED, in the contract wording', () => {
    const b = bottleneckOf(source());
    expect(b).toEqual({ resource: 'none saturated', kind: 'none', utilisation: 0.6, saturated: false, busiest: 'cpu0' });
    expect(formatBottleneck(b)).toBe('none saturated (cpu0 60.0%)');
    expect(formatBottleneckCell(b)).toBe('none (cpu0 60.0%)');
  });

  it('SATURATED is 0.95 and a resource exactly at it is saturated', () => {
    expect(SATURATED).toBe(0.95);
    const b = bottleneckOf(source({ device: { requests: 1, bytes: 0.95 * 160 * MiB, mean_queue: 0 } }));
    expect(b.resource).toBe('device');
    expect(b.saturated).toBe(true);
    expect(formatBottleneck(b)).toBe('device 95.0% (saturated)');
  });

  it('among saturated resources names device, then memory bus, then a lock, then a CPU', () => {
    const busyCpus = [
      { cpu: 0, time_ns: { spin: 1e9 } },
      { cpu: 1, time_ns: { work: 1e9 } },
    ];
    const lockBound = source({ cpus: busyCpus, locks: { kmap_lock: { acquisitions: 5, hold_ns: { total: 0.97e9 } } } });
    expect(formatBottleneck(bottleneckOf(lockBound))).toBe('lock kmap_lock 97.0% (saturated)');
    expect(bottleneckOf(lockBound).busiest).toBe('cpu0');
    const busBound = source({ cpus: busyCpus, memory_bus: { bytes: 1, utilisation: 0.96 }, locks: lockBound.locks });
    expect(bottleneckOf(busBound).kind).toBe('memory_bus');
    const devBound = source({ ...busBound, device: { requests: 1, bytes: 0.99 * 160 * MiB, mean_queue: 1 } });
    expect(formatBottleneck(bottleneckOf(devBound))).toBe('device 99.0% (saturated)');
    expect(bottleneckOf(source({ cpus: busyCpus })).resource).toBe('cpu0');
  });

  it('a class of several locks is one lock\'s mean share, never the summed holds; per-object classes likewise', () => {
    const busyCpus = [
      { cpu: 0, time_ns: { work: 0.9e9, idle: 0.1e9 } },
      { cpu: 1, time_ns: { work: 0.9e9, idle: 0.1e9 } },
    ];
    // 64 per-node locks held 3.3 s in all over 1 s: 5.2% each, not a saturated lock at 330%.
    const nodes = source({ cpus: busyCpus, locks: { 'vmap_node.busy.lock': { acquisitions: 5, hold_ns: { total: 3.3e9 }, locks: 64 } } });
    const uses = resourceUses(nodes);
    const node = uses.find((u) => u.kind === 'lock')!;
    expect(node.resource).toBe('lock vmap_node.busy.lock (64 locks, mean)');
    expect(node.utilisation).toBeCloseTo(3.3 / 64, 12);
    expect(bottleneckOf(nodes).saturated).toBe(false);
    // The same class as one lock (a result written before `locks` existed) reads as before.
    const one = source({ cpus: busyCpus, locks: { kmap_lock: { acquisitions: 5, hold_ns: { total: 0.97e9 } } } });
    expect(formatBottleneck(bottleneckOf(one))).toBe('lock kmap_lock 97.0% (saturated)');
    const perObject = source({ cpus: busyCpus, locks: { 'vmap_block.lock': { acquisitions: 5000, hold_ns: { total: 2e9 }, locks: 1000 } } });
    expect(resourceUses(perObject).find((u) => u.kind === 'lock')!.utilisation).toBeCloseTo(0.002, 12);
  });

  it('a run that used nothing has no bottleneck', () => {
    const b = pickBottleneck([]);
    expect(b.kind).toBe('none');
    expect(formatBottleneck(b)).toBe('none saturated');
  });

  it('a sweep point averages each resource over its replications (0 where a run did not use it)', () => {
    const a = source();
    const b = source({ memory_bus: { bytes: 0, utilisation: 0 }, device: { requests: 100, bytes: 160 * MiB, mean_queue: 16 } });
    const uses = Object.fromEntries(meanResourceUses([a, b]).map((u) => [u.resource, u.utilisation]));
    expect(uses.device).toBeCloseTo(0.75, 12);
    expect(uses['memory bus']).toBeCloseTo(0.15, 12);
  });
});

describe('bottleneck of real runs', () => {
  let disk: Result[];
  let lockBound: Result;
  let idle: Result;
  beforeAll(() => {
    const file = path.join(ROOT, 'scenarios', 'lkml-2000-4way.yaml');
    disk = ['bounce', 'kmap'].map((strategy) => runScenario(loadScenario(file, { set: [`kernel.strategy=${strategy}`] })));
    // Holds 100 times longer than the think time: the lock is held nearly all the time.
    lockBound = runScenario(
      resolveScenario({ machine: { cpus: 2 }, workload: { type: 'locktorture', think: 'exp(100ns)', hold: 'exp(10us)' }, stop: { ops: 2000 } }, 'lock.yaml'),
    );
    // One task, one 4 KiB I/O at a time, each waiting 1 ms in the device: nothing is busy.
    idle = runScenario(
      resolveScenario(
        {
          machine: { cpus: 2 },
          workload: { type: 'io', tasks: 1, outstanding: 1, think: '0', size: '4KiB' },
          device: { bandwidth: '1GiB/s', latency: '1ms' },
          stop: { ops: 200 },
        },
        'idle.yaml',
      ),
    );
  });

  it('the default study is device-bound: U = X·S of the channel (64 KiB at 160 MiB/s per op)', () => {
    for (const r of disk) {
      const law = (r.ops.per_sec * 64 * 1024) / (160 * MiB);
      expect(r.bottleneck.kind).toBe('device');
      expect(r.bottleneck.saturated).toBe(true);
      expect(Math.abs(r.bottleneck.utilisation - law)).toBeLessThan(0.01);
      expect(formatTextReport(r)).toMatch(/^ bottleneck: device \d+\.\d% \(saturated\)$/m);
    }
  });

  it('result JSON: per_op.cpu_ns is the CPUs\' time not idle / ops completed; bottleneck as bottleneckOf', () => {
    for (const r of [...disk, lockBound, idle]) {
      let busy = 0;
      for (const c of r.cpus) for (const [cat, ns] of Object.entries(c.time_ns)) if (cat !== 'idle') busy += ns;
      expect(r.per_op.cpu_ns).toBeCloseTo(busy / r.ops.completed, 6);
      expect(r.bottleneck).toEqual(bottleneckOf(r));
    }
    // The default study's decisive number (issue 23): bounce costs several times kmap's CPU.
    expect(disk[0]!.per_op.cpu_ns).toBeGreaterThan(2 * disk[1]!.per_op.cpu_ns);
  });

  it('a lock held almost always is named before the CPUs spinning on it', () => {
    expect(lockBound.bottleneck.resource).toBe('lock torture_spinlock');
    expect(lockBound.bottleneck.saturated).toBe(true);
    // Utilisation law of the lock: completed acquisitions × mean hold / time.
    const l = lockBound.locks.torture_spinlock!;
    expect(lockBound.bottleneck.utilisation).toBeCloseTo(l.hold_ns.total / lockBound.sim_time_ns, 12);
  });

  it('a mostly idle run has none saturated and names its busiest resource', () => {
    expect(idle.bottleneck.kind).toBe('none');
    expect(idle.bottleneck.utilisation).toBeLessThan(SATURATED);
    expect(formatTextReport(idle)).toMatch(/^ bottleneck: none saturated \(\S+( \S+)? \d+\.\d%\)$/m);
  });

  it('the --vary table has a bottleneck row after CPU time per op; the run CSV has bottleneck and per_op columns', () => {
    const table = formatVaryTable('t', [
      { label: 'bounce', result: disk[0]!, bottleneck: disk[0]!.bottleneck },
      { label: 'idle', result: idle, bottleneck: idle.bottleneck },
    ]);
    const lines = table.split('\n');
    const at = lines.findIndex((l) => l.startsWith('CPU time per op'));
    expect(lines[at + 1]).toMatch(/^bottleneck \(>=95%\) +device \d+\.\d% +none \(\S+ \d+\.\d%\)$/);
    const csv = formatCsv([{ values: [], result: disk[0]! }]).split('\n');
    const header = csv[0]!.split(',');
    const row = csv[1]!.split(',');
    expect(row[header.indexOf('bottleneck.resource')]).toBe('device');
    expect(row[header.indexOf('bottleneck.saturated')]).toBe('true');
    expect(Number(row[header.indexOf('per_op.cpu_ns')])).toBe(disk[0]!.per_op.cpu_ns);
  });

  it('sweep summary: per point the bottleneck of the mean utilisations, in summary.json, summary.csv and the table', () => {
    const s = summarize(
      { scenario: { name: 'x', description: '' }, vary: [{ path: 'kernel.strategy', values: ['bounce', 'kmap'] }], zip: false, replications: 1, precision: null, metric: 'ops.per_sec', maxReplications: null, warmup: 'scenario' },
      disk.map((r, i) => ({ index: i, key: String(i), assignments: [['kernel.strategy', i === 0 ? 'bounce' : 'kmap']], results: [r], converged: null, warmup: null, warmupChoice: null })),
    );
    expect(s.points.map((p) => p.bottleneck)).toEqual(disk.map((r) => r.bottleneck));
    expect(s.points[0]!.metrics['per_op.cpu_ns']!.mean).toBe(disk[0]!.per_op.cpu_ns);
    const csv = summaryCsv(s).split('\n');
    expect(csv[0]).toContain(',warmup,bottleneck.resource,bottleneck.utilisation,bottleneck.saturated,');
    expect(csv[1]).toContain(`,device,${disk[0]!.bottleneck.utilisation},true,`);
    const text = formatSummaryText(s, 'out');
    const header = text.split('\n').find((l) => l.includes('kernel.strategy'))!;
    expect(header).toContain('CPU time per op');
    expect(header).toMatch(/bottleneck \(>=95%\)$/);
    expect(text).toMatch(/^ bounce .* device \d+\.\d%$/m);
  });
});
