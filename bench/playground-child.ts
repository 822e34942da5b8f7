/**
 * The playground benchmark's child (bench/benchmarks.ts playgroundBench): the default
 * scenario (lkml-2000-4way) run in the playground's Web Worker in headless Chromium and with
 * the CLI's runScenario in this node process, in interleaved pairs after one warm-up of each.
 * Both figures are the result's own: events / wall_ms (src/model/run.ts times the run the
 * same way in both). The worker run is a plain run, as the CLI's without --html: no trace,
 * no latency collector. Prints one JSON line: {browser: [events/s…], cli: [events/s…], …}.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { runScenario } from '../src/model/run.js';
import { loadScenario } from '../src/scenario/load.js';
// @ts-expect-error a plain .mjs build script without types
import { ROOT, buildPlayground, servePlayground } from '../scripts/playground.mjs';

const [reps, chromiumPath] = JSON.parse(process.env.SMPSIM_BENCH_PLAYGROUND ?? '[3, "/usr/bin/chromium"]') as [number, string];
const NAME = 'lkml-2000-4way';
const file = path.join(ROOT as string, 'scenarios', `${NAME}.yaml`);
const text = fs.readFileSync(file, 'utf8');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smpsim-bench-web-'));
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'smpsim-bench-chromium-'));
await buildPlayground(dir);
const server = (await servePlayground(dir, 0)) as http.Server;
const context = await chromium.launchPersistentContext(profile, {
  executablePath: chromiumPath,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { waitUntil: 'load' });
  await page.waitForSelector('body[data-ready="true"]');
  await page.evaluate(() => {
    (window as unknown as { benchWorker: Worker }).benchWorker = new Worker(new URL('./worker.js', location.href), { type: 'module' });
  });
  /** One plain run in the page's worker: its events and wall_ms. */
  const browserRun = () =>
    page.evaluate(
      ([t, o]) =>
        new Promise<{ events: number; wallMs: number }>((resolve, reject) => {
          const w = (window as unknown as { benchWorker: Worker }).benchWorker;
          w.onmessage = (ev: MessageEvent<{ kind: string; events?: number; wallMs?: number; lines?: string[] }>) => {
            if (ev.data.kind === 'result') resolve({ events: ev.data.events!, wallMs: ev.data.wallMs! });
            else if (ev.data.kind === 'error') reject(new Error(ev.data.lines!.join('; ')));
          };
          w.postMessage({ kind: 'run', text: t, origin: o, set: [], report: false });
        }),
      [text, `${NAME}.yaml`] as const,
    );
  const cliRun = () => {
    const r = runScenario(loadScenario(file));
    return { events: r.events, wallMs: r.wall_ms };
  };
  const rate = (r: { events: number; wallMs: number }) => r.events / (r.wallMs / 1000);
  await browserRun();
  cliRun();
  const browser: number[] = [];
  const cli: number[] = [];
  let events = 0;
  for (let i = 0; i < reps; i++) {
    const b = await browserRun();
    const c = cliRun();
    if (b.events !== c.events) throw new Error(`the worker's run had ${b.events} events, the CLI's ${c.events}: not the same run`);
    events = c.events;
    browser.push(rate(b));
    cli.push(rate(c));
  }
  const version = context.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent));
  process.stdout.write(`${JSON.stringify({ browser, cli, events, chromium: version, node: process.version })}\n`);
} finally {
  await context.close();
  server.close();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(profile, { recursive: true, force: true });
}
