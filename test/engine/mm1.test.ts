/**
 * Issue #2 validation: an M/M/1 queue built on the engine (a source process, a server
 * process parked on a WaitQueue when idle, FIFO) must reproduce the closed forms
 *   Wq = ρ / (μ − λ)        (mean wait in queue)
 *   L  = ρ / (1 − ρ)        (time-average number in system)
 * within 2%, at ρ = 0.5 and ρ = 0.9.
 *
 * The 2% must be a real test, not luck: each estimate's standard error is measured by
 * batch means (B contiguous batches of customers, each far longer than the queue's
 * relaxation time, so the batch means are nearly independent), and the test asserts that
 * 2% is at least MIN_SE_MULTIPLE (3) standard errors before comparing. With the customer
 * counts below, the measured relative standard errors are:
 *   ρ = 0.9 (20 M customers): Wq ≈ 0.47%, L ≈ 0.45%  → the 2% tolerance is ≈ 4 SE;
 *   ρ = 0.5 (3 M customers):  Wq ≈ 0.31%, L ≈ 0.20%  → ≈ 6.5 SE and ≈ 10 SE.
 * That agrees with the asymptotic variances of the M/M/1 estimators (Whitt 1989): per
 * customer ρ(2 + 5ρ − 4ρ² + ρ³)/(μ²(1 − ρ)⁴) for the mean wait, giving 0.47% of Wq for
 * 20 M customers at ρ = 0.9 (and ≈ 2%, a single SE, at the 1 M one might first try);
 * per unit time 2ρ(1 + ρ)/(μ(1 − ρ)⁴) for the time-average number in system.
 *
 * Time is in integer ns (makeSampler rounds); with a mean service of 10 µs the rounding
 * changes the moments by < 1e-8 relative, far below the tolerance.
 */
import { describe, expect, it } from 'vitest';
import { Simulator } from '../../src/engine/sim.js';
import { Process, WaitQueue, type ProcessBody } from '../../src/engine/process.js';
import { createStream } from '../../src/engine/random.js';
import { makeSampler } from '../../src/engine/distributions.js';
import { TimeWeighted } from '../../src/engine/stats.js';

/** Required ratio of the 2% tolerance to the measured standard error. */
const MIN_SE_MULTIPLE = 3;
const TOLERANCE = 0.02;
/** Mean service time, ns (μ = 1/SERVICE_NS). */
const SERVICE_NS = 10_000;

interface Mm1Estimate {
  /** Mean wait in queue over the measured customers, ns. */
  wq: number;
  wqSe: number;
  /** Time-average number in system over the measured window. */
  l: number;
  lSe: number;
  events: number;
}

/**
 * Simulate `warmup` + `customers` customers; statistics cover the last `customers` (by
 * arrival order), in `batches` batches of equal customer counts. The L window runs from
 * the arrival of the first measured customer to the (would-be) arrival after the last.
 */
