/**
 * One simulated CPU: runs one context at a time — a task (process context) or an
 * interrupt handler — and accounts every nanosecond to a category.
 *
 * Interrupts (device completions, IPIs) preempt the running context, task or handler,
 * when its IRQs are enabled: its timed activity freezes and resumes after the handler,
 * pushed back by the handler's duration. With IRQs disabled interrupts stay pending and
 * are taken in arrival order when IRQs are enabled again.
 *
 * A handler is entered with IRQs off (the i386 interrupt gate clears IF). A device
 * handler registered without SA_INTERRUPT then runs its body with IRQs on — 2.4
 * arch/i386/kernel/irq.c handle_IRQ_event(): `if (!(action->flags & SA_INTERRUPT))
 * __sti();` … `__cli();` — so an IPI can nest inside it, except where the body itself
 * disables IRQs (local_irq_disable, spin_lock_irqsave). The handler calls
 * handle_IRQ_event_sti()/_cli() around its body; with `deviceIrqsNest` false (Linux ≥
 * 2.6.35, where IRQF_DISABLED became the only behaviour) they do nothing and the whole
 * handler runs with IRQs off. IPI handlers (call_function_interrupt) never enable IRQs.
 *
 * Scheduling is 2.4-like and non-preemptive: tasks are pinned, a task runs until it
 * sleeps, a woken task waits on its CPU's run queue, and an idle CPU is kicked by a
 * reschedule IPI (reschedule_idle → smp_send_reschedule) when a task on it is woken from
 * another CPU.
 */
import { PARK, Process, type ProcessBody } from '../engine/process.js';
import { CATEGORY_NAMES, IDLE, IRQ, SCHED, type Category } from './accounting.js';
import { CpuTime } from './cpu-time.js';

export type { CpuCosts } from './cpu-time.js';

// ---- execution contexts ------------------------------------------------------------
// Defined here, with the CPU they run on, so that src/cpu/task.ts (the Task class) depends
// on this file and not the other way round; task.ts re-exports them.

/** What a spinning context spins on; told when the task's CPU returns from an interrupt. */
export interface SpinWaitable {
  readonly name: string;
  spinnerResumed(ctx: ExecCtx): void;
}

/**
 * A context that runs kernel code on a CPU: a task (process context) or an interrupt
 * handler. Kernel primitives (spin_lock, kmap_atomic, …) take an ExecCtx, so the same code
 * serves both, and the primitives that may not run in IRQ context can check `inIrq`.
 */
export interface ExecCtx {
  readonly proc: Process;
  readonly cpu: Cpu;
  readonly name: string;
  readonly inIrq: boolean;
  /**
   * The lock this context is spinning on, if any; when it started; the call site; and the
   * site the holder took it at when this context started to wait (lock_stat's contending point).
   */
  spinningOn: SpinWaitable | null;
  spinSince: number;
  spinSite: string;
  spinHolderSite: string;
}

/**
 * task_struct::kmap_ctrl (5.11+ include/linux/sched.h, Gleixner's "sched: highmem: Store
 * local kmaps in task struct"): the task's stack of kmap_local maps. `idx` maps are held;
 * pteval[i] is the page slot i maps (−1: none). The kernel (src/kernel/highmem.ts) pushes
 * and pops it; the scheduler only hands it to the kmap_local switch hooks.
 */
export class KmapCtrl {
  idx = 0;
  readonly pteval: number[] = [];
}

/** What the CPU's scheduler needs of a task (src/cpu/task.ts implements it). */
export interface CpuTask extends ExecCtx {
  /** task_struct::kmap_ctrl: its kmap_local stack. */
  readonly kmap_ctrl: KmapCtrl;
  readonly inIrq: false;
  /** What the task sleeps on, for diagnostics. */
  sleepingOn: string | null;
  /** The task's block plug: submits what it has queued, called when it is about to sleep. */
  plugFlush: (() => void) | null;
  /** Called when another task becomes runnable here while this one loops on schedule() (SCHED_YIELD). */
  onRunnable: (() => void) | null;
  describe(): string;
}

