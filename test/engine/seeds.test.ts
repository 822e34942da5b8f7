import { describe, expect, it } from 'vitest';
import { runSeed } from '../../src/model/seeds.js';

describe('runSeed', () => {
  it('replication 0 of the scenario as is keeps its seed; others are distinct and stable', () => {
    expect(runSeed(42, 0)).toBe(42);
    const seeds = new Set<number>();
    for (let r = 0; r < 100; r++) for (const p of ['', 'cpus=2', 'cpus=4']) seeds.add(runSeed(42, r, p));
    expect(seeds.size).toBe(300);
    expect(runSeed(42, 3, 'cpus=2')).toBe(runSeed(42, 3, 'cpus=2'));
    expect(runSeed(43, 3, 'cpus=2')).not.toBe(runSeed(42, 3, 'cpus=2'));
  });
});
