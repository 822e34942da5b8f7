/**
 * Valid scenarios that ask for more memory than a run can have (issue 20, item 4) are refused
 * before anything is built: exit 2 naming the field that drives the estimate, never V8's
 * out-of-memory abort (exit 134) nor "Invalid typed array length" (exit 70). Count-based:
 * nothing here runs a big scenario, every case is refused before its first allocation.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MEMORY_COSTS, checkMemory, estimateMemory, MemoryBudgetError } from '../../src/scenario/memory.js';
import { runScenario } from '../../src/api.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { STACK_FRAME, cli, tempDir } from './helpers.js';

function file(text: string, name = 'big.yaml'): string {
  const f = path.join(tempDir('smpsim-mem-'), name);
  fs.writeFileSync(f, text);
  return f;
}

const locktorture = (tasks: string) =>
  ['name: big', 'machine: {cpus: 4}', `workload: {type: locktorture, tasks: ${tasks}, think: exp(1us), hold: exp(200ns)}`, 'stop: {ops: 1000}', ''].join('\n');
const io = (size: string) => ['name: big', 'machine: {cpus: 4}', `workload: {type: io, size: ${size}}`, 'stop: {ops: 10}', ''].join('\n');

describe('memory estimate (kernel arithmetic of the typed arrays)', () => {
  it('a working-set page is 4 B page->virtual + 8 B phys, +8 B of Zipf CDF', () => {
    const base = { name: 'm', machine: { cpus: 1, pae: true, highmem: '8GiB' }, workload: { type: 'io', working_set_pages: 1_000_000 }, stop: { ops: 1 } };
    const uni = estimateMemory(resolveScenario(base, 'm.yaml')).terms.find((t) => t.field === 'workload.working_set_pages')!;
    expect(uni.bytes).toBe(12 * 1_000_000);
    const zipf = estimateMemory(resolveScenario({ ...base, workload: { ...base.workload, locality: 'zipf(1.0)' } }, 'm.yaml')).terms.find((t) => t.field === 'workload.working_set_pages')!;
    expect(zipf.bytes).toBe(20 * 1_000_000);
  });

  it('an I/O of 1000GiB is 262,144,000 pages of 4KiB per I/O in flight', () => {
    const s = resolveScenario({ name: 'm', machine: { cpus: 4 }, workload: { type: 'io', size: '1000GiB', tasks: 2, outstanding: 3 }, stop: { ops: 1 } }, 'm.yaml');
    const t = estimateMemory(s).terms.find((x) => x.field === 'workload.size')!;
    expect(t.bytes).toBe(2 * 3 * ((1000 * 2 ** 30) / 4096) * MEMORY_COSTS.io_page_in_flight.bytes);
  });

  it('checkMemory names the largest term', () => {
    const s = resolveScenario({ name: 'm', machine: { cpus: 4 }, workload: { type: 'locktorture', tasks: 10_000_000 }, stop: { ops: 1 } }, 'm.yaml');
    expect(() => checkMemory(s, 4e9)).toThrow(MemoryBudgetError);
    expect(() => checkMemory(s, 4e9)).toThrow(/^workload\.tasks: 10000000 tasks need ~11 GB .* over --max-memory 4 GB; lower workload\.tasks/);
  });

  it('the library refuses before building anything (MemoryBudgetError, not a RangeError)', async () => {
    const s = resolveScenario({ name: 'm', machine: { cpus: 4 }, workload: { type: 'locktorture', tasks: Number.MAX_SAFE_INTEGER }, stop: { ops: 1 } }, 'm.yaml');
    await expect(runScenario(s)).rejects.toThrow(MemoryBudgetError);
    const ok = resolveScenario({ name: 'm', machine: { cpus: 2 }, workload: { type: 'locktorture' }, stop: { ops: 10 } }, 'm.yaml');
    await expect(runScenario(ok, { limits: { memoryBytes: 1e6 } })).rejects.toThrow(/over --max-memory 1 MB/);
  });
});

describe('run, sweep, baseline, check: exit 2 naming the field', () => {
  it('tasks: 9007199254740991 → exit 2 (was exit 70 "Invalid typed array length")', async () => {
    const r = await cli(['run', file(locktorture('9007199254740991'))]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^workload\.tasks: 9007199254740991 tasks need ~[\d.]+ PB/);
    expect(r.stderr).not.toMatch(/internal error|typed array/);
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it('locktorture tasks: 10000000 over --max-memory 4GB → exit 2 (was V8 out-of-memory, exit 134)', async () => {
    const r = await cli(['run', file(locktorture('10000000')), '--max-memory', '4GB']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^workload\.tasks: 10000000 tasks need ~11 GB \(the run ~11 GB in all\), over --max-memory 4 GB; lower workload\.tasks/);
  });

  it('io size: 1000GiB → exit 2 naming workload.size', async () => {
    const r = await cli(['run', file(io('1000GiB')), '--max-memory', '4GiB']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^workload\.size: 1000GiB per I\/O \(262144000 pages\) × 4 I\/Os in flight need ~/);
  });

  it('sweep refuses before the first run, naming the point; nothing is written', async () => {
    const out = path.join(tempDir('smpsim-mem-'), 'o');
    const r = await cli(['sweep', file(locktorture('1000')), '--vary', 'workload.tasks=2,20000000', '--out', out, '--max-memory', '1GB']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^point workload\.tasks=20000000: workload\.tasks: 20000000 tasks need/);
    expect(fs.existsSync(path.join(out, 'summary.csv'))).toBe(false);
  });

  it('baseline and check refuse it too', async () => {
    const f = file(locktorture('10000000'));
    const dir = tempDir('smpsim-mem-');
    const b = await cli(['baseline', f, '--out', path.join(dir, 'b'), '--max-memory', '2GB']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/workload\.tasks: 10000000 tasks need/);
    const c = await cli(['check', f, '--baseline', path.join(dir, 'b'), '--max-memory', '2GB']);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/workload\.tasks: 10000000 tasks need/);
  });

  it('--max-wall bounds the set-up too: a Zipf CDF over 10M pages cannot be built in 1 ms (was: set-up not counted, exit 0)', async () => {
    const f = file(['name: setup', 'machine: {cpus: 1, pae: true, highmem: 60GiB}', 'workload: {type: io, tasks: 1, working_set_pages: 10000000, locality: zipf(1.0)}', 'stop: {ops: 1}', ''].join('\n'));
    const r = await cli(['run', f, '--max-wall', '1ms', '--quiet']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/^smpsim: run aborted: wall-time limit of 1 ms reached while building the machine and workload/);
  });

  it('--max-memory: one line naming the allowed forms', async () => {
    for (const bad of ['12', 'lots', '1kB', '-4GB']) {
      const r = await cli(['run', file(locktorture('2')), '--max-memory', bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^--max-memory: expected a memory size per run with a unit/);
    }
  });
});
