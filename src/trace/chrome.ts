/**
 * The writer of the Chrome Trace Event Format — the JSON that ui.perfetto.dev and
 * chrome://tracing open — for a timeline of CPUs (src/trace/timeline.ts drives it from the
 * kernel's happenings, src/cpu/observer.ts):
 *
 *   {"traceEvents":[ …events… ],"displayTimeUnit":"ns","otherData":{…}}
 *
 * Layout (docs/TRACE.md): one process (pid 1) for the machine; per CPU a track (tid) with
 * nested `X` slices — task ⊃ kernel function ⊃ IRQ handler ⊃ category slice — and, when
 * used, a track of the locks held in process context (`CPU0 locks`) and one for locks held
 * in interrupt handlers (`CPU0 irq locks`); a `device` track of data transfers; flow events
 * from a cross-call's initiator to each target's handler; process counters (`C`); instants
 * (`i`) on the CPU where something happened.
 *
 * Events are written as soon as they are complete (a span when it closes), into a
 * TraceSink, so the trace is never held in memory as a whole. Two things keep what the
 * viewers rebuild from the file exact:
 *   - spans on one track nest strictly (a track is a stack; a lock released out of order
 *     closes and reopens the locks above it);
 *   - a span that starts at the same timestamp as its parent is written after the parent
 *     (held until the parent closes), because viewers sort by timestamp only and would
 *     otherwise take the shorter span for the parent.
 *
 * Size: a time window (spans crossing its edges are clipped, everything else outside is
 * dropped) and a limit on the number of events. The limit is never exceeded: room is
 * reserved for closing every open span, and when an event would not fit the trace is cut —
 * every open span closes at that instant and the tracer stops recording.
 *
 * Timestamps are µs (fractional: simulated ns / 1000), as the format wants.
 *
 * The layers: src/trace/chrome-writer.ts the file (records to the sink, the window, the
 * limit), src/trace/counter-track.ts the counter tracks, src/trace/span-track.ts one track
 * of nested spans; this file the CPU, lock and device tracks, flows and instants.
 */
import { CATEGORY_NAMES, IDLE, IRQ, SPIN, type Category } from '../cpu/accounting.js';
import { PID, PROCESS_TID, us, type TraceArgs, type TraceClock } from './chrome-writer.js';
import { Counter, CounterTracks } from './counter-track.js';
import { KIND_FN, KIND_IRQ, KIND_LEAF, KIND_LOCK, KIND_TASK, SpanTrack, type Span } from './span-track.js';

export {
  DEFAULT_TRACE_LIMIT,
  type ChromeTraceOptions,
  type TraceArgs,
  type TraceClock,
  type TraceSink,
  type TraceSummary,
  type TraceWindow,
} from './chrome-writer.js';

/** Per-CPU state: the track and its innermost (category) slice. */
class CpuState {
  readonly track: SpanTrack;
  leafOpen = false;
  leafCat: Category = IDLE;
  leafArgs: string | null = null;
  /** A busySplit hold switches the leaf to splitCat at splitAt (ns); −1: none pending. */
  splitAt = -1;
  splitCat: Category = IDLE;
  /** Category slice of the interrupted context, per nested handler, and its pending split. */
  readonly savedCat: Category[] = [];
  readonly savedArgs: Array<string | null> = [];
  /** ns of the interrupted hold left before its split (−1: none), and the split's category. */
  readonly savedSplitLeft: number[] = [];
  readonly savedSplitCat: Category[] = [];
  locks: SpanTrack | null = null;
  irqLocks: SpanTrack | null = null;
  readonly runqueue: Counter;

  constructor(
    tr: ChromeTrace,
    readonly id: number,
    readonly tid: number,
  ) {
    this.track = new SpanTrack(tr, tid);
    this.runqueue = new Counter(`runqueue CPU${id}`);
  }
}

interface PendingRound {
  ts: number;
  tid: number;
  left: number;
}

export class ChromeTrace extends CounterTracks {
  private ncpus = 0;
  private cpus: CpuState[] = [];
  private device: SpanTrack | null = null;
  private readonly quoted = new Map<string, string>();
  private readonly spinArgs = new Map<string, Map<string, string>>();
  private readonly catNames: string[] = CATEGORY_NAMES.map((n) => JSON.stringify(n));
  private readonly rounds = new Map<number, PendingRound>();
  private flowSeq = 0;

  // ---- setup ---------------------------------------------------------------------------

