/**
 * The bottleneck of a run (issue 23, item 1): the resource at saturation — the device, the
 * memory bus, a lock, a CPU — or "none saturated", with its utilisation over the measured
 * window. Derived from the result's own numbers only, so it can be recomputed from any
 * result file (older ones included) and is left out of the fingerprint.
 *
 * Utilisation of each candidate, 0..1 of the measured simulated time:
 *   - device: the larger of its channel's share and its queue slots' share
 *     (src/kernel/blockdev.ts: requests wait for one of `queue_depth` slots, spend their
 *     latency there in parallel, then move their bytes over one channel in turn). Channel:
 *     bytes / (bandwidth × time), the transfer time at full bandwidth (a lower bound when
 *     the memory bus slows the DMA; the bus then shows its own share). Slots:
 *     mean_queue / queue_depth, at most 1. Not `busy_fraction` (time with any request in
 *     service): a device with 16 requests in flight over 64 slots is busy all the time
 *     without being saturated — the %util caveat of iostat(1);
 *   - memory bus: `memory_bus.utilisation` (bytes moved / capacity; src/cpu/membus.ts);
 *   - lock <class>: `hold_ns.total / sim_time_ns`, the share of time the class was held
 *     (a spinlock's holds, a rwlock's write holds: src/kernel/lockstat.ts). A class of n
 *     locks taken in the run (per-CPU, per-node, per-object: lock_stat's `locks` n > 1) is
 *     one lock's mean share, hold total / (n × time), named "lock <class> (n locks, mean)":
 *     summed holds of 64 node locks at 330% are not one saturated lock. Results written
 *     before `locks` existed read as one lock;
 *   - cpu<i>: the CPU's time not idle / its total time (spinning counts as busy).
 * A candidate is saturated at `SATURATED` or more. Among saturated candidates the first
 * kind in `KIND_ORDER` wins (device, memory bus, lock, CPU: a CPU that spins on a saturated
 * lock or stalls on a saturated bus is busy because of it), then the higher utilisation.
 * With none saturated, the busiest candidate is named.
 */
import { CATEGORY_NAMES, type CategoryName } from '../cpu/accounting.js';
import { fmtPercent } from './format.js';

/** Utilisation at or above which a resource counts as saturated (0..1). */
export const SATURATED = 0.95;

export type BottleneckKind = 'device' | 'memory_bus' | 'cpu' | 'lock' | 'none';

export interface Bottleneck {
  /** "device", "memory bus", "cpu0", "lock io_request_lock"; "none saturated" when none is. */
  resource: string;
  kind: BottleneckKind;
  /** The named resource's utilisation; with none saturated, the busiest one's (0..1). */
  utilisation: number;
  saturated: boolean;
  /** The busiest resource (= resource when saturated): "cpu0" in "none saturated (cpu0 62.1%)". */
  busiest: string;
}

export interface ResourceUse {
  resource: string;
  kind: Exclude<BottleneckKind, 'none'>;
  utilisation: number;
}

/** The parts of a Result the bottleneck reads (a Result is one). */
export interface BottleneckSource {
  sim_time_ns: number;
  device: { requests: number; bytes: number; mean_queue: number };
  scenario: { device: { bandwidth_bytes_per_s: number; queue_depth: number } };
  memory_bus: { bytes: number; utilisation: number };
  locks: Record<string, { acquisitions: number; hold_ns: { total: number }; locks?: number }>;
  cpus: Array<{ cpu: number; time_ns: Partial<Record<CategoryName, number>> }>;
}

/** Which saturated kind is named first. */
export const KIND_ORDER: ReadonlyArray<ResourceUse['kind']> = ['device', 'memory_bus', 'lock', 'cpu'];

/** The device's utilisation: the larger of its channel's and its slots' (see above). */
export function deviceUtilisation(r: Pick<BottleneckSource, 'sim_time_ns' | 'device' | 'scenario'>): number {
  const d = r.scenario.device;
  const capacity = (d.bandwidth_bytes_per_s / 1e9) * r.sim_time_ns;
  const channel = Number.isFinite(capacity) && capacity > 0 ? r.device.bytes / capacity : 0;
  const slots = d.queue_depth > 0 ? Math.min(1, r.device.mean_queue / d.queue_depth) : 0;
  return Math.max(channel, slots);
}

