import { describe, expect, it } from 'vitest';
import { buildBaseline, parseBaseline, formatBaseline, baselineFileName } from '../../src/check/baseline.js';
import { checkAgainstBaseline } from '../../src/check/compare.js';
import { DEFAULT_METRICS, defaultTolerance, expandPatterns, flattenResult, metricValues, patternRegex } from '../../src/check/metrics.js';
import type { ScenarioRuns } from '../../src/check/runs.js';
import { runScenario } from '../../src/model/run.js';
import type { Result } from '../../src/report/result.js';
import { resolveScenario } from '../../src/scenario/load.js';

const scenario = resolveScenario(
  {
    name: 'metrics',
    seed: 3,
    machine: { cpus: 2, spinlock: 'ticket' },
    workload: { type: 'locktorture', think: 'exp(1us)', hold: 'exp(200ns)' },
    stop: { ops: 500 },
  },
  'metrics.yaml',
);
const result = runScenario(scenario, { fingerprint: true });

/** The result with some lock classes renamed/added (dotted names included). */
function withLocks(r: Result, locks: Record<string, { contentions: number; wait: number }>): Result {
  const base = Object.values(r.locks)[0]!;
  const out: Result = { ...r, locks: {} };
  for (const [name, l] of Object.entries(locks)) {
    out.locks[name] = { ...base, contentions: l.contentions, wait_ns: { ...base.wait_ns, total: l.wait } };
  }
  return out;
}

describe('metric names', () => {
  it('flatten numbers by dotted path, leaving out identity fields and call sites', () => {
    const flat = flattenResult(result);
    expect(flat.get('ops.per_sec')).toBe(result.ops.per_sec);
    expect(flat.get('tlb.ipis_sent')).toBe(result.tlb.ipis_sent);
    expect(flat.get('cpus.1.time_ns.spin')).toBe(result.cpus[1]!.time_ns.spin);
    for (const k of flat.keys()) {
      expect(k).not.toMatch(/^(schema|version|scenario|seed|wall_ms|fingerprint)\b/);
      expect(k).not.toContain('contention_points');
    }
  });

  it('derive per-op ratios and CPU shares', () => {
    // Hand-set, non-zero inputs with known answers (the locktorture run has no IPIs, so
    // ratios taken from it would compare 0 with 0).
    const zero = Object.fromEntries(Object.keys(result.cpus[0]!.time_ns).map((k) => [k, 0])) as Result['cpus'][number]['time_ns'];
    const r: Result = {
      ...withLocks(result, { kmap_lock: { contentions: 4, wait: 40 } }),
      ops: { ...result.ops, completed: 8 },
      tlb: { ...result.tlb, ipis_sent: 12, shootdowns: 3 },
      cpus: [
        { ...result.cpus[0]!, time_ns: { ...zero, work: 300, spin: 100, idle: 100 } },
        { ...result.cpus[1]!, time_ns: { ...zero, work: 100, idle: 400 } },
      ],
    };
    const v = metricValues(r);
    expect(v.get('per_op.tlb.ipis_sent')).toBe(1.5);
    expect(v.get('per_op.tlb.shootdowns')).toBe(0.375);
    expect(v.get('per_op.locks.kmap_lock.contentions')).toBe(0.5);
    expect(v.get('per_op.locks.kmap_lock.wait_ns.total')).toBe(5);
    expect(v.get('cpu_share.work')).toBeCloseTo(0.4, 12);
    expect(v.get('cpu_share.spin')).toBeCloseTo(0.1, 12);
    expect(v.get('cpu_share.idle')).toBeCloseTo(0.5, 12);
    expect(v.get('cpu_share.copy')).toBe(0);
    // No op completed: ratios are 0, not NaN or Infinity.
    expect(metricValues({ ...r, ops: { ...r.ops, completed: 0 } }).get('per_op.tlb.ipis_sent')).toBe(0);
  });

  it('expand * patterns across dotted lock class names, in order, without duplicates', () => {
    const r = withLocks(result, { kmap_lock: { contentions: 4, wait: 40 }, 'vmap_block_queue.lock': { contentions: 2, wait: 8 } });
    const { names, unknown } = expandPatterns([...DEFAULT_METRICS, 'ops.per_sec', 'tlb.nothing'], metricValues(r).keys());
    expect(names.slice(0, 2)).toEqual(['ops.per_sec', 'ops.latency_ns.p99']);
    expect(names).toContain('per_op.locks.vmap_block_queue.lock.contentions');
    expect(names).toContain('per_op.locks.kmap_lock.wait_ns.total');
    expect(names.filter((n) => n === 'ops.per_sec')).toHaveLength(1);
    expect(unknown).toEqual(['tlb.nothing']);
    expect(patternRegex('per_op.locks.*.contentions').test('per_op.locks.a.b.contentions')).toBe(true);
    expect(patternRegex('ops.per_sec').test('opsXper_sec')).toBe(false);
  });

  it('default tolerances: 5% plus a floor sized to the unit', () => {
    expect(defaultTolerance('ops.per_sec')).toEqual({ relative: 0.05, absolute: 1 });
    expect(defaultTolerance('per_op.tlb.ipis_sent').absolute).toBe(0.001);
    expect(defaultTolerance('per_op.bounce.bytes_copied').absolute).toBe(1);
    expect(defaultTolerance('per_op.locks.x.wait_ns.total').absolute).toBe(1);
    expect(defaultTolerance('cpu_share.spin').absolute).toBe(0.001);
    expect(defaultTolerance('ops.per_sec', 0.1).relative).toBe(0.1);
  });

  it('baseline file names are safe', () => {
    expect(baselineFileName('lkml-2000-4way')).toBe('lkml-2000-4way.json');
    expect(baselineFileName('../etc/passwd')).toBe('__etc_passwd.json');
  });
});

