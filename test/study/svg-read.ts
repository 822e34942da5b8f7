/**
 * Reading the data back out of a chart as Vega renders it to SVG (src/report/render-svg.ts), to test
 * that the plotted values are the data (issue 23, item 5): the scale of an axis is recovered
 * from its ticks (each tick's position against its printed label), and a mark's position is
 * mapped back through it. The aria-label of a mark is read only to know which datum it is
 * (its x category, its CPU, its category), never for its value.
 *
 * Single-view charts only (no facets): marks and axes share one coordinate frame, and an
 * axis's ticks sit at exactly the scale's pixel for their value (Vega offsets the axis group
 * by 0.5 px for crisp lines, not the ticks).
 */

export interface AxisScale {
  kind: 'linear' | 'log';
  /** Pixel of a value, and value of a pixel. */
  px: (v: number) => number;
  value: (px: number) => number;
  ticks: Array<{ px: number; label: string; value: number }>;
  /** The values at the two ends of the axis (pixel 0 and the plot's extent). */
  domain: [number, number];
}

/** "2.5k", "6,000", "20%", "0.5", "1e+3", "500µ" → the number. */
export function parseLabel(label: string): number {
  let t = label.replace(/[,\u2009\u202f]/g, '').replace('−', '-').trim();
  let mult = 1;
  if (t.endsWith('%')) {
    mult = 0.01;
    t = t.slice(0, -1);
  } else {
    const si: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, m: 1e-3, µ: 1e-6, u: 1e-6, n: 1e-9 };
    const last = t.slice(-1);
    if (last in si) {
      mult = si[last]!;
      t = t.slice(0, -1);
    }
  }
  const n = Number(t);
  if (t === '' || !Number.isFinite(n)) throw new Error(`axis label ${JSON.stringify(label)} is not a number`);
  return n * mult;
}

/** The blocks of the first `class` group after `from`: the elements up to its closing tag. */
function block(svg: string, from: number, cls: string): string {
  const start = svg.indexOf(cls, from);
  if (start < 0) throw new Error(`no ${cls} after ${from}`);
  return svg.slice(start, svg.indexOf('</g>', start));
}

const translate = (s: string): [number, number] => {
  const m = /transform="translate\(([-\d.e]+),([-\d.e]+)\)"/.exec(s);
  if (m === null) throw new Error(`no translate in ${s.slice(0, 120)}`);
  return [Number(m[1]), Number(m[2])];
};

/**
 * The X or Y axis whose title starts with `title` (the first X/Y axis if none given): its
 * scale, linear or log, whichever all its ticks fit (else an error: the axis is neither).
 */
export function axisScale(svg: string, which: 'X' | 'Y', extent: number, title?: string): AxisScale {
  const head = title === undefined ? `aria-label="${which}-axis titled` : `aria-label="${which}-axis titled '${title}`;
  const at = svg.indexOf(head);
  if (at < 0) throw new Error(`no ${which} axis ${title ?? ''}`);
  const axis = which === 'X' ? 0 : 1;
  const tickPx = (block(svg, at, 'role-axis-tick').match(/<line [^>]*>/g) ?? []).map((l) => translate(l)[axis]);
  // Labels sit beside their ticks (a fixed offset); a log axis labels only some ticks: each label
  // belongs to the tick nearest it.
  const labels = [...block(svg, at, 'role-axis-label').matchAll(/<text ([^>]*)>([^<]*)<\/text>/g)]
    .filter((m) => !/opacity="0"/.test(m[1]!) && m[2] !== '')
    .map((m) => ({ at: translate(m[1]!)[axis], label: m[2]! }));
  if (labels.length < 2) throw new Error(`${which} axis: ${labels.length} labels`);
  const ticks = labels.map((l) => {
    const px = tickPx.reduce((best, t) => (Math.abs(t - l.at) < Math.abs(best - l.at) ? t : best));
    return { px, label: l.label, value: parseLabel(l.label) };
  });
  const a = ticks[0]!;
  const b = ticks[ticks.length - 1]!;
  const fits = (f: (v: number) => number) => ticks.every((t) => Math.abs(f(t.value) - t.px) < 0.01);
  const lin = (v: number) => a.px + ((v - a.value) * (b.px - a.px)) / (b.value - a.value);
  if (fits(lin)) {
    const value = (p: number) => a.value + ((p - a.px) * (b.value - a.value)) / (b.px - a.px);
    return { kind: 'linear', px: lin, value, ticks, domain: which === 'X' ? [value(0), value(extent)] : [value(extent), value(0)] };
  }
  if (a.value > 0 && b.value > 0) {
    const la = Math.log(a.value);
    const lb = Math.log(b.value);
    const log = (v: number) => a.px + ((Math.log(v) - la) * (b.px - a.px)) / (lb - la);
    if (fits(log)) {
      const value = (p: number) => Math.exp(la + ((p - a.px) * (lb - la)) / (b.px - a.px));
      return { kind: 'log', px: log, value, ticks, domain: which === 'X' ? [value(0), value(extent)] : [value(extent), value(0)] };
    }
  }
  throw new Error(`${which} axis: ticks ${JSON.stringify(ticks)} fit neither a linear nor a log scale`);
}