  /** The machine has `cpus` CPUs; time is read from `clock`. Called once, before the rest. */
  begin(clock: TraceClock, cpus: number): void {
    this.clock = clock;
    this.ncpus = cpus;
    this.meta('process_name', PROCESS_TID, { name: this.opts.processName ?? 'smpsim' });
    this.meta('process_sort_index', PROCESS_TID, { sort_index: 0 });
    for (let i = 0; i < cpus; i++) {
      const s = new CpuState(this, i, 1 + i);
      s.runqueue.index('tasks');
      this.cpus.push(s);
      this.allCounters.push(s.runqueue);
      this.nameTrack(s.tid, `CPU${i}`, 3 * i);
    }
    // The CPUs start idle.
    for (const s of this.cpus) this.openLeaf(s, IDLE, null);
  }

  // ---- CPU tracks ----------------------------------------------------------------------

  /** The CPU's innermost slice is now category `c`. */
  category(cpu: number, c: Category): void {
    if (this.off) return;
    if (this.clock.now >= this.we) {
      this.closeWindow();
      return;
    }
    const s = this.cpus[cpu]!;
    if (s.splitAt >= 0) this.settle(s);
    if (s.leafOpen && s.leafCat === c) return;
    this.closeLeaf(s);
    this.openLeaf(s, c, null);
  }

  /** The hold just started switches to category `cb` after `after` ns (pushed back by interrupts). */
  categorySplit(cpu: number, after: number, cb: Category): void {
    if (this.off) return;
    const s = this.cpus[cpu]!;
    s.splitAt = this.clock.now + after;
    s.splitCat = cb;
    if (after <= 0) this.settle(s);
  }

  /** A handler slice opens on the CPU (the interrupted slices resume at irqExit). */
  irqEnter(cpu: number, handler: string): void {
    if (this.off) return;
    const s = this.cpus[cpu]!;
    if (s.splitAt >= 0) this.settle(s);
    // The interrupted hold (and its split, if any) resumes after the handler.
    s.savedSplitLeft.push(s.splitAt >= 0 ? s.splitAt - this.clock.now : -1);
    s.savedSplitCat.push(s.splitCat);
    s.splitAt = -1;
    s.savedCat.push(s.leafCat);
    s.savedArgs.push(s.leafArgs);
    this.closeLeaf(s);
    if (!s.track.open(KIND_IRQ, this.q(handler), 'irq', this.clock.now, null)) return;
    this.openLeaf(s, IRQ, null);
  }

  /** The innermost handler slice closes. */
  irqExit(cpu: number): void {
    if (this.off) return;
    const s = this.cpus[cpu]!;
    if (s.splitAt >= 0) this.settle(s);
    this.closeLeaf(s);
    this.closeThrough(s.track, s.track.find(KIND_IRQ, null), null);
    const cat = s.savedCat.pop() ?? IDLE;
    const args = s.savedArgs.pop() ?? null;
    this.openLeaf(s, cat, args);
    const left = s.savedSplitLeft.pop() ?? -1;
    const splitCat = s.savedSplitCat.pop() ?? IDLE;
    s.splitAt = left >= 0 ? this.clock.now + left : -1;
    s.splitCat = splitCat;
  }

  /** A task slice opens on the CPU. */
  taskIn(cpu: number, task: string): void {
    if (this.off) return;
    this.openAroundLeaf(this.cpus[cpu]!, KIND_TASK, this.q(task), 'task', null);
  }

  /** The CPU's task slice ends; `then` says what the task does next. */
  taskOut(cpu: number, then: string): void {
    if (this.off) return;
    const s = this.cpus[cpu]!;
    if (s.splitAt >= 0) this.settle(s);
    this.closeAroundLeaf(s, s.track.find(KIND_TASK, null), JSON.stringify({ then }));
  }

  /**
   * Open an enclosing span (a task, a kernel function) at now: the current category leaf
   * is closed and reopened inside it, so slices stay strictly nested.
   */
  private openAroundLeaf(s: CpuState, kind: number, name: string, cat: string, args: string | null): void {
    if (s.splitAt >= 0) this.settle(s);
    const leafCat = s.leafCat;
    const leafArgs = s.leafArgs;
    this.closeLeaf(s);
    if (!s.track.open(kind, name, cat, this.clock.now, args)) return;
    this.openLeaf(s, leafCat, leafArgs);
  }

