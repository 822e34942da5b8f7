/**
 * Operation statistics shared by every workload: what one "op" is depends on the workload
 * (an I/O, a lock acquire/release, a map–touch–unmap round); its latency and count feed
 * `ops` in the result, and the stop/warm-up rules that count ops. Ops are also counted per
 * task, as locktorture reports them, because an unfair lock can starve some tasks while
 * the total looks healthy.
 */
import { Histogram } from '../engine/stats.js';

export class OpStats {
  completed = 0;
  readonly latency = new Histogram();
  /** Ops completed by each task (task ids are 0..tasks−1). */
  perTask: Float64Array;
  /** Called after each op with the new count (the runner's stop/warm-up checks). */
  onOp: ((completed: number) => void) | null = null;

  constructor(tasks = 0) {
    this.perTask = new Float64Array(tasks);
  }

  record(latencyNs: number, task: number): void {
    this.latency.record(latencyNs);
    this.completed++;
    if (task >= this.perTask.length) this.growTasks(task + 1);
    this.perTask[task]!++;
    if (this.onOp !== null) this.onOp(this.completed);
  }

  /** Forget the statistics (end of warm-up); `completed` keeps counting for the stop rule. */
  resetStats(): void {
    this.latency.reset();
    this.perTask.fill(0);
  }

  /** Fewest and most ops done by any one task. */
  fairness(): { min: number; max: number } {
    if (this.perTask.length === 0) return { min: 0, max: 0 };
    let min = Number.POSITIVE_INFINITY;
    let max = 0;
    for (const n of this.perTask) {
      if (n < min) min = n;
      if (n > max) max = n;
    }
    return { min, max };
  }

  private growTasks(n: number): void {
    const next = new Float64Array(n);
    next.set(this.perTask);
    this.perTask = next;
  }
}
