/**
 * lock_stat, as Documentation/locking/lockstat.rst defines it, per lock class:
 * contentions = acquisitions that had to wait; con-bounces / acq-bounces = contentions /
 * acquisitions whose previous holder ran on another CPU; wait and hold times in ns with
 * min/max over non-zero times; up to 4 contention points (call sites that waited) and up
 * to 4 contending points (where the lock was last acquired when a waiter found it taken:
 * the holder's acquire site: lockdep's `lock->ip`, counted in __lock_contended of
 * kernel/locking/lockdep.c and printed by seq_stats of lockdep_proc.c).
 */

export interface TimeStat {
  min: number;
  max: number;
  total: number;
  avg: number;
}

export interface LockStatJson {
  acquisitions: number;
  contentions: number;
  con_bounces: number;
  acq_bounces: number;
  wait_ns: TimeStat;
  hold_ns: TimeStat;
  contention_points: Array<{ site: string; count: number }>;
  /** Where the holder acquired the lock, per contention (lockstat.rst: "contending points"). */
  contending_points: Array<{ site: string; count: number }>;
  /**
   * How many locks of this class were taken during the run (per-CPU, per-node, per-object
   * locks: several). Not lock_stat's (which knows classes only): the bottleneck uses it to
   * turn a class's summed hold time into one lock's share.
   */
  locks: number;
}

export const MAX_CONTENTION_POINTS = 4;

export class LockClassStat {
  acquisitions = 0;
  contentions = 0;
  conBounces = 0;
  acqBounces = 0;
  waitMin = Number.POSITIVE_INFINITY;
  waitMax = 0;
  waitTotal = 0;
  holdMin = Number.POSITIVE_INFINITY;
  holdMax = 0;
  holdTotal = 0;
  private points = new PointCounts();
  private holderPoints = new PointCounts();

  /** Locks of this class taken at least once (Spinlock/RwLock countTaken); see LockStatJson.locks. */
  locks = 0;
  constructor(readonly name: string) {}

  /** An acquisition; `bounce` if the previous holder ran on another CPU. */
  acquired(bounce: boolean): void {
    this.acquisitions++;
    if (bounce) this.acqBounces++;
  }

  /**
   * The acquisition had to wait `waitNs` at call site `site`; when it began to wait, the
   * lock had last been acquired at `holderSite` ('' when unknown).
   */
  contended(waitNs: number, bounce: boolean, site: string, holderSite = ''): void {
    this.contentions++;
    if (bounce) this.conBounces++;
    this.waitTotal += waitNs;
    if (waitNs > 0) {
      if (waitNs < this.waitMin) this.waitMin = waitNs;
      if (waitNs > this.waitMax) this.waitMax = waitNs;
    }
    this.points.add(site);
    if (holderSite !== '') this.holderPoints.add(holderSite);
  }

  held(holdNs: number): void {
    this.holdTotal += holdNs;
    if (holdNs > 0) {
      if (holdNs < this.holdMin) this.holdMin = holdNs;
      if (holdNs > this.holdMax) this.holdMax = holdNs;
    }
  }

  reset(): void {
    this.acquisitions = this.contentions = this.conBounces = this.acqBounces = 0;
    this.waitMin = this.holdMin = Number.POSITIVE_INFINITY;
    this.waitMax = this.waitTotal = this.holdMax = this.holdTotal = 0;
    this.points.clear();
    this.holderPoints.clear();
  }

  toJSON(): LockStatJson {
    return {
      acquisitions: this.acquisitions,
      contentions: this.contentions,
      con_bounces: this.conBounces,
      acq_bounces: this.acqBounces,
      wait_ns: timeStat(this.waitMin, this.waitMax, this.waitTotal, this.contentions),
      hold_ns: timeStat(this.holdMin, this.holdMax, this.holdTotal, this.acquisitions),
      contention_points: this.points.top(),
      contending_points: this.holderPoints.top(),
      locks: this.locks,
    };
  }
}

/**
 * Counts per call site: mutable cells in a map, and the last site's cell at hand — lock_stat
 * counts on every contended acquisition, and a lock's contentions mostly repeat the site
 * before: one string compare instead of a map get and set (issue 24).
 */
class PointCounts {
  private readonly cells = new Map<string, { count: number }>();
  private lastSite = '';
  private last: { count: number } | null = null;

  add(site: string): void {
    if (this.last !== null && site === this.lastSite) {
      this.last.count++;
      return;
    }
    let cell = this.cells.get(site);
    if (cell === undefined) {
      cell = { count: 0 };
      this.cells.set(site, cell);
    }
    cell.count++;
    this.lastSite = site;
    this.last = cell;
  }

  clear(): void {
    this.cells.clear();
    this.last = null;
  }

  /** The most frequent call sites, most first (ties by name), at most MAX_CONTENTION_POINTS. */
  top(): Array<{ site: string; count: number }> {
    return [...this.cells.entries()]
      .sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1))
      .slice(0, MAX_CONTENTION_POINTS)
      .map(([site, cell]) => ({ site, count: cell.count }));
  }
}

function timeStat(min: number, max: number, total: number, n: number): TimeStat {
  return { min: Number.isFinite(min) ? min : 0, max, total, avg: n > 0 ? total / n : 0 };
}

/** All lock classes of one machine, by name. */
export class LockStatRegistry {
  readonly classes = new Map<string, LockClassStat>();

  get(name: string): LockClassStat {
    let s = this.classes.get(name);
    if (s === undefined) {
      s = new LockClassStat(name);
      this.classes.set(name, s);
    }
    return s;
  }

  reset(): void {
    for (const s of this.classes.values()) s.reset();
  }

  toJSON(): Record<string, LockStatJson> {
    const out: Record<string, LockStatJson> = {};
    for (const [k, v] of this.classes) out[k] = v.toJSON();
    return out;
  }
}
