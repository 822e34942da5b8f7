import { describe, expect, it } from 'vitest';
import { ORIGIN as F, problemsOfRaw, resolve } from './helpers.js';

const GiB = 1024 ** 3;

describe('machine: PAE', () => {
  it('exactly 4GiB needs no PAE (the default machine)', () => {
    expect(resolve({ machine: { lowmem: '896MiB', highmem: '3200MiB' } }).machine.pae).toBe(false);
  });
  it('more than 4GiB without PAE is an error that says what to do', () => {
    expect(problemsOfRaw({ machine: { highmem: '3.5GiB' } })).toEqual([
      `${F}: machine.highmem: expected lowmem + highmem <= 4GiB without PAE, got 896MiB + 3.5GiB (needs machine.pae: true)`,
    ]);
  });
  it('PAE allows up to 64GiB', () => {
    expect(resolve({ machine: { pae: true, lowmem: '896MiB', highmem: '63GiB' } }).machine.highmem_bytes).toBe(63 * GiB);
    expect(problemsOfRaw({ machine: { pae: true, highmem: '64GiB' } })).toEqual([
      `${F}: machine.highmem: expected lowmem + highmem <= 64GiB with PAE, got 896MiB + 64GiB`,
    ]);
  });
});

describe('highmem: 0', () => {
  it.each(['bounce', 'vmap', 'vmap_lazy', 'kmap', 'direct'])('is fine with strategy %s', (strategy) => {
    const r = resolve({ machine: { highmem: 0 }, kernel: { strategy } });
    expect(r.machine.highmem_bytes).toBe(0);
    expect(r.workload.type === 'io' && r.workload.highmem_fraction).toBe(0);
  });
  it('but a workload cannot then ask for highmem pages', () => {
    expect(problemsOfRaw({ machine: { highmem: 0 }, workload: { type: 'io', highmem_fraction: 0.5 } })).toEqual([
      `${F}: workload.highmem_fraction: expected 0 when machine.highmem is 0, got 0.5`,
    ]);
  });
});

describe('working set fits the machine', () => {
  it('highmem share', () => {
    expect(
      problemsOfRaw({ machine: { highmem: '100MiB' }, workload: { type: 'maptorture', working_set_pages: 65536 } }),
    ).toEqual([
      `${F}: workload.working_set_pages: expected a working set whose highmem share fits in machine.highmem (25600 pages), got 65536 pages x 1 = 65536 pages`,
    ]);
    expect(resolve({ machine: { highmem: '100MiB' }, workload: { type: 'maptorture', working_set_pages: 25600 } }).workload.type).toBe('maptorture');
  });
  it('lowmem share', () => {
    expect(
      problemsOfRaw({ machine: { lowmem: '16MiB' }, workload: { type: 'io', working_set_pages: 8192, highmem_fraction: 0 } }),
    ).toEqual([
      `${F}: workload.working_set_pages: expected a working set whose lowmem share fits in machine.lowmem (4096 pages), got 8192 pages x 1 = 8192 pages`,
    ]);
  });
});

describe('stop and warmup', () => {
  it('warmup must be shorter than stop.time', () => {
    expect(problemsOfRaw({ stop: { time: '10ms', warmup: '10ms' } })).toEqual([
      `${F}: stop.warmup: expected a duration shorter than stop.time (10ms), got 10ms`,
    ]);
    expect(problemsOfRaw({ stop: { time: '10ms', warmup: '1s' } })).toEqual([
      `${F}: stop.warmup: expected a duration shorter than stop.time (10ms), got 1s`,
    ]);
    expect(resolve({ stop: { time: '10ms', warmup: '9999us' } }).stop.warmup).toEqual({ time_ns: 9_999_000 });
  });
  it('warmup must be fewer ops than stop.ops, including the default', () => {
    expect(problemsOfRaw({ stop: { ops: 1000, warmup: { ops: 1000 } } })).toEqual([
      `${F}: stop.warmup: expected fewer ops than stop.ops (1000), got {ops: 1000}`,
    ]);
    expect(problemsOfRaw({ stop: { warmup: { ops: 100_000 } } })).toEqual([
      `${F}: stop.warmup: expected fewer ops than stop.ops (100000), got {ops: 100000}`,
    ]);
  });
  it('a warmup of a different kind than the stop is not compared', () => {
    expect(resolve({ stop: { time: '1ms', warmup: { ops: 10 ** 9 } } }).stop).toEqual({
      ops: null,
      time_ns: 1_000_000,
      warmup: { ops: 10 ** 9 },
    });
  });
  it('cross-field problems are all reported together', () => {
    expect(
      problemsOfRaw({ machine: { highmem: '4GiB' }, stop: { time: '1ms', warmup: '2ms' } }),
    ).toEqual([
      `${F}: machine.highmem: expected lowmem + highmem <= 4GiB without PAE, got 896MiB + 4GiB (needs machine.pae: true)`,
      `${F}: stop.warmup: expected a duration shorter than stop.time (1ms), got 2ms`,
    ]);
  });
});

describe('tasks', () => {
  it('defaults to machine.cpus for every workload type', () => {
    for (const type of ['io', 'locktorture', 'maptorture']) {
      expect(resolve({ machine: { cpus: 7 }, workload: { type } }).workload.tasks).toBe(7);
    }
  });
  it('may exceed the CPU count', () => {
    expect(resolve({ machine: { cpus: 2 }, workload: { type: 'io', tasks: 64 } }).workload.tasks).toBe(64);
  });
});
