/**
 * What every chart and HTML report shares: the font, the axis config, and HTML escaping.
 * (The renderer is src/report/render-svg.ts.)
 */

/** The font every chart and report page names. */
export const CHART_FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

/**
 * Every chart's axis config: light grid lines, and ticks at their values' exact positions
 * (Vega rounds them to whole pixels by default), so the scale can be read back from them
 * (test/study/svg-read.ts).
 */
export const CHART_AXIS = { gridColor: '#e6e6e6', tickRound: false } as const;

/** Text for HTML (element content and attribute values). */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
