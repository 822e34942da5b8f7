/**
 * Issue 22, items 1 and 6: today's kernels (5.10, 6.6, 6.12, 6.15), `modern` as an alias of
 * the newest, the INVLPGB default of kernel.tlb_flush, and the two 2021 server presets.
 * Expected values are written out here from the kernel sources and component figures the
 * brief names, not read back from the tables under test.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { machinePresetCosts, PRESETS, type MachinePresetName } from '../../src/kernel/presets.js';
import { VERSION_SETTING_KEYS, VERSION_TABLE, concreteVersion, hasVmapLazy, versionLabel } from '../../src/kernel/versions.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { scenarioFileOf } from '../../src/scenario/unresolve.js';
import { fakeIo } from '../cli/helpers.js';

const resolve = (raw: Record<string, unknown>) => resolveScenario(raw, 'test');

describe('modern is an alias of 6.15', () => {
  it('resolves every setting, the costs and the machine as 6.15 does', () => {
    const m = resolve({ kernel: { version: 'modern' } });
    const n = resolve({ kernel: { version: '6.15' } });
    expect(concreteVersion('modern')).toBe('6.15');
    expect(m.kernel.version).toBe('modern');
    expect({ ...m.kernel, version: '6.15' }).toEqual(n.kernel);
    expect(m.machine).toEqual(n.machine);
    expect(m.costs).toEqual(n.costs);
    expect(m.costs_preset).toBe('epyc-7763-1x64-2021');
    for (const k of VERSION_SETTING_KEYS) {
      expect(m.version_source[k]).toBe(n.version_source[k].replace(/^kernel\.version 6\.15:/, 'kernel.version modern (= 6.15):'));
    }
  });

  it('is the default version, shown as "modern (= 6.15)"', () => {
    const s = resolve({});
    expect(s.kernel.version).toBe('modern');
    expect(versionLabel(s.kernel.version)).toBe('modern (= 6.15)');
    expect(s.version_source.spinlock).toMatch(/^kernel\.version modern \(= 6\.15\): /);
  });

  it('keeps the "since version X" tests: modern and the new rows have the lazy vmap layer', () => {
    for (const v of ['5.10', '6.6', '6.12', '6.15', 'modern'] as const) expect(hasVmapLazy(v), v).toBe(true);
  });
});

describe('kernel.tlb_flush default: invlpgb from 6.15 on a machine with INVLPGB', () => {
  const flush = (raw: Record<string, unknown>) => {
    const s = resolve(raw);
    return { value: s.kernel.tlb_flush, source: s.version_source.tlb_flush };
  };

  it('6.15 on the Milan preset (machine.invlpgb true), 64-bit (no highmem), flushes with INVLPGB, and says why', () => {
    const f = flush({ kernel: { version: '6.15' }, machine: { highmem: '0' } });
    expect(f.value).toBe('invlpgb');
    expect(f.source).toMatch(/^kernel\.version 6\.15: arch\/x86\/mm\/tlb\.c .*invlpgb_kernel_range_flush.*rule: version >= 6\.15, machine\.invlpgb, no highmem: a 64-bit kernel/);
  });

  it('6.15 on the Milan with highmem (a 32-bit kernel: INVLPGB is x86-64 only) uses flush_tlb_kernel_range, and says why', () => {
    const f = flush({ kernel: { version: '6.15' } });
    expect(f.value).toBe('flush_tlb_kernel_range');
    expect(f.source).toMatch(/not invlpgb: the machine has highmem, so a 32-bit kernel/);
  });

  it('an explicit kernel.tlb_flush: invlpgb on a machine without INVLPGB is refused, naming the field', () => {
    expect(() => resolve({ kernel: { version: '6.15', tlb_flush: 'invlpgb' }, machine: { invlpgb: false } })).toThrow(
      /kernel\.tlb_flush: expected flush_tlb_all or flush_tlb_kernel_range: invlpgb needs a machine with INVLPGB/,
    );
  });

  it('6.12 on the same Milan (the CPU has it, the kernel does not use it) uses flush_tlb_kernel_range', () => {
    const s = resolve({ kernel: { version: '6.12' } });
    expect(s.machine.invlpgb).toBe(true);
    expect(s.kernel.tlb_flush).toBe('flush_tlb_kernel_range');
  });

  it('6.15 without INVLPGB (an Intel preset, or machine.invlpgb false) uses flush_tlb_kernel_range', () => {
    expect(flush({ kernel: { version: '6.15' }, machine: { preset: 'xeon-8380-2x40-2021' } }).value).toBe('flush_tlb_kernel_range');
    expect(flush({ kernel: { version: '6.15' }, costs: { preset: 'xeon-8380-2x40-2021' } }).value).toBe('flush_tlb_kernel_range');
    const off = flush({ kernel: { version: '6.15' }, machine: { invlpgb: false } });
    expect(off.value).toBe('flush_tlb_kernel_range');
    expect(off.source).toBe(`kernel.version 6.15: ${VERSION_TABLE['6.15'].tlb_flush.source}`);
  });

  it('machine.invlpgb true on an older kernel changes nothing; an explicit kernel.tlb_flush wins', () => {
    expect(flush({ kernel: { version: '5.10' }, machine: { invlpgb: true } }).value).toBe('flush_tlb_kernel_range');
    expect(flush({ kernel: { version: '2.6.28' }, machine: { invlpgb: true } }).value).toBe('flush_tlb_all');
    expect(flush({ kernel: { version: '6.15', tlb_flush: 'flush_tlb_all' } })).toEqual({ value: 'flush_tlb_all', source: 'scenario override' });
    expect(flush({ kernel: { version: '5.10', tlb_flush: 'invlpgb' }, machine: { invlpgb: true } })).toEqual({ value: 'invlpgb', source: 'scenario override' });
  });

  it('round-trips through the scenario file: machine.invlpgb written only when it is not the preset\'s', () => {
    for (const raw of [{ kernel: { version: '6.15' } }, { kernel: { version: '6.15' }, machine: { invlpgb: false } }]) {
      const s = resolve(raw);
      const file = scenarioFileOf(s);
      expect(file.machine?.invlpgb).toBe(raw.machine?.invlpgb);
      expect(resolveScenario(file, 'test')).toEqual(s);
    }
  });
});

describe('the 2021 server presets', () => {
  const NEW: MachinePresetName[] = ['xeon-8380-2x40-2021', 'epyc-7763-1x64-2021'];

  it('give every machine row a value and a source; only the Milan has INVLPGB', () => {
    for (const p of NEW) {
      for (const [field, row] of Object.entries(PRESETS[p].machine)) {
        expect(row.source.length, `${p} ${field}`).toBeGreaterThan(10);
      }
    }
    const milan = PRESETS['epyc-7763-1x64-2021'].machine;
    const icx = PRESETS['xeon-8380-2x40-2021'].machine;
    // Vendor figures: EPYC 7763 64 cores in 8 CCDs of one 8-core CCX; Xeon 8380 40 cores, 2 sockets.
    expect([milan.cpus.value, milan.cores_per_package.value, milan.invlpgb.value]).toEqual([64, 8, true]);
    expect([icx.cpus.value, icx.cores_per_package.value, icx.invlpgb.value]).toEqual([80, 40, false]);
    // 8 x DDR4-3200 = 204.8 GB/s peak per socket; the presets assume ~60% of it sustained.
    expect(milan.memory_bandwidth_bytes_per_s.value / (8 * 25.6e9)).toBeCloseTo(0.6, 1);
    expect(icx.memory_bandwidth_bytes_per_s.value / (2 * 8 * 25.6e9)).toBeCloseTo(0.6, 1);
    for (const [name, p] of Object.entries(PRESETS)) {
      if (name !== 'epyc-7763-1x64-2021') expect(p.machine.invlpgb.value, name).toBe(false);
    }
  });

  it('cite a measurement for each line-transfer cost, and derive the ticket handoff from them', () => {
    for (const p of NEW) {
      const { costs, sources } = machinePresetCosts(p);
      expect(sources.line_transfer_local).toMatch(/AnandTech/);
      expect(sources.line_transfer_remote).toMatch(/AnandTech/);
      // A handoff goes to a random other core: (same-package others x local + the rest x remote) / (cpus - 1).
      const { cpus, cores_per_package } = PRESETS[p].machine;
      const n = cpus.value - 1;
      const local = cores_per_package.value - 1;
      const expected = (local * costs.line_transfer_local + (n - local) * costs.line_transfer_remote) / n;
      expect(costs.lock_handoff).toBe(Math.round(expected));
      expect(sources.lock_handoff).toMatch(/^derived/);
      expect(sources.idle_exit).toMatch(/intel_idle|acpi_idle/);
    }
    // 7 others in the CCX at 20 ns, 56 across the I/O die at 105 ns; 39 on the socket at 50 ns, 40 across UPI at 120 ns.
    expect(machinePresetCosts('epyc-7763-1x64-2021').costs.lock_handoff).toBe(96);
    expect(machinePresetCosts('xeon-8380-2x40-2021').costs.lock_handoff).toBe(85);
  });

  it('are each new version\'s default machine', () => {
    expect(resolve({ kernel: { version: '5.10' } }).costs_preset).toBe('xeon-8380-2x40-2021');
    expect(resolve({ kernel: { version: '6.6' } }).costs_preset).toBe('xeon-8380-2x40-2021');
    expect(resolve({ kernel: { version: '6.12' } }).costs_preset).toBe('epyc-7763-1x64-2021');
    expect(resolve({ kernel: { version: '6.15' } }).costs_preset).toBe('epyc-7763-1x64-2021');
    expect(resolve({ kernel: { version: '6.15' } }).machine.memory_bandwidth_bytes_per_s).toBe(123e9);
  });
});

describe('the CLI', () => {
  it('refuses an unknown kernel.version with one line listing the allowed values (exit 2)', async () => {
    const { io, out, err } = fakeIo({ env: {} });
    const code = await main(['run', 'lkml-2000-4way', '--set', 'kernel.version=6.1', '--set', 'stop.ops=5'], io);
    expect(code).toBe(2);
    expect(out.join('')).toBe('');
    expect(err.join('')).toBe('--set: kernel.version: expected one of 2.3.40, 2.4.0, 2.4.16, 2.6.27, 2.6.28, 5.10, 6.6, 6.12, 6.15, modern, got "6.1" (did you mean "6.6"?)\n');
  });

  it('run --verbose shows the resolved version, each setting with value and source, the rule, and the preset', async () => {
    const { io, out } = fakeIo({ env: {} });
    const code = await main(['run', 'lkml-2000-4way', '--verbose', '--set', 'stop.ops=5', '--set', 'kernel.version=modern', '--set', 'costs.preset=epyc-7763-1x64-2021', '--set', 'machine.highmem=0', '--set', 'machine.lowmem=4GiB'], io);
    expect(code).toBe(0);
    const text = out.join('');
    expect(text).toContain('# settings from kernel.version modern (= 6.15)');
    expect(text).toMatch(/^kernel\.tlb_flush +invlpgb +version +arch\/x86\/mm\/tlb\.c .*rule: version >= 6\.15, machine\.invlpgb, no highmem/m);
    expect(text).toMatch(/^kernel\.flush_concurrent_local +true +version +kernel\/smp\.c smp_call_function_many_cond/m);
    expect(text).toMatch(/^machine\.spinlock +qspinlock +version +kernel\/locking\/qspinlock\.c/m);
    expect(text).toContain('# cost table (preset epyc-7763-1x64-2021: AMD EPYC 7763');
    expect(text).toMatch(/^invlpgb +true +AMD64 APM/m);
    expect(text).toContain('kernel modern (= 6.15)');
  });
});
