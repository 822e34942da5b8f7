/**
 * The per-CPU timeline of the run's first millisecond, drawn as SVG in the page from the
 * trace the model emits (src/trace/timeline.ts, the same events `smpsim run --trace` writes
 * for Perfetto): per CPU its time by category (the report's colours), IRQ handlers above,
 * the task below; the lock tracks (locks held); the device; IPIs as lines from the sender
 * to each target.
 */
import { CATEGORY_COLOURS } from '../src/report/palette.js';
import type { TimelineData } from './protocol.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const LABEL = 110;
const ROW = 18;
const WIDTH = 1060;
/** Room right of the plot for the last tick label. */
const RIGHT = 28;

const COLOURS: Record<string, string> = { lock: '#e15759', device: '#76b7b2', irq: '#b07aa1', task: '#9c755f' };

function el(name: string, attrs: Record<string, string | number>, title?: string): SVGElement {
  const e = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (title !== undefined) {
    const t = document.createElementNS(SVG_NS, 'title');
    t.textContent = title;
    e.appendChild(t);
  }
  return e;
}

const us = (v: number) => `${v.toFixed(3)} µs`;

/** Draw the timeline from t.startUs for `spanUs` µs (at most the span the trace covers). */
export function drawTimeline(t: TimelineData, spanUs = t.endUs - t.startUs): SVGSVGElement {
  const endUs = Math.min(t.endUs, t.startUs + spanUs);
  const rowOf = new Map(t.tracks.map((tr, i) => [tr.id, i]));
  const height = t.tracks.length * ROW + 30;
  const svg = el('svg', { width: WIDTH, height, viewBox: `0 0 ${WIDTH} ${height}`, class: 'timeline', 'font-family': 'DejaVu Sans, Helvetica, Arial, sans-serif', 'font-size': 11 }) as SVGSVGElement;
  const x = (v: number) => LABEL + ((Math.min(v, endUs) - t.startUs) / (endUs - t.startUs)) * (WIDTH - LABEL - RIGHT);
  t.tracks.forEach((tr, i) => {
    svg.appendChild(el('text', { x: 4, y: i * ROW + 13 })).textContent = tr.name;
    svg.appendChild(el('line', { x1: LABEL, x2: WIDTH - RIGHT, y1: (i + 1) * ROW, y2: (i + 1) * ROW, stroke: '#eee' }));
  });
  const order: Record<string, number> = { task: 0, cpu: 1, lock: 1, device: 1, irq: 2 };
  const slices = t.slices.filter((s) => rowOf.has(s.track) && s.cat in order && s.ts < endUs).sort((a, b) => order[a.cat]! - order[b.cat]!);
  for (const s of slices) {
    const row = rowOf.get(s.track)!;
    const x0 = x(s.ts);
    const w = Math.max(0.5, x(s.ts + s.dur) - x0);
    const [y, h] = s.cat === 'task' ? [row * ROW + ROW - 4, 3] : s.cat === 'irq' ? [row * ROW + 1, 3] : [row * ROW + 4, ROW - 9];
    const fill = s.cat === 'cpu' ? (CATEGORY_COLOURS as Record<string, string>)[s.name] ?? '#bab0ac' : COLOURS[s.cat] ?? '#bab0ac';
    svg.appendChild(el('rect', { x: x0.toFixed(2), y, width: w.toFixed(2), height: h, fill, class: `slice ${s.cat}` }, `${s.name}${s.detail === '' ? '' : ` (${s.detail})`}: ${us(s.ts)} + ${us(s.dur)}`));
  }
  for (const f of t.flows) {
    if (f.tsEnd > endUs) continue;
    const a = rowOf.get(f.from);
    const b = rowOf.get(f.to);
    if (a === undefined || b === undefined) continue;
    svg.appendChild(el('line', { x1: x(f.ts).toFixed(2), y1: a * ROW + ROW / 2, x2: x(f.tsEnd).toFixed(2), y2: b * ROW + ROW / 2, stroke: '#f28e2b', 'stroke-width': 1, class: 'flow' }, `${f.name}: ${us(f.ts)} → ${us(f.tsEnd)}`));
  }
  // The time axis: ten ticks.
  const axisY = t.tracks.length * ROW + 14;
  for (let v = t.startUs; v <= endUs + 1e-9; v += (endUs - t.startUs) / 10) {
    svg.appendChild(el('line', { x1: x(v), x2: x(v), y1: axisY - 12, y2: axisY - 8, stroke: '#888' }));
    svg.appendChild(el('text', { x: x(v), y: axisY + 4, 'text-anchor': 'middle', fill: '#555' })).textContent = `${Math.round(v)} µs`;
  }
  return svg;
}
