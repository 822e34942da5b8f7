/**
 * The redis-server switch (README, Development): without redis-server the queue tests fail,
 * naming what to install and the switch; SMPSIM_SKIP_REDIS=1 skips them, saying so.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SKIP_REDIS_ENV, requireRedis, skipRedis } from './redis-server.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('skipping the Redis tests is explicit and loud', () => {
  it('no redis-server and no switch: no skip, and the file fails naming the package and the switch', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(skipRedis('f.test.ts', {}, false)).toBe(false);
    expect(warn).not.toHaveBeenCalled();
    expect(() => requireRedis(false)).toThrow(/^redis-server not found: install it \(apt-get install redis-server\).*set SMPSIM_SKIP_REDIS=1 to skip/);
  });

  it('no redis-server and SMPSIM_SKIP_REDIS=1: skipped, with a warning naming the file', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(skipRedis('f.test.ts', { [SKIP_REDIS_ENV]: '1' }, false)).toBe(true);
    expect(warn).toHaveBeenCalledWith('f.test.ts: SKIPPED: no redis-server on PATH and SMPSIM_SKIP_REDIS=1');
  });

  it('redis-server present: never skipped, whatever the switch says', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(skipRedis('f.test.ts', { [SKIP_REDIS_ENV]: '1' }, true)).toBe(false);
    expect(() => requireRedis(true)).not.toThrow();
    expect(warn).not.toHaveBeenCalled();
  });
});
