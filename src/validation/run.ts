/**
 * Running validation targets: each cell is its scenario with the cell's `--set` overrides,
 * run once (cells with the same scenario and overrides share the run); its metric is read
 * from the result. An override naming a field this smpsim does not have yet (e.g.
 * `kernel.version` before kernel versions exist) is dropped and the cell is flagged, so a
 * targets file written for the next model still runs on this one.
 */
import { SimulationAborted } from '../engine/sim.js';
import { UnitError } from '../engine/units.js';
import { metricValues } from '../check/metrics.js';
import { runScenario } from '../model/run.js';
import type { Result } from '../report/result.js';
import { formatPath } from '../scenario/errors.js';
import { ScenarioError, loadScenario } from '../scenario/load.js';
import { cellsOf, type CellSpec, type CheckSpec, type TargetSpec, type TargetsFileSpec } from './targets.js';
import { evaluateCheck, verdictOf, type CellValue, type CheckResult, type Verdict } from './verdict.js';

/**
 * Metrics computed from a result (beyond the names `smpsim check` knows):
 *   derived.throughput_KiB_per_s  device KiB per second of the measured window (vmstat's bi)
 *   derived.busy_share            1 − idle share of all CPUs' time (vmstat's us+sy)
 *   derived.busy_cpu_ns_per_KiB   CPU time not idle per KiB moved by the device
 *   derived.new_kmaps_per_slot    kmaps that needed a new slot, per kmap, per LAST_PKMAP
 *                                 slot: the flush_all_zero_pkmaps rate the kernel
 *                                 arithmetic implies (one flush per LAST_PKMAP new mappings)
 */
export const DERIVED_METRICS = [
  'derived.throughput_KiB_per_s',
  'derived.busy_share',
  'derived.busy_cpu_ns_per_KiB',
  'derived.new_kmaps_per_slot',
] as const;

export function metricOf(r: Result, name: string): number | undefined {
  const idle = (): number => {
    let all = 0;
    let idleNs = 0;
    for (const c of r.cpus) {
      for (const v of Object.values(c.time_ns)) all += v;
      idleNs += c.time_ns.idle;
    }
    return all > 0 ? idleNs / all : 0;
  };
  switch (name) {
    case 'derived.throughput_KiB_per_s':
      return r.sim_time_ns > 0 ? (r.device.bytes / 1024 / r.sim_time_ns) * 1e9 : 0;
    case 'derived.busy_share':
      return 1 - idle();
    case 'derived.busy_cpu_ns_per_KiB':
      return r.device.bytes > 0 ? ((1 - idle()) * r.cpus.length * r.sim_time_ns) / (r.device.bytes / 1024) : 0;
    case 'derived.new_kmaps_per_slot':
      return r.kmap.kmaps > 0 ? (r.kmap.kmaps - r.kmap.hits) / r.kmap.kmaps / r.scenario.kernel.last_pkmap : 0;
    default:
      return metricValues(r).get(name);
  }
}

export interface CellRun extends CellValue {
  /** Overrides dropped because this smpsim does not know their field. */
  dropped: string[];
  /** Simulated events (for the CPU budget). */
  events: number;
}

export interface CheckReport {
  target: string;
  check: CheckSpec;
  result: CheckResult;
  verdict: Verdict;
  /** Flags of the cells it read (dropped overrides, errors). */
  flags: string[];
}

export interface TargetReport {
  target: TargetSpec;
  cells: Map<string, CellRun>;
  checks: CheckReport[];
  /** One line per dropped override (with the cells it affected) and per cell error. */
  notes: string[];
}

/** One `path=value` override's path. */
function setPath(text: string): string {
  const eq = text.indexOf('=');
  return (eq < 0 ? text : text.slice(0, eq)).trim();
}

/**
 * Load the scenario with the overrides; overrides whose field is unknown are dropped (and
 * reported), any other problem is the cell's error.
 */
