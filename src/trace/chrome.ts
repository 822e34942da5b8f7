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
 */
import { CATEGORY_NAMES, IDLE, IRQ, SPIN, type Category } from '../cpu/accounting.js';

/** The simulator's clock, as the writer sees it. */
export interface TraceClock {
  /** Current simulated time, ns. */
  readonly now: number;
}

/** Values of the `args` of a trace record. */
export type TraceArgs = Readonly<Record<string, string | number | boolean>>;

/** Where the JSON text goes, in order. */
export interface TraceSink {
  write(chunk: string): void;
}

/** Simulated time range to keep, ns: [start, end). */
export interface TraceWindow {
  start: number;
  end: number;
}

export const DEFAULT_TRACE_LIMIT = 1_000_000;

export interface ChromeTraceOptions {
  window?: TraceWindow;
  /** Most events to write (metadata records naming the tracks are not counted). */
  limit?: number;
  /** Name of the machine's process in the viewer. */
  processName?: string;
  /** Extra fields for the file's `otherData` (scenario, seed, version, …). */
  metadata?: Readonly<Record<string, string | number | boolean | null>>;
}

export interface TraceSummary {
  /** Events written, metadata records excluded. */
  events: number;
  /** Metadata (`M`) records written. */
  metadata: number;
  /** Where the limit cut the trace (simulated ns), or null if it did not. */
  cutAt: number | null;
  /** Simulated time when the trace was finished, ns. */
  endNs: number;
}

const PID = 1;
/** tid of process-wide records (counters, global instants). */
const PROCESS_TID = 0;

const KIND_LEAF = 0;
const KIND_TASK = 1;
const KIND_FN = 2;
const KIND_IRQ = 3;
const KIND_LOCK = 4;

interface Span {
  kind: number;
  /** JSON-quoted name. */
  name: string;
  cat: string;
  start: number;
  /** Start clipped to the window: what will be written. */
  cs: number;
  /** JSON text of args, or null. */
  args: string | null;
  /** Events to write right after this span (children that start with it, flow ends). */
  held: string[] | null;
}

/** µs from ns, as JSON number text. */
function us(ns: number): string {
  return String(ns / 1000);
}

class SpanTrack {
  readonly stack: Span[] = [];

  constructor(
    readonly tr: ChromeTrace,
    readonly tid: number,
  ) {}

  get depth(): number {
    return this.stack.length;
  }

  open(kind: number, name: string, cat: string, start: number, args: string | null): boolean {
    if (!this.tr.admit(1)) return false;
    this.tr.reserved++;
    // A span never starts before the one it is pushed on (a lock hold starting after its
    // acquire cost can otherwise precede an outer one still in its own acquire).
    const top = this.stack[this.stack.length - 1];
    if (top !== undefined && start < top.start) start = top.start;
    const cs = start > this.tr.ws ? start : this.tr.ws;
    this.stack.push({ kind, name, cat, start, cs, args, held: null });
    return true;
  }

  /** Close the top span at `end` (args replaced by `args` if given). */
  close(end: number, args: string | null = null): Span | undefined {
    const sp = this.stack.pop();
    if (sp === undefined) return undefined;
    const tr = this.tr;
    tr.reserved--;
    const ev = tr.formatX(this.tid, sp, end, args ?? sp.args);
    const parent = this.stack[this.stack.length - 1];
    if (ev === null) {
      // Nothing of it is drawn (outside the window, or cut at its start): what it held can
      // only be flow arrows into it, which go with it (both ends: they are held together).
      if (sp.held !== null) tr.reserved -= sp.held.length;
      return sp;
    }
    if (parent !== undefined && parent.cs === sp.cs) {
      // Starts with its parent: written after it.
      this.hold(parent, ev);
      if (sp.held !== null) for (const h of sp.held) this.hold(parent, h, true);
      return sp;
    }
    tr.emit(ev);
    if (sp.held !== null) for (const h of sp.held) tr.emitReserved(h);
    return sp;
  }

  /** Write `ev` right after `sp`; `reservedAlready` if its room is already reserved. */
  hold(sp: Span, ev: string, reservedAlready = false): void {
    if (!reservedAlready) this.tr.reserved++;
    if (sp.held === null) sp.held = [ev];
    else sp.held.push(ev);
  }

