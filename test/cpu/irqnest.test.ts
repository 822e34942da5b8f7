/**
 * Interrupt handlers nest as 2.4 lets them (arch/i386/kernel/irq.c handle_IRQ_event: a
 * handler without SA_INTERRUPT runs its body after __sti()), except in the windows that run
 * with IRQs off: bounce_end_io_read's copy (copy_to_high_bh_irq: __cli) and
 * spin_lock_irqsave sections. kernel.device_irqs_nest: false keeps every handler IRQs-off.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ProcessBody } from '../../src/engine/process.js';
import { Simulator } from '../../src/engine/sim.js';
import { COPY, IRQ, WORK } from '../../src/cpu/accounting.js';
import type { IrqCtx } from '../../src/cpu/task.js';
import { Task } from '../../src/cpu/task.js';
import { BouncePool, bounce_end_io } from '../../src/kernel/bounce.js';
import { PkmapPool } from '../../src/kernel/highmem.js';
import { PagePool } from '../../src/kernel/pages.js';
import { irqEntryCost, irqExitCost, presetCosts } from '../../src/kernel/costs.js';
import { Machine } from '../../src/kernel/machine.js';
import { flush_tlb_all } from '../../src/kernel/tlbflush.js';
import { runScenario } from '../../src/model/run.js';
import { loadScenario } from '../../src/scenario/load.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const BODY = 40_000; // the device handler's own work after the bounce copy, ns

/**
 * CPU 0 takes a block completion at t = 0 whose handler mirrors iopath.ts end_request: entry
 * (IRQs off), handle_IRQ_event's __sti, one bounce READ page (copy with IRQs off, then the
 * emergency_lock irqsave section), BODY ns of handler work, __cli, exit. CPU 1 starts a
 * flush_tlb_all at `flushAt`. Returns when the flush and the device handler ended.
 */
function completionVsFlush(flushAt: number, nest: boolean, readIrqsOff = true) {
  const sim = new Simulator();
  const costs = presetCosts('era2000');
  const m = new Machine(sim, { cpus: 2, spinlock: 'tas', tlbEntries: 64, costs, seed: 1, deviceIrqsNest: nest });
  const pool = new BouncePool(
    m,
    { poolSize: 32, lowmemFreePages: null, writeCopy: 'atomic_irqs_off', readIrqsOff, allocWait: 'yield_retry' },
    new PkmapPool(m, new PagePool(8, 1, 896 << 20, 3 << 30), { pae: false, skipFlush: false }),
  );
  let handlerEnd = -1;
  let flushEnd = -1;
  function* end_request(ctx: IrqCtx): ProcessBody {
    yield ctx.cpu.busy(IRQ, irqEntryCost(costs));
    if (ctx.cpu.handle_IRQ_event_sti()) yield 0;
    yield* bounce_end_io(ctx, pool, 1_000_000, true);
    yield ctx.cpu.busy(IRQ, BODY);
    ctx.cpu.handle_IRQ_event_cli();
    yield ctx.cpu.busy(IRQ, irqExitCost(costs));
    handlerEnd = sim.now;
  }
  sim.schedule(0, () => m.cpus[0]!.raise('end_request', end_request, null, true), null);
  const t = new Task(1, 'flusher', m.cpus[1]!, m.stream('flusher'));
  t.start(
    (function* (): ProcessBody {
      yield t.cpu.busy(WORK, flushAt);
      yield* flush_tlb_all(t, m);
      flushEnd = sim.now;
    })(),
  );
  sim.run();
  m.finish();
  return { sim, m, handlerEnd, flushEnd };
}

