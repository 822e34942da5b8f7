/**
 * The queue tests need a real redis-server (Debian's `redis-server`; .ci/run installs it when
 * missing): each starts its own on a free loopback port. Without it they fail, naming what to
 * install, unless SMPSIM_SKIP_REDIS=1 says to skip them — and then the skip is loud: one
 * warning per file on stderr, and vitest counts the tests as skipped.
 */
import { spawnSync } from 'node:child_process';

export const SKIP_REDIS_ENV = 'SMPSIM_SKIP_REDIS';

const present = spawnSync('redis-server', ['--version']).status === 0;

/** True when `file`'s Redis tests are to be skipped (redis-server missing and the switch set); says so. */
export function skipRedis(file: string, env: NodeJS.ProcessEnv = process.env, hasRedis: boolean = present): boolean {
  const skip = !hasRedis && env[SKIP_REDIS_ENV] === '1';
  if (skip) console.warn(`${file}: SKIPPED: no redis-server on PATH and ${SKIP_REDIS_ENV}=1`);
  return skip;
}

/** Throws (fails the file) when redis-server is missing and the skip switch is not set. */
export function requireRedis(hasRedis: boolean = present): void {
  if (!hasRedis) {
    throw new Error(`redis-server not found: install it (apt-get install redis-server) to test distributed sweeps, or set ${SKIP_REDIS_ENV}=1 to skip these tests`);
  }
}
