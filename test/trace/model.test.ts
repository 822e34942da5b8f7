/**
 * Traces of real runs: valid, faithful to the model (the CPU tracks add up to the result's
 * accounting, one instant per counted event, one flow per IPI) and harmless (tracing on or
 * off gives the same result).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATEGORY_NAMES } from '../../src/cpu/accounting.js';
import { runScenario } from '../../src/model/run.js';
import { LKML, ROOT, comparable, load, traced } from './helpers.js';
import { checkTrace, enclosing, flowBindings, flowsPerRound, ns, spansByTid, tidOf, type TraceDoc } from './validate.js';

const SHORT = ['stop.time=20ms', 'stop.warmup=0'];

function instants(doc: TraceDoc, name: string) {
  return doc.traceEvents.filter((e) => e.ph === 'i' && e.name === name);
}

/** Sum of the category slices of each CPU track, by category. */
function categoryTotals(doc: TraceDoc, cpus: number): Array<Record<string, number>> {
  const byTid = spansByTid(doc);
  const out: Array<Record<string, number>> = [];
  for (let c = 0; c < cpus; c++) {
    const totals: Record<string, number> = Object.fromEntries(CATEGORY_NAMES.map((n) => [n, 0]));
    for (const s of byTid.get(tidOf(doc, `CPU${c}`)!) ?? []) {
      if (s.name in totals) totals[s.name]! += s.end - s.start;
    }
    out.push(totals);
  }
  return out;
}

describe('trace of the lkml box with kernel.strategy=vmap on 2.4.16 (vfree flushes under vmlist_lock)', () => {
  const t = traced(LKML, ['kernel.version=2.4.16', 'kernel.strategy=vmap', ...SHORT]);
  const { doc, result } = t;

  it('is a valid Chrome trace: fields, CPU names, strict nesting, paired flows, ordered counters', () => {
    expect(checkTrace(doc, { cpus: 4 })).toEqual([]);
    expect(t.summary.cutAt).toBeNull();
    expect(result.tlb.shootdowns).toBeGreaterThan(100);
  });

  it('draws every CPU nanosecond exactly as the result accounts it', () => {
    const totals = categoryTotals(doc, 4);
    for (let c = 0; c < 4; c++) expect(totals[c], `CPU${c}`).toEqual(result.cpus[c]!.time_ns);
  });

  it('has one IPI round per shootdown, fanning out to the N−1 other CPUs', () => {
    const rounds = flowsPerRound(doc);
    const last = Math.max(...rounds.keys());
    for (const [r, n] of rounds) if (r !== last) expect(n, `round ${r}`).toBe(3);
    // flush_tlb_all serialises on call_lock: only the last round can be cut by the end of the run.
    expect(rounds.size).toBeGreaterThanOrEqual(result.tlb.shootdowns - 1);
    expect(rounds.size).toBeLessThanOrEqual(result.tlb.shootdowns);
    expect(doc.traceEvents.filter((e) => e.ph === 'X' && e.name === 'flush_tlb_all').length).toBeGreaterThanOrEqual(result.tlb.shootdowns - 1);
  });

  it('binds each flow from the initiator waiting for acks to the handler on the target', () => {
    const bound = flowBindings(doc);
    let n = 0;
    doc.traceEvents.forEach((e, at) => {
      if (e.ph === 's') expect(bound.get(at), `s ${e.id}`).toBe('ipi_wait');
      if (e.ph === 'f') expect(bound.get(at), `f ${e.id}`).toBe('call_function_interrupt');
      if (e.ph === 's' || e.ph === 'f') n++;
    });
    expect(n).toBeGreaterThan(0);
  });

  it('shows the flush inside each IPI handler, and vmlist_lock held across the initiator’s flush', () => {
    const byTid = spansByTid(doc);
    const cpu0 = byTid.get(tidOf(doc, 'CPU0')!)!;
    const handler = cpu0.find((s) => s.name === 'call_function_interrupt')!;
    const inside = cpu0.filter((s) => s.start >= handler.start && s.end <= handler.end && s !== handler).map((s) => s.name);
    expect(inside).toContain('tlb');
    expect(inside).toContain('irq');
    // On an initiator, when it sends the IPIs: vfree's vmlist_lock (write) ⊃ call_lock.
    const send = doc.traceEvents.find((e) => e.ph === 's')!;
    const cpuName = doc.traceEvents.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.tid === send.tid)!.args!.name as string;
    const locks = byTid.get(tidOf(doc, `${cpuName} locks`)!)!;
    const held = enclosing(locks, ns(send.ts));
    expect(held.map((s) => s.name)).toEqual(['vmlist_lock', 'call_lock']);
    expect(held[0]!.args).toEqual({ mode: 'write' });
    expect(enclosing(byTid.get(send.tid)!, ns(send.ts)).map((s) => s.name).slice(-2)).toEqual(['flush_tlb_all', 'ipi_wait']);
  });
});

