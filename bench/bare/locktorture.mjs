// The ceiling for locktorture-process (issue 24): the same locktorture as
// bench/simpy/locktorture.py and `smpsim run locktorture-ticket-vs-tas`, written as the
// smallest program that does the same simulation — no engine, no processes, no CLI, no
// statistics beyond the same-work check. Plain JavaScript (no TypeScript loader), one file.
//
// The same work, event for event, as smpsim's model of the scenario: 8 writers, each
// think exp(1 us) -> spin_lock -> hold exp(200 ns) -> spin_unlock on one FIFO (ticket) lock
// with zero acquire and hand-off costs; an acquisition is an event of its own (smpsim's
// uncontended spin_lock yields a zero-length hold, a contended one is woken by the
// release with a zero hand-off), so each acquisition is three events: think end,
// acquired, hold end. Draws as smpsim's: alea streams (seedrandom, as src/engine/random.ts),
// exp by inversion rounded to whole ns (src/engine/distributions.ts). Events order by
// (time, insertion sequence) in a 4-ary heap over typed arrays (the fastest queue measured
// for PHOLD: bench/phold.ts). The run ends at the N-th completed acquisition.
//
// Prints one JSON line with the same figures as the SimPy model.
// Usage: node bench/bare/locktorture.mjs [--ops N] [--cpus 8] [--think 1000] [--hold 200] [--seed 1]
import seedrandom from 'seedrandom';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const OPS = arg('ops', 2_000_000);
const CPUS = arg('cpus', 8);
const THINK = arg('think', 1000);
const HOLD = arg('hold', 200);
const SEED = arg('seed', 1);

const t0wall = performance.now();
const THINK_END = 0;
const ACQUIRED = 1;
const HOLD_END = 2;

// The heap: time, sequence, event code (writer * 4 + kind).
const CAP = 4 * CPUS + 4;
const T = new Float64Array(CAP);
const Q = new Float64Array(CAP);
const E = new Int32Array(CAP);
let size = 0;
let seq = 0;
function push(t, e) {
  const o = seq++;
  let i = size++;
  while (i > 0) {
    const p = (i - 1) >> 2;
    const pt = T[p];
    if (pt < t || (pt === t && Q[p] < o)) break;
    T[i] = pt;
    Q[i] = Q[p];
    E[i] = E[p];
    i = p;
  }
  T[i] = t;
  Q[i] = o;
  E[i] = e;
}
function popTop() {
  const n = --size;
  const xt = T[n];
  const xo = Q[n];
  const xe = E[n];
  let i = 0;
  for (;;) {
    const c = 4 * i + 1;
    if (c >= n) break;
    let k = c;
    let kt = T[c];
    let ko = Q[c];
    const end = c + 4 < n ? c + 4 : n;
    for (let j = c + 1; j < end; j++) {
      const jt = T[j];
      if (jt < kt || (jt === kt && Q[j] < ko)) {
        k = j;
        kt = jt;
        ko = Q[j];
      }
    }
    if (xt < kt || (xt === kt && xo < ko)) break;
    T[i] = kt;
    Q[i] = ko;
    E[i] = E[k];
    i = k;
  }
  T[i] = xt;
  Q[i] = xo;
  E[i] = xe;
}

const rng = [];
for (let w = 0; w < CPUS; w++) rng.push(seedrandom.alea(`bare-locktorture;${SEED};${w}`));
const exp = (w, mean) => Math.round(0 - mean * Math.log(1 - rng[w]()));

// The lock: owner (-1 free) and a FIFO of waiting writers (a ring).
let owner = -1;
const waitq = new Int32Array(CPUS);
let qHead = 0;
let qLen = 0;
const lockCall = new Float64Array(CPUS);
let ops = 0;
let latency = 0;
let holdSum = 0;
let contended = 0;
const perTask = new Array(CPUS).fill(0);

let now = 0;
for (let w = 0; w < CPUS; w++) push(exp(w, THINK), w * 4 + THINK_END);
for (;;) {
  now = T[0];
  const e = E[0];
  popTop();
  const w = e >> 2;
  const kind = e & 3;
  if (kind === THINK_END) {
    lockCall[w] = now;
    if (owner < 0) {
      owner = w;
      push(now, w * 4 + ACQUIRED);
    } else {
      contended++;
      waitq[(qHead + qLen++) % CPUS] = w;
    }
  } else if (kind === ACQUIRED) {
    const h = exp(w, HOLD);
    holdSum += h;
    push(now + h, w * 4 + HOLD_END);
  } else {
    if (qLen > 0) {
      owner = waitq[qHead];
      qHead = (qHead + 1) % CPUS;
      qLen--;
      push(now, owner * 4 + ACQUIRED);
    } else owner = -1;
    ops++;
    perTask[w]++;
    latency += now - lockCall[w];
    if (ops === OPS) break;
    push(now + exp(w, THINK), w * 4 + THINK_END);
  }
}
const wall = (performance.now() - t0wall) / 1000;
console.log(
  JSON.stringify({
    ops,
    sim_time_ns: now,
    per_sec: (ops / now) * 1e9,
    latency_mean_ns: latency / ops,
    lock_utilisation: holdSum / now,
    contended_share: contended / ops,
    per_task_min: Math.min(...perTask),
    per_task_max: Math.max(...perTask),
    wall_s: wall,
    node: process.version,
  }),
);
