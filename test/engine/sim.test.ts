import { describe, expect, it } from 'vitest';
import { SimulationAborted, Simulator } from '../../src/engine/sim.js';

/** The engine checks its guards every 65,536 events (GUARD_PERIOD in sim.ts). */
const GUARD_PERIOD = 65_536;
import { PARK, Process, WaitQueue, type ProcessBody } from '../../src/engine/process.js';

describe('Simulator event ordering', () => {
  it('orders by time, then priority, then insertion', () => {
    const sim = new Simulator();
    const log: string[] = [];
    const rec = (s: string) => log.push(s);
    sim.schedule(10, rec, 'c-t10');
    sim.schedule(5, rec, 'a-t5');
    sim.schedule(10, rec, 'd-t10-later');
    sim.schedule(10, rec, 'b-t10-urgent', -1);
    sim.schedule(5, rec, 'a2-t5');
    sim.run();
    expect(log).toEqual(['a-t5', 'a2-t5', 'b-t10-urgent', 'c-t10', 'd-t10-later']);
    expect(sim.now).toBe(10);
    expect(sim.events).toBe(5);
  });

  it('events scheduled at the current time run after those already queued at it', () => {
    const sim = new Simulator();
    const log: number[] = [];
    sim.schedule(1, () => {
      log.push(1);
      sim.schedule(0, () => log.push(3), null);
    }, null);
    sim.schedule(1, () => log.push(2), null);
    sim.run();
    expect(log).toEqual([1, 2, 3]);
  });

  it('rejects scheduling in the past', () => {
    const sim = new Simulator();
    // The assertion runs inside an event: record that the event ran, so a callback that never
    // fires cannot make the test pass.
    let checked = false;
    sim.schedule(5, () => {
      expect(() => sim.at(4, () => {}, null)).toThrow(/cannot schedule/);
      checked = true;
    }, null);
    sim.run();
    expect(checked).toBe(true);
  });

  /** The heap's length, live and cancelled events together (private: read here to see the compaction). */
  const heapLength = (sim: Simulator) => (sim as unknown as { size: number }).size;

  it('cancels without firing and keeps counts right across a sweep', () => {
    // sim.ts cancel(): the heap is rebuilt without its cancelled events once they are more than
    // 4,096 and more than half of it. Cancel 2 of every 3 of 20,000: the rebuild must happen
    // (cancelling exactly half, as this test once did, never reaches it).
    const sim = new Simulator();
    let fired = 0;
    const evs = [];
    for (let i = 0; i < 20000; i++) evs.push(sim.schedule(i, () => fired++, null));
    for (let i = 0; i < 20000; i++) if (i % 3 !== 0) sim.cancel(evs[i]!);
    sim.cancel(evs[1]!); // double cancel is harmless
    const live = Math.ceil(20000 / 3); // 6,667: i = 0, 3, ..., 19,998
    expect(sim.pending).toBe(live);
    // Compacted: at the 10,001st cancel of 20,000 the 10,001 dead were dropped; the 3,332
    // cancelled after it are still in the heap, marked.
    const afterSweep = 20000 - 10001;
    expect(heapLength(sim)).toBe(afterSweep);
    expect(heapLength(sim) - sim.pending).toBe(afterSweep - live);
    sim.run();
    expect(fired).toBe(live);
    expect(sim.events).toBe(live);
    expect(sim.pending).toBe(0);
    expect(heapLength(sim)).toBe(0);
  });

  it('a compaction inside a run (a handler cancelling most events) keeps order and loses nothing', () => {
    // The run loop must go on with the rebuilt heap: events scheduled after the rebuild fire,
    // in time order, and none of the cancelled ones does.
    const sim = new Simulator();
    const log: number[] = [];
    const evs: Array<ReturnType<Simulator['schedule']>> = [];
    for (let i = 1; i <= 20000; i++) evs.push(sim.schedule(i, (t: number) => log.push(t), i));
    sim.schedule(0, () => {
      for (let i = 0; i < 20000; i++) if (i % 4 !== 0) sim.cancel(evs[i]!);
      // After the rebuild: new events between and after the survivors.
      for (let t = 2; t <= 20002; t += 1000) sim.at(t, (x: number) => log.push(x), t);
    }, null);
    expect(sim.run()).toBe('empty');
    const expected = [...Array.from({ length: 5000 }, (_, k) => 1 + 4 * k), ...Array.from({ length: 21 }, (_, k) => 2 + 1000 * k)].sort((a, b) => a - b);
    expect(log).toEqual(expected);
    expect(sim.events).toBe(1 + expected.length);
    expect(sim.pending).toBe(0);
  });

  it('runs until a time, an event count, or a predicate', () => {
    const sim = new Simulator();
    let n = 0;
    const tick = () => {
      n++;
      sim.schedule(10, tick, null);
    };
    sim.schedule(0, tick, null);
    expect(sim.run({ until: 95 })).toBe('until');
    expect(sim.now).toBe(95);
    expect(n).toBe(10); // t = 0..90
    expect(sim.run({ maxEvents: 5 })).toBe('max_events');
    expect(n).toBe(15);
    expect(sim.run({ stopWhen: () => n === 20 })).toBe('predicate');
    expect(sim.now).toBe(190);
  });

  it('aborts a runaway run with a diagnostic', () => {
    const sim = new Simulator();
    sim.limits.maxEvents = 1000;
    sim.addDiagnoser(() => 'cpu0: spinning on kmap_lock');
    const tick = () => sim.schedule(1, tick, null);
    sim.schedule(0, tick, null);
    try {
      sim.run();
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SimulationAborted);
      const a = e as SimulationAborted;
      expect(a.reason).toBe('event_limit');
      expect(a.diagnosis).toContain('kmap_lock');
    }
  });

  it('aborts a zero-time livelock, naming the looping handlers and their objects', () => {
    const sim = new Simulator();
    sim.limits.zeroTimeEvents = 4 * GUARD_PERIOD;
    sim.limits.maxEvents = 10_000_000; // a backstop: without the guard, fail rather than hang
    sim.addDiagnoser(() => 'cpu0: running spinner/0');
    // Two "processes" handing control to each other at delay 0: the clock never moves.
    const a = { name: 'spinner/0' };
    const b = { name: 'spinner/1' };
    function bounce(self: { name: string }): void {
      sim.schedule(0, bounce, self === a ? b : a);
    }
    sim.schedule(5, bounce, a);
    let caught: unknown;
    try {
      sim.run({ until: 1e9 });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SimulationAborted);
    const err = caught as SimulationAborted;
    expect(err.reason).toBe('livelock');
    expect(err.message).toMatch(/zero-time livelock at t=5 ns/);
    expect(err.message).toContain('bounce(spinner/0)');
    expect(err.message).toContain('bounce(spinner/1)');
    expect(err.diagnosis).toContain('running spinner/0');
    // Caught within two guard periods of the limit (it is checked every GUARD_PERIOD events).
    expect(sim.events).toBeLessThanOrEqual(6 * GUARD_PERIOD + 4096);
  });

  it('does not take many events at distinct times, or bursts at one time, for a livelock', () => {
    const sim = new Simulator();
    sim.limits.zeroTimeEvents = 2 * GUARD_PERIOD;
    // Bursts of GUARD_PERIOD - 1 same-time events, then time advances by 1 ns.
    let n = 0;
    const tick = () => {
      n++;
      sim.schedule(n % (GUARD_PERIOD - 1) === 0 ? 1 : 0, tick, null);
    };
    sim.schedule(0, tick, null);
    expect(sim.run({ maxEvents: 10 * GUARD_PERIOD })).toBe('max_events');
  });

  it('aborts on the wall-time guard', () => {
    const sim = new Simulator();
    sim.limits.wallMs = 20;
    const tick = () => sim.schedule(1, tick, null);
    sim.schedule(0, tick, null);
    expect(() => sim.run()).toThrow(/wall-time limit/);
  });
});

