import { describe, expect, it } from 'vitest';
import { Histogram } from '../../src/engine/stats.js';
import { PERCENTILE_RESOLUTION, formatWithCi, isPercentileMetric } from '../../src/report/percentile.js';
import { BUNDLED, cli, tempDir } from '../cli/helpers.js';

describe('latency percentiles are bucketed, and the output says so', () => {
  it('a reported percentile is within 1/256 of the exact value (the documented resolution)', () => {
    // Exact nearest-rank percentiles of 1000..100999 step 7 (computed here by sorting), vs the histogram's.
    const h = new Histogram();
    const values: number[] = [];
    for (let v = 1000; v < 101_000; v += 7) {
      h.record(v);
      values.push(v);
    }
    for (const p of [50, 90, 99, 99.9]) {
      const exact = values[Math.ceil((p / 100) * values.length) - 1]!;
      expect(Math.abs(h.percentile(p) - exact) / exact).toBeLessThanOrEqual(PERCENTILE_RESOLUTION);
    }
  });

  it('a percentile CI of 0 over replications says "one bucket", never "± 0ns"', () => {
    expect(isPercentileMetric('ops.latency_ns.p99')).toBe(true);
    expect(isPercentileMetric('ops.latency_ns.mean')).toBe(false);
    expect(formatWithCi('ops.latency_ns.p50', 'duration', 522, 0)).toBe('522ns (one bucket)');
    expect(formatWithCi('ops.latency_ns.p50', 'duration', 522, 12)).toBe('522ns ± 12ns');
    expect(formatWithCi('ops.latency_ns.p50', 'duration', 522, null)).toBe('522ns');
    // Not a percentile: a CI of 0 is a CI of 0.
    expect(formatWithCi('per_op.ipis', 'per_op', 0, 0)).toMatch(/± /);
  });

  it('the run report and the sweep table document the resolution where percentiles are printed', async () => {
    const run = await cli(['run', BUNDLED, '--set', 'stop.ops=500']);
    expect(run.stdout).toMatch(/latency p50 +# +percentiles: log-bucketed, within 1\/256 of exact/);
    const dir = tempDir();
    const sweep = await cli(['sweep', BUNDLED, '--set', 'stop.ops=300', '--vary', 'machine.cpus=1,2,3,4', '--replications', '2', '--jobs', '1', '--out', dir, '--quiet']);
    expect(sweep.code).toBe(0);
    const s = await cli(['sweep', BUNDLED, '--set', 'stop.ops=300', '--vary', 'machine.cpus=1,2,3,4', '--replications', '2', '--jobs', '1', '--out', dir]);
    expect(s.stdout).toContain('latency percentiles are log-bucketed: each is within 1/256');
    expect(s.stdout).not.toMatch(/\d ± 0ns/);
    // USL/Amdahl parameters with their CIs (4 N, 3 parameters: 1 degree of freedom).
    const fitRow = s.stdout.split('\n').filter((l) => l.startsWith(' all ')).at(-1)!;
    expect(fitRow.match(/ ± /g)?.length).toBe(4);
  });
});
