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