  /** Close the enclosing span at track index `i` (and what it holds), reopening the leaf outside it. */
  private closeAroundLeaf(s: CpuState, i: number, endArgs: string | null): void {
    const leafCat = s.leafCat;
    const leafArgs = s.leafArgs;
    this.closeLeaf(s);
    this.closeThrough(s.track, i, endArgs);
    this.openLeaf(s, leafCat, leafArgs);
  }

  /** The CPU's `runqueue CPUn` counter. */
  runqueue(cpu: number, length: number): void {
    if (this.off) return;
    this.setCounter(this.cpus[cpu]!.runqueue, 0, length);
  }

  // ---- lock tracks ---------------------------------------------------------------------

  /** The CPU spins on `lock` from call site `site` (a `spin` slice with both as args). */
  spin(cpu: number, lock: string, site: string): void {
    if (this.off) return;
    const s = this.cpus[cpu]!;
    if (s.splitAt >= 0) this.settle(s);
    const args = this.spinArgsOf(lock, site);
    if (s.leafOpen && s.leafCat === SPIN && s.leafArgs === args) return;
    this.closeLeaf(s);
    this.openLeaf(s, SPIN, args);
  }

  /** A hold of `lock` opens on the CPU's (irq) lock track at `from` (ns); `mode` '' or an rwlock's 'read'/'write'. */
  lockHeld(cpu: number, irq: boolean, lock: string, from: number, mode: string): void {
    if (this.off) return;
    const t = this.lockTrack(this.cpus[cpu]!, irq);
    t.open(KIND_LOCK, this.q(lock), 'lock', from, mode === '' ? null : JSON.stringify({ mode }));
  }

  /** The hold of `lock` closes (holds taken after it close and reopen: slices nest). */
  lockReleased(cpu: number, irq: boolean, lock: string): void {
    if (this.off) return;
    const t = this.lockTrack(this.cpus[cpu]!, irq);
    const i = t.find(KIND_LOCK, this.q(lock));
    if (i < 0) return;
    const now = this.clock.now;
    // Locks taken after this one and still held: close them here and reopen them.
    const above: Span[] = [];
    while (t.depth > i + 1) {
      const sp = t.close(now);
      if (sp !== undefined) above.push(sp);
    }
    t.close(now);
    for (let k = above.length - 1; k >= 0; k--) {
      const sp = above[k]!;
      if (!t.open(KIND_LOCK, sp.name, sp.cat, now, sp.args)) return;
    }
  }

  // ---- kernel functions, IPIs, instants, counters, the device ---------------------------

  /** A kernel-function slice opens on the CPU (closed by leave(), no sleep in between). */
  enter(cpu: number, fn: string, args: TraceArgs | null): void {
    if (this.off) return;
    this.openAroundLeaf(this.cpus[cpu]!, KIND_FN, this.q(fn), 'kernel', args === null ? null : JSON.stringify(args));
  }

  leave(cpu: number, fn: string): void {
    if (this.off) return;
    const s = this.cpus[cpu]!;
    if (s.splitAt >= 0) this.settle(s);
    const i = s.track.find(KIND_FN, this.q(fn));
    if (i >= 0) this.closeAroundLeaf(s, i, null);
  }

  /** `cpu` sends IPI round `round` (a fresh id) to `targets` CPUs: flow arrows to their ipiHandler(). */
  ipiSend(cpu: number, targets: number, round: number): void {
    if (this.off) return;
    this.rounds.set(round, { ts: this.clock.now, tid: this.cpus[cpu]!.tid, left: targets });
  }

  /** The IPI handler of round `round` starts on `cpu` (inside its irqEnter slice): the arrow ends there. */
  ipiHandler(cpu: number, round: number): void {
    const p = this.rounds.get(round);
    if (p === undefined) return;
    if (--p.left <= 0) this.rounds.delete(round);
    if (this.off) return;
    const now = this.clock.now;
    if (p.ts < this.ws || now >= this.we) return;
    const s = this.cpus[cpu]!;
    // The flow ends in the handler's span, so both ends are written after it (the end has
    // the same timestamp as the span and must follow it), or dropped with it; see hold().
    const frame = s.track.find(KIND_IRQ, null);
    if (frame < 0 || !this.admit(2)) return;
    const id = ++this.flowSeq;
    const args = `{"round":${round},"target":${cpu}}`;
    const span = s.track.stack[frame]!;
    s.track.hold(span, `{"ph":"s","name":"IPI","cat":"ipi","id":${id},"ts":${us(p.ts)},"pid":${PID},"tid":${p.tid},"args":${args}}`);
    s.track.hold(span, `{"ph":"f","bp":"e","name":"IPI","cat":"ipi","id":${id},"ts":${us(now)},"pid":${PID},"tid":${s.tid},"args":${args}}`);
  }

