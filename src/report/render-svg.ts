/**
 * Vega-Lite to SVG, headless in Node: the one renderer behind every chart (the run report's,
 * the sweep plots', the validation figures'). `new vega.View(…, { renderer: 'none' }).toSVG()`:
 * text widths are Vega's estimates, no canvas needed.
 */
import * as vega from 'vega';
import * as vl from 'vega-lite';

/** Compile a Vega-Lite spec and render it to an SVG string. */
export async function renderSvg(spec: vl.TopLevelSpec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