/** One interrupt handler invocation. */
export class IrqCtx implements ExecCtx {
  readonly inIrq = true;
  spinningOn: SpinWaitable | null = null;
  spinSince = 0;
  spinSite = '';
  spinHolderSite = '';

  constructor(
    readonly proc: Process,
    readonly cpu: Cpu,
    readonly name: string,
  ) {}
}

/** An interrupt handler: a generator run in an IrqCtx on the CPU that takes the interrupt. */
export type IrqHandler<T> = (ctx: IrqCtx, arg: T) => ProcessBody;

/** Event priority of interrupt delivery: before task steps due at the same instant. */
export const PRIO_IRQ = -2;

function kickEvent(cpu: Cpu): void {
  cpu.kick();
}

interface PendingIrq {
  fn: IrqHandler<unknown>;
  arg: unknown;
  name: string;
  /** A device interrupt (not an IPI): its line is busy while its handler runs. */
  device: boolean;
}

/** One running (or interrupted) handler invocation: the CPU's interrupt stack. */
interface IrqFrame {
  readonly proc: Process;
  readonly ctx: IrqCtx;
  /** The device line is in progress (IRQ_INPROGRESS) while this frame runs; cleared at softirqEnter. */
  device: boolean;
  /** A device interrupt's frame (false: an IPI), whatever softirqEnter later does to `device`. */
  readonly fromDevice: boolean;
  /** Between handle_IRQ_event's __sti() and __cli(): the body runs with IRQs on. */
  irqsOn: boolean;
  /** The category this handler was charging when a nested handler interrupted it. */
  savedCat: Category;
  /** Its busySplit hold's switch still to come when interrupted: ns left, or −1; and the category. */
  savedSplitLeft: number;
  savedSplitCat: Category;
}

/**
 * The idle-state exit (charged as idle time: the core executes nothing), before the handler
 * (Process.start's `then`: the handler runs in the same step as this returns).
 */
function* leaveIdle(cpu: Cpu, ns: number): ProcessBody {
  yield cpu.busy(IDLE, ns);
  cpu.setCat(IRQ);
}

function takePendingEvent(cpu: Cpu): void {
  cpu.takePending();
}

/**
 * One CPU: its interrupts (entry, nesting, pending, bottom halves) and its scheduler, on
 * top of its time accounting (CpuTime, src/cpu/cpu-time.ts).
 */