  /** A point event on the CPU's track, or process-wide with cpu = −1. */
  instant(cpu: number, name: string, args: TraceArgs | null): void {
    if (this.off) return;
    const now = this.clock.now;
    if (now < this.ws || now >= this.we || !this.admit(1)) return;
    const where = cpu < 0 ? `"s":"g","pid":${PID},"tid":${PROCESS_TID}` : `"s":"t","pid":${PID},"tid":${this.cpus[cpu]!.tid}`;
    const a = args === null ? '' : `,"args":${JSON.stringify(args)}`;
    this.emit(`{"ph":"i","name":${this.q(name)},"cat":"event","ts":${us(now)},${where}${a}}`);
  }

  /** A `transfer` slice on the `device` track, from `start` to `end` (ns). */
  deviceTransfer(start: number, end: number, bytes: number): void {
    if (this.off) return;
    if (this.device === null) {
      this.device = new SpanTrack(this, 1 + this.ncpus * 3);
      this.nameTrack(this.device.tid, 'device', 3 * this.ncpus);
    }
    const ev = this.formatXAt(this.device.tid, '"transfer"', 'device', start, end, `{"bytes":${bytes}}`);
    if (ev !== null && this.admit(1)) this.emit(ev);
  }

  // ---- internals -----------------------------------------------------------------------

  private lockTrack(s: CpuState, irq: boolean): SpanTrack {
    if (irq) {
      if (s.irqLocks === null) {
        s.irqLocks = new SpanTrack(this, 1 + 2 * this.ncpus + s.id);
        this.nameTrack(s.irqLocks.tid, `CPU${s.id} irq locks`, 3 * s.id + 2);
      }
      return s.irqLocks;
    }
    if (s.locks === null) {
      s.locks = new SpanTrack(this, 1 + this.ncpus + s.id);
      this.nameTrack(s.locks.tid, `CPU${s.id} locks`, 3 * s.id + 1);
    }
    return s.locks;
  }

  private closeLeaf(s: CpuState, at = this.clock.now): void {
    if (!s.leafOpen) return;
    s.leafOpen = false;
    s.track.close(at);
  }

  private openLeaf(s: CpuState, c: Category, args: string | null, at = this.clock.now): void {
    s.leafCat = c;
    s.leafArgs = args;
    s.leafOpen = s.track.open(KIND_LEAF, this.catNames[c]!, 'cpu', at, args);
  }

  /** Apply a busySplit switch that is due (at its own time, which may be before now). */
  private settle(s: CpuState, now = this.clock.now): void {
    const at = s.splitAt;
    if (at < 0 || at > now) return;
    s.splitAt = -1;
    if (!s.leafOpen || s.leafCat === s.splitCat) return;
    this.closeLeaf(s, at);
    this.openLeaf(s, s.splitCat, null, at);
  }

  /** Close the spans above index `i` and the span at `i` (args `args`); nothing if i < 0. */
  private closeThrough(t: SpanTrack, i: number, args: string | null): void {
    if (i < 0) return;
    const now = this.clock.now;
    while (t.depth > i + 1) t.close(now);
    t.close(now, args);
  }

  protected closeAllAt(at: number): void {
    for (const s of this.cpus) {
      this.settle(s, at);
      s.leafOpen = false;
      s.track.closeAll(at);
      s.locks?.closeAll(at);
      s.irqLocks?.closeAll(at);
    }
    for (const c of this.allCounters) this.flushCounter(c, at);
    this.rounds.clear();
  }

  /** The clock passed the window's end: close what is open (clipped) and stop recording. */
  private closeWindow(): void {
    this.closeAllAt(this.we);
    this.off = true;
  }

  private q(name: string): string {
    let s = this.quoted.get(name);
    if (s === undefined) {
      s = JSON.stringify(name);
      this.quoted.set(name, s);
    }
    return s;
  }

  private spinArgsOf(lock: string, site: string): string {
    let bySite = this.spinArgs.get(lock);
    if (bySite === undefined) {
      bySite = new Map();
      this.spinArgs.set(lock, bySite);
    }
    let a = bySite.get(site);
    if (a === undefined) {
      a = JSON.stringify({ lock, site });
      bySite.set(site, a);
    }
    return a;
  }
}
