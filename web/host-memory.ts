/**
 * src/scenario/host-memory.ts in the browser build (scripts/playground.mjs puts this module
 * in its place). A page cannot ask for the machine's memory; Chromium's JS heap limit is
 * reported by the non-standard performance.memory (not in workers), so the budget is that
 * when known and otherwise BROWSER_HEAP_BYTES — the run is refused, naming its largest field,
 * before the tab would run out of memory.
 */

/** 2 GiB: a conservative JS heap of a 64-bit browser tab (Chromium's is ~4 GiB). Estimate. */
export const BROWSER_HEAP_BYTES = 2 * 1024 ** 3;

export function hostMemoryBudget(): number {
  const mem = (globalThis.performance as unknown as { memory?: { jsHeapSizeLimit?: number } } | undefined)?.memory;
  return Math.floor((mem?.jsHeapSizeLimit ?? BROWSER_HEAP_BYTES) / 2);
}
