/**
 * What `smpsim robustness` prints and writes: a text report a kernel engineer reads without
 * a manual, the JSON report, and a tornado chart (SVG; in an HTML page with the text).
 */
import { formatDuration } from '../engine/units.js';
import { renderTable } from '../report/format.js';
import type { PairReport, RobustnessReport, SensitivityOf } from './study.js';

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
const sig = (x: number, n = 3) => (Number.isFinite(x) ? String(Number(x.toPrecision(n))) : '-');

/** A metric value as people read it: durations for *_ns and latency metrics. */
export function metricText(metric: string, v: number): string {
  if (/_ns(\.|$)|latency/.test(metric)) return formatDuration(v);
  return sig(v, 4);
}

function influenceText(s: SensitivityOf): string {
  if (s.mu_star !== undefined) return sig(s.mu_star, 2);
  return `${sig(s.st ?? 0, 2)}`;
}

function pairName(p: PairReport): string {
  return `${p.a} ${p.nominal_tie ? '≈' : '<'} ${p.b}`;
}

/** The sentence of one pair's conclusion. */
export function pairSentence(r: RobustnessReport, p: PairReport): string {
  if (p.nominal_tie) {
    return `${p.a} ≈ ${p.b}: within the noise floor at nominal (ratio ${sig(p.nominal_ratio)}, noise ±${pct(Math.expm1(p.noise_log_ratio))}); no order to hold.`;
  }
  let s = `${p.a} < ${p.b} holds in ${pct(p.holds)} of the box (95% CI ${pct(p.holds_ci[0])}..${pct(p.holds_ci[1])})`;
  if (p.flipped > 0) s += `, flips in ${pct(p.flipped)}`;
  if (p.ties > 0) s += `, within noise in ${pct(p.ties)}`;
  const top = p.influence[0];
  const be = p.break_even;
  if (be.length > 0) {
    s += `; decided by ${be.map((b) => `${b.input}, which flips it at ${b.value_text} (${b.bracket_text[0]}..${b.bracket_text[1]}, others nominal)`).join(', and by ')}`;
  } else if (top !== undefined && p.flipped > 0) {
    s += `; most influenced by ${top.input} (no single input flips it alone beyond noise)`;
  } else if (top !== undefined) {
    s += `; no input examined flips it alone (most influential: ${top.input})`;
  }
  return `${s}.`;
}

