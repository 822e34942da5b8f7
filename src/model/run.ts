/**
 * One run: a resolved scenario → a machine, a workload, the simulation, a result.
 *
 * Stop rules: `stop.ops` and `stop.time` are totals that include the warm-up; whichever
 * is reached first ends the run. At the end of the warm-up every statistic is reset, so
 * the result describes only the measured window.
 */
import { checkMemory, defaultMemoryBudget } from '../scenario/memory.js';
import { DEFAULT_ZERO_TIME_EVENTS, Simulator, SimulationAborted, type Limits } from '../engine/sim.js';
import { withFingerprintStreams } from '../engine/fingerprint.js';
import { CATEGORY_NAMES, type CategoryName } from '../cpu/accounting.js';
import type { KernelObserver } from '../cpu/observer.js';
import { Machine } from '../kernel/machine.js';
import { PRESETS, canonicalPreset } from '../kernel/presets.js';
import { bottleneckOf } from '../report/bottleneck.js';
import { cpuNsPerOp } from '../report/metrics.js';
import { RESULT_SCHEMA, type CpuResult, type Result } from '../report/result.js';
import type { ResolvedScenario } from '../scenario/schema.js';
import { scenarioFileOf } from '../scenario/unresolve.js';
import { formatDuration } from '../engine/units.js';
import { VERSION } from '../version.js';
import { OpStats } from '../workload/ops.js';
import { startWorkload, type WorkloadHandle } from '../workload/index.js';

export interface RunOptions {
  /** The engine's guards, and the memory budget (bytes; default defaultMemoryBudget()). */
  limits?: Partial<Limits> & { memoryBytes?: number };
  /** Called now and then with the fraction done (0..1), for progress bars. */
  onProgress?: (fraction: number) => void;
  /** Compute the run's fingerprint (engine/fingerprint.ts) into `result.fingerprint`. */
  fingerprint?: boolean;
  /**
   * Called after every completed op with the simulated time and that op's latency (ns),
   * warm-up included: the per-run time series of src/study/series.ts (warm-up detection).
   * Outside the Result contract; when unset it costs nothing.
   */
  onOpSample?: (nowNs: number, latencyNs: number) => void;
  /**
   * An observer of the kernel's happenings (src/cpu/observer.ts; src/trace/timeline.ts writes
   * them as a timeline), told as the run goes; it observes only, so the result is the same
   * with or without. The caller finishes it.
   */
  trace?: KernelObserver;
}

/**
 * Default guards: generous, but a runaway scenario ends with a diagnosis. The event and
 * wall-time limits can be changed per command (--max-events, --max-wall); the zero-time
 * guard (engine/sim.ts) stops a loop whose clock never advances within seconds.
 */
export const DEFAULT_LIMITS: Limits = { maxEvents: 2_000_000_000, wallMs: 30 * 60 * 1000, zeroTimeEvents: DEFAULT_ZERO_TIME_EVENTS };

/**
 * The guards a command may change per run (--max-events, --max-wall, --max-memory); plain
 * data. memoryBytes: the budget the scenario's memory estimate (scenario/memory.ts) must fit.
 */
export type RunLimits = Partial<Pick<Limits, 'maxEvents' | 'wallMs'>> & { memoryBytes?: number };

export { warmupNotReached } from '../report/result.js';

export function runScenario(s: ResolvedScenario, opts: RunOptions = {}): Result {
  // One slice: the whole run, without yielding.
  const steps = runSteps(s, opts, Number.POSITIVE_INFINITY);
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
  }
}

/**
 * The run as a generator that yields every `slice` events, so an async caller (the
 * library's runScenario, src/api.ts) can let the event loop run between slices (timers,
 * an AbortSignal) and stop by not resuming. Slicing only pauses Simulator.run between two
 * events: the trajectory, and so the result, is the same for every slice size.
 */
