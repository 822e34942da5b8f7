/**
 * Cpu.busySplit (src/cpu/cpu.ts): one hold charged `a` ns to one category, then `b` ns to a
 * second. The second part is charged as it elapses — pushed back by an interrupt taken in
 * the hold — so a run that stops (or a warm-up that ends) inside the hold accounts only what
 * has run, exactly as the trace draws it.
 */
import { describe, expect, it } from 'vitest';
import type { ProcessBody } from '../../src/engine/process.js';
import { Simulator } from '../../src/engine/sim.js';
import { IDLE, IRQ, MAP, TLB } from '../../src/cpu/accounting.js';
import type { IrqCtx } from '../../src/cpu/task.js';
import { presetCosts } from '../../src/kernel/costs.js';
import { Machine } from '../../src/kernel/machine.js';

function setup() {
  const sim = new Simulator();
  const m = new Machine(sim, { cpus: 1, spinlock: 'tas', tlbEntries: 64, costs: presetCosts('era2000'), seed: 1 });
  return { sim, cpu: m.cpus[0]! };
}

describe('busySplit accounting', () => {
  it('a run stopped inside the second part charges only the elapsed part of it', () => {
    const { sim, cpu } = setup();
    function* h(ctx: IrqCtx): ProcessBody {
      yield ctx.cpu.busySplit(MAP, 100, TLB, 300); // MAP [0,100), TLB [100,400)
    }
    sim.schedule(0, () => cpu.raise('hold', h, null), null);
    sim.run({ until: 250 });
    cpu.finish();
    expect(cpu.time[MAP]).toBe(100);
    expect(cpu.time[TLB]).toBe(150);
    expect(cpu.time.reduce((a, b) => a + b, 0)).toBe(250);
  });

  it('an interrupt in the first part pushes the switch back by its duration', () => {
    const { sim, cpu } = setup();
    function* hold(ctx: IrqCtx): ProcessBody {
      ctx.cpu.handle_IRQ_event_sti(); // IRQs on in the body, so the second interrupt nests
      yield ctx.cpu.busySplit(MAP, 100, TLB, 300);
    }
    function* nested(ctx: IrqCtx): ProcessBody {
      yield ctx.cpu.busy(IRQ, 1000);
    }
    sim.schedule(0, () => cpu.raise('hold', hold, null), null);
    sim.schedule(50, () => cpu.raise('nested', nested, null), null);
    sim.run({ until: 1200 }); // MAP [0,50) + [1050,1100), TLB [1100,1200)
    cpu.finish();
    expect(cpu.time[MAP]).toBe(100);
    expect(cpu.time[TLB]).toBe(100);
    expect(cpu.time[IRQ]).toBe(1000);
    expect(cpu.time[IDLE]).toBe(0);
  });
});
