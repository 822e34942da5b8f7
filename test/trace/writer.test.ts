/**
 * The Chrome trace writer on its own, driven by a fake clock: its invariants (strict nesting,
 * parents before children that start with them, paired flows, the window, the limit) must
 * hold for any well-formed sequence of hooks, not only the ones today's model produces.
 */
import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { COPY, IDLE, IRQ, MAP, SPIN, TLB, WORK } from '../../src/cpu/accounting.js';
import { ChromeTrace, type TraceWindow } from '../../src/trace/chrome.js';
import { StringSink } from '../../src/trace/file.js';
import { checkTrace, flowBindings, ns, spansByTid, type TraceDoc } from './validate.js';

class Clock {
  now = 0;
}

function parse(sink: StringSink): TraceDoc {
  return JSON.parse(sink.text()) as TraceDoc;
}

describe('ChromeTrace', () => {
  it('writes a parent before a child that starts with it (viewers sort by ts only)', () => {
    const clock = new Clock();
    const sink = new StringSink();
    const t = new ChromeTrace(sink);
    t.begin(clock, 1);
    clock.now = 100;
    t.taskIn(0, 'io/0'); // task span and its first category slice start together
    t.category(0, WORK);
    clock.now = 200;
    t.irqEnter(0, 'end_request');
    t.category(0, IRQ);
    clock.now = 300;
    t.irqExit(0);
    t.category(0, WORK);
    clock.now = 400;
    t.taskOut(0, 'sleeps on io_wait/0');
    t.category(0, IDLE);
    clock.now = 500;
    t.finish();
    const doc = parse(sink);
    expect(checkTrace(doc, { cpus: 1 })).toEqual([]);
    const names = doc.traceEvents.filter((e) => e.ph === 'X').map((e) => `${e.name}@${ns(e.ts)}`);
    expect(names.indexOf('io/0@100')).toBeLessThan(names.indexOf('work@100'));
    expect(names.indexOf('end_request@200')).toBeLessThan(names.indexOf('irq@200'));
    const task = doc.traceEvents.find((e) => e.name === 'io/0')!;
    expect(task.args).toEqual({ then: 'sleeps on io_wait/0' });
    expect(ns(task.dur!)).toBe(300);
  });

  it('keeps lock holds nested when locks are released out of order', () => {
    const clock = new Clock();
    const sink = new StringSink();
    const t = new ChromeTrace(sink);
    t.begin(clock, 1);
    t.lockHeld(0, false, 'a', 10, '');
    clock.now = 20;
    t.lockHeld(0, false, 'b', 30, '');
    clock.now = 50;
    t.lockReleased(0, false, 'a'); // b is still held: it is closed and reopened
    clock.now = 80;
    t.lockReleased(0, false, 'b');
    t.finish();
    const doc = parse(sink);
    expect(checkTrace(doc, { cpus: 1 })).toEqual([]);
    const spans = [...spansByTid(doc).values()].flat().filter((s) => s.name !== 'idle').map((s) => `${s.name} ${s.start}-${s.end}`);
    expect(spans.sort()).toEqual(['a 10-50', 'b 30-50', 'b 50-80']);
  });

  it('switches a busySplit hold to its second category when due, pushed back by an interrupt', () => {
    const clock = new Clock();
    const sink = new StringSink();
    const t = new ChromeTrace(sink);
    t.begin(clock, 1);
    t.taskIn(0, 'x');
    t.category(0, MAP);
    t.categorySplit(0, 20, TLB); // map 20 ns, then tlb
    clock.now = 10;
    t.irqEnter(0, 'h');
    t.category(0, IRQ);
    clock.now = 110;
    t.irqExit(0);
    t.category(0, MAP);
    clock.now = 420; // 10 + 100 + 10 + 300
    t.category(0, WORK);
    clock.now = 500;
    t.finish();
    const doc = parse(sink);
    expect(checkTrace(doc, { cpus: 1 })).toEqual([]);
    const leaves = [...spansByTid(doc).values()].flat().filter((s) => s.name !== 'x' && s.name !== 'h');
    expect(leaves.map((s) => `${s.name} ${s.start}-${s.end}`)).toEqual(['map 0-10', 'irq 10-110', 'map 110-120', 'tlb 120-420', 'work 420-500']);
  });
});

// ---- random well-formed hook sequences ----------------------------------------------------

interface CpuModel {
  inIrq: boolean;
  task: string | null;
  fns: string[];
  locks: string[];
  irqLocks: string[];
  /** A busySplit hold running until this time (no other hook before, except an interrupt). */
  busyUntil: number;
  /** When the running handler started (handlers take time: an IRQ entry costs something). */
  irqSince: number;
}

const LOCKS = ['kmap_lock', 'call_lock', 'vmlist_lock', 'emergency_lock'];
const CATS = [WORK, COPY, SPIN, MAP, TLB, IDLE];