export function* runSteps(s: ResolvedScenario, opts: RunOptions, slice: number): Generator<void, Result, void> {
  const wallStart = performance.now();
  // Before anything is built: a scenario that cannot fit is refused naming its field.
  const { memoryBytes, ...limits } = opts.limits ?? {};
  checkMemory(s, memoryBytes ?? defaultMemoryBudget());
  const sim = new Simulator();
  sim.limits = { ...DEFAULT_LIMITS, ...limits };
  const fp = opts.fingerprint === true ? sim.enableFingerprint() : null;
  const m = withFingerprintStreams(fp, () => new Machine(sim, {
    cpus: s.machine.cpus,
    spinlock: s.machine.spinlock,
    tlbEntries: s.machine.tlb_entries,
    tlbWorkingSet: s.machine.tlb_working_set,
    costs: s.costs,
    seed: s.seed,
    memoryBandwidth: s.machine.memory_bandwidth_bytes_per_s,
    tlbFlush: {
      kind: s.kernel.tlb_flush,
      ceiling: s.kernel.tlb_single_page_flush_ceiling,
      concurrentLocal: s.kernel.flush_concurrent_local,
      invlpgbCountMax: s.machine.invlpgb_count_max,
    },
    smpCallFunction: s.kernel.smp_call_function,
    observer: opts.trace ?? null,
    deviceIrqsNest: s.kernel.device_irqs_nest,
    kunmapAtomicFlush: s.kernel.kunmap_atomic_flush,
    kmapAtomicMapFlush: s.kernel.kmap_atomic_map_flush,
    spinUnlockLocked: s.kernel.spin_unlock_locked,
    coresPerPackage: PRESETS[canonicalPreset(s.machine.preset ?? s.costs_preset)].machine.cores_per_package.value,
  }));
  const ops = new OpStats(s.workload.tasks);
  if (opts.onOpSample !== undefined) {
    const sample = opts.onOpSample;
    const record = ops.record.bind(ops);
    ops.record = (latencyNs: number, task: number) => {
      sample(sim.now, latencyNs);
      record(latencyNs, task);
    };
  }
  const workload = withFingerprintStreams(fp, () => startWorkload(m, s, ops));
  // --max-wall bounds the set-up too (building the machine, the page pool, the tasks).
  const setupMs = performance.now() - wallStart;
  if (setupMs > sim.limits.wallMs) {
    throw new SimulationAborted('wall_time', `run aborted: wall-time limit of ${sim.limits.wallMs} ms reached while building the machine and workload (${Math.round(setupMs)} ms), before the first event`, '');
  }
  sim.wallSpentMs = setupMs;

  const stopOps = s.stop.ops ?? Number.POSITIVE_INFINITY;
  const stopTime = s.stop.time_ns ?? Number.POSITIVE_INFINITY;
  const warmup = s.stop.warmup;
  let warmupEnd = 0;
  let opsAtWarmup = 0;
  // A warm-up the stop condition comes before is never reached (stop: {ops: 100, warmup: 10s}):
  // the run is then measured from t=0, and the result says so.
  let warmupReached = warmup === null;
  const endWarmup = () => {
    warmupReached = true;
    warmupEnd = sim.now;
    if (m.observer !== null) m.observer.warmupEnded();
    opsAtWarmup = ops.completed;
    m.resetStats();
    ops.resetStats();
    workload.resetStats();
  };
  let stoppedBy = 'time' as Result['stop_reason'];
  ops.onOp = (n) => {
    if (warmup !== null && 'ops' in warmup && n === warmup.ops) endWarmup();
    if (n >= stopOps) {
      stoppedBy = 'ops';
      sim.stop();
    }
  };

  const progressEvery = 1 << 18;
  const stopWhen =
    opts.onProgress === undefined
      ? undefined
      : () => {
          if ((sim.events & (progressEvery - 1)) === 0) {
            const f = Math.max(Number.isFinite(stopOps) ? ops.completed / stopOps : 0, Number.isFinite(stopTime) ? sim.now / stopTime : 0);
            opts.onProgress!(Math.min(1, f));
          }
          return false;
        };

  if (warmup !== null && 'time_ns' in warmup) {
    yield* runChecked(sim, m, workload, { until: warmup.time_ns, stopWhen }, slice);
    if (stoppedBy !== 'ops') endWarmup();
  }
  if (stoppedBy !== 'ops') {
    const reason = yield* runChecked(sim, m, workload, { until: stopTime, stopWhen }, slice);
    if (reason === 'until') stoppedBy = 'time';
  }
  m.finish();

  const window = sim.now - warmupEnd;
  const completed = ops.completed - opsAtWarmup;
  const lat = ops.latency;
  const t = m.tlbStats;
  const hm = m.highmem;
  const counted: Omit<Result, 'per_op' | 'bottleneck'> = {
    schema: RESULT_SCHEMA,
    version: VERSION,
    scenario: s,
    scenario_file: scenarioFileOf(s),
    seed: s.seed,
    sim_time_ns: window,
    warmup_ns: warmupEnd,
    warmup_reached: warmupReached,
    stop_reason: stoppedBy,
    events: sim.events,
    wall_ms: Math.round((performance.now() - wallStart) * 1000) / 1000,
    ops: {
      completed,
      per_sec: window > 0 ? (completed * 1e9) / window : 0,
      per_task: ops.fairness(),
      latency_ns: {
        mean: lat.mean,
        p50: lat.percentile(50),
        p90: lat.percentile(90),
        p99: lat.percentile(99),
        p999: lat.percentile(99.9),
        max: lat.max,
      },
    },
    locks: m.lockstat.toJSON(),
    tlb: {
      local_flushes: t.localFlushes,
      page_flushes: t.pageFlushes,
      shootdowns: t.shootdowns,
      ipis_sent: t.ipisSent,
      ipis_received: t.ipisReceived,
      stale_accesses: t.staleAccesses,
      faults: t.faults,
    },
    kmap: { kmaps: hm.kmap.kmaps, hits: hm.kmap.hits, flushes: hm.kmap.flushes, waits: hm.kmap.waits, atomic: hm.kmap.atomic },
    vmap: { allocs: hm.vmap.allocs, frees: hm.vmap.frees, purges: hm.vmap.purges, failures: hm.vmap.failures },
    bounce: {
      pages: hm.bounce.pages,
      bytes_copied: hm.bounce.bytesCopied,
      pool_waits: hm.bounce.poolWaits,
      pool_taken: hm.bounce.poolTaken,
    },
    device: workload.deviceStats(window),
    memory_bus: { bytes: m.membus.bytes, utilisation: m.membus.utilisation(window) },
    cpus: m.cpus.map((c): CpuResult => {
      const time_ns = {} as Record<CategoryName, number>;
      CATEGORY_NAMES.forEach((name, i) => (time_ns[name] = c.time[i]!));
      return {
        cpu: c.id,
        time_ns,
        irqs: c.irqs,
        context_switches: c.contextSwitches,
        resched_ipis: c.reschedIpis,
        tlb_misses: c.tlb.misses,
      };
    }),
  };
  // Derived from the counters above (issue 23): what decides a comparison of strategies.
  const result: Result = { ...counted, per_op: { cpu_ns: cpuNsPerOp(counted) }, bottleneck: bottleneckOf(counted) };
  if (fp !== null) {
    // Fold in the final counters, so that a change in any reported number changes the
    // fingerprint; not the identity fields nor wall_ms (docs/CHECK.md), nor warmup_reached
    // (warmup_ns already tells it; a run that misses its warm-up is an error for check).
    // Nor the derived per_op and bottleneck (issue 23): functions of the counters folded in.
    const {
      schema: _schema,
      version: _version,
      scenario: _scenario,
      scenario_file: _file,
      wall_ms: _wall,
      warmup_reached: _reached,
      per_op: _perOp,
      bottleneck: _bottleneck,
      ...measured
    } = result;
    // Contending points were added to lock_stat after the baselines were recorded (issue 15):
    // they follow from the same run as everything else, so leaving them out keeps the
    // recorded fingerprints comparable without weakening what a fingerprint detects.
    const locks = Object.fromEntries(Object.entries(measured.locks).map(([k, { contending_points: _cp, ...l }]) => [k, l]));
    fp.text(JSON.stringify({ ...measured, locks }));
    result.fingerprint = fp.digest();
  }
  return result;
}

/** Run; an event heap that empties before the stop condition means every task is stuck. */
function* runChecked(
  sim: Simulator,
  m: Machine,
  workload: WorkloadHandle,
  opts: { until: number; stopWhen: (() => boolean) | undefined },
  slice: number,
): Generator<void, string, void> {
  const maxEvents = Number.isFinite(slice) ? slice : undefined;
  let reason = sim.run({ ...opts, maxEvents });
  while (reason === 'max_events') {
    yield;
    reason = sim.run({ ...opts, maxEvents });
  }
  if (reason === 'empty') {
    throw new SimulationAborted(
      'deadlock',
      `run aborted: deadlock at t=${formatDuration(sim.now)} of simulated time: no event pending and the stop condition not reached`,
      `${m.describe()}\n${workload.describe()}`,
    );
  }
  return reason;
}
