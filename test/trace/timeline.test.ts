/**
 * ChromeTimeline on its own: the kernel's happenings (src/cpu/observer.ts) become the slices,
 * counters and instants docs/TRACE.md describes. Driven by a fake clock, no model.
 */
import { describe, expect, it } from 'vitest';
import { SPIN, WORK } from '../../src/cpu/accounting.js';
import { StringSink } from '../../src/trace/file.js';
import { ChromeTimeline } from '../../src/trace/timeline.js';
import { checkTrace, ns, spansByTid, type TraceDoc } from './validate.js';

class Clock {
  now = 0;
}

function run(drive: (t: ChromeTimeline, clock: Clock) => void, cpus = 1): TraceDoc {
  const clock = new Clock();
  const sink = new StringSink();
  const t = new ChromeTimeline(sink);
  t.machineBuilt(clock, cpus);
  drive(t, clock);
  t.finish();
  const doc = JSON.parse(sink.text()) as TraceDoc;
  expect(checkTrace(doc, { cpus })).toEqual([]);
  return doc;
}

describe('ChromeTimeline', () => {
  it('tallies pkmap_count into the `pkmap slots` counter; a flush frees every slot at 1', () => {
    const doc = run((t, clock) => {
      clock.now = 10;
      t.pkmapCountChanged(0, 1); // mapped (kmap_high: 1, then ++)
      t.pkmapCountChanged(0, 2);
      t.pkmapCountChanged(1, 1);
      t.pkmapCountChanged(1, 2);
      t.pkmapCountChanged(2, 1);
      t.pkmapCountChanged(2, 2);
      clock.now = 20;
      t.pkmapCountChanged(1, 1); // kunmap_high: unmapped, not yet flushed
      t.pkmapCountChanged(2, 1);
      clock.now = 30;
      t.pkmapFlushed(0, 2, true);
      clock.now = 40;
      t.pkmapCountChanged(1, 1); // slot 1 reused after the flush
      clock.now = 50;
    });
    const points = doc.traceEvents.filter((e) => e.ph === 'C' && e.name === 'pkmap slots').map((e) => [ns(e.ts), e.args]);
    expect(points).toEqual([
      [10, { in_use: 3, unflushed: 0 }],
      [20, { in_use: 1, unflushed: 2 }],
      [30, { in_use: 1, unflushed: 0 }],
      [40, { in_use: 1, unflushed: 1 }],
    ]);
    const flush = doc.traceEvents.find((e) => e.ph === 'i' && e.name === 'flush_all_zero_pkmaps');
    expect(flush?.args).toEqual({ cleared: 2, flush: true });
    expect(ns(flush!.ts)).toBe(30);
  });

  it('draws an uncontended acquire as spin then a hold, a granted lock as a hold; rwlock holds carry their mode', () => {
    const doc = run((t, clock) => {
      t.taskStarted(0, 'io/0');
      t.categoryChanged(0, WORK);
      clock.now = 100;
      t.lockAcquired(0, false, 'kmap_lock', 'kmap_high', 120, 'spin');
      t.categoryChanged(0, SPIN);
      clock.now = 120;
      t.categoryChanged(0, WORK);
      clock.now = 200;
      t.lockReleased(0, false, 'kmap_lock');
      t.lockContended(0, 'vmlist_lock', 'vfree');
      t.categoryChanged(0, SPIN);
      clock.now = 300;
      t.lockGranted(0, false, 'vmlist_lock', 310, 'write');
      clock.now = 310;
      t.categoryChanged(0, WORK);
      clock.now = 400;
      t.lockReleased(0, false, 'vmlist_lock');
      clock.now = 450;
    });
    const spans = [...spansByTid(doc).values()].flat();
    const spin = spans.filter((s) => s.name === 'spin').map((s) => [s.start, s.end, s.args]);
    expect(spin).toEqual([
      [100, 120, { lock: 'kmap_lock', site: 'kmap_high' }],
      [200, 310, { lock: 'vmlist_lock', site: 'vfree' }],
    ]);
    const holds = spans.filter((s) => s.name.endsWith('_lock')).map((s) => [s.name, s.start, s.end, s.args]);
    expect(holds).toEqual([
      ['kmap_lock', 120, 200, undefined],
      ['vmlist_lock', 310, 400, { mode: 'write' }],
    ]);
  });

  it('says why a task left its CPU: it sleeps on a wait queue, yields, or exits', () => {
    const doc = run((t, clock) => {
      t.taskStarted(0, 'a');
      clock.now = 10;
      t.taskSwitchedOut(0, 'a', 'bounce_pool_wait');
      t.contextSwitch(0, 'b', 1);
      clock.now = 20;
      t.taskYielded(0, 'b');
      t.contextSwitch(0, 'c', 1);
      clock.now = 30;
      t.taskSwitchedOut(0, 'c', null);
      clock.now = 40;
    });
    const tasks = doc.traceEvents.filter((e) => e.ph === 'X' && e.cat === 'task').map((e) => [e.name, e.args]);
    expect(tasks).toEqual([
      ['a', { then: 'sleeps on bounce_pool_wait' }],
      ['b', { then: 'yields' }],
      ['c', { then: 'exits' }],
    ]);
  });

  it('draws a shootdown as its kernel function, with an IPI arrow to each receiver', () => {
    const doc = run((t, clock) => {
      t.taskStarted(0, 'io/0');
      clock.now = 100;
      t.shootdownStarted(0, 'flush_tlb_kernel_range', 4, false);
      t.ipiSent(0, 1, 7);
      clock.now = 150;
      t.irqEntered(1, 'call_function_interrupt');
      t.ipiReceived(1, 7);
      clock.now = 180;
      t.irqReturned(1);
      clock.now = 200;
      t.shootdownFinished(0, 'flush_tlb_kernel_range');
      clock.now = 250;
    }, 2);
    const fn = doc.traceEvents.find((e) => e.ph === 'X' && e.name === 'flush_tlb_kernel_range');
    expect(fn?.args).toEqual({ pages: 4, full: false });
    expect([ns(fn!.ts), ns(fn!.dur!)]).toEqual([100, 100]);
    const flows = doc.traceEvents.filter((e) => e.ph === 's' || e.ph === 'f').map((e) => [e.ph, ns(e.ts), e.args]);
    expect(flows).toEqual([
      ['s', 100, { round: 7, target: 1 }],
      ['f', 150, { round: 7, target: 1 }],
    ]);
  });
});
