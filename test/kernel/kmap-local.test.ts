/**
 * kmap_local_page (5.11+ mm/highmem.c __kmap_local_pfn_prot, kunmap_local_indexed,
 * __kmap_local_sched_out/_in): a per-task stack of per-CPU fixmap slots. Map = one PTE
 * write (no flush: x86 has no arch_kmap_local_post_map flush); unmap = PTE clear + one
 * local invlpg (x86 arch_kmap_local_post_unmap → flush_tlb_one_kernel); no lock, no IPI;
 * LIFO; at most KM_MAX_IDX − 1 = 15 held (the push BUGs at idx >= KM_MAX_IDX); a task
 * switched out holding maps has them cleared (+ invlpg each) at prepare_task_switch and
 * re-installed (a PTE write each) at finish_task_switch. Every number below is that
 * arithmetic on the costs set here, not a recorded model output.
 */
import { describe, expect, it } from 'vitest';
import type { ProcessBody } from '../../src/engine/process.js';
import { Simulator } from '../../src/engine/sim.js';
import { MAP, SCHED, TLB } from '../../src/cpu/accounting.js';
import { Task } from '../../src/cpu/task.js';
import { presetCosts } from '../../src/kernel/costs.js';
import { install_kmap_local_sched, kmap_local_page, kmap_local_vpage, kunmap_local } from '../../src/kernel/highmem.js';
import { KM_MAX_IDX } from '../../src/kernel/layout.js';
import { Machine } from '../../src/kernel/machine.js';
import { PagePool } from '../../src/kernel/pages.js';
import { NO_PAGE, touch_kernel_page } from '../../src/kernel/pgtable.js';
import { runScenario } from '../../src/model/run.js';
import { ScenarioError } from '../../src/scenario/errors.js';
import { resolveScenario } from '../../src/scenario/load.js';

const PTE = 7;
const INVLPG = 130;
const CS = 1000;

function setup(cpus = 1) {
  const sim = new Simulator();
  const costs = { ...presetCosts('modern'), pte_write: PTE, invlpg: INVLPG, context_switch: CS };
  const m = new Machine(sim, { cpus, spinlock: 'ticket', tlbEntries: 64, costs, seed: 1 });
  // Every page highmem but the first 100 (PagePool: working set, highmem fraction, lowmem, highmem bytes).
  const pages = new PagePool(1000, 0.9, 896 * 1024 * 1024, 3200 * 1024 * 1024);
  install_kmap_local_sched(m);
  return { sim, m, pages, costs };
}

function highPages(pages: PagePool, n: number): number[] {
  const out: number[] = [];
  for (let p = 0; out.length < n; p++) if (pages.isHigh(p)) out.push(p);
  return out;
}

function lowPage(pages: PagePool): number {
  for (let p = 0; ; p++) if (!pages.isHigh(p)) return p;
}

function run(raw: Record<string, unknown>) {
  return runScenario(resolveScenario(raw, 'test'));
}

