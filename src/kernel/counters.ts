/**
 * Machine-wide counters of the highmem mechanisms (result contract `kmap`, `vmap`,
 * `bounce`). The mechanisms in src/kernel increment them; the runner reports them.
 */
export class KmapCounters {
  /** kmap_high calls (persistent kmaps of highmem pages). */
  kmaps = 0;
  /** kmap_high calls that found the page already mapped (shared mapping). */
  hits = 0;
  /** flush_all_zero_pkmaps runs (one per pool wrap). */
  flushes = 0;
  /** Sleeps on pkmap_map_wait (a whole lap found no free slot). */
  waits = 0;
  /** kmap_atomic calls. */
  atomic = 0;
  /** kmap_local_page calls that mapped a highmem page (5.11+). */
  local = 0;
  /** kmap_local PTEs cleared (+ invlpg) by __kmap_local_sched_out at context switches. */
  localSchedOut = 0;
  /** kmap_local PTEs re-installed by __kmap_local_sched_in at context switches. */
  localSchedIn = 0;
}

export class VmapCounters {
  allocs = 0;
  frees = 0;
  /** Lazy purges (__purge_vmap_area_lazy runs that flushed). */
  purges = 0;
  /** Allocations that failed even after a purge ("vmap allocation failed"). */
  failures = 0;
}

export class BounceCounters {
  /** Pages bounced (one bounce page each). */
  pages = 0;
  bytesCopied = 0;
  /** Times a submitter waited for the emergency pool. */
  poolWaits = 0;
  /** Bounce pages taken from the emergency pool (the allocator had none). */
  poolTaken = 0;
}

export class HighmemCounters {
  readonly kmap = new KmapCounters();
  readonly vmap = new VmapCounters();
  readonly bounce = new BounceCounters();

  reset(): void {
    Object.assign(this.kmap, new KmapCounters());
    Object.assign(this.vmap, new VmapCounters());
    Object.assign(this.bounce, new BounceCounters());
  }
}
