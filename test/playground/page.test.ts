/**
 * The playground (issue 25) in a real browser: Debian's Chromium driven by playwright-core,
 * the page built from src/ (scripts/playground.mjs) and served on a loopback port. Load,
 * pick a scenario, edit it, run it; the numbers on the page are the result JSON's, which is
 * the CLI's for the same scenario and seed, and `smpsim run result.json` re-runs it to the
 * same bytes (wall_ms aside); cancel; a bad scenario's error inline, as the CLI words it;
 * the permalink round trip; the strategy comparison equals `smpsim run --vary`'s table.
 *
 * No wall-clock assertion: every wait is for a condition (generous timeouts only against a
 * hang). The skip rules are test/browser's: $SMPSIM_CHROMIUM, else /usr/bin/chromium;
 * without it this file fails unless SMPSIM_SKIP_BROWSER=1. The page's screenshot goes to
 * $SMPSIM_SCREENSHOT_DIR (docs/img holds the README's), else a temp dir.
 */
import fs from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bottleneckOf, formatBottleneck } from '../../src/report/bottleneck.js';
import { fmtInt } from '../../src/report/format.js';
import type { Result } from '../../src/report/result.js';
import { formatTextReport } from '../../src/report/text.js';
import { ROOT, cli, tempDir } from '../cli/helpers.js';
// @ts-expect-error a plain .mjs build script without types
import { buildPlayground, servePlayground } from '../../scripts/playground.mjs';

const EXECUTABLE = process.env.SMPSIM_CHROMIUM ?? '/usr/bin/chromium';
const present = fs.existsSync(EXECUTABLE);
const skip = !present && process.env.SMPSIM_SKIP_BROWSER === '1';
if (skip) console.warn(`test/playground: SKIPPED: no Chromium at ${EXECUTABLE} and SMPSIM_SKIP_BROWSER=1`);

/** Generous: only against a hang, never a measure of speed. */
const WAIT = { timeout: 300_000 };

const scenarioText = (name: string) => fs.readFileSync(path.join(ROOT, 'scenarios', `${name}.yaml`), 'utf8');

/** A result JSON without its wall-clock field. */
function withoutWall(json: string): unknown {
  const strip = (r: Record<string, unknown>) => {
    const { wall_ms: _wall, ...rest } = r;
    return rest;
  };
  const v = JSON.parse(json) as Record<string, unknown> | Array<Record<string, unknown>>;
  return Array.isArray(v) ? v.map(strip) : strip(v);
}

