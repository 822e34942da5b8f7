/**
 * Measures the per-unit memory (bytes) behind src/scenario/memory.ts's constants: builds a
 * machine and a workload with N of one thing, runs a few thousand events, and divides the
 * growth of heapUsed + arrayBuffers by N. Run with `npx tsx --expose-gc scripts/measure-memory.ts`.
 */
import { resolveScenario } from '../src/scenario/load.js';
import { runSteps } from '../src/model/run.js';

declare const gc: () => void;

function used(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function measure(raw: Record<string, unknown>): number {
  const s = resolveScenario(raw, 'measure.yaml');
  const before = used();
  const steps = runSteps(s, {}, 5000);
  steps.next();
  const after = used();
  void steps;
  return after - before;
}

function perUnit(label: string, make: (n: number) => Record<string, unknown>, a: number, b: number): void {
  const ma = measure(make(a));
  const mb = measure(make(b));
  console.log(`${label}: ${((mb - ma) / (b - a)).toFixed(1)} bytes per unit (${a}→${b})`);
}

const lt = (tasks: number, cpus = 4) => ({ name: 'm', machine: { cpus }, workload: { type: 'locktorture', tasks }, stop: { ops: 1e9 } });
const io = (extra: Record<string, unknown>, cpus = 4) => ({
  name: 'm',
  machine: { cpus, pae: true, highmem: '8GiB' },
  workload: { type: 'io', tasks: 4, outstanding: 1, size: '4KiB', working_set_pages: 1000, ...extra },
  stop: { ops: 1e9 },
});

perUnit('locktorture task', (n) => lt(n), 10_000, 110_000);
perUnit('io task (outstanding 1)', (n) => io({ tasks: n }), 2_000, 22_000);
perUnit('io outstanding I/O', (n) => io({ tasks: 1, outstanding: n }), 1, 1001);
perUnit('cpu', (n) => lt(n, n), 64, 1024);
perUnit('working-set page (uniform)', (n) => io({ working_set_pages: n }), 1000, 1_001_000);
perUnit('working-set page (zipf)', (n) => io({ working_set_pages: n, locality: 'zipf(1.0)' }), 1000, 1_001_000);
perUnit('io page of an I/O in flight', (n) => io({ tasks: 1, outstanding: 1, size: `${n * 4}KiB`, working_set_pages: 100 }), 1000, 201_000);
