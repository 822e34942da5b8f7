import { describe, expect, it } from 'vitest';
import { createStream, deriveSeed } from '../../src/engine/random.js';
import type { Rng } from '../../src/engine/random.js';

function draws(rng: Rng, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(rng.next());
  return out;
}

describe('createStream', () => {
  it('gives the same first 1000 draws for the same (seed, name)', () => {
    expect(draws(createStream(42, 'cpu0'), 1000)).toEqual(draws(createStream(42, 'cpu0'), 1000));
  });

  it('treats a numeric seed and its decimal string alike', () => {
    expect(draws(createStream(42, 'disk'), 100)).toEqual(draws(createStream('42', 'disk'), 100));
  });

  it('gives different sequences for different names or seeds', () => {
    const a = draws(createStream(42, 'cpu0'), 1000);
    const b = draws(createStream(42, 'cpu1'), 1000);
    const c = draws(createStream(43, 'cpu0'), 1000);
    // Not merely different somewhere: no position should agree (collision chance ~1000/2^32).
    expect(a.filter((x, i) => x === b[i]).length).toBe(0);
    expect(a.filter((x, i) => x === c[i]).length).toBe(0);
  });

  it('does not confuse the boundary between seed and name', () => {
    expect(draws(createStream('1/2', '3'), 10)).not.toEqual(draws(createStream('1', '2/3'), 10));
  });

  it('leaves cpu0 unchanged when other streams are created and drawn from', () => {
    const alone = draws(createStream(7, 'cpu0'), 1000);
    const cpu0 = createStream(7, 'cpu0');
    const cpu1 = createStream(7, 'cpu1');
    const cpu2 = createStream(7, 'cpu2');
    const interleaved: number[] = [];
    for (let i = 0; i < 1000; i++) {
      cpu1.next();
      interleaved.push(cpu0.next());
      cpu2.next();
      cpu2.next();
    }
    expect(interleaved).toEqual(alone);
  });

  it('draws uniform values in [0,1) with mean 0.5 within 4 sigma/sqrt(n)', () => {
    const n = 100_000;
    const rng = createStream(1, 'uniform');
    let sum = 0;
    let below = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      if (!(u >= 0 && u < 1)) outside++;
      sum += u;
      if (u < 0.25) below++;
    }
    expect(outside).toBe(0);
    const sigma = 1 / Math.sqrt(12);
    expect(Math.abs(sum / n - 0.5)).toBeLessThan((4 * sigma) / Math.sqrt(n));
    // A quartile check catches a skewed generator with the right mean.
    expect(Math.abs(below / n - 0.25)).toBeLessThan((4 * Math.sqrt(0.25 * 0.75)) / Math.sqrt(n));
  });
});

describe('deriveSeed', () => {
  it('is a deterministic 32-bit unsigned integer', () => {
    const s = deriveSeed(42, 'replication', 3);
    expect(s).toBe(deriveSeed(42, 'replication', 3));
    expect(Number.isInteger(s) && s >= 0 && s <= 0xffffffff).toBe(true);
  });

  it('differs across parts, seeds and part boundaries', () => {
    const seeds = new Set<number>();
    for (let r = 0; r < 1000; r++) seeds.add(deriveSeed(42, 'replication', r));
    expect(seeds.size).toBe(1000);
    expect(deriveSeed(42, 'a')).not.toBe(deriveSeed(43, 'a'));
    expect(deriveSeed(1, 'ab', 'c')).not.toBe(deriveSeed(1, 'a', 'bc'));
    expect(deriveSeed(1)).not.toBe(deriveSeed(1, ''));
  });
});
