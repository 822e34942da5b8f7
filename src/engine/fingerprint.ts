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
 * The hash: two 32-bit lanes fed a pair of words at a time and cross-added after each pair
 * (the body of MurmurHash3 x86_128, with two lanes instead of four), finalised with
 * MurmurHash3's fmix32; the fingerprint is the two lanes as 16 hex digits. Not
 * cryptographic: it detects changes, it does not resist forgery.
 *
 * Cost: nothing when off (the simulator tests one field per event). When on, two pair
 * mixes (a dozen integer multiplies) and a Map and a WeakMap lookup per event, one pair
 * mix per random draw.
 */
import { withDrawMixer } from './random.js';

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

/** Tags of the rare records, so that a mixed number or text never hashes like an event. */
const TAG_MIX = 0x6d69783a;
const TAG_TEXT = 0x7478743a;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class Fingerprint {
  private a = 0x9747b28c | 0;
  private b = 0x2545f491 | 0;
  private pairs = 0;
  private readonly kinds = new Map<unknown, number>();
  private readonly objects = new WeakMap<object, number>();
  private nextObject = 1;

  /** A random draw (bound, so that it can be handed to a stream as its draw observer). */
  readonly draw = (x: number): void => {
    F64[0] = x;
    this.pair(U32[0]!, U32[1]!);
  };

  /**
   * Mix two 32-bit words, one per lane, then let the lanes feed each other (the shape of
   * MurmurHash3 x86_128's body, with two lanes instead of four).
   */
  pair(w1: number, w2: number): void {
    let k1 = Math.imul(w1, 0x239b961b);
    k1 = (k1 << 15) | (k1 >>> 17);
    let a = this.a ^ Math.imul(k1, 0xab0e9789);
    let k2 = Math.imul(w2, 0xab0e9789);
    k2 = (k2 << 16) | (k2 >>> 16);
    let b = this.b ^ Math.imul(k2, 0x38b34ae5);
    a = (a << 19) | (a >>> 13);
    a = (a + b) | 0;
    a = (Math.imul(a, 5) + 0x561ccd1b) | 0;
    b = (b << 17) | (b >>> 15);
    b = (b + a) | 0;
    this.b = (Math.imul(b, 5) + 0x0bcaa747) | 0;
    this.a = a;
    this.pairs++;
  }

  /** Mix a number by its float64 bits (so 1 and 1.0000001 differ, and -0 and 0 too). */
  number(x: number): void {
    F64[0] = x;
    this.pair(U32[0]!, U32[1]!);
  }

  /**
   * One executed event: its time; its callback's kind id; its argument's id (objects, in
   * first-seen order) or the argument itself (numbers).
   */
  event(time: number, kind: unknown, arg: unknown): void {
    let k = this.kinds.get(kind);
    if (k === undefined) {
      k = this.kinds.size + 1;
      this.kinds.set(kind, k);
    }
    F64[0] = time;
    this.pair(U32[0]!, U32[1]!);
    if (typeof arg === 'object' && arg !== null) {
      let id = this.objects.get(arg);
      if (id === undefined) {
        id = this.nextObject++;
        this.objects.set(arg, id);
      }
      this.pair(k, id);
    } else if (typeof arg === 'number') {
      this.pair(k | 0x80000000, 0);
      this.number(arg);
    } else {
      this.pair(k | 0x40000000, 0);
    }
  }

  /** A number a model chooses to mix in (a CPU id, a decision). */
  mix(n: number): void {
    this.pair(TAG_MIX, 0);
    this.number(n);
  }

  /** Mix text (UTF-16 code units), e.g. a canonical dump of the final counters. */
  text(s: string): void {
    this.pair(TAG_TEXT, s.length);
    let i = 0;
    for (; i + 1 < s.length; i += 2) this.pair(s.charCodeAt(i), s.charCodeAt(i + 1));
    if (i < s.length) this.pair(s.charCodeAt(i), 0);
  }

  /** The fingerprint so far, 16 lowercase hex digits; mixing may continue after it. */
  digest(): string {
    let a = (this.a ^ this.pairs) | 0;
    let b = (this.b ^ Math.imul(this.pairs, 0x27d4eb2d)) | 0;
    a = (a + b) | 0;
    b = (b + a) | 0;
    a = fmix32(a >>> 0);
    b = fmix32(b >>> 0);
    a = (a + b) | 0;
    b = (b + a) | 0;
    return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
  }
}

/** Fingerprint of a list of fingerprints (e.g. of a run's replications), order-sensitive. */
export function combineFingerprints(parts: readonly string[]): string {
  if (parts.length === 1) return parts[0]!;
  const fp = new Fingerprint();
  for (const p of parts) fp.text(p);
  return fp.digest();
}

/**
 * Run `body` (which builds the model and creates its random streams) so that those
 * streams' draws go into `fp`; with `fp` null, just run it.
 */
export function withFingerprintStreams<T>(fp: Fingerprint | null, body: () => T): T {
  return fp === null ? body() : withDrawMixer(fp.draw, body);
}