  closeAll(end: number): void {
    while (this.stack.length > 0) this.close(end);
  }

  /** Index of the topmost span of `kind` (and `name` if given), or −1. */
  find(kind: number, name: string | null): number {
    const s = this.stack;
    for (let i = s.length - 1; i >= 0; i--) {
      const sp = s[i]!;
      if (sp.kind === kind && (name === null || sp.name === name)) return i;
    }
    return -1;
  }
}

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

/**
 * One counter track: its series' current values. A point is written once the clock has
 * moved past its timestamp (so a gauge that changes several times at one instant gives
 * one point, with the last values); every point carries every series.
 */
class Counter {
  /** JSON-quoted track name. */
  readonly name: string;
  readonly series: string[] = [];
  readonly cur: number[] = [];
  /** Changed before the window opened (its values are written at the window's start). */
  hasBefore = false;
  /** A point was written or is pending. */
  started = false;
  hasPending = false;
  pendingTs = 0;

  constructor(name: string) {
    this.name = JSON.stringify(name);
  }

  index(series: string): number {
    let i = this.series.indexOf(series);
    if (i < 0) {
      i = this.series.length;
      this.series.push(series);
      this.cur.push(0);
    }
    return i;
  }
}

interface PendingRound {
  ts: number;
  tid: number;
  left: number;
}

export class ChromeTrace {
  /** Window start and end, ns. */
  readonly ws: number;
  readonly we: number;
  readonly limit: number;
  /** Room kept for events already promised: open spans, held events, pending counter points. */
  reserved = 0;
  private written = 0;
  private metaWritten = 0;
  private first = true;
  /** Recording stopped (limit cut, window passed, or finished). */
  private off = false;
  private cutAt: number | null = null;
  private finished = false;
  private clock: TraceClock = { now: 0 };
  private ncpus = 0;
  private cpus: CpuState[] = [];
  private device: SpanTrack | null = null;
  private readonly counters = new Map<string, Counter>();
  private readonly allCounters: Counter[] = [];
  private readonly quoted = new Map<string, string>();
  private readonly spinArgs = new Map<string, Map<string, string>>();
  private readonly catNames: string[] = CATEGORY_NAMES.map((n) => JSON.stringify(n));
  private readonly rounds = new Map<number, PendingRound>();
  private flowSeq = 0;

  constructor(
    private readonly sink: TraceSink,
    private readonly opts: ChromeTraceOptions = {},
  ) {
    this.ws = opts.window?.start ?? 0;
    this.we = opts.window?.end ?? Number.POSITIVE_INFINITY;
    this.limit = opts.limit ?? DEFAULT_TRACE_LIMIT;
    if (!(this.we > this.ws)) throw new RangeError(`trace window: end (${this.we} ns) must be after start (${this.ws} ns)`);
    if (!(this.limit >= 1)) throw new RangeError(`trace limit must be at least 1, got ${this.limit}`);
    sink.write('{"traceEvents":[');
  }

  /**
   * Create counter track `track` with its `series` (in this order) before any value is set:
   * counter tracks are written in the order they were created.
   */
  declareCounter(track: string, series: readonly string[]): void {
    const c = this.counterNamed(track);
    for (const s of series) c.index(s);
  }

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

