/**
 * Operation statistics shared by every workload: what one "op" is depends on the workload
 * (an I/O, a lock acquire/release, a map–touch–unmap round); its latency and count feed
 * `ops` in the result, and the stop/warm-up rules that count ops.
 */
import { Histogram } from '../engine/stats.js';

export class OpStats {
  completed = 0;
  readonly latency = new Histogram();
  /** Called after each op with the new count (the runner's stop/warm-up checks). */
  onOp: ((completed: number) => void) | null = null;

  record(latencyNs: number): void {
    this.latency.record(latencyNs);
    this.completed++;
    if (this.onOp !== null) this.onOp(this.completed);
  }

  reset(): void {
    this.completed = 0;
    this.latency.reset();
  }
}
