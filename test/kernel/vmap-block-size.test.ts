/**
 * VMAP_BBMAP_BITS (2.6.28 mm/vmalloc.c) is a compile-time constant: VMALLOC_SPACE (the
 * 32-bit guess, 128 MiB) / NR_CPUS (CONFIG_NR_CPUS, 64 in the i386 defconfig) / 16,
 * clamped to [2*VMAP_MAX_ALLOC, 1024] — not the online CPU count nor the configured
 * vmalloc size. The expected values are the kernel arithmetic worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { Simulator } from '../../src/engine/sim.js';
import { presetCosts } from '../../src/kernel/costs.js';
import { Machine } from '../../src/kernel/machine.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { I386_DEFCONFIG_NR_CPUS, VmallocSpace, VmapLazy, vmap_bbmap_bits } from '../../src/kernel/vmalloc.js';

const MiB = 1024 * 1024;

function blockPages(cpus: number, vmallocBytes: number, nrCpus?: number): number {
  const m = new Machine(new Simulator(), { cpus, spinlock: 'ticket', tlbEntries: 64, costs: presetCosts('modern'), seed: 1 });
  const opts = nrCpus === undefined ? { vmapBlock: true, lazyMaxPages: null } : { vmapBlock: true, lazyMaxPages: null, nrCpus };
  return new VmapLazy(m, new VmallocSpace(vmallocBytes), { ...opts, skipFlush: false }).blockPages;
}

describe('VMAP_BBMAP_BITS', () => {
  it('kernel arithmetic: min(1024, max(64, 32768 / NR_CPUS / 16))', () => {
    expect(I386_DEFCONFIG_NR_CPUS).toBe(64);
    expect(vmap_bbmap_bits()).toBe(64); // 32768/64/16 = 32 -> clamped up to 2*VMAP_MAX_ALLOC
    expect(vmap_bbmap_bits(8)).toBe(256); // 32768/8/16
    expect(vmap_bbmap_bits(2)).toBe(1024); // 32768/2/16, the cap
    expect(vmap_bbmap_bits(1)).toBe(1024);
  });

  it('does not depend on the machine CPU count or the configured vmalloc size', () => {
    for (const cpus of [1, 2, 4, 8, 32]) {
      for (const bytes of [64 * MiB, 128 * MiB, 512 * MiB]) expect(blockPages(cpus, bytes)).toBe(64);
    }
    expect(blockPages(4, 128 * MiB, 8)).toBe(256);
  });

  it('takes NR_CPUS from the version (kernel.nr_cpus): 64 for 2.6.28 (i386_defconfig), 8 for modern i386', () => {
    const s28 = resolveScenario({ name: 't', kernel: { version: '2.6.28' } }, 'test');
    const sModern = resolveScenario({ name: 't', kernel: { version: 'modern' } }, 'test');
    expect(s28.kernel.nr_cpus).toBe(64);
    expect(sModern.kernel.nr_cpus).toBe(8);
    expect(blockPages(4, 128 * MiB, s28.kernel.nr_cpus)).toBe(64);
    expect(blockPages(16, 128 * MiB, sModern.kernel.nr_cpus)).toBe(256);
  });
});