function loadCell(file: string, sets: readonly string[]): { scenario: ReturnType<typeof loadScenario> | null; dropped: string[]; error?: string } {
  let use = [...sets];
  const dropped: string[] = [];
  for (let attempt = 0; attempt <= sets.length; attempt++) {
    try {
      return { scenario: loadScenario(file, { set: use }), dropped };
    } catch (e) {
      if (e instanceof UnitError) return { scenario: null, dropped, error: e.message.split('\n')[0] };
      if (!(e instanceof ScenarioError)) throw e;
      const unknown = e.problems
        .filter((p) => p.source === '--set' && p.message.startsWith('unknown key'))
        .map((p) => formatPath(p.path));
      const drop = use.filter((s) => unknown.some((u) => setPath(s) === u || setPath(s).startsWith(`${u}.`)));
      if (drop.length === 0) return { scenario: null, dropped, error: e.lines.join('; ') };
      dropped.push(...drop);
      use = use.filter((s) => !drop.includes(s));
    }
  }
  return { scenario: null, dropped, error: 'could not apply the overrides' };
}

/** Run every cell a target's checks read (each distinct override set once). */
export function runTarget(target: TargetSpec, onCell?: (id: string) => void): TargetReport {
  const needed = new Set(target.checks.flatMap(cellsOf));
  const cache = new Map<string, { result: Result | null; dropped: string[]; error?: string }>();
  const cells = new Map<string, CellRun>();
  for (const [id, spec] of Object.entries(target.cells)) {
    if (!needed.has(id)) continue;
    onCell?.(id);
    const key = JSON.stringify(spec.set);
    let run = cache.get(key);
    if (run === undefined) {
      const loaded = loadCell(target.scenario, spec.set);
      if (loaded.scenario === null) run = { result: null, dropped: loaded.dropped, error: loaded.error };
      else {
        try {
          run = { result: runScenario(loaded.scenario), dropped: loaded.dropped };
        } catch (e) {
          if (!(e instanceof SimulationAborted)) throw e;
          run = { result: null, dropped: loaded.dropped, error: `run aborted: ${e.message.split('\n')[0]}` };
        }
      }
      cache.set(key, run);
    }
    cells.set(id, cellRun(spec, run));
  }
  const checks = target.checks.map((check): CheckReport => {
    const result = evaluateCheck(check, target.cells, cells);
    const flags: string[] = [];
    for (const c of cellsOf(check)) {
      const cr = cells.get(c);
      if (cr === undefined) continue;
      for (const d of cr.dropped) flags.push(`${c}: ran without ${d} (unknown to this smpsim)`);
      if (cr.error !== undefined) flags.push(`${c}: ${cr.error}`);
    }
    return { target: target.id, check, result, verdict: verdictOf(check.status, result.holds), flags: [...new Set(flags)] };
  });
  const droppedBy = new Map<string, string[]>();
  const notes: string[] = [];
  for (const [id, c] of cells) {
    for (const d of c.dropped) droppedBy.set(d, [...(droppedBy.get(d) ?? []), id]);
    if (c.error !== undefined) notes.push(`${id}: ${c.error}`);
  }
  for (const [d, ids] of droppedBy) notes.unshift(`ran without ${d} (a field this smpsim does not know yet): ${ids.join(', ')}`);
  return { target, cells, checks, notes };
}

function cellRun(spec: CellSpec, run: { result: Result | null; dropped: string[]; error?: string }): CellRun {
  if (run.result === null) return { value: null, error: run.error, dropped: run.dropped, events: 0 };
  const raw = metricOf(run.result, spec.metric);
  if (raw === undefined) {
    return { value: null, error: `no metric "${spec.metric}" in the result`, dropped: run.dropped, events: run.result.events };
  }
  return { value: raw * (spec.scale ?? 1), dropped: run.dropped, events: run.result.events };
}

/** Run the targets (all, or those named in `only`). */
export function runTargets(file: TargetsFileSpec, only: readonly string[] = [], onCell?: (target: string, cell: string) => void): TargetReport[] {
  const chosen = only.length === 0 ? file.targets : file.targets.filter((t) => only.includes(t.id));
  return chosen.map((t) => runTarget(t, (c) => onCell?.(t.id, c)));
}
