/**
 * PHOLD (issue #2): the classic synthetic benchmark for an event engine.
 *
 * N logical processes (LPs) each start with E events. Handling an event at an LP schedules
 * exactly one new event, at now + lookahead + Exp(mean), for a destination LP: another LP
 * (uniform among the other N−1) with probability p, else itself. The queue therefore
 * always holds N×E events.
 *
 * Three implementations, driven by the same random stream and therefore following the
 * same trajectory (checked: same final time, same per-LP counts):
 *   - engine:  Simulator.schedule(delay, handler, lp), one handler call per event, as models do;
 *   - bare:    a loop on tinyqueue doing the same pops and pushes with the same ordering
 *              (time, then insertion sequence) and the same per-event work, no engine;
 *   - bare typed heap: the same loop on a bare 4-ary heap over typed arrays (times,
 *              sequence numbers, LP indices), no callbacks, no slots — the fastest queue
 *              the engine could be (issue 24);
 *   - process: one generator process per in-flight event (yield the delay). An LP as a single
 *              process could only hold one pending event, so each of the E initial events of
 *              an LP is a process that hops from LP to LP; same events, same order.
 *
 * Delays are integers (makeSampler rounds, as every model's delays are), so ties at equal
 * times are frequent and exercise the sequence tie-break.
 */
import TinyQueue from 'tinyqueue';
import { Simulator } from '../src/engine/sim.js';
import { Process, type ProcessBody } from '../src/engine/process.js';
import { createStream, type Rng } from '../src/engine/random.js';
import { makeSampler, type Sampler } from '../src/engine/distributions.js';
import { metric, timeIt, type BenchDef, type BenchOptions, type BenchResult, type Metric } from './harness.js';

export interface PholdConfig {
  lps: number;
  perLp: number;
  /** Probability that an event's successor goes to another LP. */
  remote: number;
  lookahead: number;
  mean: number;
  /** Events handled per timed repetition. */
  events: number;
  seed: number;
}

/** Queue sizes 16 and 1024, p = 0.5, lookahead 1, mean 10 (issue #2). */
export const PHOLD_CONFIGS: readonly Omit<PholdConfig, 'events'>[] = [
  { lps: 16, perLp: 1, remote: 0.5, lookahead: 1, mean: 10, seed: 1 },
  { lps: 64, perLp: 16, remote: 0.5, lookahead: 1, mean: 10, seed: 1 },
];

/** Events per repetition at scale 1: a few hundred ms per repetition. */
const EVENTS_PER_REP = 2_000_000;

class Lp {
  count = 0;
  constructor(
    readonly id: number,
    readonly model: PholdModel,
  ) {}
}

/** State shared by the three implementations: LPs, the random stream, the delay sampler. */
class PholdModel {
  readonly lps: Lp[];
  readonly rng: Rng;
  readonly exp: Sampler;
  readonly remote: number;
  readonly lookahead: number;
  readonly n: number;
  sim: Simulator | null = null;

  constructor(readonly cfg: PholdConfig) {
    this.n = cfg.lps;
    this.lps = Array.from({ length: cfg.lps }, (_, i) => new Lp(i, this));
    this.rng = createStream(cfg.seed, 'phold');
    this.exp = makeSampler({ kind: 'exp', mean: cfg.mean });
    this.remote = cfg.remote;
    this.lookahead = cfg.lookahead;
  }

  /** The destination of the successor of an event at `lp` (draws one or two uniforms). */
  destination(lp: Lp): Lp {
    const rng = this.rng;
    if (rng.next() < this.remote) {
      const n = this.n;
      return this.lps[(lp.id + 1 + Math.floor(rng.next() * (n - 1))) % n]!;
    }
    return lp;
  }

  delay(): number {
    return this.lookahead + this.exp(this.rng);
  }

