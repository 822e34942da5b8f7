/**
 * The chart of a --vary series in the playground: ops/s and CPU time per op, per value. A
 * numeric path (a CPU sweep 1…N) is a line over its values with a point each; anything else
 * (the strategies) one bar per value, in the order given. Vega-Lite, rendered by src/report/render-svg.ts.
 */
import type * as vl from 'vega-lite';
import { CHART_AXIS, CHART_FONT } from '../src/report/chart-style.js';
import type { VaryRow } from './protocol.js';

export function varySpec(path: string, rows: readonly VaryRow[]): vl.TopLevelSpec {
  const numeric = rows.every((r) => /^\d+(\.\d+)?$/.test(r.label));
  const values = rows.map((r, order) => ({ value: numeric ? Number(r.label) : r.label, order, ops: r.opsPerSec, cpuUs: r.cpuNsPerOp / 1000, bottleneck: r.bottleneck }));
  const x = numeric
    ? { field: 'value', type: 'quantitative', title: path, axis: { tickMinStep: 1 } }
    : { field: 'value', type: 'nominal', title: path, sort: { field: 'order', op: 'min' }, axis: { labelAngle: 0 } };
  const tooltip = [{ field: 'value', title: path }, { field: 'ops', title: 'ops/s', format: ',.0f' }, { field: 'cpuUs', title: 'CPU time per op (µs)', format: ',.1f' }, { field: 'bottleneck' }];
  const panel = (field: string, title: string, colour: string) => {
    const y = { field, type: 'quantitative', title };
    return {
      width: 380,
      height: 220,
      title: { text: title, anchor: 'start', fontSize: 13 },
      ...(numeric
        ? { layer: [{ mark: { type: 'line', color: colour }, encoding: { x, y } }, { mark: { type: 'point', filled: true, color: colour }, encoding: { x, y, tooltip } }] }
        : { mark: { type: 'bar', color: colour }, encoding: { x, y, tooltip } }),
    };
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    config: { font: CHART_FONT, axis: CHART_AXIS },
    data: { values },
    hconcat: [panel('ops', 'ops/s (simulated)', '#4e79a7'), panel('cpuUs', 'CPU time per op (µs)', '#f28e2b')],
  } as unknown as vl.TopLevelSpec;
}