export function formatRobustnessText(r: RobustnessReport, outDir: string): string {
  const lines: string[] = [];
  const method =
    r.method === 'morris'
      ? `Morris, ${r.samples} trajectories × ${r.inputs.length + 1} points, ${r.levels} levels`
      : `Sobol (Saltelli design), N = ${r.samples}: ${r.samples * (r.inputs.length + 2)} points`;
  lines.push(` robustness of '${r.scenario.name}' (seed ${r.scenario.seed}) on ${r.metric}, lower first`);
  lines.push(` ${r.inputs.length} uncertain inputs; ${method}; every variant at every point with the same seeds; ${r.runs} runs`);
  const byQ = new Map<string, number>();
  for (const i of r.inputs) byQ.set(i.quality, (byQ.get(i.quality) ?? 0) + 1);
  lines.push(` qualities: ${[...byQ].map(([q, n]) => `${n} ${q}`).join(', ')} (ranges: docs/ROBUSTNESS.md)`);
  lines.push('');
  lines.push(
    ` nominal (${r.seeds} seeds): ${r.variants.map((v) => `${v} ${metricText(r.metric, r.nominal[v]!.mean)}${r.seeds > 1 ? ` ±${metricText(r.metric, r.nominal[v]!.sd)}` : ''}`).join(', ')}`,
  );
  lines.push(` nominal ranking: ${r.nominal_ranking}; it holds in ${pct(r.ranking_holds)} of the box (95% CI ${pct(r.ranking_holds_ci[0])}..${pct(r.ranking_holds_ci[1])})`);
  lines.push('');
  const rows: string[][] = [['pair', 'ratio', 'holds', '95% CI', 'flipped', 'in noise', 'ratio 5..95%', 'noise', 'most influential (' + (r.method === 'morris' ? 'μ* of ln ratio' : 'ST of ln ratio') + ')']];
  for (const p of r.pairs) {
    rows.push([
      pairName(p),
      sig(p.nominal_ratio),
      p.nominal_tie ? '(tie)' : pct(p.holds),
      p.nominal_tie ? '' : `${pct(p.holds_ci[0])}..${pct(p.holds_ci[1])}`,
      p.nominal_tie ? '' : pct(p.flipped),
      p.nominal_tie ? '' : pct(p.ties),
      `${sig(p.ratio_p05)}..${sig(p.ratio_p95)}`,
      `±${sig(100 * Math.expm1(p.noise_log_ratio), 2)}%`,
      p.influence
        .slice(0, 3)
        .map((i) => `${i.input.replace(/^costs\./, '')} ${influenceText(i)}`)
        .join(', '),
    ]);
  }
  lines.push(...renderTable(rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l']));
  lines.push('');
  for (const p of r.pairs) lines.push(` ${pairSentence(r, p)}`);
  lines.push('');
  const vs = r.variants;
  const head = r.method === 'morris' ? 'μ*' : 'ST';
  const irows: string[][] = [['input', 'quality', 'nominal', 'range', ...vs.map((v) => `${head} ${v}`)]];
  const infl = (i: RobustnessReport['inputs'][number]) => Math.max(...vs.map((v) => i.per_variant[v]?.mu_star ?? i.per_variant[v]?.st ?? 0));
  for (const i of [...r.inputs].sort((a, b) => infl(b) - infl(a))) {
    irows.push([
      i.path,
      i.quality,
      i.nominal_text,
      i.range,
      ...vs.map((v) => {
        const s = i.per_variant[v]!;
        return s.mu_star !== undefined ? metricText(r.metric, s.mu_star) : sig(s.st ?? 0, 2);
      }),
    ]);
  }
  lines.push(
    r.method === 'morris'
      ? ` per input: Morris μ* of ${r.metric} (mean |change| when the input crosses its whole range), most influential first`
      : ` per input: Sobol total index ST of ${r.metric} (share of its variance the input takes part in)`,
  );
  lines.push(...renderTable(irows, ['l', 'l', 'r', 'l', ...vs.map(() => 'r' as const)]));
  lines.push('');
  lines.push(` files: ${outDir}/robustness.json, ${outDir}/tornado.svg; the runs: ${outDir}/{nominal,design,ends,bisect-*}/ (rerun the command to resume)`);
  return `${lines.join('\n')}\n`;
}

export function robustnessJson(r: RobustnessReport): string {
  return `${JSON.stringify(r, null, 1)}\n`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Tornado chart: per pair that differs at nominal, its inputs' influence on ln(A/B)
 * (Morris μ* with σ as a thin bar, or Sobol ST), most influential on top; a break-even
 * found is written beside its input.
 */
export function tornadoSvg(r: RobustnessReport, top = 10): string {
  const panels = r.pairs.filter((p) => !p.nominal_tie);
  const rowH = 18;
  const labelW = 210;
  const barW = 360;
  const noteW = 230;
  const width = labelW + barW + noteW;
  let y = 30;
  const parts: string[] = [];
  parts.push(`<text x="8" y="18" font-size="13" font-weight="bold">${esc(`${r.scenario.name}: what decides each ranking (${r.method === 'morris' ? 'Morris μ*, σ thin' : 'Sobol ST'} of ln ratio of ${r.metric})`)}</text>`);
  for (const p of panels) {
    const rows = p.influence.slice(0, top);
    const max = Math.max(1e-12, ...rows.map((i) => Math.max(i.mu_star ?? i.st ?? 0, i.sigma ?? 0)));
    y += 16;
    parts.push(`<text x="8" y="${y}" font-size="12" font-weight="bold">${esc(`${p.a} < ${p.b}: holds in ${pct(p.holds)} of the box`)}</text>`);
    y += 6;
    for (const i of rows) {
      const v = i.mu_star ?? i.st ?? 0;
      const w = (barW * v) / max;
      const be = p.break_even.find((b) => b.input === i.input);
      parts.push(`<text x="${labelW - 6}" y="${y + 13}" font-size="11" text-anchor="end">${esc(i.input)}</text>`);
      parts.push(`<rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${be ? '#d62728' : '#4c78a8'}"/>`);
      if (i.sigma !== undefined) parts.push(`<rect x="${labelW}" y="${y + rowH / 2 - 1}" width="${((barW * i.sigma) / max).toFixed(1)}" height="2" fill="#222"/>`);
      parts.push(`<text x="${labelW + barW + 6}" y="${y + 13}" font-size="11">${esc(be ? `flips at ${be.value_text}` : sig(v, 2))}</text>`);
      y += rowH;
    }
  }
  y += 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n${parts.join('\n')}\n</svg>\n`;
}

export function robustnessHtml(r: RobustnessReport, text: string): string {
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${esc(`robustness of ${r.scenario.name}`)}</title></head>\n<body style="font-family:sans-serif">\n<h1>${esc(`Robustness of ${r.scenario.name}`)}</h1>\n${tornadoSvg(r)}<pre>${esc(text)}</pre>\n</body></html>\n`;
}
