/**
 * The bottleneck of a run (issue 23, item 1): the resource closest to saturation — the
 * device, the memory bus, a CPU, a lock — with its utilisation over the measured window, or
 * "none saturated" when none reaches SATURATION.
 *
 * Written by helper H to the shared contract of /work/briefs/i23-common.md (helper R owns
 * this module; its version replaces this one on merge). Utilisations:
 *   device      device.busy_fraction (time with a request in service)
 *   memory bus  memory_bus.utilisation (bytes moved / capacity)
 *   cpuN        the CPU's non-idle share of its time
 *   lock X      hold time total / measured simulated time (a lock held all the time is saturated)
 */
import { CATEGORY_NAMES } from '../cpu/accounting.js';
import type { Result } from './result.js';

/** At or above this utilisation a resource is saturated. */
export const SATURATION = 0.95;

export interface Bottleneck {
  resource: string;
  kind: 'device' | 'memory_bus' | 'cpu' | 'lock' | 'none';
  /** 0..1 */
  utilisation: number;
  saturated: boolean;
}

/** Every resource with its utilisation, in a fixed order (device, bus, CPUs, locks by name). */
function candidates(r: Pick<Result, 'device' | 'memory_bus' | 'cpus' | 'locks' | 'sim_time_ns'>): Array<Omit<Bottleneck, 'saturated'>> {
  const out: Array<Omit<Bottleneck, 'saturated'>> = [];
  if (r.device.requests > 0) out.push({ resource: 'device', kind: 'device', utilisation: r.device.busy_fraction });
  if (r.memory_bus.bytes > 0) out.push({ resource: 'memory bus', kind: 'memory_bus', utilisation: r.memory_bus.utilisation });
  for (const c of r.cpus) {
    const total = CATEGORY_NAMES.reduce((s, cat) => s + c.time_ns[cat], 0);
    if (total > 0) out.push({ resource: `cpu${c.cpu}`, kind: 'cpu', utilisation: (total - c.time_ns.idle) / total });
  }
  if (r.sim_time_ns > 0) {
    for (const name of Object.keys(r.locks).sort()) {
      const l = r.locks[name]!;
      if (l.acquisitions > 0) out.push({ resource: `lock ${name}`, kind: 'lock', utilisation: l.hold_ns.total / r.sim_time_ns });
    }
  }
  return out;
}

/** The most utilised resource, and whether it is saturated; first in candidates() order on ties. */
export function highestUtilised(r: Pick<Result, 'device' | 'memory_bus' | 'cpus' | 'locks' | 'sim_time_ns'>): Omit<Bottleneck, 'saturated'> | null {
  let best: Omit<Bottleneck, 'saturated'> | null = null;
  for (const c of candidates(r)) if (best === null || c.utilisation > best.utilisation) best = c;
  return best;
}

export function bottleneckOf(r: Pick<Result, 'device' | 'memory_bus' | 'cpus' | 'locks' | 'sim_time_ns'>): Bottleneck {
  const best = highestUtilised(r);
  if (best !== null && best.utilisation >= SATURATION) return { ...best, saturated: true };
  return { resource: 'none saturated', kind: 'none', utilisation: best?.utilisation ?? 0, saturated: false };
}

/** `bottleneck: device 99.8% (saturated)` / `bottleneck: none saturated (cpu0 62.1%)`. */
export function formatBottleneck(r: Pick<Result, 'device' | 'memory_bus' | 'cpus' | 'locks' | 'sim_time_ns'>): string {
  const b = bottleneckOf(r);
  const pct = (u: number) => `${(u * 100).toFixed(1)}%`;
  if (b.saturated) return `bottleneck: ${b.resource} ${pct(b.utilisation)} (saturated)`;
  const best = highestUtilised(r);
  return best === null ? 'bottleneck: none saturated' : `bottleneck: none saturated (${best.resource} ${pct(best.utilisation)})`;
}
