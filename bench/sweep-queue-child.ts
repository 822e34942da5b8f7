/**
 * One timing of the sweep-queue benchmark (bench/benchmarks.ts), in a fresh process: a
 * private redis-server on a free loopback port, two `smpsim worker --concurrency 1`
 * processes (started and ready before the clock starts: a worker is started once and serves
 * many sweeps), then the sweep-jobs sweep through the queue. Timed: runSweep alone, as
 * sweep-jobs times it. Prints {seconds, executed, summary} as JSON.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { buildSpec } from '../src/cli/sweep.js';
import { QueueExecutor } from '../src/study/queue.js';
import { parseQueueUrl } from '../src/study/queue-url.js';
import { runSweep } from '../src/study/sweep.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [out, timeMs, replications = 2] = JSON.parse(process.env.SMPSIM_BENCH_SWEEP ?? '[]') as [string, number, number?];

const port = await new Promise<number>((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as net.AddressInfo).port;
    s.close(() => resolve(p));
  });
});
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smpsim-bench-redis-'));
const children: ChildProcess[] = [];
const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
children.push(redis);
try {
  for (;;) {
    const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    r.on('error', () => {});
    try {
      await r.connect();
      await r.ping();
      r.disconnect();
      break;
    } catch {
      r.disconnect();
      await new Promise((res) => setTimeout(res, 50));
    }
  }
  const url = `redis://127.0.0.1:${port}`;
  const ready: Array<Promise<void>> = [];
  for (let i = 0; i < 2; i++) {
    const w = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli.ts'), 'worker', '--queue', url, '--concurrency', '1'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(w);
    let text = '';
    ready.push(new Promise((resolve) => w.stderr!.on('data', (d: Buffer) => ((text += d.toString()), text.includes('taking runs') && resolve()))));
  }
  await Promise.all(ready);
  const io = { stdout() {}, stderr() {}, isTTY: false, env: {}, cwd: ROOT };
  const spec = buildSpec(io, {
    scenario: 'scenarios/scaling-1-32.yaml',
    vary: ['machine.cpus=1..8x2', 'kernel.strategy=kmap,vmap'],
    zip: false,
    set: [`stop.time=${timeMs}ms`, `stop.warmup=${timeMs / 10}ms`],
    replications,
    out,
    plot: false,
    force: true,
    quiet: true,
  });
  const executor = await QueueExecutor.open(parseQueueUrl(url));
  const t0 = performance.now();
  const o = await runSweep(spec, { dir: out, jobs: 1, force: true, executor });
  const seconds = (performance.now() - t0) / 1000;
  await executor.close();
  const summary = fs.readFileSync(path.join(out, 'summary.json'), 'utf8');
  process.stdout.write(JSON.stringify({ seconds, executed: o.executed, summary }));
} finally {
  for (const c of children.reverse()) c.kill('SIGTERM');
  fs.rmSync(dir, { recursive: true, force: true });
}
