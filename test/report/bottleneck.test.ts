import { describe, expect, it } from 'vitest';
import { CATEGORY_NAMES, type CategoryName } from '../../src/cpu/accounting.js';
import { SATURATION, bottleneckOf, formatBottleneck } from '../../src/report/bottleneck.js';
import type { Result } from '../../src/report/result.js';

type Source = Parameters<typeof bottleneckOf>[0];

/** A run's resource figures, by hand: CPUs by their busy ns of 1,000 ns. */
function run(o: { busy?: number[]; device?: number; bus?: number; holds?: Record<string, number>; simNs?: number }): Source {
  const cpus = (o.busy ?? [500]).map((b, cpu) => {
    const time_ns = Object.fromEntries(CATEGORY_NAMES.map((c) => [c, 0])) as Record<CategoryName, number>;
    time_ns.work = b;
    time_ns.idle = 1000 - b;
    return { cpu, time_ns } as Result['cpus'][number];
  });
  const lock = (hold: number) => ({ acquisitions: 10, hold_ns: { total: hold, min: 0, max: 0, avg: 0 } }) as unknown as Result['locks'][string];
  return {
    device: { requests: o.device === undefined ? 0 : 10, bytes: 0, busy_fraction: o.device ?? 0, mean_queue: 0 },
    memory_bus: { bytes: o.bus === undefined ? 0 : 1, utilisation: o.bus ?? 0 },
    cpus,
    locks: Object.fromEntries(Object.entries(o.holds ?? {}).map(([n, h]) => [n, lock(h)])),
    sim_time_ns: o.simNs ?? 1000,
  };
}

describe('bottleneckOf (the contract of issue 23, item 1)', () => {
  it('the device at 99.8%: saturated', () => {
    expect(SATURATION).toBe(0.95);
    const r = run({ device: 0.998, busy: [300, 400] });
    expect(bottleneckOf(r)).toEqual({ resource: 'device', kind: 'device', utilisation: 0.998, saturated: true });
    expect(formatBottleneck(r)).toBe('bottleneck: device 99.8% (saturated)');
  });

  it('nothing at 95%: none saturated, naming the most utilised (cpu1 at 62.1%)', () => {
    const r = run({ device: 0.4, bus: 0.2, busy: [300, 621], holds: { io_request_lock: 100 } });
    expect(bottleneckOf(r)).toEqual({ resource: 'none saturated', kind: 'none', utilisation: 0.621, saturated: false });
    expect(formatBottleneck(r)).toBe('bottleneck: none saturated (cpu1 62.1%)');
  });

  it('a lock held 97% of the measured time; the memory bus at 96%; a CPU busy all the time', () => {
    expect(bottleneckOf(run({ holds: { io_request_lock: 970, kmap_lock: 10 }, simNs: 1000 }))).toMatchObject({ resource: 'lock io_request_lock', kind: 'lock', saturated: true });
    expect(formatBottleneck(run({ bus: 0.96 }))).toBe('bottleneck: memory bus 96.0% (saturated)');
    expect(bottleneckOf(run({ busy: [1000, 10] }))).toEqual({ resource: 'cpu0', kind: 'cpu', utilisation: 1, saturated: true });
  });

  it('exactly at the threshold is saturated; just under is not', () => {
    expect(bottleneckOf(run({ device: SATURATION })).saturated).toBe(true);
    expect(bottleneckOf(run({ device: SATURATION - 1e-9, busy: [0] })).saturated).toBe(false);
  });
});
