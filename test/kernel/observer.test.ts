/**
 * What the kernel tells its observer (src/cpu/observer.ts) agrees with what the kernel did:
 * replaying the happenings rebuilds the kernel's state, and each happening is told once.
 */
import { describe, expect, it } from 'vitest';
import type { KernelObserver } from '../../src/cpu/observer.js';
import { runScenario } from '../../src/model/run.js';
import { resolveScenario } from '../../src/scenario/load.js';

type Call = [string, ...unknown[]];

/** An observer that records every call, in order. */
function recorder(calls: Call[]): KernelObserver {
  return new Proxy({} as KernelObserver, {
    get: (_t, name) => (...args: unknown[]) => {
      if (name !== 'categoryChanged' && name !== 'machineBuilt') calls.push([String(name), ...args]);
    },
  });
}

describe('the kernel observer', () => {
  // One task per CPU kmapping drawn pages: the pool wraps, flush_all_zero_pkmaps runs and
  // shoots the other CPU's TLB down.
  const calls: Call[] = [];
  const r = runScenario(
    resolveScenario(
      {
        machine: { cpus: 2, pae: false },
        kernel: { last_pkmap: 1024 },
        workload: { type: 'maptorture', tasks: 2, api: 'kmap', pages: 1, working_set_pages: 800_000 },
        stop: { ops: 3 * 1024 },
      },
      'test',
    ),
    { trace: recorder(calls) },
  );

  it('tells every pkmap_count change; each flush clears exactly the slots told to be at 1', () => {
    const count = new Map<number, number>();
    let flushes = 0;
    for (const [name, ...a] of calls) {
      if (name === 'pkmapCountChanged') count.set(a[0] as number, a[1] as number);
      if (name !== 'pkmapFlushed') continue;
      flushes++;
      let atOne = 0;
      for (const [slot, c] of count) {
        if (c !== 1) continue;
        atOne++;
        count.set(slot, 0);
      }
      expect(a[1]).toBe(atOne);
      expect(a[2]).toBe(true);
    }
    expect(flushes).toBeGreaterThanOrEqual(2);
    expect(flushes).toBe(r.kmap.flushes);
  });

  it('numbers IPI rounds 1, 2, … and each round is received once by every target', () => {
    let last = 0;
    const left = new Map<number, number>();
    for (const [name, ...a] of calls) {
      if (name === 'ipiSent') {
        expect(a[2]).toBe(++last);
        left.set(a[2] as number, a[1] as number);
      } else if (name === 'ipiReceived') {
        const round = a[1] as number;
        expect(left.get(round)).toBeGreaterThan(0);
        left.set(round, left.get(round)! - 1);
      }
    }
    expect(last).toBeGreaterThanOrEqual(2);
    expect(last).toBe(r.tlb.shootdowns);
    expect([...left.values()].every((n) => n === 0)).toBe(true);
  });

  it('tells each shootdown once, started and finished on the same CPU', () => {
    const open = new Map<number, string>();
    let started = 0;
    for (const [name, ...a] of calls) {
      if (name === 'shootdownStarted') {
        expect(open.has(a[0] as number)).toBe(false);
        open.set(a[0] as number, a[1] as string);
        started++;
      } else if (name === 'shootdownFinished') {
        expect(open.get(a[0] as number)).toBe(a[1]);
        open.delete(a[0] as number);
      }
    }
    expect(started).toBe(r.tlb.shootdowns);
  });
});