function simulateMm1(rho: number, customers: number, warmup: number, batches: number, seed: number): Mm1Estimate {
  if (customers % batches !== 0) throw new Error('customers must be a multiple of batches');
  const perBatch = customers / batches;
  const total = warmup + customers;
  const sim = new Simulator();
  const interarrival = makeSampler({ kind: 'exp', mean: SERVICE_NS / rho });
  const service = makeSampler({ kind: 'exp', mean: SERVICE_NS });
  const arrivalRng = createStream(seed, 'mm1/arrivals');
  const serviceRng = createStream(seed, 'mm1/service');

  // Arrival times of the customers waiting, FIFO (a ring buffer that doubles when full):
  // customer i arrives i-th and starts service i-th.
  let ring = new Float64Array(1024);
  let mask = ring.length - 1;
  let arrived = 0;
  let started = 0;
  const waitSum = new Float64Array(batches);
  const inSystem = new TimeWeighted(0, 0);
  const integral = new Float64Array(batches); // ∫ L dt over each batch's span
  const span = new Float64Array(batches);
  let windowStart = 0;
  let lastBoundary = 0;
  let lastIntegral = 0;
  let lMean = Number.NaN;

  const idle = new WaitQueue('server idle');
  const server = new Process(sim, 'server');
  const source = new Process(sim, 'source');

  function* serverBody(): ProcessBody {
    for (;;) {
      while (started === arrived) yield idle.wait(server);
      const i = started++;
      if (i >= warmup) waitSum[Math.floor((i - warmup) / perBatch)]! += sim.now - ring[i & mask]!;
      yield service(serviceRng);
      inSystem.add(sim.now, -1);
    }
  }

  /** At the arrival of customer index `i` (i = total: the arrival after the last). */
  function boundary(i: number): void {
    const now = sim.now;
    if (i === warmup) {
      inSystem.reset(now);
      windowStart = lastBoundary = now;
      lastIntegral = 0;
      return;
    }
    const cum = inSystem.mean(now) * (now - windowStart);
    const b = (i - warmup) / perBatch - 1;
    integral[b] = cum - lastIntegral;
    span[b] = now - lastBoundary;
    lastIntegral = cum;
    lastBoundary = now;
    if (i === total) lMean = inSystem.mean(now);
  }

  function* sourceBody(): ProcessBody {
    for (let i = 0; i <= total; i++) {
      yield interarrival(arrivalRng);
      if (i >= warmup && (i - warmup) % perBatch === 0) boundary(i);
      if (i === total) return;
      if (arrived - started === ring.length) {
        const bigger = new Float64Array(ring.length * 2);
        for (let k = started; k < arrived; k++) bigger[k & (bigger.length - 1)] = ring[k & mask]!;
        ring = bigger;
        mask = ring.length - 1;
      }
      ring[i & mask] = sim.now;
      arrived++;
      inSystem.add(sim.now, 1);
      if (idle.length > 0) idle.wakeOne();
    }
  }

  server.start(serverBody());
  source.start(sourceBody());
  const reason = sim.run();
  expect(reason).toBe('empty'); // every customer served, the server parked for good
  expect(started).toBe(total);

  // Wq: plain batch means.
  const means = Array.from(waitSum, (s) => s / perBatch);
  const wq = means.reduce((a, b) => a + b, 0) / batches;
  const wqVar = means.reduce((a, m) => a + (m - wq) ** 2, 0) / (batches - 1);
  // L: a ratio estimator (batches of equal customer counts have unequal durations).
  const totalSpan = span.reduce((a, b) => a + b, 0);
  const l = integral.reduce((a, b) => a + b, 0) / totalSpan;
  expect(l).toBeCloseTo(lMean, 9); // batch bookkeeping agrees with TimeWeighted's own mean
  let r2 = 0;
  for (let b = 0; b < batches; b++) r2 += (integral[b]! - l * span[b]!) ** 2;
  const lSe = Math.sqrt(r2 / (batches * (batches - 1))) / (totalSpan / batches);
  return { wq, wqSe: Math.sqrt(wqVar / batches), l, lSe, events: sim.events };
}

describe('M/M/1 on the engine (issue #2)', () => {
  // Fixed seed. Seeds 1–8 were all run: errors/SE were within ±2 (|z| ≤ 1.98), 2%/SE
  // was 3.7–4.8 at ρ = 0.9 and ≥ 4.7 at ρ = 0.5. About 6 s in all (42 M events at ρ = 0.9).
  const cases = [
    { rho: 0.5, customers: 3_000_000, warmup: 100_000, seed: 1 },
    { rho: 0.9, customers: 20_000_000, warmup: 200_000, seed: 1 },
  ];
  for (const c of cases) {
    it(`ρ = ${c.rho}: Wq and L match the closed forms within 2% (${c.customers / 1e6} M customers)`, () => {
      const mu = 1 / SERVICE_NS;
      const lambda = c.rho * mu;
      const wqExact = c.rho / (mu - lambda);
      const lExact = c.rho / (1 - c.rho);
      const est = simulateMm1(c.rho, c.customers, c.warmup, 40, c.seed);

      // The bound is meaningful: 2% is several standard errors of each estimate.
      expect(TOLERANCE * wqExact).toBeGreaterThan(MIN_SE_MULTIPLE * est.wqSe);
      expect(TOLERANCE * lExact).toBeGreaterThan(MIN_SE_MULTIPLE * est.lSe);

      expect(Math.abs(est.wq - wqExact) / wqExact).toBeLessThan(TOLERANCE);
      expect(Math.abs(est.l - lExact) / lExact).toBeLessThan(TOLERANCE);
    });
  }
});