describe('trace with kernel.strategy=kmap', () => {
  const { doc, result } = traced(LKML, ['kernel.strategy=kmap', 'stop.time=60ms', 'stop.warmup=0']);

  it('is valid and has one flush_all_zero_pkmaps instant per pool wrap, each followed by its shootdown', () => {
    expect(checkTrace(doc, { cpus: 4 })).toEqual([]);
    const flushes = instants(doc, 'flush_all_zero_pkmaps');
    expect(result.kmap.flushes).toBeGreaterThan(0);
    expect(flushes.length).toBe(result.kmap.flushes);
    const rounds = flowsPerRound(doc);
    expect(rounds.size).toBeGreaterThanOrEqual(flushes.length - 1);
  });

  it('counts pkmap slots: in use and unflushed, the unflushed ones dropping to zero at each wrap', () => {
    const points = doc.traceEvents.filter((e) => e.ph === 'C' && e.name === 'pkmap slots');
    expect(points.length).toBeGreaterThan(10);
    for (const p of points) expect(Object.keys(p.args!).sort()).toEqual(['in_use', 'unflushed']);
    for (const f of instants(doc, 'flush_all_zero_pkmaps')) {
      const at = points.find((p) => p.ts === f.ts);
      expect(at, `counter at ${f.ts}`).toBeDefined();
      expect(at!.args!.unflushed).toBe(0);
    }
  });
});

describe('trace with kernel.strategy=bounce', () => {
  const { doc, result } = traced(LKML, ['kernel.strategy=bounce', ...SHORT]);

  it('is valid, adds up, and shows the read copies inside end_request on CPU0', () => {
    expect(checkTrace(doc, { cpus: 4 })).toEqual([]);
    const totals = categoryTotals(doc, 4);
    for (let c = 0; c < 4; c++) expect(totals[c], `CPU${c}`).toEqual(result.cpus[c]!.time_ns);
    const cpu0 = spansByTid(doc).get(tidOf(doc, 'CPU0')!)!;
    const copies = cpu0.filter((s) => s.name === 'copy');
    expect(copies.length).toBeGreaterThan(0);
    const inHandler = copies.filter((c) => enclosing(cpu0, c.start).some((s) => s.name === 'end_request'));
    expect(inHandler.length).toBeGreaterThan(copies.length / 2);
    // The device track: transfers one after the other.
    expect(doc.traceEvents.some((e) => e.ph === 'X' && e.name === 'transfer' && e.tid === tidOf(doc, 'device'))).toBe(true);
  });
});

describe('instants for the rare events', () => {
  it('marks every stale TLB access (skip_pkmap_flush bug injection)', () => {
    const { doc, result } = traced(path.join(ROOT, 'scenarios', 'inject-skip-pkmap-flush.yaml'), ['stop.ops=2000']);
    expect(checkTrace(doc, { cpus: 2 })).toEqual([]);
    expect(result.tlb.stale_accesses).toBeGreaterThan(0);
    expect(instants(doc, 'stale TLB access').length).toBe(result.tlb.stale_accesses);
    expect(instants(doc, 'flush_all_zero_pkmaps').every((e) => e.args!.flush === false)).toBe(true);
  });

  it('marks bounce pool waits and counts the pool', () => {
    const { doc, result } = traced(path.join(ROOT, 'scenarios', 'bounce-pool-exhaustion.yaml'), ['stop.time=15ms']);
    expect(checkTrace(doc, { cpus: 4 })).toEqual([]);
    expect(result.bounce.pool_waits).toBeGreaterThan(0);
    expect(instants(doc, 'bounce pool wait').length).toBe(result.bounce.pool_waits);
    const pool = doc.traceEvents.filter((e) => e.ph === 'C' && e.name === 'bounce pool');
    expect(pool.some((e) => e.args!.free_pages === 0)).toBe(true);
  });

  it('marks lazy purges and counts vmap_lazy_nr (vmap_lazy)', () => {
    const { doc, result } = traced(LKML, ['kernel.version=2.6.28', 'kernel.strategy=vmap_lazy', 'kernel.vmap_block=false', 'kernel.lazy_max_pages=64', ...SHORT]);
    expect(checkTrace(doc, { cpus: 4 })).toEqual([]);
    expect(result.vmap.purges).toBeGreaterThan(0);
    expect(instants(doc, 'purge_vmap_area_lazy').length).toBe(result.vmap.purges);
    expect(doc.traceEvents.some((e) => e.ph === 'C' && e.name === 'vmap_lazy_nr')).toBe(true);
  });
});

