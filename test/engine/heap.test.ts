/**
 * The event heap (src/engine/sim.ts, issue 24: a 4-ary heap over typed arrays): events fire
 * in (time, priority, insertion sequence) order — checked against a plain sort of the same
 * stream — however they are interleaved with firing, cancelling and the bulk sweep of
 * cancelled events. Times are drawn from a few values so that ties are frequent.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NO_EVENT, Simulator } from '../../src/engine/sim.js';

interface Ev {
  time: number;
  priority: number;
  seq: number;
}

const byKey = (a: Ev, b: Ev) => a.time - b.time || a.priority - b.priority || a.seq - b.seq;

/** One step of a stream: schedule `n` events at `now + delay` (delays from a small set), then fire `fire` events. */
const step = fc.record({
  delays: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 40 }),
  priorities: fc.array(fc.integer({ min: -2, max: 2 }), { maxLength: 40 }),
  cancel: fc.array(fc.nat(), { maxLength: 10 }),
  fire: fc.integer({ min: 0, max: 30 }),
});

describe('event heap', () => {
  it('fires a batch in the order of a sort by (time, priority, sequence), ties included', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: -3, max: 3 })), { maxLength: 2000 }), (stream) => {
        const sim = new Simulator();
        const fired: Ev[] = [];
        const evs = stream.map(([time, priority], seq) => ({ time, priority, seq }));
        for (const e of evs) sim.at(e.time, (x: Ev) => fired.push(x), e, e.priority);
        expect(sim.run()).toBe('empty');
        expect(fired).toEqual([...evs].sort(byKey));
      }),
      { numRuns: 200, seed: 24 },
    );
  });

  it('interleaving scheduling, firing and cancelling matches a sorted reference queue', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), (steps) => {
        const sim = new Simulator();
        // The reference: the live events, kept sorted.
        let ref: Ev[] = [];
        const ids = new Map<Ev, number>();
        const fired: Ev[] = [];
        const expected: Ev[] = [];
        let seq = 0;
        const record = (e: Ev) => {
          fired.push(e);
          expect(sim.now).toBe(e.time);
        };
        for (const s of steps) {
          for (let k = 0; k < s.delays.length; k++) {
            const e = { time: sim.now + s.delays[k]!, priority: s.priorities[k] ?? 0, seq: seq++ };
            ids.set(e, sim.at(e.time, record, e, e.priority));
            ref.push(e);
          }
          for (const c of s.cancel) {
            if (ref.length === 0) break;
            const e = ref[c % ref.length]!;
            expect(sim.timeOf(ids.get(e)!)).toBe(e.time);
            sim.cancel(ids.get(e)!);
            sim.cancel(ids.get(e)!); // a second cancel is a no-op
            expect(sim.timeOf(ids.get(e)!)).toBeNaN();
            ref = ref.filter((x) => x !== e);
          }
          ref.sort(byKey);
          const n = Math.min(s.fire, ref.length);
          expected.push(...ref.slice(0, n));
          ref = ref.slice(n);
          if (n > 0) sim.run({ maxEvents: n });
          expect(sim.pending).toBe(ref.length);
        }
        sim.run();
        expected.push(...ref.sort(byKey));
        expect(fired).toEqual(expected);
        // A handle of a fired event cancels nothing, even after its slot was reused.
        for (const id of ids.values()) sim.cancel(id);
        expect(sim.pending).toBe(0);
      }),
      { numRuns: 150, seed: 24 },
    );
  });

  it('a stale handle does not cancel the event that reused its slot', () => {
    const sim = new Simulator();
    const log: string[] = [];
    const first = sim.schedule(1, (s: string) => log.push(s), 'first');
    sim.run();
    const second = sim.schedule(1, (s: string) => log.push(s), 'second'); // reuses first's slot
    expect(second).not.toBe(first);
    sim.cancel(first);
    expect(sim.timeOf(first)).toBeNaN();
    expect(sim.timeOf(second)).toBe(2);
    sim.cancel(NO_EVENT);
    sim.run();
    expect(log).toEqual(['first', 'second']);
  });

  it('counts a cancelled earliest event across a sweep', () => {
    const sim = new Simulator();
    const fired: number[] = [];
    const first = sim.at(1, (t: number) => fired.push(t), 1); // the heap's top
    const ids: number[] = [];
    for (let i = 2; i <= 10_001; i++) ids.push(sim.at(i, (t: number) => fired.push(t), i));
    sim.cancel(first);
    for (let k = 0; k < ids.length; k++) if (k % 5 !== 0) sim.cancel(ids[k]!); // enough to sweep the heap
    expect(sim.pending).toBe(2_000);
    sim.run();
    expect(fired).toEqual(Array.from({ length: 2_000 }, (_, k) => 2 + 5 * k));
    expect(sim.pending).toBe(0);
  });

  it('grows past its initial capacity and through a sweep of 10,000 cancelled events in order', () => {
    const sim = new Simulator();
    const fired: number[] = [];
    const ids: number[] = [];
    // Descending times: every push sifts to the root.
    for (let i = 30_000; i > 0; i--) ids.push(sim.at(i, (t: number) => fired.push(t), i));
    for (let k = 0; k < ids.length; k++) if (k % 3 !== 0) sim.cancel(ids[k]!);
    expect(sim.pending).toBe(10_000);
    sim.run();
    expect(fired).toEqual(Array.from({ length: 10_000 }, (_, k) => 30_000 - 3 * (9_999 - k)));
  });
});
