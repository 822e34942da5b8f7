import { Histogram } from '../engine/stats.js';
import type { Warmup } from '../scenario/types.js';

/**
 * The latencies of the measured ops, fed by runScenario's onOpSample hook: a histogram that
 * forgets the warm-up exactly as the model's does (after stop.warmup.ops ops, or at
 * stop.warmup.time), so its percentiles are the result's.
 */
export class LatencyCollector {
  readonly histogram = new Histogram();
  private seen = 0;
  private warm: boolean;

  constructor(private readonly warmup: Warmup | null) {
    this.warm = warmup === null;
  }

  add = (nowNs: number, latencyNs: number): void => {
    const w = this.warmup;
    if (!this.warm && w !== null && 'time_ns' in w && nowNs >= w.time_ns) {
      this.histogram.reset();
      this.warm = true;
    }
    this.histogram.record(latencyNs);
    this.seen++;
    if (!this.warm && w !== null && 'ops' in w && this.seen === w.ops) {
      this.histogram.reset();
      this.warm = true;
    }
  };
}
