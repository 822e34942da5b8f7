/**
 * Both HTML reports (a sweep's report.html, `run --html`) opened in a real browser: Debian's
 * Chromium driven by playwright-core. Each chart must render (present, non-zero size, with
 * marks), the page must log no console error, make no network request (the reports are
 * offline), and fit a 1200 px window without horizontal overflow.
 *
 * Chromium: $SMPSIM_CHROMIUM, else /usr/bin/chromium (`apt-get install chromium`; .ci/run
 * installs it). Without it this file fails, unless SMPSIM_SKIP_BROWSER=1 says to skip — so CI
 * can never skip it silently. Screenshots go to $SMPSIM_SCREENSHOT_DIR (docs/img holds the
 * committed ones: SMPSIM_SCREENSHOT_DIR=docs/img npx vitest run test/browser), else a temp dir.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED, ROOT, cli, tempDir } from '../cli/helpers.js';

const EXECUTABLE = process.env.SMPSIM_CHROMIUM ?? '/usr/bin/chromium';
const present = fs.existsSync(EXECUTABLE);
const skip = !present && process.env.SMPSIM_SKIP_BROWSER === '1';
if (skip) console.warn(`test/browser: SKIPPED: no Chromium at ${EXECUTABLE} and SMPSIM_SKIP_BROWSER=1`);

const WIDTH = 1200;

describe.skipIf(skip)('the HTML reports in Chromium', () => {
  let context: BrowserContext;
  let profile: string;
  const shots = process.env.SMPSIM_SCREENSHOT_DIR === undefined ? tempDir('smpsim-shots-') : path.resolve(ROOT, process.env.SMPSIM_SCREENSHOT_DIR);

  beforeAll(async () => {
    if (!present) {
      throw new Error(`no Chromium at ${EXECUTABLE}: install it (apt-get install -y chromium), set SMPSIM_CHROMIUM, or set SMPSIM_SKIP_BROWSER=1 to skip these tests`);
    }
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'smpsim-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: EXECUTABLE,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: WIDTH, height: 1000 },
      offline: true,
    });
  });

  afterAll(async () => {
    await context?.close();
    if (profile !== undefined) fs.rmSync(profile, { recursive: true, force: true });
  });

  /** Open a report; everything that went wrong on the way. */
  async function open(file: string): Promise<{ page: Page; problems: string[] }> {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) problems.push(`network request: ${r.url()}`);
    });
    page.on('requestfailed', (r) => problems.push(`failed request: ${r.url()} ${r.failure()?.errorText ?? ''}`));
    await page.goto(`file://${file}`, { waitUntil: 'load' });
    return { page, problems };
  }

  /** Each figure's chart: its size and how many drawn marks it has. */
  async function charts(page: Page): Promise<Array<{ id: string; width: number; height: number; marks: number }>> {
    return page.$$eval('figure', (figs) =>
      figs.map((f) => {
        const svg = f.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        return {
          id: f.id,
          width: box?.width ?? 0,
          height: box?.height ?? 0,
          marks: svg === null ? 0 : svg.querySelectorAll('.role-mark path, .role-mark line, .role-mark rect').length,
        };
      }),
    );
  }

  async function overflow(page: Page): Promise<number> {
    return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  }

  it('a sweep report: seven charts drawn, the points table fits 1200 px, offline, no errors', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'sweep');
    const r = await cli(['sweep', BUNDLED, '--set', 'stop.ops=400', '--vary', 'machine.cpus=1,2,4,8', '--vary', 'machine.spinlock=ticket,tas', '--replications', '2', '--warmup', 'auto', '--jobs', '1', '--out', out, '--plot', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const { page, problems } = await open(path.join(out, 'report.html'));
    const c = await charts(page);
    expect(c.map((x) => x.id)).toEqual(['throughput', 'speedup', 'latency', 'cpuperop', 'ipis', 'lockwait', 'cputime']);
    for (const x of c) {
      expect(x.width, x.id).toBeGreaterThan(100);
      expect(x.height, x.id).toBeGreaterThan(100);
      expect(x.marks, x.id).toBeGreaterThan(0);
    }
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    const table = await page.$eval('#points', (t) => t.getBoundingClientRect().right);
    expect(table).toBeLessThanOrEqual(WIDTH);
    await page.screenshot({ path: path.join(shots, 'report-sweep.png'), fullPage: true, clip: { x: 0, y: 0, width: WIDTH, height: 2300 } });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a sweep over categories (no machine.cpus) with two keys: dots per series drawn, the table fits 1200 px', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'sweep');
    const r = await cli(['sweep', BUNDLED, '--set', 'stop.ops=300', '--vary', 'machine.spinlock=ticket,tas', '--vary', 'kernel.version=2.4.16,2.6.27', '--replications', '2', '--precision', '50%', '--max-replications', '3', '--jobs', '1', '--out', out, '--plot', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const { page, problems } = await open(path.join(out, 'report.html'));
    const c = await charts(page);
    expect(c.map((x) => x.id)).toEqual(['throughput', 'latency', 'cpuperop', 'ipis', 'lockwait', 'cputime']);
    for (const x of c) {
      expect(x.width, x.id).toBeGreaterThan(100);
      expect(x.marks, x.id).toBeGreaterThan(0);
    }
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    expect(await page.$eval('#points', (t) => t.getBoundingClientRect().right)).toBeLessThanOrEqual(WIDTH);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a run report (run --html): CPU time, latency histogram and CDF drawn, every table whole in 1200 px, offline, no errors', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'run.html');
    const r = await cli(['run', path.join(ROOT, 'scenarios', 'lkml-2000-4way.yaml'), '--set', 'stop.ops=1000', '--html', file, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const { page, problems } = await open(file);
    const c = await charts(page);
    expect(c.map((x) => x.id)).toEqual(['cputime', 'latency-histogram', 'latency-cdf']);
    for (const x of c) {
      expect(x.width, x.id).toBeGreaterThan(100);
      expect(x.height, x.id).toBeGreaterThan(100);
      expect(x.marks, x.id).toBeGreaterThan(0);
    }
    for (const id of ['summary', 'bottleneck', 'lockstat', 'counters', 'scenario']) {
      const box = await page.$eval(`#${id}`, (e) => e.getBoundingClientRect().height);
      expect(box, id).toBeGreaterThan(0);
    }
    // Every column of every table is on the page, none behind a scroll bar (the lock_stat
    // columns once made a 1,700 px table in the 1,100 px body).
    const tables = await page.$$eval('table', (ts) =>
      ts.map((t) => ({ id: t.id, right: t.getBoundingClientRect().right, hidden: t.parentElement!.scrollWidth - t.parentElement!.clientWidth })),
    );
    expect(tables.map((t) => t.id)).toEqual(expect.arrayContaining(['lockstat-wait', 'lockstat-hold', 'lockstat-points']));
    for (const t of tables) {
      expect(t.hidden, t.id).toBeLessThanOrEqual(0);
      expect(t.right, t.id).toBeLessThanOrEqual(WIDTH);
    }
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(shots, 'report-run.png'), fullPage: true, clip: { x: 0, y: 0, width: WIDTH, height: 2300 } });
    expect(problems).toEqual([]);
    await page.close();
  });
});
