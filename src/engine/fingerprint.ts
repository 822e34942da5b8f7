/**
 * Run fingerprints: a 64-bit hash over a run's event trajectory, in the spirit of OMNeT++'s
 * fingerprints. Two runs with the same fingerprint executed the same events at the same
 * times in the same order and drew the same random numbers; any change of behaviour
 * (a cost, a lock's service order, one random draw more or less) changes it.
 *
 * What goes in, in execution order (see docs/CHECK.md):
 *   - every executed event: its time (the float64 bits), a kind id for its callback and an
 *     id for its argument object (both numbered in first-seen order, so they are the same
 *     on every run of the same trajectory), or the argument itself when it is a number;
 *   - every draw of the random streams created while fingerprinting is on (the float64);
 *   - whatever the model mixes in with `Simulator.mix(n)` (e.g. CPU ids);
 *   - at the end, text the caller folds in (the run's final counters).
 *
 * The hash: two independent 32-bit lanes, each a MurmurHash3-style word mixer with its own
 * constants and seed, each finalised with MurmurHash3's fmix32; the fingerprint is the two
 * lanes as 16 hex digits. Not cryptographic; collisions between two given runs have a
 * probability near 2^-64.
 *
 * Cost: nothing when off (the simulator tests one field per event). When on, a few integer
 * multiplies per event and per draw, plus two Map/WeakMap lookups per event.
 */

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

/** Record tags, so that an event, a draw and a mixed number never hash alike. */
const TAG_EVENT = 1;
const TAG_DRAW = 2;
const TAG_MIX = 3;
const TAG_TEXT = 4;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class Fingerprint {
  private a = 0x9747b28c;
  private b = 0x2545f491;
  private words = 0;
  private readonly kinds = new Map<unknown, number>();
  private readonly objects = new WeakMap<object, number>();
  private nextObject = 1;

  /** Bound, so that it can be handed out as a random stream's draw observer. */
  readonly draw = (x: number): void => {
    this.word(TAG_DRAW);
    this.number(x);
  };

  /** Mix one 32-bit word into both lanes. */
  word(w: number): void {
    // Lane a: MurmurHash3 x86_32 body.
    let k = Math.imul(w, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    let a = this.a ^ k;
    a = (a << 13) | (a >>> 19);
    this.a = (Math.imul(a, 5) + 0xe6546b64) | 0;
    // Lane b: the same shape with other constants and rotations.
    let j = Math.imul(w ^ 0x5bd1e995, 0x85ebca6b);
    j = (j << 17) | (j >>> 15);
    j = Math.imul(j, 0xc2b2ae35);
    let b = this.b ^ j;
    b = (b << 11) | (b >>> 21);
    this.b = (Math.imul(b, 9) + 0x52dce729) | 0;
    this.words++;
  }

  /** Mix a number by its float64 bits (so 1 and 1.0000001 differ, and -0 and 0 too). */
  number(x: number): void {
    F64[0] = x;
    this.word(U32[0]!);
    this.word(U32[1]!);
  }

  /** One executed event: its time, its callback's kind, its argument. */
  event(time: number, kind: unknown, arg: unknown): void {
    let k = this.kinds.get(kind);
    if (k === undefined) {
      k = this.kinds.size + 1;
      this.kinds.set(kind, k);
    }
    this.word(TAG_EVENT);
    this.number(time);
    this.word(k);
    if (typeof arg === 'object' && arg !== null) {
      let id = this.objects.get(arg);
      if (id === undefined) {
        id = this.nextObject++;
        this.objects.set(arg, id);
      }
      this.word(id);
    } else if (typeof arg === 'number') {
      this.number(arg);
    } else {
      this.word(0);
    }
  }

  /** A number a model chooses to mix in (a CPU id, a decision). */
  mix(n: number): void {
    this.word(TAG_MIX);
    this.number(n);
  }

  /** Mix text (UTF-16 code units), e.g. a canonical dump of the final counters. */
  text(s: string): void {
    this.word(TAG_TEXT);
    this.word(s.length);
    for (let i = 0; i < s.length; i++) this.word(s.charCodeAt(i));
  }

  /** The fingerprint so far, 16 lowercase hex digits; mixing may continue after it. */
  digest(): string {
    const a = fmix32((this.a ^ this.words) >>> 0);
    const b = fmix32((this.b ^ Math.imul(this.words, 0x27d4eb2d)) >>> 0);
    return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
  }
}

/** Fingerprint of a list of fingerprints (e.g. of a run's replications), order-sensitive. */
export function combineFingerprints(parts: readonly string[]): string {
  if (parts.length === 1) return parts[0]!;
  const fp = new Fingerprint();
  for (const p of parts) fp.text(p);
  return fp.digest();
}
