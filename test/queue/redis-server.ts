/**
 * The queue tests need a real redis-server (Debian's `redis-server`; .ci/run installs it when
 * missing): each starts its own on a free loopback port. Without it they fail, naming what to
 * install, unless SMPSIM_SKIP_REDIS=1 says to skip them — and then the skip is loud: one
 * warning per file on stderr, and vitest counts the tests as skipped.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';

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

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

/**
 * Start a throwaway redis-server on `port` (loopback, no persistence, data in `dir`), with
 * `password` if given, and wait until it answers PING: polled on its answer, never on time.
 */
export async function startRedisServer(port: number, dir: string, password: string | null = null): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  const child = spawn('redis-server', [...args, ...(password === null ? [] : ['--requirepass', password])], { stdio: 'ignore' });
  const { Redis } = await import('ioredis');
  for (;;) {
    const r = new Redis({ port, host: '127.0.0.1', ...(password === null ? {} : { password }), lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    r.on('error', () => {});
    try {
      await r.connect();
      await r.ping();
      r.disconnect();
      return child;
    } catch {
      r.disconnect();
      if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}) before answering on port ${port}`);
      await new Promise((res) => setTimeout(res, 50));
    }
  }
}
