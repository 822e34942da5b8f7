/**
 * Vega-Lite to SVG, headless: the one renderer of every smpsim chart (the sweep's charts,
 * src/study/charts.ts; `run --html`, src/report/run-html.ts; the validation plots). A spec is
 * compiled to Vega and rendered with `new vega.View(…, { renderer: 'none' }).toSVG()`; text
 * widths are Vega's estimates, no canvas needed.
 */
import * as vega from 'vega';
import type * as vl from 'vega-lite';
import { compile } from 'vega-lite';

/** The font every chart and report page names. */
export const CHART_FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

/**
 * Every chart's axis config: light grid lines, and ticks at their values' exact positions
 * (Vega rounds them to whole pixels by default), so the scale can be read back from them
 * (test/study/svg-read.ts).
 */
export const CHART_AXIS = { gridColor: '#e6e6e6', tickRound: false } as const;

/** Compile a Vega-Lite spec and render it to an SVG string. */
export async function renderSvg(spec: vl.TopLevelSpec): Promise<string> {
  const compiled = compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Text for HTML (element content and attribute values). */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