describe('tracing does not change the simulation', () => {
  const cases: Array<[string, string, string[]]> = [
    ['vmap', LKML, ['kernel.strategy=vmap', ...SHORT]],
    ['kmap', LKML, ['kernel.strategy=kmap', ...SHORT]],
    ['bounce', LKML, ['kernel.strategy=bounce', 'stop.time=20ms', 'stop.warmup=5ms']],
    ['vmap_lazy, modern flush', LKML, ['kernel.version=modern', 'kernel.strategy=vmap_lazy', 'kernel.vmap_block=false', 'kernel.lazy_max_pages=64', ...SHORT]],
    ['bounce pool waits', path.join(ROOT, 'scenarios', 'bounce-pool-exhaustion.yaml'), ['stop.time=15ms']],
    ['locktorture', path.join(ROOT, 'scenarios', 'locktorture-ticket-vs-tas.yaml'), ['stop.ops=20000', 'machine.spinlock=tas']],
  ];
  for (const [label, file, set] of cases) {
    it(`gives the same result and fingerprint with and without a trace: ${label}`, () => {
      const off = runScenario(load(file, set), { fingerprint: true });
      const on = traced(file, set, { fingerprint: true }).result;
      const cut = traced(file, set, { window: { start: 1_000_000, end: 2_000_000 }, limit: 200, fingerprint: true }).result;
      expect(off.fingerprint).toMatch(/^[0-9a-f]{16}$/);
      expect(comparable(on)).toBe(comparable(off));
      expect(comparable(cut)).toBe(comparable(off));
    });
  }
});

describe('window and limit', () => {
  it('keeps only the window, clipping the spans that cross its edges', () => {
    const window = { start: 5_000_000, end: 7_000_000 };
    const { doc } = traced(LKML, ['kernel.strategy=vmap', ...SHORT], { window });
    expect(checkTrace(doc, { cpus: 4, window })).toEqual([]);
    const xs = doc.traceEvents.filter((e) => e.ph === 'X');
    // Every CPU is doing something at both edges: clipped spans start/end exactly there.
    for (let c = 0; c < 4; c++) {
      const tid = tidOf(doc, `CPU${c}`)!;
      expect(xs.some((e) => e.tid === tid && ns(e.ts) === window.start), `CPU${c} at the start`).toBe(true);
      expect(xs.some((e) => e.tid === tid && ns(e.ts) + ns(e.dur!) === window.end), `CPU${c} at the end`).toBe(true);
    }
    expect(doc.otherData.window_start_ns).toBe(window.start);
  });

  it('never writes more events than the limit, and says where it cut', () => {
    const { doc, summary } = traced(LKML, ['kernel.strategy=vmap', ...SHORT], { limit: 500 });
    const events = doc.traceEvents.filter((e) => e.ph !== 'M');
    expect(events.length).toBeLessThanOrEqual(500);
    expect(events.length).toBeGreaterThan(450);
    expect(summary.cutAt).not.toBeNull();
    expect(doc.otherData.cut_at_ns).toBe(summary.cutAt);
    expect(checkTrace(doc, { cpus: 4 })).toEqual([]);
    // Spans open at the cut end there.
    expect(events.some((e) => e.ph === 'X' && ns(e.ts) + ns(e.dur!) === summary.cutAt)).toBe(true);
  });
});

describe('trace of a mixed bounce + vmap run with nested interrupts', () => {
  // 2.4.16: copy_to_high_bh_irq's copy runs with IRQs off (2.3.40's does not).
  const mixed = ['kernel.version=2.4.16', 'kernel.strategy=vmap', 'machine.highmem=6GiB', 'device.dma_limit=32bit', 'device.bandwidth=4GiB/s', 'device.latency=exp(50us)', ...SHORT];
  const t = traced(LKML, mixed);
  const { doc, result } = t;

  it('stays strictly nested and accounts every nanosecond, with IPIs nested in completion handlers', () => {
    expect(checkTrace(doc, { cpus: 4 })).toEqual([]);
    expect(result.bounce.pages).toBeGreaterThan(0);
    // Also an IPI landing in the invlpg half of a kmap_atomic: the slice resumes as tlb.
    const totals = categoryTotals(doc, 4);
    for (let c = 0; c < 4; c++) expect(totals[c], `CPU${c}`).toEqual(result.cpus[c]!.time_ns);
    const cpu0 = spansByTid(doc).get(tidOf(doc, 'CPU0')!)!;
    const ipis = cpu0.filter((s) => s.name === 'call_function_interrupt');
    const nested = ipis.filter((s) => enclosing(cpu0, s.start).some((e) => e.name === 'end_request'));
    expect(nested.length).toBeGreaterThan(0);
    // Never inside a bounce-read copy (that window runs with IRQs off): an interrupted copy
    // would show as a copy slice resuming right where the IPI handler ends.
    const copies = cpu0.filter((s) => s.name === 'copy');
    for (const s of nested) expect(copies.some((c) => c.start === s.end)).toBe(false);
  });

  it('has no nested handler with kernel.device_irqs_nest=false', () => {
    // In the hardirq: 2.4.16's SCSI bottom half runs with IRQs on whatever the handler flags.
    const off = traced(LKML, [...mixed, 'kernel.device_irqs_nest=false', 'kernel.completion_context=hardirq']);
    expect(checkTrace(off.doc, { cpus: 4 })).toEqual([]);
    const cpu0 = spansByTid(off.doc).get(tidOf(off.doc, 'CPU0')!)!;
    const ipis = cpu0.filter((s) => s.name === 'call_function_interrupt');
    expect(ipis.length).toBeGreaterThan(0);
    for (const s of ipis) expect(enclosing(cpu0, s.start).some((e) => e.name === 'end_request')).toBe(false);
  });
});