describe('kmap_local_page', () => {
  it('nested maps: one PTE write each, the slots of this CPU in push order; unmap in reverse: one local invlpg each; coherent', () => {
    const { sim, m, pages } = setup(2);
    const t = new Task(0, 't0', m.cpus[1]!, m.stream('t0'));
    const ps = highPages(pages, 3);
    const got: number[] = [];
    t.start(
      (function* (): ProcessBody {
        for (let round = 0; round < 2; round++) {
          const out = { vpage: -1 };
          const vps: number[] = [];
          for (const p of ps) {
            const ns = kmap_local_page(t, m, pages, p, out);
            expect(ns).toBe(PTE);
            yield ns;
            vps.push(out.vpage);
          }
          got.push(...vps);
          for (let i = 0; i < ps.length; i++) {
            expect(m.pgtable.get(vps[i]!)).toBe(ps[i]);
            yield touch_kernel_page(t, m, vps[i]!, ps[i]!);
          }
          for (let i = ps.length - 1; i >= 0; i--) {
            const ns = kunmap_local(t, m, vps[i]!);
            expect(ns).toBe(PTE + INVLPG);
            yield ns;
            expect(m.pgtable.get(vps[i]!)).toBe(NO_PAGE);
          }
        }
      })(),
    );
    sim.run();
    // cpu1's slots 0, 1, 2: FIX_KMAP_BEGIN + idx + KM_MAX_IDX * smp_processor_id().
    expect(got).toEqual([0, 1, 2, 0, 1, 2].map((i) => kmap_local_vpage(1, i)));
    expect(kmap_local_vpage(1, 0) - kmap_local_vpage(0, 0)).toBe(KM_MAX_IDX);
    expect(t.kmap_ctrl.idx).toBe(0);
    expect(m.highmem.kmap.local).toBe(6);
    expect(m.tlbStats.pageFlushes).toBe(6); // unmaps only
    expect(m.tlbStats.staleAccesses).toBe(0);
    expect(m.tlbStats.faults).toBe(0);
    expect(m.tlbStats.ipisSent).toBe(0);
    expect(m.tlbStats.shootdowns).toBe(0);
    m.finish();
    const refill = m.config.costs.tlb_refill;
    expect(m.cpus[1]!.time[MAP]).toBe(6 * PTE + 6 * PTE); // map + pte_clear
    expect(m.cpus[1]!.time[TLB]).toBe(6 * INVLPG + 6 * refill);
    expect(sim.now).toBe(6 * (2 * PTE + INVLPG + refill));
  });

  it('a lowmem page is page_address(): nothing mapped, nothing pushed, nothing flushed', () => {
    const { sim, m, pages } = setup();
    const t = new Task(0, 't0', m.cpus[0]!, m.stream('t0'));
    const out = { vpage: 123 };
    t.start(
      (function* (): ProcessBody {
        expect(kmap_local_page(t, m, pages, lowPage(pages), out)).toBe(0);
        expect(out.vpage).toBe(-1);
        expect(t.kmap_ctrl.idx).toBe(0);
        expect(kunmap_local(t, m, out.vpage)).toBe(0);
        yield 0;
      })(),
    );
    sim.run();
    expect(m.pgtable.size).toBe(0);
    expect(m.tlbStats.pageFlushes).toBe(0);
    expect(m.highmem.kmap.local).toBe(0);
  });

  it('LIFO: unmapping a map that is not the top of the stack is refused', () => {
    const { sim, m, pages } = setup();
    const t = new Task(0, 't0', m.cpus[0]!, m.stream('t0'));
    const [a, b] = highPages(pages, 2) as [number, number];
    let checked = false;
    t.start(
      (function* (): ProcessBody {
        const oa = { vpage: -1 };
        const ob = { vpage: -1 };
        yield kmap_local_page(t, m, pages, a, oa);
        yield kmap_local_page(t, m, pages, b, ob);
        expect(t.kmap_ctrl.idx).toBe(2);
        expect(() => kunmap_local(t, m, oa.vpage)).toThrow(/kunmap_local out of order on cpu0: unmapping slot 0, the top is slot 1/);
        yield kunmap_local(t, m, ob.vpage);
        yield kunmap_local(t, m, oa.vpage);
        expect(() => kunmap_local(t, m, oa.vpage)).toThrow(/none held/);
        checked = true;
      })(),
    );
    sim.run();
    expect(checked).toBe(true);
  });

  it('at most KM_MAX_IDX - 1 = 15 maps held: the 16th push BUGs (kmap_local_idx_push: BUG_ON(idx >= KM_MAX_IDX))', () => {
    const { sim, m, pages } = setup();
    const t = new Task(0, 't0', m.cpus[0]!, m.stream('t0'));
    const ps = highPages(pages, KM_MAX_IDX);
    let checked = false;
    t.start(
      (function* (): ProcessBody {
        const out = { vpage: -1 };
        for (let i = 0; i < KM_MAX_IDX - 1; i++) yield kmap_local_page(t, m, pages, ps[i]!, out);
        expect(t.kmap_ctrl.idx).toBe(15);
        expect(() => kmap_local_page(t, m, pages, ps[15]!, out)).toThrow(/kernel BUG: kmap_ctrl\.idx 16 >= KM_MAX_IDX 16/);
        checked = true;
      })(),
    );
    sim.run();
    expect(checked).toBe(true);
  });

  it('an interrupt maps on the interrupted task\'s stack, above its maps, and pops before it returns', () => {
    const { sim, m, pages } = setup();
    const cpu = m.cpus[0]!;
    const t = new Task(0, 't0', cpu, m.stream('t0'));
    const [a, b] = highPages(pages, 2) as [number, number];
    let irqSlot = -1;
    t.start(
      (function* (): ProcessBody {
        const out = { vpage: -1 };
        yield kmap_local_page(t, m, pages, a, out);
        yield 10_000; // the interrupt arrives meanwhile
        expect(t.kmap_ctrl.idx).toBe(1);
        yield kunmap_local(t, m, out.vpage);
      })(),
    );
    sim.schedule(5_000, (c) =>
      c.raise(
        'irq',
        function* (ctx): ProcessBody {
          const out = { vpage: -1 };
          yield kmap_local_page(ctx, m, pages, b, out);
          irqSlot = out.vpage;
          expect(t.kmap_ctrl.idx).toBe(2);
          yield kunmap_local(ctx, m, out.vpage);
        },
        null,
      ),
      cpu,
    );
    sim.run();
    expect(irqSlot).toBe(kmap_local_vpage(0, 1));
    expect(t.kmap_ctrl.idx).toBe(0);
    expect(m.tlbStats.pageFlushes).toBe(2);
  });

  it('a task switched out holding N local maps pays N × (pte_write + invlpg) at sched_out and N × pte_write at sched_in; the other task reuses the slots coherently', () => {
    const { sim, m, pages } = setup();
    const cpu = m.cpus[0]!;
    const N = 4;
    const ps = highPages(pages, N + 1);
    const other = ps[N]!;
    const a = new Task(0, 'a', cpu, m.stream('a'));
    const b = new Task(1, 'b', cpu, m.stream('b'));
    const times: Record<string, number> = {};
    let bSlot = -1;
    a.start(
      (function* (): ProcessBody {
        const out = { vpage: -1 };
        const vps: number[] = [];
        for (let i = 0; i < N; i++) {
          yield kmap_local_page(a, m, pages, ps[i]!, out);
          vps.push(out.vpage);
          yield touch_kernel_page(a, m, out.vpage, ps[i]!);
        }
        times.aOut = sim.now;
        yield cpu.sched_yield(a); // b is runnable: a is switched out holding N maps
        times.aIn = sim.now;
        for (let i = 0; i < N; i++) {
          expect(m.pgtable.get(vps[i]!)).toBe(ps[i]); // re-installed by sched_in
          yield touch_kernel_page(a, m, vps[i]!, ps[i]!);
        }
        for (let i = N - 1; i >= 0; i--) yield kunmap_local(a, m, vps[i]!);
      })(),
    );
    b.start(
      (function* (): ProcessBody {
        times.bIn = sim.now;
        // a's slots are clear: b's first map takes slot 0 of the CPU, a's slot 0.
        for (let i = 0; i < N; i++) expect(m.pgtable.get(kmap_local_vpage(0, i))).toBe(NO_PAGE);
        const out = { vpage: -1 };
        yield kmap_local_page(b, m, pages, other, out);
        bSlot = out.vpage;
        yield touch_kernel_page(b, m, out.vpage, other);
        yield kunmap_local(b, m, out.vpage);
        times.bOut = sim.now;
        yield cpu.sched_yield(b);
      })(),
    );
    sim.run();
    expect(bSlot).toBe(kmap_local_vpage(0, 0));
    expect(times.bIn! - times.aOut!).toBe(CS + N * (PTE + INVLPG)); // context switch + a's sched_out
    expect(times.aIn! - times.bOut!).toBe(CS + N * PTE); // context switch + a's sched_in (b holds none)
    expect(m.highmem.kmap.localSchedOut).toBe(N);
    expect(m.highmem.kmap.localSchedIn).toBe(N);
    expect(m.tlbStats.staleAccesses).toBe(0);
    expect(m.tlbStats.faults).toBe(0);
    expect(m.tlbStats.ipisSent).toBe(0);
    m.finish();
    // The switch work is scheduler time: three switches (a→b, b→a, a exits → b), and
    // N × (2 pte_write + invlpg) in the first two.
    expect(cpu.time[SCHED]).toBe(3 * CS + N * (2 * PTE + INVLPG));
  });

  it('a task switched out holding no local map pays nothing extra (kmap_local_sched_out: if (unlikely(current->kmap_ctrl.idx)))', () => {
    const { sim, m } = setup();
    const cpu = m.cpus[0]!;
    const a = new Task(0, 'a', cpu, m.stream('a'));
    const b = new Task(1, 'b', cpu, m.stream('b'));
    let out = 0;
    let inn = 0;
    a.start(
      (function* (): ProcessBody {
        out = sim.now;
        yield cpu.sched_yield(a);
      })(),
    );
    b.start(
      (function* (): ProcessBody {
        inn = sim.now;
        yield 0;
      })(),
    );
    sim.run();
    expect(inn - out).toBe(CS);
  });
});

