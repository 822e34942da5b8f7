/**
 * The host's memory, for the default memory budget (./memory.ts defaultMemoryBudget): half
 * the machine's memory, at most the JS heap limit of this process. The one Node-only piece
 * of the model path's memory check; the browser build (scripts/playground.mjs) replaces
 * this module with web/host-memory.ts.
 */
import os from 'node:os';
import v8 from 'node:v8';

export function hostMemoryBudget(): number {
  return Math.min(Math.floor(os.totalmem() / 2), v8.getHeapStatistics().heap_size_limit);
}
