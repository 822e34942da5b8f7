/**
 * The result contract (docs/MODEL.md §10): what `smpsim run --format json` prints, snake_case.
 * Same scenario + seed ⇒ identical JSON apart from `wall_ms`.
 */
import type { CategoryName } from '../cpu/accounting.js';
import type { LockStatJson } from '../kernel/lockstat.js';
import type { RawScenario, ResolvedScenario } from '../scenario/schema.js';
import { formatDurationExact } from '../engine/units.js';
import type { Bottleneck } from './bottleneck.js';

export const RESULT_SCHEMA = 'smpsim.result/1';

export interface LatencySummary {
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export interface CpuResult {
  cpu: number;
  time_ns: Record<CategoryName, number>;
  irqs: number;
  context_switches: number;
  resched_ipis: number;
  tlb_misses: number;
}

export interface Result {
  schema: typeof RESULT_SCHEMA;
  version: string;
  scenario: ResolvedScenario;
  /**
   * The same scenario as a scenario file in the input language (units, distributions as
   * written): it validates, and `smpsim run` of this result re-runs exactly this run
   * (src/scenario/unresolve.ts). Left out of the fingerprint, like `scenario`.
   */
  scenario_file: RawScenario;
  seed: number;
  /** Simulated time of the measured window (after warm-up), ns. */
  sim_time_ns: number;
  /** Simulated time discarded as warm-up, ns. */
  warmup_ns: number;
  /**
   * False when the scenario asked for a warm-up that the stop condition came before: the
   * run was measured from t=0. Left out of the fingerprint (warmup_ns tells it).
   */
  warmup_reached: boolean;
  /** Why the run ended: the ops target, the time limit. */
  stop_reason: 'ops' | 'time';
  events: number;
  wall_ms: number;
  ops: {
    completed: number;
    per_sec: number;
    /** Fewest and most ops completed by one task (a starved task shows as a low min). */
    per_task: { min: number; max: number };
    latency_ns: LatencySummary;
  };
  locks: Record<string, LockStatJson>;
  tlb: {
    local_flushes: number;
    page_flushes: number;
    shootdowns: number;
    ipis_sent: number;
    ipis_received: number;
    stale_accesses: number;
    faults: number;
  };
  kmap: { kmaps: number; hits: number; flushes: number; waits: number; atomic: number };
  vmap: { allocs: number; frees: number; purges: number; failures: number };
  bounce: { pages: number; bytes_copied: number; pool_waits: number; pool_taken: number };
  device: { requests: number; bytes: number; busy_fraction: number; mean_queue: number };
  /** The shared memory bus (src/cpu/membus.ts): bytes of completed copies and DMA, and their share of its capacity. */
  memory_bus: { bytes: number; utilisation: number };
  cpus: CpuResult[];
  /**
   * Per-op figures derived from the counters above: `cpu_ns` is the CPU time of all CPUs
   * not idle / ops completed (src/report/metrics.ts cpuNsPerOp). Left out of the fingerprint.
   */
  per_op: { cpu_ns: number };
  /** The resource at saturation, or none (src/report/bottleneck.ts). Left out of the fingerprint. */
  bottleneck: Bottleneck;
  /**
   * The run's fingerprint (16 hex digits; docs/CHECK.md), present only when the run was
   * asked for it (`runScenario(s, { fingerprint: true })`, `smpsim check`/`baseline`).
   */
  fingerprint?: string;
}

/**
 * Why a result cannot stand as a measurement: its warm-up was never reached (the stop
 * condition came first, so it was measured from t=0). `check`, `baseline` and `sweep`
 * abort on it; `run` reports the result with a warning.
 */
export function warmupNotReached(r: Result): string | undefined {
  if (r.warmup_reached) return undefined;
  const w = r.scenario.stop.warmup;
  const asked = w === null ? 'none' : 'ops' in w ? `{ops: ${w.ops}}` : formatDurationExact(w.time_ns);
  const stop = r.stop_reason === 'ops' ? `stop.ops (${r.ops.completed} ops)` : `stop.time (${formatDurationExact(r.sim_time_ns)})`;
  return `run aborted: the warm-up (stop.warmup ${asked}) was never reached: the run ended by ${stop} first; lengthen stop or shorten stop.warmup`;
}
