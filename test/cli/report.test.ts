import { beforeAll, describe, expect, it } from 'vitest';
import { expandVary, splitTopLevel } from '../../src/cli/vary.js';
import type { LockStatJson } from '../../src/kernel/lockstat.js';
import { runScenario } from '../../src/model/run.js';
import { formatMetric, relativeDelta } from '../../src/report/compare.js';
import { csvField, formatCsv } from '../../src/report/csv.js';
import { formatLockStat } from '../../src/report/lockstat.js';
import type { Result } from '../../src/report/result.js';
import { formatTextReport } from '../../src/report/text.js';
import { resolveScenario } from '../../src/scenario/load.js';

function lock(contentions: number, acquisitions: number, points: Array<[string, number]> = [], holders: Array<[string, number]> = []): LockStatJson {
  return {
    acquisitions,
    contentions,
    con_bounces: contentions,
    acq_bounces: acquisitions,
    wait_ns: { min: 100, max: 5000, total: 100_000, avg: contentions ? 100_000 / contentions : 0 },
    hold_ns: { min: 10, max: 900, total: 50_000, avg: acquisitions ? 50_000 / acquisitions : 0 },
    contention_points: points.map(([site, count]) => ({ site, count })),
    contending_points: holders.map(([site, count]) => ({ site, count })),
    locks: 1,
  };
}

describe('lock_stat table', () => {
  it('sorts classes by contentions, omits never-taken classes, lists contention points of contended ones', () => {
    const text = formatLockStat({
      call_lock: lock(0, 0),
      vmlist_lock: lock(3, 40, [['vfree', 2], ['get_vm_area', 1]]),
      kmap_lock: lock(30, 400, [['kmap_high', 20], ['kunmap_high', 10]]),
      emergency_lock: lock(0, 12),
    });
    const names = text
      .split('\n')
      .filter((l) => /^ *\S+:/.test(l))
      .map((l) => l.trim().split(':')[0]);
    expect(names).toEqual(['kmap_lock', 'vmlist_lock', 'emergency_lock']);
    expect(text).not.toContain('call_lock');
    expect(text).toMatch(/^ {31}kmap_lock {13}20 +\[<0{16}>\] kmap_high\+0x0\/0x0$/m);
    // The uncontended class has no contention-point block.
    const lines = text.split('\n');
    const e = lines.findIndex((l) => l.includes('emergency_lock:'));
    expect(lines.slice(e + 1).join('')).toBe('');
  });

  it('lists the contending points (holders\' acquire sites) after the contention points, as lockdep_proc.c seq_stats', () => {
    const text = formatLockStat({ kmap_lock: lock(30, 400, [['kmap_high', 20], ['kunmap_high', 10]], [['kunmap_high', 18], ['kmap_high', 12]]) });
    const lines = text.split('\n');
    const row = lines.findIndex((l) => l.includes('kmap_lock:'));
    const short = `${' '.repeat(31)}${'-'.repeat(9)}`;
    const pt = (n: number, site: string) => `${' '.repeat(31)}kmap_lock ${String(n).padStart(14)} ${'[<0000000000000000>]'.padStart(29)} ${site}+0x0/0x0`;
    expect(lines.slice(row + 1, row + 10)).toEqual([
      short,
      pt(20, 'kmap_high'),
      pt(10, 'kunmap_high'),
      short,
      pt(18, 'kunmap_high'),
      pt(12, 'kmap_high'),
      '',
      '.'.repeat(221),
      '',
    ]);
  });
});

describe('--vary parsing', () => {
  it('splits on top-level commas only', () => {
    expect(splitTopLevel('a,b')).toEqual(['a', 'b']);
    expect(splitTopLevel('exp(1us),uniform(1us,3us)')).toEqual(['exp(1us)', 'uniform(1us,3us)']);
    expect(splitTopLevel('[1,2],{a: 1, b: 2}')).toEqual(['[1,2]', '{a: 1, b: 2}']);
    expect(splitTopLevel('exp(1us')).toBeUndefined();
    expect(splitTopLevel('a)')).toBeUndefined();
  });

  it('expands a cartesian product, last option fastest', () => {
    const { variants } = expandVary(['a=1,2', 'b=x,y']);
    expect(variants.map((v) => v.assignment)).toEqual(['a=1 b=x', 'a=1 b=y', 'a=2 b=x', 'a=2 b=y']);
    expect(variants[1]!.label).toBe('1, y');
    expect(variants[1]!.sets).toEqual(['a=1', 'b=y']);
    expect(variants[1]!.values).toEqual([['a', '1'], ['b', 'y']]);
    expect(expandVary([]).variants).toEqual([{ sets: [], label: '', assignment: '', values: [] }]);
    expect(() => expandVary(['a=1,2,3,4,5,6,7,8,9,10', 'b=1,2,3,4,5,6,7,8,9,10', 'c=1,2,3,4,5,6,7,8,9,10,11'])).toThrow(/too many/);
  });
});

