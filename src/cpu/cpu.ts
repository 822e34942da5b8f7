/**
 * One simulated CPU: runs one context at a time — a task (process context) or an
 * interrupt handler — and accounts every nanosecond to a category.
 *
 * Interrupts (device completions, IPIs) preempt the task, running or spinning, when its
 * IRQs are enabled: the task's timed activity freezes and resumes after the handler,
 * pushed back by the handler's duration. With IRQs disabled, or while a handler runs
 * (handlers do not nest, as 2.4 x86 handlers run with IRQs off), interrupts stay pending
 * and are taken in arrival order when IRQs are enabled again.
 *
 * Scheduling is 2.4-like and non-preemptive: tasks are pinned, a task runs until it
 * sleeps, a woken task waits on its CPU's run queue, and an idle CPU is kicked by a
 * reschedule IPI (reschedule_idle → smp_send_reschedule) when a task on it is woken from
 * another CPU.
 */
import { PARK, Process, type ProcessBody } from '../engine/process.js';
import type { Simulator } from '../engine/sim.js';
import type { Costs } from '../kernel/costs.js';
import { CATEGORY_NAMES, IDLE, IRQ, N_CATEGORIES, SCHED, type Category } from './accounting.js';
import { IrqCtx, type IrqHandler, type Task } from './task.js';
import { Tlb } from './tlb.js';
import type { Tracer } from './tracer.js';

/** Event priority of interrupt delivery: before task steps due at the same instant. */
export const PRIO_IRQ = -2;

function kickEvent(cpu: Cpu): void {
  cpu.kick();
}

interface PendingIrq {
  fn: IrqHandler<unknown>;
  arg: unknown;
  name: string;
}

function takePendingEvent(cpu: Cpu): void {
  cpu.takePending();
}

export class Cpu {
  /** ns per category; sums to the simulated time once finish() has run. */
  readonly time = new Float64Array(N_CATEGORIES);
  readonly tlb: Tlb;
  /** The task in process context on this CPU (running, spinning or switching in), or null. */
  current: Task | null = null;
  /** local_irq_disable() depth in task context. */
  irqsOffDepth = 0;
  /** A handler is running. */
  inIrq = false;
  /** kmap_atomic slots held (bit per KM_ type): the holder may not sleep. */
  atomicKmaps = 0;
  irqs = 0;
  contextSwitches = 0;
  reschedIpis = 0;
  /** The machine's tracer (src/cpu/tracer.ts), or null: set by the Machine. */
  tracer: Tracer | null = null;

  private cat: Category = IDLE;
  private since = 0;
  private taskCat: Category = IDLE;
  private runqueue: Task[] = [];
  /** Every task pinned here, for diagnostics (who sleeps on what). */
  private readonly tasks: Task[] = [];
  private pending: PendingIrq[] = [];
  private kickPending = false;
  private takePendingScheduled = false;
  private readonly handlerDone = () => this.irqExit();

  constructor(
    readonly id: number,
    readonly sim: Simulator,
    readonly costs: Costs,
    tlbEntries: number,
  ) {
    this.tlb = new Tlb(tlbEntries);
  }

  // ---- time accounting -------------------------------------------------------------

  /** Switch the category that the coming time is charged to. */
  setCat(c: Category): void {
    const now = this.sim.now;
    this.time[this.cat]! += now - this.since;
    this.since = now;
    this.cat = c;
    if (this.tracer !== null) this.tracer.category(this.id, c);
  }

  /** Charge the next `ns` to `c`: `yield cpu.busy(COPY, memcpy_page)`. */
  busy(c: Category, ns: number): number {
    this.setCat(c);
    return ns;
  }

  /**
   * One hold charged to two categories: `a` ns to `ca`, then `b` ns to `cb` (e.g. a
   * kmap_atomic's PTE write and its invlpg), without a second event.
   */
  busySplit(ca: Category, a: number, cb: Category, b: number): number {
    this.setCat(ca);
    this.time[cb]! += b;
    this.time[ca]! -= b;
    if (this.tracer !== null) this.tracer.categorySplit(this.id, a, cb);
    return a + b;
  }