export class Cpu extends CpuTime {
  /** The task in process context on this CPU (running, spinning or switching in), or null. */
  current: CpuTask | null = null;
  /** local_irq_disable() depth of the running context (task, or the innermost handler). */
  irqsOffDepth = 0;
  /** A handler is running (irqStack is not empty). */
  inIrq = false;
  /**
   * Device handlers registered without SA_INTERRUPT run their body with IRQs on (2.4 –
   * 2.6.34); false: every handler runs with IRQs off (≥ 2.6.35). Set by the Machine.
   */
  deviceIrqsNest = true;
  /**
   * This CPU is running softirqs / bottom halves (local_bh_count != 0): an interrupt taken
   * meanwhile returns without running them (2.4 do_softirq: `if (in_interrupt()) return;`).
   */
  inSoftirq = false;
  /**
   * local_bh_count of the task context (2.4 spin_lock_bh → local_bh_disable): while non-zero,
   * an interrupt's irq_exit does not run bottom halves (do_softirq: `if (in_interrupt())
   * return;`); they run at the local_bh_enable that brings it back to 0.
   */
  bhDisabled = 0;
  /** A bottom half was left pending by an interrupt taken with bhDisabled. */
  bhPending = false;
  /** Runs the pending bottom halves (set by the kernel that has them: src/kernel/iopath.ts). */
  runPendingBh: ((cpu: Cpu) => void) | null = null;
  /** kmap_atomic slots held (bit per KM_ type): the holder may not sleep. */
  atomicKmaps = 0;
  /** The idle task's kmap_ctrl: what kmap_local in an interrupt taken while idle pushes on. */
  readonly idle_kmap_ctrl = new KmapCtrl();
  /**
   * kmap_local_sched_out / kmap_local_sched_in (5.11+ kernel/sched/core.c: called from
   * prepare_task_switch before switch_to, and from finish_task_switch after it), set by the
   * kernel that has kmap_local (src/kernel/highmem.ts); each returns the ns of its PTE work
   * (0 when the task holds no local map: `if (unlikely(current->kmap_ctrl.idx))`).
   */
  kmapLocalSchedOut: ((cpu: Cpu, prev: CpuTask) => number) | null = null;
  kmapLocalSchedIn: ((cpu: Cpu, next: CpuTask) => number) | null = null;
  /**
   * Switch-out work (kmap_local_sched_out) not yet charged: the model charges a context
   * switch's work when the next task is switched in (as it does context_switch; switching to
   * idle is free), so a task that sleeps with local maps while the CPU goes idle has its
   * sched_out work charged at the CPU's next switch-in. Its PTE and TLB effects are immediate.
   */
  private switchWorkNs = 0;
  irqs = 0;
  contextSwitches = 0;
  reschedIpis = 0;
  private taskCat: Category = IDLE;
  private taskSplitLeft = -1;
  private taskSplitCat: Category = IDLE;
  private runqueue: CpuTask[] = [];
  /** Every task pinned here, for diagnostics (who sleeps on what). */
  private readonly tasks: CpuTask[] = [];
  private pending: PendingIrq[] = [];
  /** Handlers entered and not yet returned, outermost first. */
  private readonly irqStack: IrqFrame[] = [];
  /** Device handlers on irqStack: while one runs, device interrupts wait (IRQ_INPROGRESS). */
  private deviceHandlers = 0;
  private kickPending = false;
  private takePendingScheduled = false;
  private readonly handlerDone = () => this.irqExit();
  /**
   * Time a halted CPU takes to leave its idle state before an interrupt handler can run
   * (C1 hlt exit, or the whole package's C1E exit): set by the Machine, which knows the
   * package; null: waking is free.
   */
  haltExitDelay: ((cpu: Cpu) => number) | null = null;

  // ---- time accounting (the rest: CpuTime, src/cpu/cpu-time.ts) ------------------------

  /**
   * The refill happens as the code running here next touches its pages: whoever runs code
   * next pays, except an IPI handler (call_function_interrupt, the only interrupt that is
   * not a device's): its own few entries (entry stub, stack, call_data) are inside
   * irq_entry_exit and tlb_flush_full, and it never ran the code whose working set went.
   */
  protected refillsHere(): boolean {
    const n = this.irqStack.length;
    return n === 0 || this.irqStack[n - 1]!.fromDevice; // a device handler, or the bottom half it turned into
  }

  /** Restart accounting from now (end of warm-up). */
  resetAccounting(): void {
    this.setCat(this.cat);
    this.time.fill(0);
    this.irqs = 0;
    this.contextSwitches = 0;
    this.reschedIpis = 0;
    this.tlbWorkingSetRefills = 0;
    this.tlb.misses = this.tlb.fullFlushes = this.tlb.pageFlushes = 0;
  }

  // ---- interrupts --------------------------------------------------------------------

  get irqsEnabled(): boolean {
    if (this.irqsOffDepth !== 0) return false;
    const n = this.irqStack.length;
    return n === 0 || this.irqStack[n - 1]!.irqsOn;
  }

  /** `ctx` is what this CPU runs now (not interrupted by a handler, not another task). */
  runs(ctx: ExecCtx): boolean {
    const n = this.irqStack.length;
    return n === 0 ? this.current === ctx : this.irqStack[n - 1]!.ctx === ctx;
  }

  /** An interrupt that may be taken now is pending and IRQs are on: a handler yields 0 here to let it in. */
  get irqWaiting(): boolean {
    return this.irqsEnabled && this.nextPending() >= 0;
  }