  /** Order-sensitive digest of where the events went. */
  checksum(endTime: number): string {
    let h = 0;
    for (const lp of this.lps) h = (h * 31 + lp.count * (lp.id + 1)) % 1_000_000_007;
    return `${endTime}:${h}`;
  }
}

interface Prepared {
  /** The timed part: handle cfg.events events. */
  go(): void;
  /** Digest after go(), to compare implementations. */
  checksum(): string;
}

/** The engine's handler: one event at `lp`. */
function arrive(lp: Lp): void {
  lp.count++;
  const m = lp.model;
  const d = m.delay(); // draw order: delay, then destination, in all three implementations
  m.sim!.schedule(d, arrive, m.destination(lp));
}

export function prepareEngine(cfg: PholdConfig): Prepared {
  const m = new PholdModel(cfg);
  const sim = new Simulator();
  m.sim = sim;
  for (const lp of m.lps) for (let e = 0; e < cfg.perLp; e++) sim.schedule(m.exp(m.rng), arrive, lp);
  return {
    go: () => {
      sim.run({ maxEvents: cfg.events });
    },
    checksum: () => m.checksum(sim.now),
  };
}

interface Item {
  time: number;
  seq: number;
  lp: Lp;
}

function compareItems(a: Item, b: Item): number {
  return a.time - b.time || a.seq - b.seq;
}

export function prepareBare(cfg: PholdConfig): Prepared {
  const m = new PholdModel(cfg);
  const q = new TinyQueue<Item>([], compareItems);
  let seq = 0;
  let now = 0;
  for (const lp of m.lps) for (let e = 0; e < cfg.perLp; e++) q.push({ time: m.exp(m.rng), seq: seq++, lp });
  return {
    go: () => {
      for (let i = 0; i < cfg.events; i++) {
        const it = q.pop()!;
        now = it.time;
        const lp = it.lp;
        lp.count++;
        const d = m.delay();
        q.push({ time: now + d, seq: seq++, lp: m.destination(lp) });
      }
    },
    checksum: () => m.checksum(now),
  };
}

/**
 * A bare 4-ary min-heap over parallel typed arrays of times, insertion sequence numbers and
 * LP indices, ordered by (time, sequence) — issue 24's "bare typed-array heap": no slots, no
 * callbacks, nothing the engine needs for cancelling. The top is T[0] / L[0].
 */
function typedHeap(cap: number) {
  const T = new Float64Array(cap);
  const Q = new Float64Array(cap); // insertion sequence
  const L = new Int32Array(cap); // LP id
  let size = 0;
  let seq = 0;
  const push = (t: number, lp: number): void => {
    const o = seq++;
    let i = size++;
    while (i > 0) {
      const p = (i - 1) >> 2;
      const pt = T[p]!;
      if (pt < t || (pt === t && Q[p]! < o)) break;
      T[i] = pt;
      Q[i] = Q[p]!;
      L[i] = L[p]!;
      i = p;
    }
    T[i] = t;
    Q[i] = o;
    L[i] = lp;
  };
  const popTop = (): void => {
    const n = --size;
    const xt = T[n]!;
    const xo = Q[n]!;
    const xl = L[n]!;
    let i = 0;
    for (;;) {
      const c = 4 * i + 1;
      if (c >= n) break;
      let k = c;
      let kt = T[c]!;
      let ko = Q[c]!;
      const end = c + 4 < n ? c + 4 : n;
      for (let j = c + 1; j < end; j++) {
        const jt = T[j]!;
        if (jt < kt || (jt === kt && Q[j]! < ko)) {
          k = j;
          kt = jt;
          ko = Q[j]!;
        }
      }
      if (xt < kt || (xt === kt && xo < ko)) break;
      T[i] = kt;
      Q[i] = ko;
      L[i] = L[k]!;
      i = k;
    }
    T[i] = xt;
    Q[i] = xo;
    L[i] = xl;
  };
  return { T, L, push, popTop };
}

