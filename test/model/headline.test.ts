/**
 * Independent checks of the README's headline figures for the default study
 * (scenarios/lkml-2000-4way.yaml, every strategy), each one a closed-form relation computed
 * here from the scenario's own parameters — not the README's literal numbers, which move
 * when the model's costs do. The runs are shortened (600 ms measured after 100 ms of
 * warm-up instead of 2 s after 200 ms): none of these relations depends on the length.
 *
 *   ops/s                = bandwidth / I/O size                         (the disk is the limit)
 *   latency mean         = tasks / ops/s − mean think time              (Little's law, closed loop)
 *   vmap shootdowns/op   = highmem pages per I/O = size/4 KiB × highmem share (one vfree each)
 *   vmap IPIs/op         = (N − 1) × shootdowns/op                      (flush_tlb_all)
 *   bounce bytes/op      = highmem pages per I/O × 4 KiB                (one copy per page)
 *   kmap IPIs            = (N − 1) × kmap flushes                       (flush_all_zero_pkmaps)
 *   kmap flushes         ≈ new mappings / (LAST_PKMAP − slots held):    between
 *                          new / LAST_PKMAP and new / (LAST_PKMAP − tasks × pages per I/O)
 *   vmap_lazy flushes    ≤ pages freed / lazy_max_pages()
 *
 * Not covered here: the scaling study's figures (sweeps over 1..32 CPUs, too long for the
 * suite) and CPU time per op (no closed form).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/model/run.js';
import type { Result } from '../../src/report/result.js';
import { loadScenario } from '../../src/scenario/load.js';
import type { ResolvedScenario } from '../../src/scenario/schema.js';
import { ROOT } from '../cli/helpers.js';

const PAGE = 4096;
const base = loadScenario(path.join(ROOT, 'scenarios', 'lkml-2000-4way.yaml'));

function constant(d: unknown, what: string): number {
  const spec = d as { kind: string; value?: number; mean?: number };
  if (spec.kind === 'const') return spec.value!;
  if (spec.kind === 'exp') return spec.mean!;
  throw new Error(`${what}: expected const or exp, got ${spec.kind}`);
}

const wl = base.workload as unknown as { type: string; tasks: number; size: unknown; think: unknown; highmem_fraction: number };
const N = base.machine.cpus;
const size = constant(wl.size, 'workload.size');
const pagesPerIo = size / PAGE;
const highmemPerIo = pagesPerIo * wl.highmem_fraction;
const LAST_PKMAP = base.machine.pae ? 512 : 1024;

const results = new Map<string, Result>();
function result(strategy: string): Result {
  let r = results.get(strategy);
  if (r === undefined) {
    const s: ResolvedScenario = {
      ...base,
      kernel: { ...base.kernel, strategy: strategy as ResolvedScenario['kernel']['strategy'] },
      stop: { ops: null, time_ns: 600_000_000, warmup: { time_ns: 100_000_000 } },
    };
    r = runScenario(s);
    results.set(strategy, r);
  }
  return r;
}
const perOp = (r: Result, x: number) => x / r.ops.completed;
const near = (actual: number, expected: number, rel: number) => expect(Math.abs(actual - expected) / expected, `${actual} vs ${expected}`).toBeLessThan(rel);

describe('the default study, checked against closed forms', () => {
  it('the scenario is the disk-bound I/O study the README describes', () => {
    expect(wl.type).toBe('io');
    expect(base.device.dma_limit).toBe('64bit');
    expect(pagesPerIo).toBe(16);
  });

  for (const strategy of ['bounce', 'vmap', 'vmap_lazy', 'kmap', 'direct']) {
    it(`${strategy}: ops/s = bandwidth / I/O size, and latency = tasks / ops/s − think (Little)`, () => {
      const r = result(strategy);
      const disk = base.device.bandwidth_bytes_per_s / size; // 160 MiB/s / 64 KiB = 2,560
      near(r.ops.per_sec, disk, 0.01);
      near(r.ops.latency_ns.mean, (wl.tasks / r.ops.per_sec) * 1e9 - constant(wl.think, 'workload.think'), 0.02);
    });
  }

  it('vmap: one shootdown per highmem page torn down (two before 2.4.16: also one after mapping), and N − 1 IPIs per shootdown', () => {
    const r = result('vmap');
    // 2.3.40 / 2.4.0 vmalloc_area_pages end in flush_tlb_all() too; 2.4.16 flushes only in vfree.
    const roundsPerPage = base.kernel.vmalloc_flush_on_map ? 2 : 1;
    near(perOp(r, r.tlb.shootdowns), roundsPerPage * highmemPerIo, 0.03);
    // Counted within the measured window: a map's flush and its free's flush may fall on
    // either side of its ends, so count each kind of round separately.
    const rounds = r.vmap.frees + (base.kernel.vmalloc_flush_on_map ? r.vmap.allocs : 0);
    // ±1 per task: a task may be between a counted map/free and its round at either end.
    expect(Math.abs(r.tlb.shootdowns - rounds)).toBeLessThanOrEqual(wl.tasks);
    // N − 1 IPIs per round; a round in flight at the warm-up or the stop counts its IPIs and
    // its shootdown on different sides (at most one round per CPU).
    expect(Math.abs(r.tlb.ipis_sent - (N - 1) * r.tlb.shootdowns)).toBeLessThanOrEqual((N - 1) * N);
  });

  it('bounce: one page copied per highmem page, no IPI', () => {
    const r = result('bounce');
    near(perOp(r, r.bounce.bytes_copied), highmemPerIo * PAGE, 0.03);
    expect(r.tlb.ipis_sent).toBe(0);
  });

  it('kmap: N − 1 IPIs per pool flush, and one flush per lap of the free slots', () => {
    const r = result('kmap');
    expect(r.tlb.ipis_sent).toBe((N - 1) * r.kmap.flushes);
    expect(r.tlb.shootdowns).toBe(r.kmap.flushes);
    const newMappings = r.kmap.kmaps - r.kmap.hits;
    near(perOp(r, r.kmap.kmaps), highmemPerIo, 0.03);
    // Each lap of the cursor maps LAST_PKMAP slots minus those held by I/O in flight, at most
    // tasks × pages per I/O of them; ±1 for a lap cut by the window's ends.
    expect(r.kmap.flushes).toBeGreaterThanOrEqual(Math.floor(newMappings / LAST_PKMAP) - 1);
    expect(r.kmap.flushes).toBeLessThanOrEqual(Math.ceil(newMappings / (LAST_PKMAP - wl.tasks * pagesPerIo)) + 1);
    expect(r.kmap.flushes).toBeGreaterThan(0);
  });

  it('direct: nothing copied, nothing flushed', () => {
    const r = result('direct');
    expect(r.bounce.bytes_copied).toBe(0);
    expect(r.tlb.ipis_sent).toBe(0);
  });

  it('vmap_lazy: at most one broadcast flush per lazy_max_pages() pages freed', () => {
    const r = result('vmap_lazy');
    // lazy_max_pages() = fls(num_online_cpus()) × 32 MiB / PAGE_SIZE; each area spans its
    // page plus a guard page.
    const lazyMax = (32 - Math.clz32(N)) * ((32 << 20) / PAGE);
    expect(r.vmap.frees).toBeGreaterThan(0);
    expect(r.tlb.shootdowns).toBeLessThanOrEqual(Math.ceil((r.vmap.frees * 2) / lazyMax));
    expect(r.tlb.ipis_sent).toBe((N - 1) * r.tlb.shootdowns);
  });

  it('bounce with a fast device: the read copies in the SCSI bottom half saturate cpu0', () => {
    // README: --set device.bandwidth=4GiB/s --set 'device.latency=exp(50us)'. 2.3.40
    // completes I/O in the SCSI bottom half, one CPU at a time machine-wide; with every
    // interrupt on cpu0 it runs there, and cpu0 cannot copy more than 1 s of pages per
    // second: ops/s ≤ 1 s / (read share × highmem pages per I/O × memcpy_page).
    const s: ResolvedScenario = {
      ...base,
      kernel: { ...base.kernel, strategy: 'bounce' },
      device: { ...base.device, bandwidth_bytes_per_s: 4 * 1024 ** 3, latency: { kind: 'exp', mean: 50_000 } },
      stop: { ops: null, time_ns: 300_000_000, warmup: { time_ns: 50_000_000 } },
    };
    const r = runScenario(s);
    const readFraction = (base.workload as unknown as { read_fraction: number }).read_fraction;
    const cpu0 = r.cpus[0]!.time_ns;
    const total = Object.values(cpu0).reduce((a, b) => a + b, 0);
    expect(cpu0.idle / total).toBeLessThan(0.02);
    expect(r.ops.per_sec).toBeLessThanOrEqual(1e9 / (readFraction * highmemPerIo * base.costs.memcpy_page));
    // The other CPUs are not the limit.
    for (const c of r.cpus.slice(1)) expect(c.time_ns.idle / total).toBeGreaterThan(0.2);
  });
});