  get category(): Category {
    return this.cat;
  }

  /** Close the accounting at the current time (end of run). */
  finish(): void {
    this.setCat(this.cat);
  }

  /** Restart accounting from now (end of warm-up). */
  resetAccounting(): void {
    this.setCat(this.cat);
    this.time.fill(0);
    this.irqs = 0;
    this.contextSwitches = 0;
    this.reschedIpis = 0;
    this.tlb.misses = this.tlb.fullFlushes = this.tlb.pageFlushes = 0;
  }

  // ---- interrupts --------------------------------------------------------------------

  get irqsEnabled(): boolean {
    return this.irqsOffDepth === 0 && !this.inIrq;
  }

  /**
   * Deliver an interrupt: `handler(ctx, arg)` runs on this CPU in interrupt context.
   * Call from an event (a device completion, an IPI arrival), never from this CPU's own
   * task step.
   */
  raise<T>(name: string, handler: IrqHandler<T>, arg: T): void {
    const irq: PendingIrq = { fn: handler as IrqHandler<unknown>, arg, name };
    if (!this.irqsEnabled) {
      this.pending.push(irq);
      return;
    }
    this.irqEnter(irq);
  }

  /** local_irq_disable() in task context. */
  local_irq_disable(): void {
    this.irqsOffDepth++;
  }

  /** local_irq_enable(): pending interrupts are taken right after the current step. */
  local_irq_enable(): void {
    if (this.irqsOffDepth === 0) throw new Error(`cpu${this.id}: local_irq_enable without disable`);
    if (--this.irqsOffDepth === 0 && this.pending.length > 0 && !this.inIrq) this.schedulePending();
  }

  takePending(): void {
    this.takePendingScheduled = false;
    if (!this.irqsEnabled) return; // disabled again meanwhile: retaken at the next enable
    const irq = this.pending.shift();
    if (irq !== undefined) this.irqEnter(irq);
  }

  private schedulePending(): void {
    if (this.takePendingScheduled) return;
    this.takePendingScheduled = true;
    this.sim.schedule(0, takePendingEvent, this, PRIO_IRQ);
  }

  private irqEnter(irq: PendingIrq): void {
    this.inIrq = true;
    this.irqs++;
    this.taskCat = this.cat;
    const t = this.current;
    if (t !== null) t.proc.interrupt();
    this.runHandler(irq);
  }

  private runHandler(irq: PendingIrq): void {
    if (this.tracer !== null) this.tracer.irqEnter(this.id, irq.name);
    this.setCat(IRQ);
    const h = new Process(this.sim, irq.name);
    h.onExit = this.handlerDone;
    h.start(irq.fn(new IrqCtx(h, this, irq.name), irq.arg));
  }

  private irqExit(): void {
    if (this.tracer !== null) this.tracer.irqExit(this.id);
    const next = this.pending.shift();
    if (next !== undefined) {
      this.runHandler(next); // still in IRQ context: back-to-back handlers
      return;
    }
    this.inIrq = false;
    this.setCat(this.taskCat);
    const t = this.current;
    if (t !== null) {
      t.proc.resume();
      // A spinner on an unfair lock may find the lock free now that it spins again.
      if (t.spinningOn !== null) t.spinningOn.spinnerResumed(t);
    } else if (this.runqueue.length > 0) {
      this.switchToNext();
    }
  }

  // ---- scheduling --------------------------------------------------------------------

  /** Put a new task on this CPU; it starts when the CPU is free. */
  addTask(task: Task, body: ProcessBody): void {
    this.tasks.push(task);
    if (this.current === null && !this.inIrq) {
      this.current = task;
      if (this.tracer !== null) this.tracer.taskIn(this.id, task.name);
      task.proc.start(body);
    } else {
      task.proc.startParked(body);
      this.wakeUp(task, this);
    }
  }

