/**
 * docs/MODEL.md, the model reference that ships with the package: it names every cost key
 * and every scenario field, its generated tables are current (scripts/gen-model-tables.ts),
 * and nothing in the repository cites the founders' DESIGN.md, which does not ship.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COST_KEYS } from '../../src/kernel/costs.js';
import { VERSION_SETTING_FIELDS } from '../../src/kernel/versions.js';
import { quality, regenerate, scenarioFields, sourceFor } from '../../scripts/model-tables.js';
import { ROOT } from '../cli/helpers.js';

const MODEL = path.join(ROOT, 'docs', 'MODEL.md');
const text = fs.readFileSync(MODEL, 'utf8');

describe('docs/MODEL.md', () => {
  it('names every cost key', () => {
    const missing = COST_KEYS.filter((k) => !text.includes(`\`${k}\``));
    expect(missing, 'run: npx tsx scripts/gen-model-tables.ts').toEqual([]);
  });

  it('names every scenario field (cost overrides as their cost key) and every version setting', () => {
    const fields = scenarioFields().map((f) => f.path);
    expect(fields).toContain('kernel.kunmap_atomic_flush');
    expect(fields).toContain('workload.read_fraction');
    const missing = fields.filter((f) => !text.includes(`\`${f}\``) && !(f.startsWith('costs.') && text.includes(`\`${f.slice(6)}\``)));
    expect(missing, 'run: npx tsx scripts/gen-model-tables.ts').toEqual([]);
    for (const f of Object.values(VERSION_SETTING_FIELDS)) expect(text).toContain(`\`${f}\``);
  });

  it('has its generated tables current', () => {
    expect(regenerate(text) === text, 'docs/MODEL.md is stale: run npx tsx scripts/gen-model-tables.ts').toBe(true);
  });

  it('ships: package.json files includes docs', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('docs');
  });

  it('is what the repository cites: no DESIGN.md reference is left', () => {
    const hits: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.(ts|mjs|md)$/.test(e.name) && p !== __filename && /\bDESIGN\b/.test(fs.readFileSync(p, 'utf8'))) hits.push(path.relative(ROOT, p));
      }
    };
    for (const d of ['src', 'docs', 'test', 'scripts', 'bench']) walk(path.join(ROOT, d));
    if (/\bDESIGN\b/.test(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'))) hits.push('README.md');
    expect(hits).toEqual([]);
  });
});

describe('cost quality, read from the source text', () => {
  it('classifies by what the source says', () => {
    expect(quality('estimate')).toBe('estimate');
    expect(quality('estimate: one page walk')).toBe('estimate');
    expect(quality('Ingo Molnar, linux-mm Jun 2015: CR3 reload 96 cycles (modern)')).toBe('measured');
    expect(quality('FSB arithmetic: 4 KiB read + 4 KiB written over a 100 MHz x 8 B = 800 MB/s bus ~ 10 us (era2000)')).toBe('derived');
    expect(quality('fitted to the Pulavarty CPU share')).toBe('fitted');
  });

  it('takes the column\'s own part of a two-column source', () => {
    const s = 'Ingo Molnar, linux-mm Jun 2015: CR3 reload 96 cycles (modern); estimate (era2000)';
    expect(sourceFor(s, 'era2000').core).toBe('estimate (era2000)');
    expect(quality(sourceFor(s, 'modern').core)).toBe('measured');
    expect(sourceFor('estimate', 'modern')).toEqual({ text: 'estimate', core: 'estimate' });
  });
});
