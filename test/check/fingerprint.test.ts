import { describe, expect, it } from 'vitest';
import { Fingerprint, combineFingerprints, withFingerprintStreams } from '../../src/engine/fingerprint.js';
import { createStream } from '../../src/engine/random.js';
import { Simulator } from '../../src/engine/sim.js';
import { runScenario } from '../../src/model/run.js';
import { resolveScenario } from '../../src/scenario/load.js';
import type { ResolvedScenario } from '../../src/scenario/schema.js';

function scenario(overrides: { seed?: number; handoff?: string; spinlock?: string } = {}): ResolvedScenario {
  return resolveScenario(
    {
      name: 'fp',
      seed: overrides.seed ?? 7,
      machine: { cpus: 4, spinlock: overrides.spinlock ?? 'tas' },
      costs: { preset: 'modern', ...(overrides.handoff === undefined ? {} : { line_transfer_local: overrides.handoff }) },
      workload: { type: 'locktorture', think: 'exp(1us)', hold: 'exp(200ns)' },
      stop: { ops: 3000 },
    },
    'fp.yaml',
  );
}

const fingerprintOf = (s: ResolvedScenario) => runScenario(s, { fingerprint: true }).fingerprint;

describe('run fingerprints', () => {
  it('are 16 hex digits and the same for the same scenario and seed', () => {
    const a = fingerprintOf(scenario());
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprintOf(scenario())).toBe(a);
  });

  it('change with the seed, with a cost, with the lock kind', () => {
    const base = fingerprintOf(scenario());
    expect(fingerprintOf(scenario({ seed: 8 }))).not.toBe(base);
    expect(fingerprintOf(scenario({ handoff: '38ns' }))).not.toBe(base);
    expect(fingerprintOf(scenario({ spinlock: 'ticket' }))).not.toBe(base);
  });

  it('leave the result unchanged, and are absent unless asked for', () => {
    const s = scenario();
    const plain = runScenario(s);
    const withFp = runScenario(s, { fingerprint: true });
    expect(plain.fingerprint).toBeUndefined();
    const { fingerprint: _fp, wall_ms: _w1, ...rest } = withFp;
    const { wall_ms: _w2, ...plainRest } = plain;
    expect(rest).toEqual(plainRest);
  });
});

describe('what the fingerprint covers (engine level)', () => {
  /**
   * A toy model: a ticking process that draws from a stream at each tick. With
   * `useDraw` false the draws do not affect timing: only the draws themselves differ.
   */
  function toyRun(seed: number, opts: { fingerprint: boolean; period?: number; useDraw?: boolean; mixCpu?: number }): string | null {
    const sim = new Simulator();
    const fp = opts.fingerprint ? sim.enableFingerprint() : null;
    const rng = withFingerprintStreams(fp, () => createStream(seed, 'toy'));
    let ticks = 0;
    const tick = (n: number): void => {
      const d = rng.next();
      if (opts.mixCpu !== undefined) sim.mix(opts.mixCpu);
      if (++ticks < 100) sim.schedule((opts.period ?? 10) + (opts.useDraw === true ? d : 0), tick, n + 1);
    };
    sim.schedule(0, tick, 0);
    sim.run();
    return fp === null ? null : fp.digest();
  }

  it('mixes the RNG draws: other draws with identical event times change it', () => {
    const a = toyRun(1, { fingerprint: true });
    expect(toyRun(1, { fingerprint: true })).toBe(a);
    expect(toyRun(2, { fingerprint: true })).not.toBe(a);
  });

  it('mixes event times and what models pass to sim.mix', () => {
    const a = toyRun(1, { fingerprint: true });
    expect(toyRun(1, { fingerprint: true, period: 11 })).not.toBe(a);
    expect(toyRun(1, { fingerprint: true, mixCpu: 0 })).not.toBe(toyRun(1, { fingerprint: true, mixCpu: 1 }));
  });

  it('streams created outside a fingerprint scope are not observed', () => {
    const fp = new Fingerprint();
    const before = fp.digest();
    createStream(1, 'outside').next();
    expect(fp.digest()).toBe(before);
    const inside = withFingerprintStreams(fp, () => createStream(1, 'inside'));
    inside.next();
    expect(fp.digest()).not.toBe(before);
  });

  it('distinguishes event kinds, argument identities and numbers by their bits', () => {
    const f = () => {};
    const g = () => {};
    const digest = (feed: (fp: Fingerprint) => void) => {
      const fp = new Fingerprint();
      feed(fp);
      return fp.digest();
    };
    const o1 = {};
    const o2 = {};
    const base = digest((fp) => [fp.event(1, f, o1), fp.event(2, g, o2)]);
    expect(digest((fp) => [fp.event(1, f, o1), fp.event(2, f, o2)])).not.toBe(base); // kinds
    expect(digest((fp) => [fp.event(1, f, o1), fp.event(2, g, o1)])).not.toBe(base); // identities
    expect(digest((fp) => [fp.event(1, f, o1), fp.event(2.000000001, g, o2)])).not.toBe(base); // times
    // The ids are first-seen ordinals: other objects in the same pattern give the same hash.
    expect(digest((fp) => [fp.event(1, f, {}), fp.event(2, g, {})])).toBe(base);
    expect(digest((fp) => fp.number(0))).not.toBe(digest((fp) => fp.number(-0)));
    expect(digest((fp) => fp.text('ab'))).not.toBe(digest((fp) => fp.text('ba')));
  });

  it('combines replications order-sensitively', () => {
    expect(combineFingerprints(['0123456789abcdef'])).toBe('0123456789abcdef');
    const ab = combineFingerprints(['0123456789abcdef', 'fedcba9876543210']);
    expect(ab).toMatch(/^[0-9a-f]{16}$/);
    expect(combineFingerprints(['fedcba9876543210', '0123456789abcdef'])).not.toBe(ab);
  });
});
