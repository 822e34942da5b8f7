/**
 * One track of a Chrome trace as a stack of spans (`X` slices) that nest strictly: a span
 * opens on top of the stack and is written when it closes; a span starting at the same
 * timestamp as its parent is held and written after the parent (viewers sort by timestamp
 * only and would otherwise take the shorter span for the parent). The kinds of span a CPU
 * track stacks: category leaf ⊂ IRQ handler ⊂ kernel function ⊂ task; lock holds.
 */
import type { ChromeTraceWriter } from './chrome-writer.js';

export const KIND_LEAF = 0;
export const KIND_TASK = 1;
export const KIND_FN = 2;
export const KIND_IRQ = 3;
export const KIND_LOCK = 4;

export interface Span {
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

export class SpanTrack {
  readonly stack: Span[] = [];

  constructor(
    readonly tr: ChromeTraceWriter,
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
    const ev = tr.formatXAt(this.tid, sp.name, sp.cat, sp.start, end, args ?? sp.args);
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