describe('nested interrupts (kernel.device_irqs_nest)', () => {
  const entry = irqEntryCost(presetCosts('era2000'));
  const copy = presetCosts('era2000').memcpy_page;
  // An IPI sent at 20 us reaches CPU 0 (ipi_latency 3 us later) well after the bounce copy
  // (which ends by ~entry + copy + a kmap_atomic), in the handler's IRQs-on body.
  const lateFlush = 20_000;

  it('an IPI arriving in a device handler\'s IRQs-on body is serviced before the handler ends', () => {
    const r = completionVsFlush(lateFlush, true);
    expect(r.flushEnd).toBeGreaterThan(0);
    expect(r.flushEnd).toBeLessThan(r.handlerEnd);
    // The ack came within a few microseconds, not after the handler's 40 us body.
    expect(r.flushEnd - lateFlush).toBeLessThan(10_000);
    // The nested IPI pushed the device handler back by its own duration.
    expect(r.handlerEnd).toBeGreaterThan(entry + copy + BODY + 1000);
  });

  it('with device_irqs_nest false the IPI waits for the whole handler (Linux >= 2.6.35)', () => {
    const r = completionVsFlush(lateFlush, false);
    expect(r.flushEnd).toBeGreaterThan(r.handlerEnd);
  });

  it('an IPI arriving during bounce_end_io_read\'s copy waits for the copy (IRQs off), not for the handler', () => {
    // Sent at 0: it reaches CPU 0 at ipi_latency (3 us), inside the 10 us copy.
    const r = completionVsFlush(0, true);
    const c0 = r.m.cpus[0]!;
    // The copy was not interrupted: it took exactly memcpy_page of COPY time, and the ack
    // (hence the initiator's return) came only after it ended.
    expect(c0.time[COPY]).toBe(copy);
    expect(r.flushEnd).toBeGreaterThan(entry + copy);
    expect(r.flushEnd).toBeLessThan(r.handlerEnd);
  });

  it('with bounce_read_irqs_off false (2.3.40: no __cli around the copy) the IPI interrupts the READ copy', () => {
    // Sent at 0: it reaches CPU 0 at ipi_latency, inside the copy, and is taken there.
    const r = completionVsFlush(0, true, false);
    const c0 = r.m.cpus[0]!;
    // The copy is frozen, not shortened: its COPY time is still memcpy_page ...
    expect(c0.time[COPY]).toBe(copy);
    // ... but the initiator had its ack before the copy could have ended.
    expect(r.flushEnd).toBeLessThan(entry + copy);
    // The same run with the copy inside __cli: the ack waits for the copy; the handler
    // ends at the same time either way (the IPI's time is added to it in both).
    const off = completionVsFlush(0, true, true);
    expect(off.flushEnd).toBeGreaterThan(entry + copy);
    expect(r.flushEnd).toBeLessThan(off.flushEnd);
    expect(r.handlerEnd).toBe(off.handlerEnd);
  });

  it('a second device completion waits for the running one (IRQ_INPROGRESS), it does not nest', () => {
    const sim = new Simulator();
    const costs = presetCosts('era2000');
    const m = new Machine(sim, { cpus: 1, spinlock: 'tas', tlbEntries: 64, costs, seed: 1 });
    const spans: Array<[number, number]> = [];
    function* handler(ctx: IrqCtx): ProcessBody {
      const start = sim.now;
      yield ctx.cpu.busy(IRQ, irqEntryCost(costs));
      if (ctx.cpu.handle_IRQ_event_sti()) yield 0;
      yield ctx.cpu.busy(IRQ, BODY);
      ctx.cpu.handle_IRQ_event_cli();
      yield ctx.cpu.busy(IRQ, irqExitCost(costs));
      spans.push([start, sim.now]);
    }
    for (const at of [0, 5000]) sim.schedule(at, () => m.cpus[0]!.raise('end_request', handler, null, true), null);
    sim.run();
    expect(spans.length).toBe(2);
    // Back to back: the second starts when the first returns (do_IRQ's IRQ_PENDING loop).
    expect(spans[1]![0]).toBe(spans[0]![1]);
  });

  it('every CPU still accounts the whole simulated time', () => {
    for (const nest of [true, false]) {
      const r = completionVsFlush(lateFlush, nest);
      for (const c of r.m.cpus) expect(c.time.reduce((a, b) => a + b, 0)).toBe(r.sim.now);
    }
  });
});

/**
 * The mixed run of issue 12: the default 2000 study with eager vmap, a fast device (the CPUs
 * are the limit) and 6 GiB of highmem behind a 32-bit DMA limit, so part of the pages are
 * bounced and every completion handler on CPU 0 copies them up while the other CPUs' vfree
 * flushes need CPU 0's ack (completions pinned to the hardirq: kernel.completion_context).
 */
function mixed(nest: boolean) {
  const r = runScenario(
    loadScenario(path.join(ROOT, 'scenarios/lkml-2000-4way.yaml'), {
      set: [
        'kernel.strategy=vmap',
        `kernel.device_irqs_nest=${nest}`,
        // The copy in the hardirq body is what nesting is about; 2.3.40's default is the SCSI
        // bottom half, which runs with IRQs on whatever the handler flags.
        'kernel.completion_context=hardirq',
        'machine.highmem=6GiB',
        'device.dma_limit=32bit',
        'device.bandwidth=4GiB/s',
        'device.latency=exp(50us)',
        'stop.time=150ms',
        'stop.warmup=20ms',
      ],
    }),
  );
  const ipiWait = r.cpus.reduce((a, c) => a + c.time_ns.ipi_wait, 0);
  return { r, ackWait: ipiWait / r.tlb.shootdowns };
}

describe('nested interrupts in a mixed bounce + vmap run', () => {
  it('ack wait per shootdown drops when IPIs nest in the completion handler', () => {
    const on = mixed(true);
    const off = mixed(false);
    expect(on.r.bounce.pages).toBeGreaterThan(0);
    expect(on.r.tlb.shootdowns).toBeGreaterThan(1000);
    console.log(`ack wait per shootdown: nesting ${on.ackWait.toFixed(0)} ns, no nesting ${off.ackWait.toFixed(0)} ns`);
    expect(on.ackWait).toBeLessThan(0.85 * off.ackWait);
  });
});
