/**
 * The scheduler (src/cpu/cpu.ts: run queues, try_to_wake_up, reschedule_idle): times
 * computed by hand from the cost table, so a missing or double-charged context switch, a
 * LIFO run queue or a missing reschedule IPI fails here.
 */
import { describe, expect, it } from 'vitest';
import type { ProcessBody } from '../../src/engine/process.js';
import { Simulator } from '../../src/engine/sim.js';
import { WORK } from '../../src/cpu/accounting.js';
import { Task } from '../../src/cpu/task.js';
import { presetCosts } from '../../src/kernel/costs.js';
import { Machine } from '../../src/kernel/machine.js';
import { runScenario } from '../../src/model/run.js';
import { resolveScenario } from '../../src/scenario/load.js';

const CS = 777; // context_switch, distinctive
const IPI = 2500; // ipi_latency

function machine(cpus: number) {
  const sim = new Simulator();
  const costs = { ...presetCosts('modern'), context_switch: CS, ipi_latency: IPI };
  const m = new Machine(sim, { cpus, spinlock: 'ticket', tlbEntries: 64, costs, seed: 1 });
  const task = (cpu: number, name: string) => new Task(Number(name.replace(/\D/g, '') || 0), name, m.cpus[cpu]!, m.stream(name));
  return { sim, m, task };
}

describe('run queue', () => {
  it('three tasks on one CPU run in FIFO order, each switch charged context_switch once', () => {
    const { sim, m, task } = machine(1);
    const started: [string, number][] = [];
    for (const name of ['a', 'b', 'c']) {
      const t = task(0, name);
      t.start(
        (function* (): ProcessBody {
          started.push([name, sim.now]);
          yield t.cpu.busy(WORK, 1000);
        })(),
      );
    }
    sim.run();
    // a starts at once; b after a's 1000 ns and one switch; c after b's and another.
    expect(started).toEqual([
      ['a', 0],
      ['b', 1000 + CS],
      ['c', 2000 + 2 * CS],
    ]);
    expect(m.cpus[0]!.contextSwitches).toBe(2);
  });
});

describe('wake-ups (try_to_wake_up / reschedule_idle)', () => {
  function sleeperWokenBy(wakerCpu: number) {
    const { sim, m, task } = machine(2);
    const sleeper = task(1, 's1');
    let resumedAt = -1;
    sleeper.start(
      (function* (): ProcessBody {
        sleeper.sleepingOn = 'test_wait';
        yield sleeper.cpu.sleep(sleeper);
        resumedAt = sim.now;
      })(),
    );
    const waker = task(wakerCpu, 'w0');
    const body = (function* (): ProcessBody {
      yield waker.cpu.busy(WORK, 5000);
      sleeper.sleepingOn = null;
      sleeper.cpu.wakeUp(sleeper, waker.cpu);
    })();
    // On the sleeper's own CPU the waker is queued and runs once the sleeper sleeps.
    waker.start(body);
    sim.run();
    return { m, resumedAt };
  }

  it('a task woken from another CPU, on an idle CPU: a reschedule IPI, then the switch', () => {
    const { m, resumedAt } = sleeperWokenBy(0);
    expect(resumedAt).toBe(5000 + IPI + CS);
    expect(m.cpus[1]!.reschedIpis).toBe(1);
    expect(m.cpus[0]!.reschedIpis).toBe(0);
  });

  it('a task woken on its own CPU: no IPI', () => {
    const { m, resumedAt } = sleeperWokenBy(1);
    // s1 sleeps at 0, w0 switches in (CS), works 5000, wakes s1 and exits: s1 switches in (CS).
    expect(resumedAt).toBe(CS + 5000 + CS);
    expect(m.cpus[1]!.reschedIpis).toBe(0);
  });
});

describe('scheduling in whole runs', () => {
  const run = (raw: Record<string, unknown>) => runScenario(resolveScenario(raw, 'sched.yaml'));

  it('sched time = context switches × context_switch, on every CPU', () => {
    const r = run({
      machine: { cpus: 2 },
      costs: { context_switch: '2345ns' },
      kernel: { strategy: 'direct' },
      device: { dma_limit: '64bit', latency: 'exp(20us)', bandwidth: '1GiB/s', irq: 'submitter' },
      workload: { type: 'io', tasks: 12, touch_per_page: '5us' },
      stop: { ops: 3000 },
    });
    for (const c of r.cpus) {
      expect(c.context_switches).toBeGreaterThan(100);
      // A switch still under way when the run stops is counted but only partly charged.
      expect(c.time_ns.sched).toBeLessThanOrEqual(c.context_switches * 2345);
      expect(c.time_ns.sched).toBeGreaterThanOrEqual((c.context_switches - 1) * 2345);
    }
  });

  it('more I/O-bound tasks than CPUs: all make progress, each I/O costs one switch back in', () => {
    const r = run({
      machine: { cpus: 2 },
      kernel: { strategy: 'direct' },
      device: { dma_limit: '64bit', latency: 'exp(20us)', bandwidth: '1GiB/s', queue_depth: 64, irq: 'submitter' },
      workload: { type: 'io', tasks: 12, touch_per_page: '5us' },
      stop: { ops: 3000 },
    });
    const mean = r.ops.completed / 12;
    expect(r.ops.per_task.min).toBeGreaterThan(0.8 * mean);
    expect(r.ops.per_task.max).toBeLessThan(1.2 * mean);
    const switches = r.cpus.reduce((s, c) => s + c.context_switches, 0);
    // Each op sleeps once on its I/O and is switched back in once (± the ones in flight).
    expect(Math.abs(switches - r.ops.completed)).toBeLessThanOrEqual(12);
  });

  it('completions routed to cpu0 wake the tasks of other CPUs with reschedule IPIs, one per wake-up of an idle CPU', () => {
    // One task per CPU, each sleeps on every I/O, so its CPU is idle when the wake-up comes.
    const r = run({
      machine: { cpus: 2 },
      kernel: { strategy: 'direct' },
      device: { dma_limit: '64bit', latency: 'exp(50us)', bandwidth: '1GiB/s', irq: 'cpu0' },
      workload: { type: 'io', tasks: 2 },
      stop: { ops: 2000 },
    });
    expect(r.cpus[0]!.resched_ipis).toBe(0); // its task is woken by its own interrupt
    expect(r.cpus[1]!.resched_ipis).toBeGreaterThan(900);
    expect(r.cpus[1]!.resched_ipis).toBe(r.cpus[1]!.context_switches);
  });

  it('documented simplification: without timeslices, CPU-bound tasks beyond one per CPU never run', () => {
    // README "Simplifications": a task runs until it sleeps; locktorture tasks never sleep.
    const r = run({ machine: { cpus: 2 }, workload: { type: 'locktorture', tasks: 5 }, stop: { ops: 3000 } });
    expect(r.ops.per_task.min).toBe(0);
  });
});
