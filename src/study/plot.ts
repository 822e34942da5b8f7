/**
 * `smpsim plot DIR` / `sweep --plot`: the charts of a sweep summary as SVG files
 * (src/study/charts.ts) and one self-contained HTML report (src/study/report-html.ts),
 * written into DIR as smpsim's own files (src/files/manifest.ts).
 */
import path from 'node:path';
import { renderCharts } from './charts.js';
import { reportHtml } from './report-html.js';
import type { SweepSummary } from './summary.js';
import { CHART_FILES, SweepFileError, openOutputDir, refusalOf, writeOwned } from './files.js';

export async function writePlots(dir: string, s: SweepSummary): Promise<string[]> {
  const charts = await renderCharts(s);
  // Only files absent or smpsim's are written; a link planted in DIR is refused (manifest.ts).
  const out = openOutputDir(dir);
  const htmlText = reportHtml(s, charts);
  for (const [rel, text] of [...charts.map((c) => [c.file, c.svg] as const), ['report.html', htmlText] as const]) {
    const why = refusalOf(out, rel, text);
    if (why !== null) throw new SweepFileError(why);
  }
  const files: string[] = [];
  for (const c of charts) {
    // `sweep --force` removes only the files it knows a sweep writes: keep the list true.
    if (!(CHART_FILES as readonly string[]).includes(c.file)) throw new Error(`chart ${c.file} is missing from CHART_FILES (study/files.ts)`);
    const f = path.join(dir, c.file);
    writeOwned(out, c.file, c.svg);
    files.push(f);
  }
  const html = path.join(dir, 'report.html');
  writeOwned(out, 'report.html', htmlText);
  files.push(html);
  return files;
}