/** The bare loop on a 4-ary heap over parallel typed arrays (issue 24's "bare typed-array heap"). */
export function prepareBareHeap(cfg: PholdConfig): Prepared {
  const m = new PholdModel(cfg);
  const { T, L, push, popTop } = typedHeap(cfg.lps * cfg.perLp + 1);
  let now = 0;
  for (const lp of m.lps) for (let e = 0; e < cfg.perLp; e++) push(m.exp(m.rng), lp.id);
  return {
    go: () => {
      for (let i = 0; i < cfg.events; i++) {
        now = T[0]!;
        const lp = m.lps[L[0]!]!;
        popTop();
        lp.count++;
        const d = m.delay();
        push(now + d, m.destination(lp).id);
      }
    },
    checksum: () => m.checksum(now),
  };
}

function* token(first: Lp): ProcessBody {
  let lp = first;
  const m = first.model;
  for (;;) {
    lp.count++;
    const d = m.delay();
    const dest = m.destination(lp);
    yield d;
    lp = dest;
  }
}

export function prepareProcess(cfg: PholdConfig): Prepared {
  const m = new PholdModel(cfg);
  const sim = new Simulator();
  m.sim = sim;
  let k = 0;
  for (const lp of m.lps) {
    for (let e = 0; e < cfg.perLp; e++) new Process(sim, `token${k++}`).start(token(lp), m.exp(m.rng));
  }
  return {
    go: () => {
      sim.run({ maxEvents: cfg.events });
    },
    checksum: () => m.checksum(sim.now),
  };
}

// ---------------------------------------------------------------------------------------
// Queue only (issue 24): the same PHOLD with every random decision drawn before the timed
// part (the k-th event's delay and destination offset, in the order the events fire, which
// is the same in all three loops): what is timed is the queue and the dispatch alone. It
// tells whether the issue's "a bare typed-array heap is about twice tinyqueue" holds for
// the queue itself on this machine.

interface Decisions {
  /** Initial event times, LP by LP. */
  init: Float64Array;
  /** Per event k: its successor's delay, and its destination offset (−1: the same LP). */
  delay: Float64Array;
  offset: Int32Array;
}

function drawDecisions(cfg: PholdConfig): Decisions {
  const m = new PholdModel(cfg);
  const q = cfg.lps * cfg.perLp;
  const init = new Float64Array(q);
  for (let i = 0; i < q; i++) init[i] = m.exp(m.rng);
  const delay = new Float64Array(cfg.events);
  const offset = new Int32Array(cfg.events);
  for (let k = 0; k < cfg.events; k++) {
    delay[k] = m.delay();
    offset[k] = m.rng.next() < m.remote ? Math.floor(m.rng.next() * (m.n - 1)) : -1;
  }
  return { init, delay, offset };
}

const decisionCache = new Map<string, Decisions>();
function decisionsFor(cfg: PholdConfig): Decisions {
  const key = JSON.stringify(cfg);
  let d = decisionCache.get(key);
  if (d === undefined) decisionCache.set(key, (d = drawDecisions(cfg)));
  return d;
}

interface QLp {
  id: number;
  count: number;
}

function checksumOf(counts: readonly number[], endTime: number): string {
  let h = 0;
  counts.forEach((c, id) => (h = (h * 31 + c * (id + 1)) % 1_000_000_007));
  return `${endTime}:${h}`;
}

export function prepareEngineQueueOnly(cfg: PholdConfig): Prepared {
  const d = decisionsFor(cfg);
  const n = cfg.lps;
  const lps: QLp[] = Array.from({ length: n }, (_, id) => ({ id, count: 0 }));
  const sim = new Simulator();
  let k = 0;
  const arrive = (lp: QLp): void => {
    lp.count++;
    const off = d.offset[k]!;
    sim.schedule(d.delay[k++]!, arrive, off < 0 ? lp : lps[(lp.id + 1 + off) % n]!);
  };
  let j = 0;
  for (const lp of lps) for (let e = 0; e < cfg.perLp; e++) sim.schedule(d.init[j++]!, arrive, lp);
  return { go: () => void sim.run({ maxEvents: cfg.events }), checksum: () => checksumOf(lps.map((l) => l.count), sim.now) };
}