  /**
   * schedule() for a task going to sleep (TASK_UNINTERRUPTIBLE): the CPU switches to the
   * next runnable task or idles. Returns PARK, for `yield cpu.sleep(task)`; the caller has
   * queued the task somewhere that will wake it.
   */
  sleep(task: Task): number {
    if (this.current !== task) throw new Error(`cpu${this.id}: ${task.name} sleeps but is not current`);
    if (this.atomicKmaps !== 0) throw new Error(`cpu${this.id}: ${task.name} sleeps while holding a kmap_atomic`);
    // schedule() → blk_flush_plug(): block requests the task has queued but not yet
    // submitted go to the device before it sleeps (2.4: run_task_queue(&tq_disk)).
    if (task.plugFlush !== null) task.plugFlush();
    this.current = null;
    if (this.tracer !== null) this.tracer.taskOut(this.id, task.name, task.sleepingOn);
    this.switchToNext();
    return PARK;
  }

  /** try_to_wake_up(): make `task` (pinned here) runnable; `waker` is the CPU that wakes it. */
  wakeUp(task: Task, waker: Cpu | null): void {
    this.runqueue.push(task);
    if (this.tracer !== null) this.tracer.runqueue(this.id, this.runqueue.length);
    if (this.current === null && !this.kickPending) {
      this.kickPending = true;
      const remote = waker !== null && waker !== this;
      if (remote) this.reschedIpis++;
      this.sim.schedule(remote ? this.costs.ipi_latency : 0, kickEvent, this, PRIO_IRQ);
    }
  }

  /** The idle CPU notices runnable work (after the reschedule IPI if one was needed). */
  kick(): void {
    this.kickPending = false;
    if (this.inIrq || this.current !== null) return; // picked up at IRQ exit / at next sleep
    this.switchToNext();
  }

  private switchToNext(): void {
    const next = this.runqueue.shift();
    if (next === undefined) {
      this.setCat(IDLE);
      return;
    }
    this.current = next;
    this.contextSwitches++;
    if (this.tracer !== null) {
      this.tracer.runqueue(this.id, this.runqueue.length);
      this.tracer.taskIn(this.id, next.name);
    }
    this.setCat(SCHED);
    next.proc.wake(this.costs.context_switch);
  }

  get runqueueLength(): number {
    return this.runqueue.length;
  }

  /** One line of state for abort diagnostics. */
  describe(): string {
    const ctx = this.inIrq ? 'in IRQ handler' : this.current === null ? 'idle' : `running ${this.current.describe()}`;
    const irq = this.irqsOffDepth > 0 ? ', IRQs off' : '';
    const pend = this.pending.length > 0 ? `, ${this.pending.length} IRQs pending` : '';
    const rq = this.runqueue.length > 0 ? `, runqueue: ${this.runqueue.map((t) => t.name).join(' ')}` : '';
    // Every sleeper is named (a deadlock is diagnosed by who waits on what), grouped by
    // what they sleep on so that a hundred tasks on one wait queue stay one readable list.
    const byChannel = new Map<string, string[]>();
    for (const t of this.tasks) {
      if (t.sleepingOn === null) continue;
      const on = t.sleepingOn;
      const names = byChannel.get(on);
      if (names === undefined) byChannel.set(on, [t.name]);
      else names.push(t.name);
    }
    const groups = [...byChannel].map(([on, names]) => (names.length === 1 ? `${names[0]} on ${on}` : `${names.length} on ${on}: ${names.join(' ')}`));
    const sl = groups.length > 0 ? `; sleeping: ${groups.join('; ')}` : '';
    return `cpu${this.id}: ${ctx}${irq}${pend}${rq} [${CATEGORY_NAMES[this.cat]}]${sl}`;
  }
}
