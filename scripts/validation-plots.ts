/**
 * Regenerates the curves of docs/VALIDATION.md: published vs simulated for Piggin's vmap
 * table, flushes per kmap vs pool size (Bligh), ticket-lock throughput vs cores; writes
 * docs/img/validation-*.svg and prints the markdown tables to paste into the doc.
 * Run after a calibration: npx tsx scripts/validation-plots.ts   (~1 minute of CPU)
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as vl from 'vega-lite';
import { renderSvg } from '../src/report/render-svg.js';
import { runScenario } from '../src/model/run.js';
import { loadScenario } from '../src/scenario/load.js';
import { loadTargets } from '../src/validation/targets.js';
import { runTarget } from '../src/validation/run.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const vdir = path.join(root, 'scenarios', 'validation');
const img = path.join(root, 'docs', 'img');
type Row = Record<string, string | number>;

function chart(title: string, rows: Row[], x: string, y: string, series: string, logX: boolean, logY: boolean, dashed?: string): vl.TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, anchor: 'start', fontSize: 13 },
    width: 460,
    height: 260,
    background: 'white',
    data: { values: rows },
    mark: { type: 'line', point: { filled: true, size: 40 } },
    encoding: {
      x: { field: x, type: 'quantitative', scale: logX ? { type: 'log', base: 2 } : { zero: false }, axis: { format: 'd' } },
      y: { field: y, type: 'quantitative', scale: logY ? { type: 'log' } : { zero: true } },
      color: { field: series, type: 'nominal', sort: null, scale: { scheme: 'tableau10' } },
      ...(dashed === undefined ? {} : { strokeDash: { field: dashed, type: 'nominal', sort: null } }),
    },
  } as unknown as vl.TopLevelSpec;
}

async function write(name: string, spec: vl.TopLevelSpec): Promise<void> {
  fs.writeFileSync(path.join(img, name), await renderSvg(spec));
  console.log(`wrote docs/img/${name}`);
}

const targets = loadTargets(path.join(vdir, 'targets.json'));

// Piggin: published vs simulated, per thread count.
{
  const t = targets.targets.find((x) => x.id === 'piggin-2008-vmap')!;
  const rep = runTarget(t);
  const rows: Row[] = [];
  console.log('\n| threads | vanilla published | vanilla smpsim | rewrite published | rewrite smpsim |\n|---|---|---|---|---|');
  for (const n of [1, 2, 4, 8]) {
    const v = rep.cells.get(`vanilla-${n}`)!.value!;
    const r = rep.cells.get(`rewrite-${n}`)!.value!;
    const vp = t.cells[`vanilla-${n}`]!.published!;
    const rp = t.cells[`rewrite-${n}`]!.published!;
    rows.push({ threads: n, us: vp, series: 'vanilla (eager)', source: 'published' });
    rows.push({ threads: n, us: v, series: 'vanilla (eager)', source: 'smpsim' });
    rows.push({ threads: n, us: rp, series: 'rewrite (lazy)', source: 'published' });
    rows.push({ threads: n, us: r, series: 'rewrite (lazy)', source: 'smpsim' });
    console.log(`| ${n} | ${vp} | ${v.toFixed(2)} | ${rp} | ${r.toFixed(2)} |`);
  }
  await write('validation-piggin-vmap.svg', chart('Piggin 2008: us per vmap+touch+vunmap of 4 pages (solid: published, dashed: smpsim)', rows, 'threads', 'us', 'series', true, true, 'source'));
}

// Bligh: flushes per kmap vs pool size, three localities.
{
  const rows: Row[] = [];
  console.log('\n| LAST_PKMAP | uniform: hit rate | uniform: flushes/kmap | zipf(1.0): hit rate | zipf(1.0): flushes/kmap | zipf(1.45): hit rate | zipf(1.45): flushes/kmap |\n|---|---|---|---|---|---|---|');
  const table = new Map<number, string[]>();
  for (const loc of ['uniform', 'zipf(1.0)', 'zipf(1.45)']) {
    for (const n of [256, 512, 1024, 2048, 4096, 8192]) {
      const r = runScenario(loadScenario(path.join(vdir, 'bligh-2002-kmap-pool.yaml'), { set: [`kernel.last_pkmap=${n}`, `workload.locality=${loc}`] }));
      const miss = (r.kmap.kmaps - r.kmap.hits) / r.kmap.kmaps;
      rows.push({ pool: n, flushes_per_kmap: miss / n, locality: loc });
      table.set(n, [...(table.get(n) ?? []), (1 - miss).toFixed(3), (miss / n).toExponential(2)]);
    }
  }
  for (const [n, cells] of table) console.log(`| ${n} | ${cells.join(' | ')} |`);
  await write('validation-bligh-kmap.svg', chart('Bligh 2002: global flushes per kmap vs kmap pool size (16 CPUs)', rows, 'pool', 'flushes_per_kmap', 'locality', true, true));
}

// Ticket lock: throughput vs cores.
{
  const t = targets.targets.find((x) => x.id === 'boydwickizer-2012-ticket-collapse')!;
  const rep = runTarget(t);
  const rows: Row[] = [];
  // The same cells with the test-and-set lock, for comparison (not a target).
  const tas = runTarget({ ...t, cells: Object.fromEntries(Object.entries(t.cells).map(([id, c]) => [id, { ...c, set: [...c.set, 'machine.spinlock=tas'] }])) });
  console.log('\n| cores | ticket Mops/s | tas Mops/s | qspinlock Mops/s |\n|---|---|---|---|');
  for (const [id, c] of rep.cells) {
    if (!id.startsWith('cpus-')) continue;
    const n = Number(id.replace('cpus-', ''));
    const tv = tas.cells.get(id)!.value!;
    // The MCS contrast (check mcs-no-collapse): the qspinlock cells, where there is one.
    const qv = rep.cells.get(`qspinlock-${n}`)?.value ?? null;
    rows.push({ cores: n, mops: c.value!, series: 'ticket (smpsim)' });
    rows.push({ cores: n, mops: tv, series: 'test-and-set (smpsim)' });
    if (qv !== null) rows.push({ cores: n, mops: qv, series: 'qspinlock (smpsim)' });
    console.log(`| ${n} | ${c.value!.toFixed(2)} | ${tv.toFixed(2)} | ${qv === null ? '—' : qv.toFixed(2)} |`);
  }
  await write('validation-ticket-lock.svg', chart('Spinlock throughput vs cores, locktorture (smpsim)', rows, 'cores', 'mops', 'series', true, false));
}