describe('Process', () => {
  it('holds for yielded durations', () => {
    const sim = new Simulator();
    const times: number[] = [];
    function* body(): ProcessBody {
      times.push(sim.now);
      yield 10;
      times.push(sim.now);
      yield 0;
      times.push(sim.now);
      yield 5;
      times.push(sim.now);
    }
    const p = new Process(sim, 'p').start(body(), 3);
    sim.run();
    expect(times).toEqual([3, 13, 13, 18]);
    expect(p.done).toBe(true);
  });

  it('an interrupt pushes the rest of a timed activity back by its duration', () => {
    // A task doing a 10 us copy that takes a 2 us interrupt at t = 4 us finishes at 12 us.
    const sim = new Simulator();
    let end = -1;
    function* copy(): ProcessBody {
      yield 10_000;
      end = sim.now;
    }
    const p = new Process(sim, 'copy').start(copy());
    sim.schedule(4_000, () => p.interrupt(), null);
    sim.schedule(6_000, () => p.resume(), null);
    sim.run();
    expect(end).toBe(12_000);
  });

  it('parks until woken; a wake during an interrupt waits for the resume', () => {
    const sim = new Simulator();
    const wq = new WaitQueue('wq');
    let woke = -1;
    function* waiter(p: () => Process): ProcessBody {
      yield wq.wait(p());
      woke = sim.now;
    }
    const p: Process = new Process(sim, 'w');
    p.start(waiter(() => p));
    sim.schedule(100, () => p.interrupt(), null);
    sim.schedule(150, () => wq.wakeOne(7), null);
    sim.schedule(300, () => p.resume(), null);
    sim.run();
    expect(woke).toBe(307);
    expect(wq.length).toBe(0);
  });

  it("start's `then` runs after the body, in the same step, as `yield* body; yield* then` would", () => {
    // The same trajectory, events and fingerprint with and without the delegating frame
    // (the idle-exit prologue of an interrupt handler on a halted CPU: src/cpu/cpu.ts).
    function trace(chained: boolean): { log: string[]; events: number; fp: string } {
      const sim = new Simulator();
      const fp = sim.enableFingerprint();
      const log: string[] = [];
      function* first(): ProcessBody {
        log.push(`first@${sim.now}`);
        yield 5;
        log.push(`first-end@${sim.now}`);
      }
      function* then(): ProcessBody {
        log.push(`then@${sim.now}`);
        yield 0;
        log.push(`then-mid@${sim.now}`);
        yield 7;
        log.push(`then-end@${sim.now}`);
      }
      function* both(): ProcessBody {
        yield* first();
        yield* then();
      }
      const p = new Process(sim, 'p');
      p.onExit = () => log.push(`exit@${sim.now}`);
      if (chained) p.start(first(), 2, then());
      else p.start(both(), 2);
      sim.run();
      return { log, events: sim.events, fp: fp.digest() };
    }
    const chained = trace(true);
    expect(chained.log).toEqual(['first@2', 'first-end@7', 'then@7', 'then-mid@7', 'then-end@14', 'exit@14']);
    expect(chained).toEqual(trace(false));
  });

  it('`yield proc.call(sub)` gives the same trajectory, events and fingerprint as `yield* sub`', () => {
    // Sub-bodies nested three deep, called from inside a yield*-delegated generator too, one
    // that returns at once, one that parks and is woken, and an interrupt in a sub-body's hold.
    function trace(useCall: boolean): { log: string[]; events: number; fp: string } {
      const sim = new Simulator();
      const fp = sim.enableFingerprint();
      const log: string[] = [];
      const wq = new WaitQueue('wq');
      const p: Process = new Process(sim, 'p');
      const sub = (g: ProcessBody): number | ProcessBody => (useCall ? p.call(g) : g);
      function* run(g: ProcessBody): ProcessBody {
        const c = sub(g);
        if (typeof c === 'number') yield c;
        else yield* c;
      }
      function* leaf(tag: string, ns: number): ProcessBody {
        log.push(`${tag}@${sim.now}`);
        yield ns;
        log.push(`${tag}-end@${sim.now}`);
      }
      function* empty(): ProcessBody {
        log.push(`empty@${sim.now}`);
      }
      function* parker(): ProcessBody {
        yield wq.wait(p);
        log.push(`woken@${sim.now}`);
        yield* run(leaf('after-wake', 2));
      }
      function* middle(): ProcessBody {
        yield* run(leaf('a', 10));
        yield* run(empty());
        yield 1;
        yield* run(parker());
        log.push(`middle-end@${sim.now}`);
      }
      function* delegated(): ProcessBody {
        yield* run(middle());
      }
      function* top(): ProcessBody {
        yield* delegated();
        yield* run(leaf('b', 3));
        log.push(`top-end@${sim.now}`);
      }
      p.onExit = () => log.push(`exit@${sim.now}`);
      p.start(top());
      sim.schedule(4, () => p.interrupt(), null);
      sim.schedule(6, () => p.resume(), null);
      sim.schedule(50, () => wq.wakeOne(5), null);
      sim.run();
      return { log, events: sim.events, fp: fp.digest() };
    }
    const called = trace(true);
    expect(called.log).toEqual(['a@0', 'a-end@12', 'empty@12', 'woken@55', 'after-wake@55', 'after-wake-end@57', 'middle-end@57', 'b@57', 'b-end@60', 'top-end@60', 'exit@60']);
    expect(called).toEqual(trace(false));
  });

  it('PARK without a waker leaves the process parked', () => {
    const sim = new Simulator();
    function* body(): ProcessBody {
      yield PARK;
    }
    const p = new Process(sim, 'p').start(body());
    expect(sim.run()).toBe('empty');
    expect(p.parked).toBe(true);
    expect(() => p.resume()).toThrow(/not interrupted/);
  });

  it('wait queue wakes in FIFO order', () => {
    const sim = new Simulator();
    const wq = new WaitQueue('wq');
    const order: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      const p: Process = new Process(sim, name);
      p.start(
        (function* (): ProcessBody {
          yield wq.wait(p);
          order.push(name);
        })(),
      );
    }
    sim.schedule(1, () => wq.wakeAll(), null);
    sim.run();
    expect(order).toEqual(['a', 'b', 'c']);
  });
});