/** Drive `t` with `steps` random hooks on `cpus` CPUs; the sequence obeys the model's rules. */
function drive(t: ChromeTrace, clock: Clock, cpus: number, steps: number, seed: number): void {
  const rnd = seedrandom(String(seed));
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const cs: CpuModel[] = Array.from({ length: cpus }, () => ({ inIrq: false, task: null, fns: [], locks: [], irqLocks: [], busyUntil: 0, irqSince: 0 }));
  const pending: Array<{ cpu: number; round: number }> = [];
  let deviceFree = 0;
  let rounds = 0;
  t.begin(clock, cpus);
  for (let i = 0; i < steps; i++) {
    if (rnd() < 0.5) clock.now += Math.floor(rnd() * 4) * 25; // ties are common
    const c = Math.floor(rnd() * cpus);
    const m = cs[c]!;
    const action = Math.floor(rnd() * 16);
    if (clock.now < m.busyUntil && action !== 2) continue;
    const locks = m.inIrq ? m.irqLocks : m.locks;
    switch (action) {
      case 0:
      case 1:
        t.category(c, m.inIrq ? pick([IRQ, COPY, SPIN, TLB]) : pick(CATS));
        break;
      case 2: {
        // An interrupt (a delivered IPI, when one is pending for this CPU).
        if (m.inIrq) break;
        m.inIrq = true;
        m.irqSince = clock.now;
        const k = pending.findIndex((p) => p.cpu === c);
        t.irqEnter(c, k >= 0 ? 'call_function_interrupt' : 'end_request');
        t.category(c, IRQ);
        if (k >= 0) t.ipiHandler(c, pending.splice(k, 1)[0]!.round);
        break;
      }
      case 3:
        if (!m.inIrq || m.irqLocks.length > 0 || clock.now === m.irqSince) break;
        m.inIrq = false;
        t.irqExit(c);
        break;
      case 4:
        if (m.inIrq || m.task !== null) break;
        m.task = `t${c}.${i}`;
        t.taskIn(c, m.task);
        t.category(c, 7); // sched
        break;
      case 5:
        if (m.inIrq || m.task === null || m.fns.length > 0 || m.locks.length > 0) break;
        t.taskOut(c, rnd() < 0.5 ? 'sleeps on io_wait' : 'exits');
        m.task = null;
        t.category(c, IDLE);
        break;
      case 6: {
        const free = LOCKS.filter((l) => !locks.includes(l));
        if (free.length === 0) break;
        const l = pick(free);
        t.spin(c, l, 'site');
        t.lockHeld(c, m.inIrq, l, clock.now + Math.floor(rnd() * 3) * 25, rnd() < 0.2 ? 'write' : '');
        locks.push(l);
        break;
      }
      case 7:
        if (locks.length === 0) break;
        t.lockReleased(c, m.inIrq, locks.splice(Math.floor(rnd() * locks.length), 1)[0]!);
        break;
      case 8:
        if (m.inIrq || m.task === null) break;
        m.fns.push(`fn${m.fns.length}`);
        t.enter(c, m.fns[m.fns.length - 1]!, rnd() < 0.5 ? null : { pages: 3 });
        break;
      case 9:
        if (m.inIrq || m.fns.length === 0) break;
        t.leave(c, m.fns.pop()!);
        break;
      case 10: {
        if (m.inIrq || cpus < 2) break;
        t.category(c, 3); // ipi_wait
        const round = ++rounds;
        t.ipiSend(c, cpus - 1, round);
        for (let k = 0; k < cpus; k++) if (k !== c) pending.push({ cpu: k, round });
        break;
      }
      case 11:
        t.instant(rnd() < 0.2 ? -1 : c, pick(['flush_all_zero_pkmaps', 'stale TLB access']), rnd() < 0.5 ? null : { n: i });
        break;
      case 12:
        t.counter(pick(['bounce pool', 'device queue']), pick(['free_pages', 'depth']), Math.floor(rnd() * 4));
        break;
      case 13:
        t.counter('pkmap slots', pick(['in_use', 'unflushed']), Math.floor(rnd() * 3));
        t.runqueue(c, Math.floor(rnd() * 3));
        break;
      case 14: {
        const start = Math.max(deviceFree, clock.now);
        deviceFree = start + 25 + Math.floor(rnd() * 100);
        t.deviceTransfer(start, deviceFree, 4096);
        break;
      }
      case 15: {
        if (m.inIrq) break;
        t.category(c, MAP);
        const after = Math.floor(rnd() * 3) * 25;
        t.categorySplit(c, after, TLB);
        m.busyUntil = clock.now + after + 25;
        break;
      }
    }
  }
  clock.now += 100;
}

describe('ChromeTrace on random hook sequences', () => {
  it('always writes a valid, strictly nested trace within its window and limit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 1, max: 4 }),
        fc.option(fc.integer({ min: 10, max: 2000 }), { nil: undefined }),
        fc.option(fc.tuple(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 1, max: 3000 })), { nil: undefined }),
        (seed, cpus, limit, w) => {
          const window: TraceWindow | undefined = w === undefined ? undefined : { start: w[0] * 5, end: w[0] * 5 + w[1] * 5 };
          const clock = new Clock();
          const sink = new StringSink();
          const t = new ChromeTrace(sink, { limit, window });
          drive(t, clock, cpus, 400, seed);
          const summary = t.finish();
          expect(t.finish()).toEqual(summary); // idempotent
          const doc = parse(sink);
          const problems = checkTrace(doc, { cpus, window });
          expect(problems).toEqual([]);
          const events = doc.traceEvents.filter((e) => e.ph !== 'M');
          expect(events.length).toBe(summary.events);
          if (limit !== undefined) expect(events.length).toBeLessThanOrEqual(limit);
          if (summary.cutAt === null && limit !== undefined) expect(events.length).toBeLessThanOrEqual(limit);
          // Flow ends bind to the handler they belong to.
          const bound = flowBindings(doc);
          doc.traceEvents.forEach((e, at) => {
            if (e.ph === 'f') expect(bound.get(at)).toBe('call_function_interrupt');
          });
        },
      ),
      { numRuns: 150, seed: 102 },
    );
  });
});
