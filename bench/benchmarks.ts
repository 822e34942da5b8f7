/**
 * ============================ EXTENSION POINT ============================
 * The list of benchmarks that `npm run bench` runs, in this order. To add one, append a
 * BenchDef (bench/harness.ts) to BENCHMARKS: either hand-written (see bench/phold.ts) or,
 * for a whole model run, `scenarioBench({...})` (bench/scenario.ts), which measures
 * ops/s and events/s with runScenario and, with `memory: true`, the live heap at 1× and
 * 4× the ops. A benchmark whose model is missing reports "not available" instead of failing.
 * ========================================================================
 */
import type { BenchDef } from './harness.js';
import { pholdBench, pholdProcessBench } from './phold.js';
import { scenarioBench } from './scenario.js';

export const BENCHMARKS: BenchDef[] = [
  pholdBench,
  pholdProcessBench,

  scenarioBench({
    name: 'locktorture',
    issue: '#3',
    description: '8 CPUs, ticket spinlock, think exp(1us), hold exp(200ns), 1M acquisitions; target ≥ 1.5 M acquisitions/s',
    scenario: (ops) => ({
      machine: { cpus: 8, spinlock: 'ticket' },
      workload: { type: 'locktorture', think: 'exp(1us)', hold: 'exp(200ns)' },
      stop: { ops },
    }),
    ops: 1_000_000,
    opsLabel: 'acquisitions/s',
    targets: { opsPerSec: 1_500_000 },
    memory: true,
  }),

  // Issue #5. Everything not given here is the scenario defaults (16 tasks, 4 KiB I/Os,
  // 78% of the working set in highmem). Should runScenario throw for this scenario (as it
  // did before the io workload existed), the benchmark reports "not available".
  scenarioBench({
    name: 'io-kmap-16cpu',
    issue: '#5',
    description: 'io workload, 16 CPUs, kmap; targets ≥ 1 M events/s and a live heap that does not grow with run length',
    scenario: (ops) => ({
      machine: { cpus: 16 },
      kernel: { strategy: 'kmap' },
      workload: { type: 'io' },
      stop: { ops },
    }),
    ops: 200_000,
    targets: { eventsPerSec: 1_000_000 },
    memory: true,
  }),
];
