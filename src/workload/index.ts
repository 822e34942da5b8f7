/**
 * Workload dispatch: start the scenario's workload on a machine.
 */
import type { Machine } from '../kernel/machine.js';
import type { Result } from '../report/result.js';
import type { ResolvedScenario } from '../scenario/schema.js';
import { startLocktorture } from './locktorture.js';
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
    case 'maptorture':
      throw new Error(`workload type ${w.type} is not implemented yet`);
  }
}