describe('formatting', () => {
  it('csv fields are quoted only when needed', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(undefined)).toBe('');
    expect(csvField(1.5)).toBe('1.5');
  });

  it('metric values and relative deltas', () => {
    expect(formatMetric('duration', 1500)).toBe('1.50us');
    expect(formatMetric('bytes', 4096)).toBe('4.00KiB');
    expect(formatMetric('count', 1234567)).toBe('1,234,567');
    expect(formatMetric('share', 0.4321)).toBe('43.2%');
    expect(formatMetric('per_op', 0.5)).toBe('0.500');
    expect(formatMetric('rate', undefined)).toBe('-');
    expect(relativeDelta(100, 150)).toBe('+50.0%');
    expect(relativeDelta(100, 50)).toBe('-50.0%');
    expect(relativeDelta(0, 0)).toBe('0.0%');
    expect(relativeDelta(0, 3)).toBe('n/a');
    expect(relativeDelta(undefined, 3)).toBe('n/a');
  });
});

describe('text report sections', () => {
  let base: Result;
  beforeAll(() => {
    base = runScenario(
      resolveScenario(
        { machine: { cpus: 2 }, workload: { type: 'locktorture' }, stop: { ops: 300 } },
        'tiny.yaml',
      ),
    );
  });

  it('shows kmap, vmap, bounce and device counters only when non-zero, and flags stale TLB accesses', () => {
    const plain = formatTextReport(base);
    for (const s of [' kmap:', ' vmap:', ' bounce:', ' device:']) expect(plain).not.toContain(s);
    expect(plain).not.toContain('COHERENCE BUG');
    const busy: Result = {
      ...base,
      kmap: { kmaps: 300, hits: 30, flushes: 3, waits: 0, atomic: 0 },
      vmap: { allocs: 1, frees: 1, purges: 0, failures: 0 },
      bounce: { pages: 300, bytes_copied: 300 * 4096, pool_waits: 2, pool_taken: 5 },
      device: { requests: 300, bytes: 300 * 4096, busy_fraction: 0.5, mean_queue: 1.25 },
      memory_bus: { bytes: 600 * 4096, utilisation: 0.25 },
      tlb: { ...base.tlb, stale_accesses: 2 },
    };
    const t = formatTextReport(busy);
    expect(t).toMatch(/^ +300 +kmaps +# +kmap_high calls, 1\.000 per op$/m);
    expect(t).toMatch(/^ +3 +kmap flushes +# +flush_all_zero_pkmaps, 0\.010 per op$/m);
    expect(t).toMatch(/^ +1\.17MiB +bytes copied +# +4\.00KiB per op$/m);
    expect(t).toContain(' vmap:');
    expect(t).toMatch(/^ +50\.0% +busy$/m);
    expect(t).toMatch(/^ +2 +stale TLB accesses +# +COHERENCE BUG/m);
  });

  it('csv of runs with different lock classes: union header, empty cells', () => {
    const other: Result = { ...base, locks: { ...base.locks, kmap_lock: base.locks.torture_spinlock! } };
    const csv = formatCsv([
      { values: [['a', '1']], result: base },
      { values: [['a', '2']], result: other },
    ]);
    const [header, r1, r2] = csv.trimEnd().split('\n').map((l) => l.split(','));
    const i = header!.indexOf('locks.kmap_lock.contentions');
    expect(i).toBeGreaterThan(0);
    expect(r1![i]).toBe('');
    expect(r2![i]).toBe(String(base.locks.torture_spinlock!.contentions));
    expect(r1!.length).toBe(header!.length);
  });
});