export function prepareBareQueueOnly(cfg: PholdConfig): Prepared {
  const d = decisionsFor(cfg);
  const n = cfg.lps;
  const counts = new Array<number>(n).fill(0);
  const q = new TinyQueue<{ time: number; seq: number; lp: number }>([], (a, b) => a.time - b.time || a.seq - b.seq);
  let seq = 0;
  let now = 0;
  let j = 0;
  for (let lp = 0; lp < n; lp++) for (let e = 0; e < cfg.perLp; e++) q.push({ time: d.init[j++]!, seq: seq++, lp });
  return {
    go: () => {
      for (let k = 0; k < cfg.events; k++) {
        const it = q.pop()!;
        now = it.time;
        counts[it.lp]!++;
        const off = d.offset[k]!;
        q.push({ time: now + d.delay[k]!, seq: seq++, lp: off < 0 ? it.lp : (it.lp + 1 + off) % n });
      }
    },
    checksum: () => checksumOf(counts, now),
  };
}

export function prepareBareHeapQueueOnly(cfg: PholdConfig): Prepared {
  const d = decisionsFor(cfg);
  const n = cfg.lps;
  const counts = new Array<number>(n).fill(0);
  const { T, L, push, popTop } = typedHeap(n * cfg.perLp + 1);
  let now = 0;
  let j = 0;
  for (let lp = 0; lp < n; lp++) for (let e = 0; e < cfg.perLp; e++) push(d.init[j++]!, lp);
  return {
    go: () => {
      for (let k = 0; k < cfg.events; k++) {
        now = T[0]!;
        const lp = L[0]!;
        popTop();
        counts[lp]!++;
        const off = d.offset[k]!;
        push(now + d.delay[k]!, off < 0 ? lp : (lp + 1 + off) % n);
      }
    },
    checksum: () => checksumOf(counts, now),
  };
}

type Prepare = (cfg: PholdConfig) => Prepared;

/**
 * Time `a` and `b` in pairs (order alternating, to cancel drift), after one warm-up of
 * each. Returns events/s of each and the per-pair ratio a/b, and whether every run of
 * both followed the same trajectory.
 */
function paired(cfg: PholdConfig, a: Prepare, b: Prepare, reps: number) {
  const check = new Set<string>();
  const once = (p: Prepare): number => {
    const run = p(cfg);
    const s = timeIt(run.go);
    check.add(run.checksum());
    return cfg.events / s;
  };
  once(a);
  once(b);
  const ra: number[] = [];
  const rb: number[] = [];
  const ratio: number[] = [];
  const extraNs: number[] = [];
  for (let i = 0; i < reps; i++) {
    let x: number;
    let y: number;
    if (i % 2 === 0) {
      x = once(a);
      y = once(b);
    } else {
      y = once(b);
      x = once(a);
    }
    ra.push(x);
    rb.push(y);
    ratio.push(x / y);
    extraNs.push(1e9 / x - 1e9 / y);
  }
  return { ra, rb, ratio, extraNs, sameTrajectory: check.size === 1 };
}

function configOf(base: Omit<PholdConfig, 'events'>, opts: BenchOptions): PholdConfig {
  return { ...base, events: Math.max(1000, Math.round(EVENTS_PER_REP * opts.scale)) };
}

