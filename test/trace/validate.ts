/**
 * Reading a Chrome trace back the way a viewer does, and checking it: required fields per
 * phase, track names, strict nesting per track (stable sort by ts, then a stack: what
 * Perfetto does with X events), flow pairing, counter order, the window.
 */
import fs from 'node:fs';

export interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  pid: number;
  tid: number;
  dur?: number;
  id?: number | string;
  bp?: string;
  s?: string;
  cat?: string;
  args?: Record<string, unknown>;
}

export interface TraceDoc {
  traceEvents: TraceEvent[];
  displayTimeUnit: string;
  otherData: Record<string, unknown>;
}

export function readTrace(file: string): TraceDoc {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as TraceDoc;
}

/** ts/dur (µs, fractional) back to integer simulated ns. */
export function ns(us: number): number {
  return Math.round(us * 1000);
}

export interface Span {
  name: string;
  tid: number;
  start: number;
  end: number;
  args?: Record<string, unknown>;
  /** Index in the file. */
  at: number;
}

/** X events as ns spans, per tid, in viewer order (stable sort by start). */
export function spansByTid(doc: TraceDoc): Map<number, Span[]> {
  const out = new Map<number, Span[]>();
  doc.traceEvents.forEach((e, at) => {
    if (e.ph !== 'X') return;
    const start = ns(e.ts);
    const s: Span = { name: e.name, tid: e.tid, start, end: start + ns(e.dur ?? 0), args: e.args, at };
    let l = out.get(e.tid);
    if (l === undefined) out.set(e.tid, (l = []));
    l.push(s);
  });
  for (const l of out.values()) l.sort((a, b) => a.start - b.start || a.at - b.at);
  return out;
}

/** The tid named `name` by a thread_name record. */
export function tidOf(doc: TraceDoc, name: string): number | undefined {
  const m = doc.traceEvents.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === name);
  return m?.tid;
}

/** The chain of spans enclosing `t` on a track (outermost first), viewer's nesting. */
export function enclosing(spans: readonly Span[], t: number): Span[] {
  return spans.filter((s) => s.start <= t && t < s.end).sort((a, b) => a.start - b.start || b.end - a.end);
}

export interface CheckOptions {
  cpus: number;
  /** Window in ns: every event must be inside. */
  window?: { start: number; end: number };
}