describe.skipIf(skip)('the playground in Chromium', () => {
  let context: BrowserContext;
  let profile: string;
  let server: http.Server;
  let base: string;
  const problems: string[] = [];
  const shots = process.env.SMPSIM_SCREENSHOT_DIR === undefined ? tempDir('smpsim-shots-') : path.resolve(ROOT, process.env.SMPSIM_SCREENSHOT_DIR);

  beforeAll(async () => {
    if (!present) {
      throw new Error(`no Chromium at ${EXECUTABLE}: install it (apt-get install -y chromium), set SMPSIM_CHROMIUM, or set SMPSIM_SKIP_BROWSER=1 to skip these tests`);
    }
    const dir = tempDir('smpsim-web-');
    await buildPlayground(dir);
    server = (await servePlayground(dir, 0)) as http.Server;
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'smpsim-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: EXECUTABLE,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1200, height: 1000 },
    });
  });

  afterAll(async () => {
    await context?.close();
    await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
    if (profile !== undefined) fs.rmSync(profile, { recursive: true, force: true });
  });

  /** Open the page (at `hash`), recording everything that went wrong in `problems`. */
  async function open(hash = ''): Promise<Page> {
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    // Offline: nothing but the page's own files, from the local server.
    page.on('request', (r) => {
      if (!r.url().startsWith(base) && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) problems.push(`network request: ${r.url()}`);
    });
    await page.goto(base + hash, { waitUntil: 'load' });
    await page.waitForSelector('body[data-ready="true"]', WAIT);
    return page;
  }

  async function setEditor(page: Page, text: string): Promise<void> {
    await page.fill('#editor', text);
  }

  /** Click a run button and wait until the worker is done (results or an error shown). */
  async function runAndWait(page: Page, button: string, section: string): Promise<void> {
    await page.click(button);
    await page.waitForFunction(
      (id) => !document.getElementById(id)!.classList.contains('hidden') && document.getElementById('cancel')!.hasAttribute('disabled'),
      section,
      WAIT,
    );
  }

  /** The downloadable result JSON, as the page offers it. */
  async function downloaded(page: Page): Promise<string> {
    return page.$eval('#download', async (a) => (await fetch((a as HTMLAnchorElement).href)).text());
  }

  it('loads with the default scenario (the 2000 thread’s box) valid, every bundled scenario to pick from', async () => {
    const page = await open();
    expect(await page.inputValue('#editor')).toBe(scenarioText('lkml-2000-4way'));
    expect(await page.textContent('#problems')).toBe('valid scenario');
    const bundled = fs.readdirSync(path.join(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')).sort();
    expect(await page.$$eval('#scenario option', (os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(bundled);
    // The line numbers follow the text.
    expect((await page.textContent('#gutter'))!.trim().split('\n').length).toBe(scenarioText('lkml-2000-4way').split('\n').length);
    await page.close();
    expect(problems).toEqual([]);
  });

  it('pick, edit, run: the page shows the result JSON’s numbers; that JSON is the CLI’s and re-runs to the same bytes', async () => {
    const page = await open();
    await page.selectOption('#scenario', 'locktorture-ticket-vs-tas');
    await page.click('#load');
    expect(await page.inputValue('#editor')).toBe(scenarioText('locktorture-ticket-vs-tas'));
    // Edit: another seed, fewer ops, the tas lock.
    const edited = scenarioText('locktorture-ticket-vs-tas').replace('seed: 1', 'seed: 7').replace('ops: 200000', 'ops: 20000').replace('spinlock: ticket', 'spinlock: tas');
    await setEditor(page, edited);
    await page.waitForFunction(() => document.getElementById('problems')!.textContent === 'valid scenario', null, WAIT);
    await runAndWait(page, '#run', 'results');
    const json = await downloaded(page);
    const result = JSON.parse(json) as Result;
    expect(result.seed).toBe(7);
    expect(result.scenario.machine.spinlock).toBe('tas');

    // The page's numbers are the JSON's: the CLI's text report of it, the bottleneck line, the report's tables.
    expect(await page.textContent('#text')).toBe(formatTextReport(result));
    expect(await page.textContent('#bottleneck')).toBe(`bottleneck: ${formatBottleneck(bottleneckOf(result))}`);
    const report = page.frameLocator('#report');
    await expect.poll(() => report.locator('#summary tr:nth-child(2) td:nth-child(2)').textContent(), WAIT).toBe(fmtInt(result.ops.completed));
    expect(await report.locator('#cputime svg').count()).toBe(1);
    expect(await report.locator('#latency-histogram svg').count()).toBe(1);
    expect(await report.locator('#latency-cdf svg').count()).toBe(1);
    expect(await report.locator('#lockstat-wait').count()).toBe(1);
    // The timeline of the first millisecond: a track per CPU, drawn from the trace.
    const tracks = await page.$$eval('#timeline svg text', (ts) => ts.map((t) => t.textContent));
    for (let cpu = 0; cpu < 8; cpu++) expect(tracks).toContain(`CPU${cpu}`);
    const slices = await page.locator('#timeline rect.slice').count();
    expect(slices).toBeGreaterThan(100);
    // Zoomed to the first 100 µs: fewer spans, still drawn.
    await page.selectOption('#timeline-span', '100');
    const zoomed = await page.locator('#timeline rect.slice').count();
    expect(zoomed).toBeGreaterThan(0);
    expect(zoomed).toBeLessThan(slices);
    expect(await page.$$eval('#timeline svg text', (ts) => ts.map((t) => t.textContent))).toContain('100 µs');

    // The CLI, same scenario and seed: the same result, wall clock aside.
    const dir = tempDir();
    const file = path.join(dir, 'locktorture-ticket-vs-tas.yaml');
    fs.writeFileSync(file, edited);
    const out = path.join(dir, 'cli.json');
    const r = await cli(['run', file, '--format', 'json', '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(withoutWall(json)).toEqual(withoutWall(fs.readFileSync(out, 'utf8')));
    // `smpsim run result.json` re-runs the browser's result to the same bytes (wall_ms aside).
    const saved = path.join(dir, 'result.json');
    fs.writeFileSync(saved, json);
    const again = path.join(dir, 'again.json');
    const r2 = await cli(['run', saved, '--format', 'json', '--out', again, '--quiet']);
    expect(r2.code, r2.stderr).toBe(0);
    const bytes = (t: string) => t.replace(/"wall_ms": [0-9.e+-]+/, '"wall_ms": 0');
    expect(bytes(fs.readFileSync(again, 'utf8'))).toBe(bytes(json));
    await page.close();
    expect(problems).toEqual([]);
  });

  it('cancel stops a run; the page stays responsive while the worker runs', async () => {
    const page = await open();
    // A run far too long to finish while the test watches (10,000 s of simulated time).
    const long = scenarioText('lkml-2000-4way').replace(/^  time: .*$/m, '  time: 10000s');
    expect(long).toContain('time: 10000s');
    await setEditor(page, long);
    await page.waitForFunction(() => document.getElementById('problems')!.textContent === 'valid scenario', null, WAIT);
    await page.click('#run');
    await page.waitForFunction(() => Number((document.getElementById('progress') as HTMLProgressElement).value) > 0, null, WAIT);
    expect(await page.textContent('#status')).toBe('running lkml-2000-4way…');
    // While the worker runs, the page answers: typing updates the line numbers.
    const lines = long.split('\n').length;
    await page.focus('#editor');
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\n# a comment\n');
    expect((await page.textContent('#gutter'))!.trim().split('\n').length).toBe(lines + 2);
    expect(await page.isDisabled('#cancel')).toBe(false);
    expect(await page.isDisabled('#run')).toBe(true);
    await page.click('#cancel');
    expect(await page.textContent('#status')).toBe('cancelled');
    expect(await page.isDisabled('#run')).toBe(false);
    expect(await page.isDisabled('#cancel')).toBe(true);
    expect(await page.isHidden('#results')).toBe(true);
    await page.close();
    expect(problems).toEqual([]);
  });

  it('a bad scenario: the CLI’s own message inline (field, allowed values, did-you-mean), and nothing runs', async () => {
    const page = await open();
    const bad = scenarioText('lkml-2000-4way').replace(/^  cpus: 4$/m, '  cpus: 4\n  spinlock: tiket');
    expect(bad).toContain('spinlock: tiket');
    await setEditor(page, bad);
    await page.waitForFunction(() => (document.getElementById('problems')!.textContent ?? '').includes('tiket'), null, WAIT);
    const shown = await page.textContent('#problems');
    const dir = tempDir();
    const file = path.join(dir, 'lkml-2000-4way.yaml');
    fs.writeFileSync(file, bad);
    const r = await cli(['validate', file]);
    expect(r.code).toBe(2);
    expect(shown).toBe(r.stderr.trim().split(file).join('lkml-2000-4way.yaml'));
    expect(shown).toContain('machine.spinlock: expected one of tas, ticket, qspinlock, got "tiket" (did you mean "ticket"?)');
    await page.click('#run');
    expect(await page.isHidden('#results')).toBe(true);
    expect(await page.isDisabled('#cancel')).toBe(true);
    await page.close();
    expect(problems).toEqual([]);
  });

  it('the permalink carries the edited scenario to a new page', async () => {
    const page = await open();
    const edited = `${scenarioText('lkml-2000-4way')}# a lecturer's setup: ünïcode too\n`.replace(/cpus: \d+/, 'cpus: 2');
    await setEditor(page, edited);
    await page.click('#permalink');
    await page.waitForFunction(() => location.hash.startsWith('#s='), null, WAIT);
    const url = page.url();
    await page.close();
    const again = await open(url.slice(base.length));
    expect(await again.inputValue('#editor')).toBe(edited);
    expect(await again.textContent('#problems')).toBe('valid scenario');
    await again.close();
    expect(problems).toEqual([]);
  });

  it('compare strategies: the table is `smpsim run --vary kernel.strategy=bounce,vmap,kmap,direct`’s; a CPU sweep draws a point per CPU count', async () => {
    const page = await open();
    await runAndWait(page, '#compare', 'vary');
    const table = await page.textContent('#vary-table');
    const r = await cli(['run', 'lkml-2000-4way', '--vary', 'kernel.strategy=bounce,vmap,kmap,direct', '--quiet', '--out', '-']);
    expect(r.code, r.stderr).toBe(0);
    expect(table).toBe(r.stdout);
    expect(await page.locator('#vary-chart svg').count()).toBe(1);
    await page.screenshot({ path: path.join(shots, 'playground.png'), fullPage: true, clip: { x: 0, y: 0, width: 1200, height: 1300 } });

    await page.fill('#sweep-max', '3');
    await runAndWait(page, '#sweep', 'vary');
    expect(await page.textContent('#vary-title')).toBe('Comparison: --vary machine.cpus=1,2,3');
    const json = JSON.parse(await downloaded(page)) as Result[];
    expect(json.map((x) => x.scenario.machine.cpus)).toEqual([1, 2, 3]);
    expect(await page.locator('#vary-chart svg .role-mark path').count()).toBeGreaterThan(0);
    await page.close();
    expect(problems).toEqual([]);
  });
});
