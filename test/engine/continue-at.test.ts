/**
 * Simulator.continueAt (issue 24): a process whose hold ends before anything else pending
 * continues in the same handler call instead of going through the heap. It must change
 * nothing but speed: the same events at the same times in the same order, the same event
 * count, fingerprint and stop reason, whatever the stop condition (until, maxEvents slices,
 * stopWhen, stop()). Checked here against the same runs with `inlineSteps = false`, on
 * random mixes of processes (holds with many ties, parking and waking each other) and plain
 * callback events of every priority — fixed seed, bounded case count.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PARK, Process, type ProcessBody } from '../../src/engine/process.js';
import { Simulator, type StopReason } from '../../src/engine/sim.js';

interface Plan {
  /** Per process: its holds, in order; −1 parks it until another process wakes it. */
  procs: number[][];
  /** Callback events: time, priority; each wakes the parked process it names (if parked). */
  callbacks: Array<{ time: number; priority: number; wakes: number }>;
}

const plan = fc.record({
  procs: fc.array(fc.array(fc.oneof(fc.constantFrom(0, 0, 1, 2, 5, -1), fc.nat(12)), { minLength: 1, maxLength: 30 }), { minLength: 1, maxLength: 6 }),
  callbacks: fc.array(fc.record({ time: fc.nat(40), priority: fc.integer({ min: -3, max: 3 }), wakes: fc.nat(5) }), { maxLength: 12 }),
});

type Stop = { kind: 'none' } | { kind: 'until'; at: number } | { kind: 'slices'; size: number } | { kind: 'when'; after: number } | { kind: 'stop'; after: number };

const stopKind: fc.Arbitrary<Stop> = fc.oneof(
  fc.constant<Stop>({ kind: 'none' }),
  fc.nat(60).map((at): Stop => ({ kind: 'until', at })),
  fc.integer({ min: 1, max: 7 }).map((size): Stop => ({ kind: 'slices', size })),
  fc.nat(40).map((after): Stop => ({ kind: 'when', after })),
  fc.nat(40).map((after): Stop => ({ kind: 'stop', after })),
);

/** Run the plan; returns the log of what ran when, and the engine's own account. */
function execute(p: Plan, stop: Stop, inline: boolean) {
  const sim = new Simulator();
  sim.inlineSteps = inline;
  const fp = sim.enableFingerprint();
  const log: string[] = [];
  let inlined = 0;
  if (inline) {
    const continueAt = sim.continueAt.bind(sim);
    sim.continueAt = ((time: number, fn: never, arg: never) => {
      const ok = continueAt(time, fn, arg);
      if (ok) inlined++;
      return ok;
    }) as Simulator['continueAt'];
  }
  const procs = p.procs.map((_, i) => new Process(sim, `p${i}`));
  let steps = 0;
  function* body(i: number, holds: number[]): ProcessBody {
    for (let k = 0; k < holds.length; k++) {
      log.push(`${sim.now} p${i}.${k}`);
      if (++steps === (stop.kind === 'stop' ? stop.after : -1)) sim.stop();
      // Every step also wakes the next process if it is parked: chains of wakes at one instant.
      const next = procs[(i + 1) % procs.length]!;
      if (next.parked && k % 2 === 0) next.wake(holds[k]! > 0 ? holds[k]! : 0);
      yield holds[k]! < 0 ? PARK : holds[k]!;
    }
    log.push(`${sim.now} p${i} done`);
  }
  p.procs.forEach((holds, i) => procs[i]!.start(body(i, holds), i % 3));
  for (const c of p.callbacks) {
    sim.at(
      c.time,
      (w: number) => {
        log.push(`${sim.now} cb${c.priority} wakes p${w}`);
        const q = procs[w % procs.length]!;
        if (q.parked) q.wake(0);
      },
      c.wakes,
      c.priority,
    );
  }
  const reasons: StopReason[] = [];
  if (stop.kind === 'until') reasons.push(sim.run({ until: stop.at }));
  else if (stop.kind === 'slices') {
    for (let guard = 0; guard < 1000; guard++) {
      const r = sim.run({ maxEvents: stop.size });
      reasons.push(r);
      log.push(`slice end ${sim.now} ${sim.events}`);
      if (r !== 'max_events') break;
    }
  } else if (stop.kind === 'when') {
    let calls = 0;
    reasons.push(sim.run({ stopWhen: () => ++calls > stop.after }));
    log.push(`stopWhen calls ${calls}`);
  } else reasons.push(sim.run());
  return { log, reasons, now: sim.now, events: sim.events, pending: sim.pending, fingerprint: fp.digest(), inlined };
}

describe('Simulator.continueAt', () => {
  it('changes nothing but speed: same trajectory, count, fingerprint and stop as going through the heap', () => {
    let inlinedTotal = 0;
    fc.assert(
      fc.property(plan, stopKind, (p, stop) => {
        const heap = execute(p, stop, false);
        const fast = execute(p, stop, true);
        inlinedTotal += fast.inlined;
        expect(fast.log).toEqual(heap.log);
        expect(fast.reasons).toEqual(heap.reasons);
        expect(fast.now).toBe(heap.now);
        expect(fast.events).toBe(heap.events);
        expect(fast.pending).toBe(heap.pending);
        expect(fast.fingerprint).toBe(heap.fingerprint);
      }),
      { seed: 24, numRuns: 400 },
    );
    // The property is about the inline path: it must have been taken, many times.
    expect(inlinedTotal).toBeGreaterThan(1000);
  });

  it('is refused outside run() and for a time in the past', () => {
    const sim = new Simulator();
    expect(sim.continueAt(5, () => {}, null)).toBe(false);
    let inside: boolean[] = [];
    sim.schedule(10, () => {
      inside = [sim.continueAt(9, () => {}, null), sim.continueAt(12, () => {}, null)];
    }, null);
    sim.run();
    // At t=10 nothing else is pending: a step at 12 would be the next event; 9 is in the past.
    expect(inside).toEqual([false, true]);
    expect(sim.now).toBe(12);
    expect(sim.events).toBe(2);
  });

  // The pending event at the same time is scheduled before the step's event or by the step itself.
  for (const when of ['before', 'during'] as const) {
    it(`yields to a pending event at the same time that sorts first, and runs before one that sorts after (scheduled ${when} the step)`, () => {
      const got: boolean[] = [];
      for (const priority of [-1, 0, 1]) {
        const sim = new Simulator();
        if (when === 'before') sim.at(5, () => {}, null, priority);
        sim.schedule(1, () => {
          if (when === 'during') sim.at(5, () => {}, null, priority);
          got.push(sim.continueAt(5, () => {}, null));
        }, null);
        sim.run();
      }
      // Same time: more urgent (−1) or as urgent but older (0) goes first; less urgent (1) after.
      expect(got).toEqual([false, false, true]);
    });
  }
});