  /** Series `series` of counter track `track` takes `value`. */
  counter(track: string, series: string, value: number): void {
    if (this.off) return;
    const c = this.counterNamed(track);
    this.setCounter(c, c.index(series), value);
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

  // ---- finishing -----------------------------------------------------------------------

  /**
   * Close every open span at the current time, write the rest of the file (the caller
   * then closes the sink). Idempotent.
   */
  finish(): TraceSummary {
    const endNs = this.clock.now;
    if (!this.finished) {
      this.finished = true;
      if (!this.off) this.closeAllAt(Math.min(endNs, this.we));
      this.off = true;
      const other: Record<string, string | number | boolean | null> = {
        ...this.opts.metadata,
        generator: 'smpsim',
        time_unit: 'simulated ns (ts and dur in µs)',
        window_start_ns: this.ws,
        window_end_ns: Number.isFinite(this.we) ? this.we : null,
        limit: this.limit,
        events: this.written,
        cut_at_ns: this.cutAt,
      };
      this.sink.write(`\n],"displayTimeUnit":"ns","otherData":${JSON.stringify(other)}}\n`);
    }
    return { events: this.written, metadata: this.metaWritten, cutAt: this.cutAt, endNs };
  }

  // ---- internals -----------------------------------------------------------------------

  /** Room for `k` more events? If not, cut the trace here. */
  admit(k: number): boolean {
    if (this.off) return false;
    if (this.written + this.reserved + k <= this.limit) return true;
    this.cutAt = this.clock.now;
    this.off = true; // first: nothing new opens while everything closes
    this.closeAllAt(this.clock.now);
    return false;
  }

  emit(ev: string): void {
    this.written++;
    this.sink.write(this.first ? `\n${ev}` : `,\n${ev}`);
    this.first = false;
  }

  /** Write an event whose room was reserved. */
  emitReserved(ev: string): void {
    this.reserved--;
    this.emit(ev);
  }

  formatX(tid: number, sp: Span, end: number, args: string | null): string | null {
    return this.formatXAt(tid, sp.name, sp.cat, sp.start, end, args);
  }

  /** An `X` event clipped to the window, or null if nothing of it is inside. */
  formatXAt(tid: number, name: string, cat: string, start: number, end: number, args: string | null): string | null {
    const s = start > this.ws ? start : this.ws;
    const e = end < this.we ? end : this.we;
    if (!(e > s)) return null;
    const a = args === null ? '' : `,"args":${args}`;
    return `{"ph":"X","name":${name},"cat":"${cat}","ts":${us(s)},"dur":${us(e - s)},"pid":${PID},"tid":${tid}${a}}`;
  }

  private meta(name: string, tid: number, args: Record<string, string | number>): void {
    this.metaWritten++;
    const ev = `{"ph":"M","name":"${name}","ts":0,"pid":${PID},"tid":${tid},"args":${JSON.stringify(args)}}`;
    this.sink.write(this.first ? `\n${ev}` : `,\n${ev}`);
    this.first = false;
  }

  private nameTrack(tid: number, name: string, sortIndex: number): void {
    this.meta('thread_name', tid, { name });
    this.meta('thread_sort_index', tid, { sort_index: sortIndex });
  }

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

  private closeAllAt(at: number): void {
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

  /** Series `i` of counter `c` is now `value`. */
  private setCounter(c: Counter, i: number, value: number): void {
    if (c.cur[i] === value) return;
    const now = this.clock.now;
    if (now < this.ws) {
      c.cur[i] = value;
      c.hasBefore = true;
      return;
    }
    if (now >= this.we) return;
    if (c.hasPending) {
      if (c.pendingTs !== now) {
        c.hasPending = false;
        this.emitReserved(this.formatC(c, c.pendingTs));
      }
    } else if (!c.started && c.hasBefore && now > this.ws && this.admit(1)) {
      this.emit(this.formatC(c, this.ws)); // the values the window opened with
    }
    c.started = true;
    c.cur[i] = value;
    if (c.hasPending || !this.admit(1)) return;
    this.reserved++;
    c.hasPending = true;
    c.pendingTs = now;
  }

  /** Write a counter's pending point; at the end, values set only before the window. */
  private flushCounter(c: Counter, end: number): void {
    if (c.hasPending) {
      c.hasPending = false;
      this.emitReserved(this.formatC(c, c.pendingTs));
    } else if (!c.started && c.hasBefore && end > this.ws && !this.off && this.written + this.reserved < this.limit) {
      c.started = true;
      this.emit(this.formatC(c, this.ws));
    }
  }

  private formatC(c: Counter, ts: number): string {
    let args = '';
    for (let i = 0; i < c.series.length; i++) args += `${i === 0 ? '' : ','}${JSON.stringify(c.series[i])}:${c.cur[i]}`;
    return `{"ph":"C","name":${c.name},"cat":"counter","ts":${us(ts)},"pid":${PID},"tid":${PROCESS_TID},"args":{${args}}}`;
  }

  private counterNamed(name: string): Counter {
    let c = this.counters.get(name);
    if (c === undefined) {
      c = new Counter(name);
      this.counters.set(name, c);
      this.allCounters.push(c);
    }
    return c;
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
