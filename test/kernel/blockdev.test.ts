/**
 * The block device (src/kernel/blockdev.ts) against closed forms computed here from the
 * scenario's own parameters: a bandwidth-bound device completes bandwidth / size I/Os per
 * second; a latency-bound one with every slot busy completes queue_depth / (latency +
 * size / bandwidth) (Little's law); completions interrupt the CPU the routing names.
 *
 * Strategy `direct` with a 64-bit DMA limit keeps the kernel out of the way: no bounce, no
 * mapping, no TLB flush, so the device alone sets the pace.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/model/run.js';
import { resolveScenario } from '../../src/scenario/load.js';

const KiB = 1024;
const MiB = 1024 * KiB;

function run(device: Record<string, unknown>, workload: Record<string, unknown>, stop: Record<string, unknown>, cpus = 4) {
  return runScenario(
    resolveScenario(
      { machine: { cpus }, kernel: { strategy: 'direct' }, device: { dma_limit: '64bit', ...device }, workload: { type: 'io', ...workload }, stop },
      'blockdev.yaml',
    ),
  );
}

describe('block device throughput', () => {
  it('bandwidth-bound: ops/s = bandwidth / I/O size (160 MiB/s, 64 KiB: 2,560)', () => {
    const bandwidth = 160 * MiB;
    const size = 64 * KiB;
    const r = run({ latency: '100us', bandwidth: '160MiB/s', queue_depth: 64 }, { tasks: 16, size: '64KiB' }, { time: '300ms', warmup: '30ms' });
    const expected = bandwidth / size;
    expect(expected).toBe(2560);
    expect(Math.abs(r.ops.per_sec - expected) / expected).toBeLessThan(0.01);
    expect(r.device.busy_fraction).toBeGreaterThan(0.99);
  });

  it('halving the bandwidth halves the rate; doubling the I/O size halves it too', () => {
    const stop = { time: '300ms', warmup: '30ms' };
    const a = run({ latency: '100us', bandwidth: '80MiB/s', queue_depth: 64 }, { tasks: 16, size: '64KiB' }, stop);
    const b = run({ latency: '100us', bandwidth: '160MiB/s', queue_depth: 64 }, { tasks: 16, size: '128KiB' }, stop);
    expect(Math.abs(a.ops.per_sec - 1280) / 1280).toBeLessThan(0.01);
    expect(Math.abs(b.ops.per_sec - 1280) / 1280).toBeLessThan(0.01);
  });

  for (const q of [1, 4, 16]) {
    it(`queue depth ${q} bounds concurrency: ops/s = queue_depth / (latency + size / bandwidth)`, () => {
      // 32 tasks each keep one 4 KiB I/O outstanding; the CPU time per I/O (µs) is far below
      // the 1 ms latency, so every one of the q slots stays busy.
      const latency = 1e-3;
      const transfer = (4 * KiB) / (10 * 1024 * MiB);
      const r = run({ latency: '1ms', bandwidth: '10GiB/s', queue_depth: q }, { tasks: 32, size: '4KiB' }, { time: '300ms', warmup: '30ms' });
      const expected = q / (latency + transfer);
      expect(Math.abs(r.ops.per_sec - expected) / expected).toBeLessThan(0.01);
      // Every task is waiting at the device: queued + in service ≈ 32.
      expect(r.device.mean_queue).toBeGreaterThan(31);
    });
  }
});

describe('completion interrupt routing', () => {
  // Two tasks on a 4-CPU machine: they are pinned to cpu0 and cpu1 (task i on cpu i mod N).
  const routed = (irq: string) => run({ latency: 'exp(50us)', bandwidth: '1GiB/s', irq }, { tasks: 2, size: '4KiB' }, { ops: 2001 });

  it('cpu0: every completion interrupts cpu0', () => {
    const r = routed('cpu0');
    const irqs = r.cpus.map((c) => c.irqs);
    expect(irqs[0]).toBeGreaterThanOrEqual(r.ops.completed);
    expect(irqs.slice(1)).toEqual([0, 0, 0]);
  });

  it('submitter: each completion interrupts the CPU that submitted it, so idle CPUs get none', () => {
    const r = routed('submitter');
    const irqs = r.cpus.map((c) => c.irqs);
    expect(irqs[2]).toBe(0);
    expect(irqs[3]).toBe(0);
    // One 4 KiB request per op: cpu0's and cpu1's shares are their tasks' op counts.
    expect(irqs[0]! + irqs[1]!).toBeGreaterThanOrEqual(r.ops.completed);
    expect(Math.min(irqs[0]!, irqs[1]!)).toBeGreaterThanOrEqual(r.ops.per_task.min);
    // No cross-CPU wake-up: the woken task is on the interrupted CPU.
    for (const c of r.cpus) expect(c.resched_ipis).toBe(0);
  });

  it('round_robin: completions rotate over all CPUs, so each gets ⌊n/N⌋ or ⌈n/N⌉', () => {
    const r = routed('round_robin');
    const irqs = r.cpus.map((c) => c.irqs);
    const n = irqs.reduce((a, b) => a + b, 0);
    expect(n).toBeGreaterThanOrEqual(r.ops.completed);
    expect(n).toBeLessThanOrEqual(r.device.requests);
    for (const k of irqs) {
      expect(k).toBeGreaterThanOrEqual(Math.floor(n / 4));
      expect(k).toBeLessThanOrEqual(Math.ceil(n / 4));
    }
  });
});