  /**
   * Index of the oldest pending interrupt that may be taken now, or −1. A device interrupt
   * waits while a device handler runs: 2.4 do_IRQ() marks the line IRQ_INPROGRESS and
   * handles an interrupt arriving meanwhile (IRQ_PENDING) after the handler, in its loop.
   */
  private nextPending(): number {
    const p = this.pending;
    if (p.length === 0) return -1;
    if (this.deviceHandlers === 0) return 0;
    for (let i = 0; i < p.length; i++) if (!p[i]!.device) return i;
    return -1;
  }

  private takeNextPending(): PendingIrq | undefined {
    const i = this.nextPending();
    if (i < 0) return undefined;
    return i === 0 ? this.pending.shift() : this.pending.splice(i, 1)[0];
  }

  /**
   * handle_IRQ_event()'s `__sti()` for a handler without SA_INTERRUPT: the body from here
   * runs with IRQs on (when device handlers nest). True if an interrupt pending since the
   * handler's entry is to be taken now: the handler then yields 0 so it comes before the
   * body's first instruction (`if (cpu.handle_IRQ_event_sti()) yield 0;`).
   */
  handle_IRQ_event_sti(): boolean {
    if (!this.deviceIrqsNest) return false;
    const top = this.irqStack[this.irqStack.length - 1];
    if (top === undefined) throw new Error(`cpu${this.id}: handle_IRQ_event outside a handler`);
    top.irqsOn = true;
    if (!this.irqWaiting) return false;
    this.schedulePending();
    return true;
  }

  /**
   * irq_exit() → do_softirq(): the running handler's frame turns into softirq context. The
   * device line is no longer in progress (2.4 do_IRQ clears IRQ_INPROGRESS before it calls
   * do_softirq), and softirqs run with IRQs on whatever the handler flags (2.4
   * kernel/softirq.c do_softirq: local_bh_disable(); … local_irq_enable()), so device
   * interrupts and IPIs may nest. True if an interrupt is pending and to be taken now (the
   * caller's next timed step is preempted by it).
   */
  softirqEnter(): boolean {
    const top = this.irqStack[this.irqStack.length - 1];
    if (top === undefined) throw new Error(`cpu${this.id}: do_softirq outside a handler`);
    if (top.device) {
      top.device = false;
      this.deviceHandlers--;
    }
    top.irqsOn = true;
    this.inSoftirq = true;
    if (!this.irqWaiting) return false;
    this.schedulePending();
    return true;
  }

  /** End of do_softirq: `local_irq_disable(); __local_bh_enable();` back to the irq return path. */
  softirqExit(): void {
    const top = this.irqStack[this.irqStack.length - 1];
    if (top !== undefined) top.irqsOn = false;
    this.inSoftirq = false;
  }

  /** handle_IRQ_event()'s closing `__cli()`: the rest of the handler runs with IRQs off. */
  handle_IRQ_event_cli(): void {
    const top = this.irqStack[this.irqStack.length - 1];
    if (top !== undefined) top.irqsOn = false;
  }

  /**
   * Deliver an interrupt: `handler(ctx, arg)` runs on this CPU in interrupt context.
   * Call from an event (a device completion, an IPI arrival), never from this CPU's own
   * task step.
   */
  raise<T>(name: string, handler: IrqHandler<T>, arg: T, device = false): void {
    const irq: PendingIrq = { fn: handler as IrqHandler<unknown>, arg, name, device };
    if (!this.irqsEnabled || (device && this.deviceHandlers > 0)) {
      this.pending.push(irq);
      return;
    }
    this.irqEnter(irq);
  }

  /** local_bh_disable() in task context (2.4 spin_lock_bh): a per-CPU count, no cost. */
  local_bh_disable(): void {
    this.bhDisabled++;
  }

  /**
   * local_bh_enable() (2.4 spin_unlock_bh): back at 0 with a bottom half pending, run it now
   * (2.4.16 include/asm-i386/softirq.h local_bh_enable: `if (!--local_bh_count && softirq_pending)
   * do_softirq()`), here as a software interrupt taken right after the current step.
   */
  local_bh_enable(): void {
    if (this.bhDisabled === 0) throw new Error(`cpu${this.id}: local_bh_enable without disable`);
    if (--this.bhDisabled === 0 && this.bhPending) {
      this.bhPending = false;
      if (this.runPendingBh !== null) this.runPendingBh(this);
    }
  }

