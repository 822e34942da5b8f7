/**
 * What one "op" is for each workload: what `ops completed`, ops/s, the latencies and every
 * "per op" figure count (issue 15, item 7).
 */
import { formatDistribution } from '../engine/distributions.js';
import type { ResolvedWorkload } from '../scenario/types.js';

export function opMeaning(w: ResolvedWorkload): string {
  switch (w.type) {
    case 'io':
      return `an op is one I/O: a ${formatDistribution(w.size, 'size')} read or write, from submission to completion`;
    case 'maptorture':
      return `an op is one map round: ${w.api} ${w.pages} page${w.pages === 1 ? '' : 's'}, ${w.touch ? `touch ${w.pages === 1 ? 'it' : 'them'}, ` : ''}unmap`;
    case 'locktorture':
      return 'an op is one acquisition of the lock: spin_lock, hold, spin_unlock';
  }
}

/** Where a lock wait row and the CPU spin share appear together: how they differ. */
export const LOCK_WAIT_VS_SPIN =
  'note: lock wait is lock_stat waittime, each waiter from finding the lock taken to getting it, interrupts taken meanwhile included; ' +
  'CPU spin is the CPU time charged to acquiring spinlocks, uncontended acquires and handoffs included';