/** Every problem found, one line each (empty: the trace is good). */
export function checkTrace(doc: TraceDoc, opts: CheckOptions): string[] {
  const problems: string[] = [];
  const p = (s: string) => {
    if (problems.length < 50) problems.push(s);
  };
  if (!Array.isArray(doc.traceEvents)) return ['traceEvents is not an array'];
  if (doc.displayTimeUnit !== 'ns') p(`displayTimeUnit is ${String(doc.displayTimeUnit)}`);
  const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  doc.traceEvents.forEach((e, i) => {
    const where = `event ${i} (${JSON.stringify(e).slice(0, 120)})`;
    if (typeof e.name !== 'string' || e.name === '') p(`${where}: no name`);
    if (typeof e.ph !== 'string') p(`${where}: no ph`);
    if (!num(e.ts)) p(`${where}: no ts`);
    if (!num(e.pid)) p(`${where}: no pid`);
    if (!num(e.tid)) p(`${where}: no tid`);
    switch (e.ph) {
      case 'X':
        if (!num(e.dur)) p(`${where}: X without dur`);
        else if (e.dur! < 0) p(`${where}: negative dur`);
        break;
      case 's':
      case 'f':
        if (e.id === undefined) p(`${where}: flow without id`);
        if (e.ph === 'f' && e.bp !== 'e') p(`${where}: flow end without bp:e`);
        break;
      case 'C':
        if (typeof e.args !== 'object' || e.args === null || Object.keys(e.args).length === 0) p(`${where}: counter without args`);
        else for (const v of Object.values(e.args)) if (!num(v)) p(`${where}: counter value not a number`);
        break;
      case 'i':
        if (e.s !== 't' && e.s !== 'g' && e.s !== 'p') p(`${where}: instant without scope`);
        break;
      case 'M':
        if (typeof e.args !== 'object') p(`${where}: metadata without args`);
        break;
      default:
        p(`${where}: unexpected phase ${e.ph}`);
    }
    if (opts.window !== undefined && e.ph !== 'M') {
      const t = ns(e.ts);
      const end = t + ns(e.dur ?? 0);
      if (t < opts.window.start || end > opts.window.end || (e.ph !== 'X' && t >= opts.window.end)) {
        p(`${where}: outside the window ${opts.window.start}..${opts.window.end} ns`);
      }
    }
  });

  for (let c = 0; c < opts.cpus; c++) if (tidOf(doc, `CPU${c}`) === undefined) p(`no thread_name for CPU${c}`);

  // Strict nesting per track.
  for (const [tid, spans] of spansByTid(doc)) {
    const stack: Span[] = [];
    for (const s of spans) {
      while (stack.length > 0 && stack[stack.length - 1]!.end <= s.start) stack.pop();
      const top = stack[stack.length - 1];
      if (top !== undefined && s.end > top.end) {
        p(`tid ${tid}: ${s.name} [${s.start}, ${s.end}) overlaps ${top.name} [${top.start}, ${top.end}) without nesting`);
      }
      stack.push(s);
    }
  }

  // Flows: every start has one end with the same id, and vice versa.
  const starts = new Map<string, number>();
  const ends = new Map<string, number>();
  for (const e of doc.traceEvents) {
    if (e.ph === 's') starts.set(String(e.id), (starts.get(String(e.id)) ?? 0) + 1);
    if (e.ph === 'f') ends.set(String(e.id), (ends.get(String(e.id)) ?? 0) + 1);
  }
  for (const [id, n] of starts) if (n !== 1 || ends.get(id) !== 1) p(`flow ${id}: ${n} starts, ${ends.get(id) ?? 0} ends`);
  for (const [id, n] of ends) if (!starts.has(id)) p(`flow ${id}: ${n} ends without a start`);

  // Counters: timestamps non-decreasing per counter track, in file order.
  const lastTs = new Map<string, number>();
  for (const e of doc.traceEvents) {
    if (e.ph !== 'C') continue;
    const prev = lastTs.get(e.name);
    if (prev !== undefined && e.ts < prev) p(`counter ${e.name}: ts ${e.ts} after ${prev}`);
    lastTs.set(e.name, e.ts);
  }
  return problems;
}

/**
 * What each flow event binds to, as a viewer reads the file: per track, events in stable
 * order by timestamp, a stack of open X slices; a flow event attaches to the slice on top.
 * Returns, per file index of an `s`/`f` event, the name of that slice (null: none).
 */
export function flowBindings(doc: TraceDoc): Map<number, string | null> {
  const byTid = new Map<number, Array<{ e: TraceEvent; at: number }>>();
  doc.traceEvents.forEach((e, at) => {
    if (e.ph !== 'X' && e.ph !== 's' && e.ph !== 'f') return;
    let l = byTid.get(e.tid);
    if (l === undefined) byTid.set(e.tid, (l = []));
    l.push({ e, at });
  });
  const out = new Map<number, string | null>();
  for (const l of byTid.values()) {
    l.sort((a, b) => ns(a.e.ts) - ns(b.e.ts) || a.at - b.at);
    const stack: Array<{ end: number; name: string }> = [];
    for (const { e, at } of l) {
      const t = ns(e.ts);
      while (stack.length > 0 && stack[stack.length - 1]!.end <= t) stack.pop();
      if (e.ph === 'X') stack.push({ end: t + ns(e.dur ?? 0), name: e.name });
      else out.set(at, stack.length > 0 ? stack[stack.length - 1]!.name : null);
    }
  }
  return out;
}

/** Flows grouped by IPI round (args.round): the number of targets reached. */
export function flowsPerRound(doc: TraceDoc): Map<number, number> {
  const m = new Map<number, number>();
  for (const e of doc.traceEvents) {
    if (e.ph !== 's') continue;
    const r = Number(e.args?.round);
    m.set(r, (m.get(r) ?? 0) + 1);
  }
  return m;
}
