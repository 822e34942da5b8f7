import { describe, expect, it } from 'vitest';
import type { ProcessBody } from '../../src/engine/process.js';
import { Simulator } from '../../src/engine/sim.js';
import { COPY, IRQ } from '../../src/cpu/accounting.js';
import { bus_transfer } from '../../src/cpu/membus.js';
import type { IrqCtx } from '../../src/cpu/task.js';
import { Task } from '../../src/cpu/task.js';
import { presetCosts } from '../../src/kernel/costs.js';
import { Machine } from '../../src/kernel/machine.js';
import { runScenario } from '../../src/model/run.js';
import { resolveScenario } from '../../src/scenario/load.js';

const PAGE_COPY = 8192; // a 4 KiB page copy: read + write

function machine(cpus: number, memoryBandwidth: number) {
  const sim = new Simulator();
  const m = new Machine(sim, { cpus, spinlock: 'ticket', tlbEntries: 64, costs: presetCosts('modern'), seed: 1, memoryBandwidth });
  return { sim, m };
}

/** N CPUs each copy one page at t = 0; returns when each copy ended. */
function concurrentCopies(n: number, floorNs: number, bytesPerSec: number): number[] {
  const sim = new Simulator();
  const m = new Machine(sim, { cpus: n, spinlock: 'ticket', tlbEntries: 64, costs: presetCosts('modern'), seed: 1, memoryBandwidth: bytesPerSec });
  const ends: number[] = [];
  for (let c = 0; c < n; c++) {
    const t = new Task(c, `t${c}`, m.cpus[c]!, m.stream(`t${c}`));
    t.start(
      (function* (): ProcessBody {
        yield bus_transfer(t, m.membus, COPY, PAGE_COPY, floorNs);
        ends.push(sim.now);
      })(),
    );
  }
  sim.run();
  m.finish();
  for (const cpu of m.cpus) expect(cpu.time.reduce((a, b) => a + b, 0)).toBe(sim.now);
  return ends;
}

describe('the memory bus (processor sharing)', () => {
  it('one copy alone lasts max(CPU floor, bytes / bandwidth)', () => {
    // Bus faster than the CPU: the floor decides.
    expect(concurrentCopies(1, 10_000, 8192e9 / 5_000)).toEqual([10_000]);
    // Bus slower than the CPU: the bus decides.
    expect(concurrentCopies(1, 10_000, 8192e9 / 25_000)).toEqual([25_000]);
    // No shared limit: the floor.
    expect(concurrentCopies(1, 10_000, Infinity)).toEqual([10_000]);
  });

  for (const n of [2, 4, 8]) {
    it(`${n} concurrent copies on a saturated bus each take ${n}× as long as one (n × bytes / B)`, () => {
      const B = 8192e9 / 10_000; // exactly one copy's worth at the 10 us floor
      const one = concurrentCopies(1, 10_000, B)[0]!;
      const ends = concurrentCopies(n, 10_000, B);
      expect(one).toBe(10_000);
      for (const e of ends) expect(e).toBe(n * one);
    });
  }

  it('copies below the bus limit do not slow each other down', () => {
    // 4 CPUs at 10 us per copy need 4 × 0.8192 B/ns; the bus has 10 B/ns.
    expect(concurrentCopies(4, 10_000, 10e9)).toEqual([10_000, 10_000, 10_000, 10_000]);
  });

  it('an interrupted copy leaves the bus to the others, and the accounting stays exact', () => {
    // Two copies share a bus that moves one page copy per 10 us; caps are unlimited (floor 0).
    // cpu1 takes a 2 us interrupt at 3 us. 0–3 us: each moves 15%; 3–5 us: cpu2 alone moves
    // 20%; then both at half rate: cpu2 has 65% left → done at 5 + 13 = 18 us; cpu1 then has
    // 20% left alone → done at 20 us: the bus never idles, 2 × 8192 B in 20 us.
    const { sim, m } = machine(3, 8192e9 / 10_000);
    const ends: Record<number, number> = {};
    for (const c of [1, 2]) {
      const t = new Task(c, `t${c}`, m.cpus[c]!, m.stream(`t${c}`));
      t.start(
        (function* (): ProcessBody {
          yield bus_transfer(t, m.membus, COPY, PAGE_COPY, 0);
          ends[c] = sim.now;
        })(),
      );
    }
    const handler = function* (ctx: IrqCtx): ProcessBody {
      yield ctx.cpu.busy(IRQ, 2000);
    };
    sim.schedule(3000, () => m.cpus[1]!.raise('test_irq', handler, null), null);
    sim.run();
    m.finish();
    expect(ends).toEqual({ 1: 20_000, 2: 18_000 });
    expect(m.cpus[1]!.time[IRQ]).toBe(2000);
    expect(m.cpus[1]!.time[COPY]).toBe(18_000);
    expect(m.cpus[2]!.time[COPY]).toBe(18_000);
    for (const cpu of m.cpus) expect(cpu.time.reduce((a, b) => a + b, 0)).toBe(sim.now);
  });

  it('a transfer capped below its share leaves the rest to the others (max-min fairness)', () => {
    // A "device" capped at 2 B/ns and a copy uncapped, on a 10 B/ns bus: 2 and 8 B/ns.
    const { sim, m } = machine(1, 10e9);
    const done: Record<string, number> = {};
    m.membus.start(8000, 2, (k: string) => (done[k] = sim.now), 'dma'); // 4000 ns alone at its cap
    m.membus.start(8000, Infinity, (k: string) => (done[k] = sim.now), 'copy'); // 8 B/ns → 1000 ns
    sim.run();
    expect(done).toEqual({ copy: 1000, dma: 4000 });
  });
});

function run(raw: Record<string, unknown>) {
  return runScenario(resolveScenario(raw, 'test'));
}

describe('the bus caps I/O throughput: DMA and bounce copies share it', () => {
  const MiB = 1024 * 1024;
  // A device far faster than memory, 16 streams of 4 KiB reads to highmem, CPU costs small
  // enough that neither the CPUs nor the channel is the limit: only the bus is.
  const base = (strategy: string) => ({
    seed: 7,
    machine: { cpus: 4, pae: false, memory_bandwidth: '100MiB/s' },
    costs: { preset: 'modern', memcpy_page: '100ns' },
    kernel: { strategy },
    device: { dma_limit: '64bit', latency: 'exp(10us)', bandwidth: '4GiB/s', queue_depth: 64, irq: 'round_robin' },
    workload: { type: 'io', tasks: 16, size: '4KiB', read_fraction: 1, highmem_fraction: 1, working_set_pages: 4096 },
    stop: { time: '300ms', warmup: '20ms' },
  });

  it('direct: ops/s ≈ memory_bandwidth / 4 KiB of DMA per I/O', () => {
    const cap = (100 * MiB) / 4096; // 25,600 I/O/s
    const r = run(base('direct'));
    expect(r.ops.per_sec).toBeLessThanOrEqual(cap * 1.005);
    expect(r.ops.per_sec).toBeGreaterThan(cap * 0.95);
  });

  it('bounce: ops/s ≈ memory_bandwidth / (4 KiB DMA + 8 KiB copy) per I/O — a third of direct', () => {
    const cap = (100 * MiB) / (4096 + 8192); // 8,533 I/O/s
    const r = run(base('bounce'));
    expect(Math.abs(r.bounce.bytes_copied / r.ops.completed - 4096)).toBeLessThan(41); // every page bounced
    expect(r.ops.per_sec).toBeLessThanOrEqual(cap * 1.005);
    expect(r.ops.per_sec).toBeGreaterThan(cap * 0.95);
  });
});
