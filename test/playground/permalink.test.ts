/**
 * The permalink's encoding (web/permalink.ts), in node (which has the browser's
 * CompressionStream): deflate-raw and the plain fallback both round-trip any text, Unicode
 * included; a fragment without a scenario, or a damaged one, reads as none.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { decodeScenario, encodeScenario } from '../../web/permalink.js';

const TEXTS = ['', 'name: x\n', 'description: ünïcode — “quotes” 日本語 🙂\nmachine: {cpus: 4}\n', 'x: 1\n'.repeat(5000)];

describe('the permalink', () => {
  const saved = globalThis.CompressionStream;
  afterEach(() => {
    globalThis.CompressionStream = saved;
  });

  it('round-trips through deflate-raw (#s=z.…), URL-safe and shorter for long text', async () => {
    for (const t of TEXTS) {
      const hash = await encodeScenario(t);
      expect(hash).toMatch(/^s=z\.[A-Za-z0-9_-]*$/);
      expect(await decodeScenario(`#${hash}&o=x.yaml`)).toBe(t);
    }
    expect((await encodeScenario(TEXTS[3]!)).length).toBeLessThan(TEXTS[3]!.length / 10);
  });

  it('round-trips as plain base64url (#s=p.…) where there is no CompressionStream', async () => {
    // @ts-expect-error simulating a browser without it
    delete globalThis.CompressionStream;
    for (const t of TEXTS) {
      const hash = await encodeScenario(t);
      expect(hash).toMatch(/^s=p\.[A-Za-z0-9_-]*$/);
      expect(await decodeScenario(`#${hash}`)).toBe(t);
    }
  });

  it('reads no scenario from a fragment without one, or a damaged one', async () => {
    expect(await decodeScenario('')).toBeNull();
    expect(await decodeScenario('#o=x.yaml')).toBeNull();
    expect(await decodeScenario('#s=z.AAAA')).toBeNull();
    expect(await decodeScenario('#s=p.__8')).toBeNull(); // not UTF-8
  });
});
