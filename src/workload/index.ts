/**
 * Workload dispatch: start the scenario's workload on a machine.
 */
import type { Machine } from '../kernel/machine.js';
import type { Result } from '../report/result.js';
import type { ResolvedScenario } from '../scenario/schema.js';
import type { HighmemKernel } from '../kernel/iopath.js';
import { startIo } from './io.js';
import { startLocktorture } from './locktorture.js';
import { startMaptorture } from './maptorture.js';
import type { OpStats } from './ops.js';

/** What the runner needs from a started workload. */
export interface WorkloadHandle {
  /** Forget statistics kept outside the machine (end of warm-up). */
  resetStats(): void;
  /** Device statistics over the measured window. */
  deviceStats(windowNs: number): Result['device'];
  /** State for abort diagnostics. */
  describe(): string;
}

const NO_DEVICE: Result['device'] = { requests: 0, bytes: 0, busy_fraction: 0, mean_queue: 0 };

export function startWorkload(m: Machine, s: ResolvedScenario, ops: OpStats): WorkloadHandle {
  const w = s.workload;
  switch (w.type) {
    case 'locktorture':
      startLocktorture(m, w, ops);
      return { resetStats: () => {}, deviceStats: () => NO_DEVICE, describe: () => '' };
    case 'io':
      return highmemHandle(startIo(m, s, w, ops));
    case 'maptorture':
      return highmemHandle(startMaptorture(m, s, w, ops));
  }
}

function highmemHandle(k: HighmemKernel): WorkloadHandle {
  const dev = k.device;
  return {
    resetStats: () => dev.resetStats(),
    deviceStats: () => {
      const now = k.m.sim.now;
      return {
        requests: dev.requests,
        bytes: dev.bytes,
        busy_fraction: dev.busy.mean(now),
        mean_queue: dev.occupancy.mean(now),
      };
    },
    describe: () =>
      [
        `kmap pool: ${k.pkmap.inUse()} of ${k.pkmap.LAST_PKMAP} slots in use, ${k.pkmap.pkmap_map_wait.length} tasks on pkmap_map_wait`,
        `bounce pool: ${k.bounce.nr_emergency_pages} of ${k.bounce.poolSize} pages free, ${k.bounce.waiters.length} waiting`,
        `device: ${dev.queued} requests queued or in service`,
      ].join('\n'),
  };
}
