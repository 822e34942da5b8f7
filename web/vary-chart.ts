/**
 * The chart of a --vary series in the playground: ops/s per value. A numeric path (a CPU
 * sweep 1…N) is a line over its values with a point each; anything else (the strategies)
 * one bar per value, in the order given. Vega-Lite, rendered by src/report/render-svg.ts.
 */
import type * as vl from 'vega-lite';
import { CHART_AXIS, CHART_FONT } from '../src/report/chart-style.js';
import type { VaryRow } from './protocol.js';

export function varySpec(path: string, rows: readonly VaryRow[]): vl.TopLevelSpec {
  const numeric = rows.every((r) => /^\d+(\.\d+)?$/.test(r.label));
  const values = rows.map((r, order) => ({ value: numeric ? Number(r.label) : r.label, order, ops: r.opsPerSec, bottleneck: r.bottleneck }));
  const x = numeric
    ? { field: 'value', type: 'quantitative', title: path, axis: { tickMinStep: 1 } }
    : { field: 'value', type: 'nominal', title: path, sort: { field: 'order', op: 'min' }, axis: { labelAngle: 0 } };
  const y = { field: 'ops', type: 'quantitative', title: 'ops/s (simulated)' };
  const tooltip = [{ field: 'value', title: path }, { field: 'ops', title: 'ops/s', format: ',.0f' }, { field: 'bottleneck' }];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `ops/s by ${path}`, anchor: 'start', fontSize: 14 },
    background: 'white',
    config: { font: CHART_FONT, axis: CHART_AXIS },
    width: 460,
    height: 240,
    data: { values },
    ...(numeric
      ? { layer: [{ mark: { type: 'line', color: '#4e79a7' }, encoding: { x, y } }, { mark: { type: 'point', filled: true, color: '#4e79a7' }, encoding: { x, y, tooltip } }] }
      : { mark: { type: 'bar', color: '#4e79a7' }, encoding: { x, y, tooltip } }),
  } as unknown as vl.TopLevelSpec;
}