export const pholdBench: BenchDef = {
  name: 'phold',
  issue: '#2',
  description:
    'PHOLD through Simulator.schedule vs a bare tinyqueue loop (target engine ≥ 1.6× bare, issue 24; ≥ 0.6×, issue 2) and vs a bare typed-array heap loop',
  run(opts: BenchOptions, info: BenchResult['info']): Metric[] {
    const out: Metric[] = [];
    for (const base of PHOLD_CONFIGS) {
      const cfg = configOf(base, opts);
      const q = cfg.lps * cfg.perLp;
      const r = paired(cfg, prepareEngine, prepareBare, opts.reps);
      out.push(metric(`engine q=${q}`, '/s', r.ra));
      out.push(metric(`bare q=${q}`, '/s', r.rb));
      out.push(metric(`engine/bare q=${q}`, 'ratio', r.ratio, { op: '>=', value: 1.6 }, 'median of per-pair ratios'));
      out.push(metric(`engine cost q=${q}`, 'ns/event', r.extraNs, undefined, 'wall ns per event above the bare loop, per pair'));
      const h = paired(cfg, prepareEngine, prepareBareHeap, opts.reps);
      out.push(metric(`bare typed heap q=${q}`, '/s', h.rb));
      out.push(metric(`engine/bare typed heap q=${q}`, 'ratio', h.ratio, undefined, 'median of per-pair ratios'));
      info[`q=${q} config`] = `N=${cfg.lps} E=${cfg.perLp} p=${cfg.remote} lookahead=${cfg.lookahead} mean=${cfg.mean} events/rep=${cfg.events}`;
      info[`q=${q} same trajectory`] = r.sameTrajectory && h.sameTrajectory;
    }
    return out;
  },
};

export const pholdQueueBench: BenchDef = {
  name: 'phold-queue',
  issue: '#24',
  description: 'PHOLD with every random decision drawn before the timing: the queue and dispatch alone — engine, bare tinyqueue, bare typed-array heap',
  run(opts: BenchOptions, info: BenchResult['info']): Metric[] {
    const out: Metric[] = [];
    for (const base of PHOLD_CONFIGS) {
      const cfg = configOf(base, opts);
      const q = cfg.lps * cfg.perLp;
      const r = paired(cfg, prepareEngineQueueOnly, prepareBareQueueOnly, opts.reps);
      const h = paired(cfg, prepareBareHeapQueueOnly, prepareBareQueueOnly, opts.reps);
      const e = paired(cfg, prepareEngineQueueOnly, prepareBareHeapQueueOnly, opts.reps);
      out.push(metric(`engine/bare tinyqueue q=${q}`, 'ratio', r.ratio, undefined, 'queue only; median of per-pair ratios'));
      out.push(metric(`bare typed heap/bare tinyqueue q=${q}`, 'ratio', h.ratio, undefined, 'queue only: the issue says "about twice"'));
      out.push(metric(`engine/bare typed heap q=${q}`, 'ratio', e.ratio, undefined, 'queue only'));
      out.push(metric(`engine q=${q}`, '/s', r.ra));
      info[`q=${q} same trajectory`] = r.sameTrajectory && h.sameTrajectory && e.sameTrajectory;
    }
    return out;
  },
};

export const pholdProcessBench: BenchDef = {
  name: 'phold-process',
  issue: '#2',
  description: 'PHOLD with one generator process per event vs callbacks: cost of the process abstraction',
  run(opts: BenchOptions, info: BenchResult['info']): Metric[] {
    const out: Metric[] = [];
    for (const base of PHOLD_CONFIGS) {
      const cfg = configOf(base, opts);
      const q = cfg.lps * cfg.perLp;
      const r = paired(cfg, prepareProcess, prepareEngine, opts.reps);
      out.push(metric(`process q=${q}`, '/s', r.ra));
      out.push(metric(`callback q=${q}`, '/s', r.rb));
      out.push(metric(`process/callback q=${q}`, 'ratio', r.ratio, undefined, 'median of per-pair ratios'));
      out.push(metric(`process cost q=${q}`, 'ns/event', r.extraNs, undefined, 'wall ns per event above callbacks, per pair'));
      info[`q=${q} config`] = `N=${cfg.lps} E=${cfg.perLp} events/rep=${cfg.events}`;
      info[`q=${q} same trajectory`] = r.sameTrajectory;
    }
    return out;
  },
};
