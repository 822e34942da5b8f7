/**
 * `smpsim robustness --queue`: the same robustness.json bytes as --jobs 1, with the runs
 * computed by a real `smpsim worker` process on a real redis-server (as test/queue/).
 * Waits on events (a line, an exit), never on elapsed time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, cli, tempDir } from '../cli/helpers.js';
import { read } from '../study/helpers.js';
import { ROBUST_ARGS } from './helpers.js';
import { freePort, requireRedis, skipRedis, startRedisServer } from '../queue/redis-server.js';

const SKIP = skipRedis('test/robust/queue.test.ts');
const children: ChildProcess[] = [];
const tick = () => new Promise((r) => setTimeout(r, 100));

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

describe.skipIf(SKIP)('smpsim robustness --queue (real Redis, a real worker process)', () => {
  it('gives the bytes of --jobs 1', async () => {
    requireRedis();
    const port = await freePort();
    children.push(await startRedisServer(port, tempDir('smpsim-redis-')));
    const url = `redis://127.0.0.1:${port}/3`;
    const worker = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli.ts'), 'worker', '--queue', url, '--concurrency', '2'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(worker);
    let text = '';
    worker.stdout!.on('data', (d: Buffer) => (text += d.toString()));
    worker.stderr!.on('data', (d: Buffer) => (text += d.toString()));
    while (!text.includes('taking runs from') && worker.exitCode === null) await tick();
    expect(text).toContain('taking runs from');

    const dir = tempDir('smpsim-robust-q-');
    const local = await cli(['robustness', ...ROBUST_ARGS, '--jobs', '1', '--out', path.join(dir, 'local'), '--quiet']);
    expect(local.code, local.stderr).toBe(0);
    const queued = await cli(['robustness', ...ROBUST_ARGS, '--queue', url, '--out', path.join(dir, 'queue'), '--quiet']);
    expect(queued.code, queued.stderr).toBe(0);
    expect(read(path.join(dir, 'queue', 'robustness.json'))).toBe(read(path.join(dir, 'local', 'robustness.json')));
    worker.kill('SIGTERM');
  });
});