describe('kmap_local in the scenario', () => {
  it('maptorture api kmap_local: no lock taken, no IPI, one invlpg per highmem page mapped (kmap takes kmap_lock on the same run)', () => {
    const base = { machine: { cpus: 4 }, kernel: { version: 'modern' }, stop: { ops: 4000 } };
    const w = { type: 'maptorture', pages: 3, tasks: 4, highmem_fraction: 1 };
    const local = run({ ...base, workload: { ...w, api: 'kmap_local' } });
    const kmap = run({ ...base, workload: { ...w, api: 'kmap' } });
    for (const [name, l] of Object.entries(local.locks)) expect([name, l.acquisitions]).toEqual([name, 0]);
    expect(local.tlb.ipis_sent).toBe(0);
    expect(local.tlb.shootdowns).toBe(0);
    expect(local.tlb.local_flushes).toBe(0);
    expect(local.tlb.stale_accesses).toBe(0);
    expect(local.tlb.faults).toBe(0);
    // Every op maps 3 highmem pages: 3 unmaps, each one invlpg (the ops still in progress
    // at the end of the window add at most 3 per task).
    expect(local.tlb.page_flushes - 3 * local.ops.completed).toBeGreaterThanOrEqual(0);
    expect(local.tlb.page_flushes - 3 * local.ops.completed).toBeLessThanOrEqual(3 * 4);
    expect(kmap.locks['kmap_lock']!.acquisitions).toBeGreaterThan(0);
  });

  it('modern bounce: the WRITE copy (memcpy_from_bvec) and the READ copy (memcpy_to_bvec) each do one invlpg per bounced page, no IPI', () => {
    for (const read_fraction of [0, 1]) {
      const r = run({
        kernel: { version: 'modern', strategy: 'bounce' },
        workload: { type: 'io', read_fraction, size: '16KiB', highmem_fraction: 1 },
        stop: { ops: 2000 },
      });
      expect(r.bounce.pages).toBeGreaterThan(2000);
      // kmap_local: map = set_pte only, unmap = pte_clear + one invlpg. (The old stand-in,
      // kmap_atomic, invlpg'd at the map too: two per page.) A WRITE copies at submission,
      // so every bounced page has been copied; a READ copies at completion, so the pages of
      // the I/Os still in flight at the end (at most 4 tasks × 4 pages) have not.
      const notCopied = r.bounce.pages - r.tlb.page_flushes;
      if (read_fraction === 0) expect(notCopied).toBe(0);
      else expect(notCopied).toBeGreaterThanOrEqual(0);
      expect(notCopied).toBeLessThanOrEqual(4 * 4);
      expect(r.kmap.atomic).toBe(0);
      expect(r.tlb.ipis_sent).toBe(0);
      expect(r.tlb.stale_accesses).toBe(0);
    }
  });

  it('a kernel without kmap_local_page (before 5.11) refuses api kmap_local; more than 15 pages is refused too', () => {
    expect(() => resolveScenario({ kernel: { version: '2.6.28' }, workload: { type: 'maptorture', api: 'kmap_local' } }, 'test')).toThrow(
      /workload\.api: expected one of kmap, kmap_atomic, vmap, vmap_lazy, vmalloc with kernel\.version 2\.6\.28 and kernel\.kmap_local false \(kmap_local_page exists from 5\.11\), got kmap_local/,
    );
    expect(() => resolveScenario({ workload: { type: 'maptorture', api: 'kmap_local', pages: 16 } }, 'test')).toThrow(ScenarioError);
    expect(() => resolveScenario({ workload: { type: 'maptorture', api: 'kmap_local', pages: 16 } }, 'test')).toThrow(
      /workload\.pages: expected at most 15 pages with api kmap_local/,
    );
    expect(() => resolveScenario({ workload: { type: 'maptorture', api: 'kmap_local', pages: 15 } }, 'test')).not.toThrow();
  });
});