/** The plot's width and height: the frame's background path `M0.5,0.5h{w}v{h}…`. */
export function plotSize(svg: string): { width: number; height: number } {
  const m = /role-frame root[^]*?class="background"[^>]*d="M0.5,0.5h([\d.]+)v([\d.]+)/.exec(svg);
  if (m === null) throw new Error('no plot frame');
  return { width: Number(m[1]), height: Number(m[2]) };
}

/** An aria-label as key → value ("x: bounce; share: 6.0%" → { x: 'bounce', share: '6.0%' }). */
export function ariaFields(label: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of label.split('; ')) {
    const i = part.indexOf(': ');
    if (i > 0) out[part.slice(0, i)] = part.slice(i + 2);
  }
  return out;
}

const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

/** The elements of every `mark-<type> role-mark` group, with their aria fields. */
function markElements(svg: string, type: 'rect' | 'symbol' | 'rule' | 'line'): Array<{ el: string; aria: Record<string, string> }> {
  const out: Array<{ el: string; aria: Record<string, string> }> = [];
  let at = 0;
  for (;;) {
    const start = svg.indexOf(`mark-${type} role-mark`, at);
    if (start < 0) return out;
    const body = svg.slice(start, svg.indexOf('</g>', start));
    for (const m of body.matchAll(/<(?:path|line) ([^>]*)\/>/g)) {
      const aria = /aria-label="([^"]*)"/.exec(m[1]!);
      out.push({ el: m[1]!, aria: ariaFields(unescape(aria?.[1] ?? '')) });
    }
    at = start + body.length;
  }
}

/** Bars: `d="M{x},{y}h{w}v{h}h-{w}Z"`, as top-left and size. */
export function rects(svg: string): Array<{ x: number; y: number; w: number; h: number; aria: Record<string, string> }> {
  return markElements(svg, 'rect').map(({ el, aria }) => {
    const m = /d="M([-\d.e]+),([-\d.e]+)h([-\d.e]+)v([-\d.e]+)h/.exec(el);
    if (m === null) throw new Error(`not a bar: ${el.slice(0, 120)}`);
    return { x: Number(m[1]), y: Number(m[2]), w: Number(m[3]), h: Number(m[4]), aria };
  });
}

/** Dots: their centres (the symbol's translate). */
export function symbols(svg: string): Array<{ x: number; y: number; aria: Record<string, string> }> {
  return markElements(svg, 'symbol').map(({ el, aria }) => {
    const [x, y] = translate(el);
    return { x, y, aria };
  });
}

/** Vertical rules (error bars): x, and the pixel ends y1 (translate) and y2 (+ y2 attribute). */
export function rules(svg: string): Array<{ x: number; y1: number; y2: number; aria: Record<string, string> }> {
  return markElements(svg, 'rule').map(({ el, aria }) => {
    const [x, y] = translate(el);
    const dy = Number(/y2="([-\d.e]+)"/.exec(el)?.[1] ?? 0);
    return { x, y1: y, y2: y + dy, aria };
  });
}

/** A line's vertices (`d="M x,y L x,y …"`). */
export function lineVertices(svg: string): Array<Array<[number, number]>> {
  return markElements(svg, 'line').map(({ el }) => {
    const d = /d="([^"]*)"/.exec(el)![1]!;
    return [...d.matchAll(/[ML]([-\d.e]+),([-\d.e]+)/g)].map((m) => [Number(m[1]), Number(m[2])] as [number, number]);
  });
}

/** The SVG inside `<figure id="{id}">` of an HTML report. */
export function figureSvg(html: string, id: string): string {
  const at = html.indexOf(`<figure id="${id}">`);
  if (at < 0) throw new Error(`no figure ${id}`);
  const start = html.indexOf('<svg', at);
  return html.slice(start, html.indexOf('</svg>', start) + 6);
}