  /** A software interrupt (the deferred bottom half): queued, taken right after the current step. */
  raiseSoft<T>(name: string, handler: IrqHandler<T>, arg: T): void {
    this.pending.push({ fn: handler as IrqHandler<unknown>, arg, name, device: true });
    if (this.irqsEnabled) this.schedulePending();
  }

  /** local_irq_disable() in task context. */
  local_irq_disable(): void {
    this.irqsOffDepth++;
  }

  /** local_irq_enable(): pending interrupts are taken right after the current step. */
  local_irq_enable(): void {
    if (this.irqsOffDepth === 0) throw new Error(`cpu${this.id}: local_irq_enable without disable`);
    if (--this.irqsOffDepth === 0 && this.irqsEnabled && this.nextPending() >= 0) this.schedulePending();
  }

  takePending(): void {
    this.takePendingScheduled = false;
    if (!this.irqsEnabled) return; // disabled again meanwhile: retaken at the next enable
    const irq = this.takeNextPending();
    if (irq !== undefined) this.irqEnter(irq);
  }

  private schedulePending(): void {
    if (this.takePendingScheduled) return;
    this.takePendingScheduled = true;
    this.sim.schedule(0, takePendingEvent, this, PRIO_IRQ);
  }

  /** In the idle loop's hlt: no task, no handler, nothing runnable or about to be. */
  get halted(): boolean {
    return this.current === null && !this.inIrq && this.runqueue.length === 0 && !this.kickPending;
  }

  private irqEnter(irq: PendingIrq): void {
    this.irqs++;
    const n = this.irqStack.length;
    // An interrupt that finds the CPU halted (2.6.27 default_idle / c1e_idle: safe_halt())
    // runs its handler only once the CPU has left its idle state.
    const wake = this.haltExitDelay !== null && this.halted ? this.haltExitDelay(this) : 0;
    const left = this.suspendSplit();
    const splitCat = this.suspendedSplitCat;
    if (n === 0) {
      this.inIrq = true;
      this.taskCat = this.cat;
      this.taskSplitLeft = left;
      this.taskSplitCat = splitCat;
      const t = this.current;
      if (t !== null) t.proc.interrupt();
    } else {
      // Nesting: the interrupted handler's activity freezes like a task's would.
      const outer = this.irqStack[n - 1]!;
      outer.savedCat = this.cat;
      outer.savedSplitLeft = left;
      outer.savedSplitCat = splitCat;
      outer.proc.interrupt();
    }
    this.runHandler(irq, wake);
  }

  private runHandler(irq: PendingIrq, wake = 0): void {
    if (this.observer !== null) this.observer.irqEntered(this.id, irq.name);
    this.setCat(IRQ);
    const h = new Process(this.sim, irq.name);
    h.onExit = this.handlerDone;
    const ctx = new IrqCtx(h, this, irq.name);
    this.irqStack.push({ proc: h, ctx, device: irq.device, fromDevice: irq.device, irqsOn: false, savedCat: IRQ, savedSplitLeft: -1, savedSplitCat: IRQ });
    if (irq.device) this.deviceHandlers++;
    if (wake > 0) h.start(leaveIdle(this, wake), 0, irq.fn(ctx, irq.arg));
    else h.start(irq.fn(ctx, irq.arg));
  }

