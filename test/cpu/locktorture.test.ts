import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/model/run.js';
import { resolveScenario } from '../../src/scenario/load.js';

/**
 * Finite-source queue M/M/1//N ("machine repairman"): N sources each think Exp(λ), then
 * queue FIFO for one server with Exp(μ) service. Mean wait in queue Wq:
 *   p0 = [Σ_{k=0..N} N!/(N−k)! (λ/μ)^k]^−1,  L = N − (μ/λ)(1 − p0),
 *   X = μ(1 − p0),  W = L / X,  Wq = W − 1/μ.
 */
function machineRepairmanWq(n: number, thinkMean: number, holdMean: number): number {
  const lambda = 1 / thinkMean;
  const mu = 1 / holdMean;
  const r = lambda / mu;
  let sum = 0;
  let term = 1;
  for (let k = 0; k <= n; k++) {
    sum += term;
    term *= (n - k) * r;
  }
  const p0 = 1 / sum;
  const L = n - (mu / lambda) * (1 - p0);
  const X = mu * (1 - p0);
  return L / X - 1 / mu;
}

function torture(cpus: number, spinlock: 'ticket' | 'tas', ops: number, seed = 7) {
  return runScenario(
    resolveScenario(
      {
        seed,
        machine: { cpus, spinlock },
        costs: { lock_acquire: '0ns', lock_handoff: '0ns', line_transfer_local: '0ns', line_transfer_remote: '0ns' },
        workload: { type: 'locktorture', think: 'exp(1us)', hold: 'exp(200ns)' },
        stop: { ops },
      },
      'test',
    ),
  );
}

describe('locktorture against the machine-repairman closed form', () => {
  for (const n of [2, 4, 8]) {
    it(`ticket lock, N=${n}: mean wait per acquisition within 2% of M/M/1//N`, () => {
      const r = torture(n, 'ticket', 400_000);
      const lock = r.locks['torture_spinlock']!;
      const measured = lock.wait_ns.total / lock.acquisitions;
      const expected = machineRepairmanWq(n, 1000, 200);
      expect(Math.abs(measured - expected) / expected).toBeLessThan(0.02);
      // Holding time is the hold distribution itself (zero lock costs).
      expect(Math.abs(lock.hold_ns.avg - 200) / 200).toBeLessThan(0.02);
    });
  }

  it('tas shows the unfairness that ticket removes: same mean wait, much wider tail', () => {
    const ticket = torture(8, 'ticket', 200_000);
    const tas = torture(8, 'tas', 200_000);
    const tw = ticket.locks['torture_spinlock']!;
    const aw = tas.locks['torture_spinlock']!;
    const meanTicket = tw.wait_ns.total / tw.acquisitions;
    const meanTas = aw.wait_ns.total / aw.acquisitions;
    // Service order does not change the mean wait of a work-conserving queue ...
    expect(Math.abs(meanTas - meanTicket) / meanTicket).toBeLessThan(0.05);
    // ... but random order stretches the tail: the worst wait under tas is far longer.
    expect(aw.wait_ns.max).toBeGreaterThan(2 * tw.wait_ns.max);
    expect(tas.ops.latency_ns.p999).toBeGreaterThan(1.2 * ticket.ops.latency_ns.p999);
  });

  it('every CPU accounts the whole simulated time, by category', () => {
    const r = torture(4, 'tas', 50_000);
    for (const c of r.cpus) {
      const sum = Object.values(c.time_ns).reduce((a, b) => a + b, 0);
      expect(sum).toBe(r.sim_time_ns);
      expect(c.time_ns.spin).toBeGreaterThan(0);
    }
  });

  it('is deterministic: same seed ⇒ same result; another seed ⇒ another trajectory', () => {
    const strip = (x: ReturnType<typeof torture>) => JSON.stringify({ ...x, wall_ms: 0 });
    expect(strip(torture(4, 'tas', 20_000, 3))).toBe(strip(torture(4, 'tas', 20_000, 3)));
    expect(strip(torture(4, 'tas', 20_000, 4))).not.toBe(strip(torture(4, 'tas', 20_000, 3)));
  });
});