/** Every resource the run used, with its utilisation: device, memory bus, locks, CPUs. */
export function resourceUses(r: BottleneckSource): ResourceUse[] {
  const out: ResourceUse[] = [];
  if (r.device.requests > 0) out.push({ resource: 'device', kind: 'device', utilisation: deviceUtilisation(r) });
  if (r.memory_bus.bytes > 0) out.push({ resource: 'memory bus', kind: 'memory_bus', utilisation: r.memory_bus.utilisation });
  for (const [name, l] of Object.entries(r.locks)) {
    const n = l.locks ?? 1;
    if (l.acquisitions === 0 || n === 0) continue;
    const share = r.sim_time_ns > 0 ? l.hold_ns.total / (n * r.sim_time_ns) : 0;
    out.push({ resource: n === 1 ? `lock ${name}` : `lock ${name} (${n} locks, mean)`, kind: 'lock', utilisation: share });
  }
  for (const c of r.cpus) {
    let total = 0;
    for (const cat of CATEGORY_NAMES) total += c.time_ns[cat] ?? 0;
    const idle = c.time_ns.idle ?? 0;
    out.push({ resource: `cpu${c.cpu}`, kind: 'cpu', utilisation: total > 0 ? (total - idle) / total : 0 });
  }
  return out;
}

/** The bottleneck among resource uses (in resourceUses order; ties keep the first). */
export function pickBottleneck(uses: readonly ResourceUse[]): Bottleneck {
  let busiest: ResourceUse | undefined;
  for (const u of uses) if (busiest === undefined || u.utilisation > busiest.utilisation) busiest = u;
  if (busiest === undefined) return { resource: 'none saturated', kind: 'none', utilisation: 0, saturated: false, busiest: 'none' };
  let pick: ResourceUse | undefined;
  for (const u of uses) {
    if (!(u.utilisation >= SATURATED)) continue;
    const rank = KIND_ORDER.indexOf(u.kind);
    const best = pick === undefined ? -1 : KIND_ORDER.indexOf(pick.kind);
    if (pick === undefined || rank < best || (rank === best && u.utilisation > pick.utilisation)) pick = u;
  }
  if (pick === undefined) return { resource: 'none saturated', kind: 'none', utilisation: busiest.utilisation, saturated: false, busiest: busiest.resource };
  return { resource: pick.resource, kind: pick.kind, utilisation: pick.utilisation, saturated: true, busiest: busiest.resource };
}

/** The bottleneck of one run. */
export function bottleneckOf(r: BottleneckSource): Bottleneck {
  return pickBottleneck(resourceUses(r));
}

/**
 * The mean utilisation of every resource over several runs (a sweep point's replications),
 * in first-seen order; a resource a run did not use counts 0 in it.
 */
export function meanResourceUses(runs: readonly BottleneckSource[]): ResourceUse[] {
  const sums = new Map<string, ResourceUse>();
  for (const r of runs) {
    for (const u of resourceUses(r)) {
      const s = sums.get(u.resource);
      if (s === undefined) sums.set(u.resource, { ...u });
      else s.utilisation += u.utilisation;
    }
  }
  return [...sums.values()].map((u) => ({ ...u, utilisation: runs.length > 0 ? u.utilisation / runs.length : 0 }));
}

/** "device 99.8% (saturated)" / "none saturated (cpu0 62.1%)". */
export function formatBottleneck(b: Bottleneck): string {
  if (b.kind === 'none') return b.busiest === 'none' ? 'none saturated' : `none saturated (${b.busiest} ${fmtPercent(b.utilisation)})`;
  return `${b.resource} ${fmtPercent(b.utilisation)} (saturated)`;
}

/** Label of a table's bottleneck row or column: cells name the saturated resource or "none". */
export const BOTTLENECK_COLUMN = `bottleneck (>=${Math.round(SATURATED * 100)}%)`;

/** A table cell: "device 99.8%" when saturated, "none (cpu0 62.1%)" when not. */
export function formatBottleneckCell(b: Bottleneck): string {
  if (b.kind === 'none') return b.busiest === 'none' ? 'none' : `none (${b.busiest} ${fmtPercent(b.utilisation)})`;
  return `${b.resource} ${fmtPercent(b.utilisation)}`;
}
