/**
 * A block device with a request queue: up to `queue_depth` requests in service at once
 * (command queueing), the rest wait FIFO. Each request spends `latency` (a distribution:
 * seek, rotation, controller) in its slot, then moves its data over the one channel, FIFO,
 * at `bandwidth` or its share of the machine's memory bus if that is less (the DMA crosses
 * the memory bus with the CPUs' copies: src/cpu/membus.ts) — so the device's throughput is
 * capped by its channel and by memory, like a real disk's.
 * The completion interrupt is routed to cpu0, the submitting CPU, or round-robin.
 */
import { makeSampler, type DistSpec, type Sampler } from '../engine/distributions.js';
import type { Rng } from '../engine/random.js';
import type { Simulator } from '../engine/sim.js';
import { TimeWeighted } from '../engine/stats.js';
import type { Cpu } from '../cpu/cpu.js';
import type { MemoryBus } from '../cpu/membus.js';
import type { IrqHandler } from '../cpu/task.js';

export type IrqRouting = 'cpu0' | 'submitter' | 'round_robin';

export interface DeviceConfig {
  latency: DistSpec;
  bandwidthBytesPerSec: number;
  queueDepth: number;
  irq: IrqRouting;
}

/** What the device needs of a request. */
export interface DeviceRequest {
  bytes: number;
  /** CPU the request was submitted from (for `irq: submitter`). */
  submitCpu: Cpu;
}

export class BlockDevice<R extends DeviceRequest> {
  requests = 0;
  bytes = 0;
  private inService = 0;
  private readonly queue: R[] = [];
  /** The channel is moving a request's data; the others wait in channelQueue. */
  private channelBusy = false;
  private readonly channelQueue: R[] = [];
  private transferStart = 0;
  private rr = 0;
  private readonly latency: Sampler;
  /** Requests queued + in service, time-weighted. */
  readonly occupancy: TimeWeighted;
  /** 1 while any request is in service, time-weighted (utilisation). */
  readonly busy: TimeWeighted;
  private readonly onLatencyDone = (r: R) => this.transfer(r);
  private readonly onTransferDone = (r: R) => this.complete(r);

  constructor(
    readonly sim: Simulator,
    readonly cfg: DeviceConfig,
    readonly cpus: readonly Cpu[],
    readonly rng: Rng,
    /** end_request: the completion interrupt's handler. */
    readonly endIo: IrqHandler<R>,
    /** The memory bus the DMA crosses. */
    readonly bus: MemoryBus,
  ) {
    this.latency = makeSampler(cfg.latency);
    this.occupancy = new TimeWeighted(sim.now, 0);
    this.busy = new TimeWeighted(sim.now, 0);
  }

  /** submit_bio / ll_rw_block: queue the request. */
  submit(r: R): void {
    this.requests++;
    this.bytes += r.bytes;
    this.occupancy.add(this.sim.now, 1);
    if (this.inService < this.cfg.queueDepth) this.start(r);
    else this.queue.push(r);
    // The machine's observer (src/cpu/observer.ts) is reached through its CPUs.
    if (this.cpus[0]!.observer !== null) this.cpus[0]!.observer.requestQueued(this.queued);
  }

  get queued(): number {
    return this.queue.length + this.inService;
  }

  resetStats(): void {
    this.requests = 0;
    this.bytes = 0;
    this.occupancy.reset(this.sim.now);
    this.busy.reset(this.sim.now);
  }

  private start(r: R): void {
    if (this.inService++ === 0) this.busy.set(this.sim.now, 1);
    this.sim.schedule(this.latency(this.rng), this.onLatencyDone, r);
  }

  private transfer(r: R): void {
    if (this.channelBusy) {
      this.channelQueue.push(r);
      return;
    }
    this.channelBusy = true;
    this.transferStart = this.sim.now;
    this.bus.start(r.bytes, this.cfg.bandwidthBytesPerSec / 1e9, this.onTransferDone, r);
  }

  private complete(r: R): void {
    this.channelBusy = false;
    const transferStart = this.transferStart; // the next transfer may start below
    const queued = this.channelQueue.shift();
    if (queued !== undefined) this.transfer(queued);
    this.occupancy.add(this.sim.now, -1);
    if (--this.inService === 0) this.busy.set(this.sim.now, 0);
    const next = this.queue.shift();
    if (next !== undefined) this.start(next);
    if (this.cpus[0]!.observer !== null) this.cpus[0]!.observer.requestCompleted(transferStart, r.bytes, this.queued);
    this.routeIrq(r).raise('end_request', this.endIo, r, true);
  }

  private routeIrq(r: R): Cpu {
    switch (this.cfg.irq) {
      case 'cpu0':
        return this.cpus[0]!;
      case 'submitter':
        return r.submitCpu;
      case 'round_robin':
        return this.cpus[this.rr++ % this.cpus.length]!;
    }
  }
}