describe('verdicts', () => {
  const names = { name: 'metrics', file: 'metrics.yaml', baselineFile: 'b/metrics.json' };
  const runsOf = (r: Result, fingerprint = 'ffffffffffffffff'): ScenarioRuns => ({ results: [r], fingerprint, fingerprints: [fingerprint], wallMs: 1 });
  const record = (r: Result) => buildBaseline(scenario, [r], r.fingerprint!, [r.fingerprint!], { patterns: DEFAULT_METRICS }).baseline;

  it('round-trip through the file format', () => {
    const b = record(result);
    const back = parseBaseline(formatBaseline(b), 'x.json');
    expect(back.ok && back.value).toEqual(b);
  });

  it('equal fingerprints pass; beyond max(relative, absolute) fails; new and missing metrics are flagged', () => {
    const base = withLocks(result, { a_lock: { contentions: 100, wait: 1000 }, 'b.lock': { contentions: 0, wait: 0 } });
    const b = record(base);
    const same = checkAgainstBaseline(names, b, scenario, runsOf(base, b.fingerprint), { alpha: 0.01 });
    expect(same.verdict).toBe('pass');
    expect(same.fingerprint.equal).toBe(true);

    const ops = base.ops.completed;
    const moved = withLocks(base, {
      a_lock: { contentions: 104, wait: 1000 + 0.9 * ops }, // +4% within 5%; wait +0.9 ns/op under the 1 ns/op floor
      'b.lock': { contentions: Math.round(0.002 * ops), wait: 0 }, // from 0 to 0.002 per op: beyond the 0.001 floor
      c_lock: { contentions: 0, wait: 0 }, // new, but zero
    });
    const c = checkAgainstBaseline(names, b, scenario, runsOf(moved), { alpha: 0.01 });
    const by = Object.fromEntries(c.metrics.map((m) => [m.metric, m]));
    expect(by['per_op.locks.a_lock.contentions']!.status).toBe('within');
    expect(by['per_op.locks.a_lock.wait_ns.total']!.status).toBe('within');
    expect(by['per_op.locks.b.lock.contentions']!.verdict).toBe('fail');
    expect(by['per_op.locks.c_lock.contentions']!.status).toBe('new');
    expect(by['per_op.locks.c_lock.contentions']!.verdict).toBe('pass');
    expect(c.verdict).toBe('fail');

    // A tighter --tolerance catches the 4%.
    const tight = checkAgainstBaseline(names, b, scenario, runsOf(moved), { alpha: 0.01, relative: () => 0.01 });
    expect(tight.metrics.find((m) => m.metric === 'per_op.locks.a_lock.contentions')!.verdict).toBe('fail');

    // A lock class gone: missing, fails.
    const gone = withLocks(base, { a_lock: { contentions: 100, wait: 1000 } });
    const g = checkAgainstBaseline(names, b, scenario, runsOf(gone), { alpha: 0.01 });
    expect(g.metrics.find((m) => m.metric === 'per_op.locks.b.lock.contentions')!.status).toBe('missing');
    expect(g.verdict).toBe('fail');
  });

  it('equal fingerprints pass even with metrics restricted by --metric', () => {
    const b = record(result);
    const c = checkAgainstBaseline(names, b, scenario, runsOf(result, b.fingerprint), { alpha: 0.01, only: ['ops.per_sec'] });
    expect(c.metrics.map((m) => m.metric)).toEqual(['ops.per_sec']);
    expect(c.verdict).toBe('pass');
  });
});
