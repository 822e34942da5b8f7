/**
 * Issue 23, item 4: one name per counter in the single-run text, the single-run HTML and the
 * --vary table; `check` says when the scenario changed although the fingerprint did not.
 */
import path from 'node:path';
import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../src/model/run.js';
import { formatVaryTable } from '../../src/report/compare.js';
import { COUNTERS } from '../../src/report/metrics.js';
import type { Result } from '../../src/report/result.js';
import { lockstatTimeGrouped } from '../../src/report/lockstat.js';
import { runReportHtml } from '../../src/report/run-html.js';
import { formatTextReport } from '../../src/report/text.js';
import { loadScenario } from '../../src/scenario/load.js';
import { cli, workspace } from '../check/helpers.js';
import { ROOT } from '../cli/helpers.js';

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('counter names', () => {
  let runs: Result[];
  beforeAll(() => {
    const file = path.join(ROOT, 'scenarios', 'lkml-2000-4way.yaml');
    // Between them the three strategies move every counter of the --vary table.
    runs = ['bounce', 'vmap', 'kmap'].map((s) => runScenario(loadScenario(file, { set: [`kernel.strategy=${s}`, 'stop.time=100ms', 'stop.warmup=10ms'] })));
  });

  it('every counter row of the --vary table has the same name in the single-run text and HTML reports', async () => {
    const table = formatVaryTable('t', runs.map((r, i) => ({ label: String(i), result: r })));
    const shown = COUNTERS.filter((c) => new RegExp(`^${escapeRe(c.label)}  `, 'm').test(table));
    expect(shown.length).toBeGreaterThanOrEqual(10);
    for (const c of shown) {
      const where = runs.filter((r) => {
        let v: unknown = r;
        for (const k of c.key.split('.')) v = (v as Record<string, unknown>)[k];
        return v !== 0;
      });
      expect(where.length, c.key).toBeGreaterThan(0);
      for (const r of where) {
        // "<value>      <name>   # comment" in the text report.
        expect(formatTextReport(r), `${c.key} in the text report`).toMatch(new RegExp(`^ +\\S+ {6}${escapeRe(c.label)}( +#.*)?$`, 'm'));
      }
      const html = await runReportHtml(where[0]!, null);
      expect(html, `${c.key} in the HTML report`).toContain(`<td>${c.label}</td>`);
    }
  });
});

describe('HTML lock_stat table', () => {
  it('groups thousands in the times as in the counts (no "12345.67" beside "1,234")', async () => {
    const r = runScenario(loadScenario(path.join(ROOT, 'scenarios', 'lkml-2000-4way.yaml'), { set: ['kernel.strategy=bounce', 'stop.time=100ms', 'stop.warmup=10ms'] }));
    expect(lockstatTimeGrouped(12_345_670)).toBe('12,345.67');
    expect(lockstatTimeGrouped(999_994)).toBe('999.99');
    const html = await runReportHtml(r, null);
    // The lock_stat columns are two tables (waits, holds) so that they fit the page.
    const table = ['lockstat-wait', 'lockstat-hold'].map((id) => new RegExp(`<table[^>]*id="${id}"[^>]*>([\\s\\S]*?)<\\/table>`).exec(html)![1]!).join('');
    const cells = [...table.matchAll(/<td class="n">([^<]*)<\/td>/g)].map((m) => m[1]!);
    expect(cells.length).toBeGreaterThan(0);
    // A time of 1 ms or more is in the table (the hold total of the busiest lock)...
    expect(cells.some((c) => /^\d{1,3}(,\d{3})+\.\d\d$/.test(c))).toBe(true);
    // ...and no number has four digits in a row.
    for (const c of cells) expect(c).not.toMatch(/\d{4}/);
  });
});

describe('check: a scenario change that leaves the fingerprint alone', () => {
  it('passes and says the scenario changed, naming the change', async () => {
    const ws = workspace();
    const rec = await cli(['baseline', 'scenarios', '--out', 'baselines'], ws.dir);
    expect(rec.code, rec.stderr).toBe(0);
    // The description changes nothing the model reads: same run, same fingerprint.
    fs.writeFileSync(ws.scenario, fs.readFileSync(ws.scenario, 'utf8').replace('description: a small locktorture for check tests', 'description: reworded'));
    const r = await cli(['check', 'scenarios', '--baseline', 'baselines'], ws.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PASS {2}check-lt: fingerprint [0-9a-f]{16} unchanged/m);
    expect(r.stdout).toContain(
      'scenario changed since the baseline, the fingerprint did not (the change does not affect this run): description: "a small locktorture for check tests" -> "reworded"',
    );
    // Unchanged scenario: no such line.
    const same = await cli(['check', 'scenarios', '--baseline', 'baselines', '--set', 'description=a small locktorture for check tests'], ws.dir);
    expect(same.code).toBe(0);
    expect(same.stdout).not.toContain('scenario changed');
  });
});
