/**
 * Named random streams.
 *
 * Every consumer of randomness (a CPU, a workload, a device) owns its own stream, derived
 * from (run seed, stream name). Streams never share generator state, so adding a stream
 * or drawing more from one never shifts the draws of another: a change to one model does
 * not reshuffle the randomness of unrelated ones, which keeps comparisons between
 * configurations paired (common random numbers).
 */
import seedrandom from 'seedrandom';

/** A source of uniform draws in [0, 1). */
export interface Rng {
  next(): number;
}

/** Told of every draw of a stream (a run's fingerprint, engine/fingerprint.ts). */
export type DrawMixer = (draw: number) => void;

/** The mixer that streams created now report to; set only inside withDrawMixer. */
let scopeMixer: DrawMixer | null = null;

/**
 * Run `body` with every stream created inside it reporting each draw to `mix`. Used by
 * the model runner while it builds a fingerprinted machine; streams created outside
 * such a scope (every run without a fingerprint) cost nothing extra per draw.
 */
export function withDrawMixer<T>(mix: DrawMixer, body: () => T): T {
  const prev = scopeMixer;
  scopeMixer = mix;
  try {
    return body();
  } finally {
    scopeMixer = prev;
  }
}

/**
 * xmur3-style 32-bit string hash (MurmurHash3 mixing), started from `h`. Used only at
 * stream creation, never per draw.
 */
function hash32(text: string, h: number): number {
  h = (h ^ text.length) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  // Final avalanche so that close inputs give unrelated outputs.
  h = Math.imul(h ^ (h >>> 16), 2246822507);
  h = Math.imul(h ^ (h >>> 13), 3266489909);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Encodes parts unambiguously: each part is prefixed with its length, so ("a/b","c") and
 * ("a","b/c") never collide. Numbers and their decimal strings encode alike on purpose:
 * a seed of 42 from a CLI flag and 42 from a scenario file give the same streams.
 */
function encode(parts: readonly (string | number)[]): string {
  let out = '';
  for (const p of parts) {
    const s = String(p);
    out += `${s.length}:${s};`;
  }
  return out;
}

/**
 * A stream for (seed, name). The key is hashed four times with different starting states
 * into a 128-bit hex seed string, then fed to seedrandom's alea (fast, ~2^116 period).
 * Same (seed, name) gives the same sequence on every platform.
 */
export function createStream(seed: number | string, name: string): Rng {
  const key = encode(['smpsim-stream', seed, name]);
  let seedText = '';
  for (let i = 0; i < 4; i++) seedText += hash32(key, 0x9e3779b9 * (i + 1)).toString(16).padStart(8, '0');
  const prng = seedrandom.alea(seedText);
  // alea's prng is a closure over its own state (no `this`), so it can serve as `next`.
  const mix = scopeMixer;
  if (mix === null) return { next: prng };
  return {
    next: () => {
      const x = prng();
      mix(x);
      return x;
    },
  };
}

/**
 * A 32-bit unsigned seed derived from a base seed and labels, e.g.
 * `deriveSeed(seed, 'replication', 3)`; deterministic and collision-resistant enough for
 * naming replications.
 */
export function deriveSeed(seed: number, ...parts: (string | number)[]): number {
  return hash32(encode(['smpsim-seed', seed, ...parts]), 0x85ebca6b);
}