  private irqExit(): void {
    if (this.observer !== null) this.observer.irqReturned(this.id);
    const done = this.irqStack.pop()!;
    if (done.device) this.deviceHandlers--;
    if (this.irqsOffDepth !== 0) throw new Error(`cpu${this.id}: ${done.ctx.name} returned with IRQs disabled`);
    const next = this.takeNextPending();
    if (next !== undefined) {
      this.runHandler(next); // back-to-back (or, over an IRQs-on handler, nested) handlers
      return;
    }
    const outer = this.irqStack[this.irqStack.length - 1];
    if (outer !== undefined) {
      this.resumeCat(outer.savedCat);
      this.resumeSplit(outer.savedSplitLeft, outer.savedSplitCat);
      outer.proc.resume();
      return;
    }
    this.inIrq = false;
    this.resumeCat(this.taskCat);
    this.resumeSplit(this.taskSplitLeft, this.taskSplitCat);
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
  addTask(task: CpuTask, body: ProcessBody): void {
    this.tasks.push(task);
    if (this.current === null && !this.inIrq) {
      this.current = task;
      if (this.observer !== null) this.observer.taskStarted(this.id, task.name);
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
  sleep(task: CpuTask): number {
    if (this.current !== task) throw new Error(`cpu${this.id}: ${task.name} sleeps but is not current`);
    if (this.atomicKmaps !== 0) throw new Error(`cpu${this.id}: ${task.name} sleeps while holding a kmap_atomic`);
    // schedule() → blk_flush_plug(): block requests the task has queued but not yet
    // submitted go to the device before it sleeps (2.4: run_task_queue(&tq_disk)).
    if (task.plugFlush !== null) task.plugFlush();
    this.current = null;
    if (this.kmapLocalSchedOut !== null) this.switchWorkNs += this.kmapLocalSchedOut(this, task);
    if (this.observer !== null) this.observer.taskSwitchedOut(this.id, task.name, task.sleepingOn);
    this.switchToNext();
    return PARK;
  }

  /**
   * schedule() with SCHED_YIELD set (2.4 sched_yield semantics, as alloc_bounce_page uses
   * it): if another task is runnable here, `task` goes to the back of the run queue and
   * that one runs — returns PARK, and `task` continues once it is picked again; else
   * schedule() picks `task` again at once — returns 0 (the caller's loop costs the time).
   */
  sched_yield(task: CpuTask): number {
    if (this.current !== task) throw new Error(`cpu${this.id}: ${task.name} yields but is not current`);
    if (this.runqueue.length === 0) return 0;
    if (this.atomicKmaps !== 0) throw new Error(`cpu${this.id}: ${task.name} schedules while holding a kmap_atomic`);
    this.current = null;
    if (this.kmapLocalSchedOut !== null) this.switchWorkNs += this.kmapLocalSchedOut(this, task);
    if (this.observer !== null) this.observer.taskYielded(this.id, task.name);
    this.runqueue.push(task);
    this.switchToNext();
    return PARK;
  }

  /** try_to_wake_up(): make `task` (pinned here) runnable; `waker` is the CPU that wakes it. */
  wakeUp(task: CpuTask, waker: Cpu | null): void {
    const remote = waker !== null && waker !== this;
    // The reschedule IPI finds the CPU in hlt: it leaves its idle state first. Asked before
    // the task is queued: a CPU with a runnable task does not count as halted (C1E needs
    // every core of the package halted, this one included).
    const wake = remote && this.halted && this.haltExitDelay !== null ? this.haltExitDelay(this) : 0;
    this.runqueue.push(task);
    if (this.observer !== null) this.observer.taskWoken(this.id, this.runqueue.length);
    // A task looping on schedule() (SCHED_YIELD) sees the newcomer at its next pass.
    const cur = this.current;
    if (cur !== null && cur.onRunnable !== null) cur.onRunnable();
    if (this.current === null && !this.kickPending) {
      this.kickPending = true;
      if (remote) this.reschedIpis++;
      this.sim.schedule(remote ? this.costs.ipi_latency + wake : 0, kickEvent, this, PRIO_IRQ);
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
    if (this.observer !== null) this.observer.contextSwitch(this.id, next.name, this.runqueue.length);
    this.setCat(SCHED);
    let ns = this.costs.context_switch + this.switchWorkNs;
    this.switchWorkNs = 0;
    if (this.kmapLocalSchedIn !== null) ns += this.kmapLocalSchedIn(this, next);
    next.proc.wake(ns);
  }

  /** One line of state for abort diagnostics. */
  describe(): string {
    const ctx = this.inIrq ? `in IRQ handler${this.irqStack.length > 1 ? ` (nested ${this.irqStack.length} deep)` : ''}` : this.current === null ? 'idle' : `running ${this.current.describe()}`;
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
