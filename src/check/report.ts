/**
 * What `smpsim check` prints: a text report (one verdict line per scenario, then the table
 * of what moved), JSON for machines ("smpsim.check/1"), and a JUnit XML report for CI
 * systems (one testsuite, one testcase per scenario, a failure naming the metrics).
 */
import { fmtPlain, renderTable } from '../report/format.js';
import { VERSION } from '../version.js';
import type { MetricComparison, ScenarioCheck } from './compare.js';

export const CHECK_SCHEMA = 'smpsim.check/1';

export interface CheckReport {
  schema: typeof CHECK_SCHEMA;
  version: string;
  alpha: number;
  baseline_dir: string;
  passed: number;
  failed: number;
  errors: number;
  /** Baseline files rewritten by --update. */
  updated: string[];
  scenarios: ScenarioCheck[];
}

export function makeReport(checks: ScenarioCheck[], alpha: number, baselineDir: string, updated: string[]): CheckReport {
  return {
    schema: CHECK_SCHEMA,
    version: VERSION,
    alpha,
    baseline_dir: baselineDir,
    passed: checks.filter((c) => c.verdict === 'pass').length,
    failed: checks.filter((c) => c.verdict === 'fail').length,
    errors: checks.filter((c) => c.verdict === 'error').length,
    updated,
    scenarios: checks,
  };
}

function num(v: number | null | undefined): string {
  return v === null || v === undefined ? '-' : fmtPlain(v);
}

function signed(v: number | null): string {
  return v === null ? '-' : `${v > 0 ? '+' : ''}${fmtPlain(v)}`;
}

function signedPct(v: number | null): string {
  if (v === null) return '-';
  const s = Math.abs(v) >= 0.01 || v === 0 ? v.toFixed(2) : v.toPrecision(2);
  return `${v > 0 ? '+' : ''}${s}%`;
}

function pValue(p: number): string {
  if (p === 0) return '0';
  return p < 1e-4 ? p.toExponential(1) : String(Number(p.toPrecision(2)));
}

/** The "test" cell: the allowed band, or the Welch p-value. */
function testCell(m: MetricComparison, alpha: number): string {
  if (m.test === 'welch' && m.p !== undefined) return `p=${pValue(m.p)} (alpha ${alpha})`;
  const rel = `±${Number((m.tolerance.relative * 100).toPrecision(3))}%`;
  return m.tolerance.absolute > 0 ? `${rel} or ±${fmtPlain(m.tolerance.absolute)}` : rel;
}

function verdictCell(m: MetricComparison): string {
  const v = m.verdict === 'pass' ? 'ok' : 'FAIL';
  return m.status === 'new' || m.status === 'missing' ? `${v} (${m.status})` : v;
}

/** The rows of what moved (every metric whose value changed), as table cells. */
export function movedTable(check: ScenarioCheck, alpha: number, indent = ''): string[] {
  const moved = check.metrics.filter((m) => m.status !== 'same');
  if (moved.length === 0) return [];
  const rows: string[][] = [['metric', 'baseline', 'now', 'delta', 'delta%', 'test', 'verdict']];
  for (const m of moved) {
    rows.push([m.metric, num(m.baseline), num(m.now), signed(m.delta), signedPct(m.delta_pct), testCell(m, alpha), verdictCell(m)]);
  }
  return renderTable(rows, ['l', 'r', 'r', 'r', 'r', 'l', 'l'], 2, indent);
}

function runs(n: number): string {
  return n === 1 ? '1 run' : `${n} replications`;
}

function headline(c: ScenarioCheck): string {
  const secs = `${(c.wall_ms / 1000).toFixed(1)} s`;
  const tag = c.verdict === 'pass' ? 'PASS ' : c.verdict === 'fail' ? 'FAIL ' : 'ERROR';
  if (c.verdict === 'error') return `${tag} ${c.name}: ${c.error ?? 'run aborted'}`;
  if (c.created === true) return `NEW   ${c.name}: no baseline before; recorded fingerprint ${c.fingerprint.now ?? '-'} (${runs(c.replications)}, ${secs})`;
  if (c.fingerprint.equal) return `${tag} ${c.name}: fingerprint ${c.fingerprint.baseline} unchanged (${runs(c.replications)}, ${secs})`;
  const fp = `fingerprint ${c.fingerprint.baseline} -> ${c.fingerprint.now}`;
  const failing = c.metrics.filter((m) => m.verdict === 'fail').map((m) => m.metric);
  const what =
    failing.length > 0
      ? `${failing.length} metric${failing.length === 1 ? '' : 's'} moved: ${failing.join(', ')}`
      : c.metrics.some((m) => m.status !== 'same')
        ? 'every metric within its tolerance'
        : 'no checked metric moved';
  return `${tag} ${c.name}: ${fp}; ${what} (${runs(c.replications)}, ${secs})`;
}

export function formatText(report: CheckReport): string {
  const lines: string[] = [];
  for (const c of report.scenarios) {
    lines.push(headline(c));
    if (!c.fingerprint.equal && c.scenario_changes.length > 0) {
      lines.push(`      scenario changed since the baseline: ${c.scenario_changes.join('; ')}`);
    }
    // Said too when the run is the same run: the change did not reach the model (issue 23).
    if (c.fingerprint.equal && c.verdict === 'pass' && c.scenario_changes.length > 0) {
      lines.push(`      scenario changed since the baseline, the fingerprint did not (the change does not affect this run): ${c.scenario_changes.join('; ')}`);
    }
    if (!c.fingerprint.equal) lines.push(...movedTable(c, report.alpha, '      '));
  }
  const parts = [`${report.passed} passed`, `${report.failed} failed`];
  if (report.errors > 0) parts.push(`${report.errors} aborted`);
  lines.push('');
  for (const f of report.updated) lines.push(`updated ${f}`);
  lines.push(`check: ${parts.join(', ')} (baselines in ${report.baseline_dir})`);
  return `${lines.join('\n')}\n`;
}

export function formatJson(report: CheckReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** XML 1.0 text: escaped, with characters XML cannot carry dropped. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** The JUnit XML report: one testsuite, one testcase per scenario. */
export function formatJunit(report: CheckReport): string {
  const total = report.scenarios.reduce((s, c) => s + c.wall_ms, 0) / 1000;
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(
    `<testsuite name="smpsim check" tests="${report.scenarios.length}" failures="${report.failed}" errors="${report.errors}" skipped="0" time="${total.toFixed(3)}">`,
  );
  for (const c of report.scenarios) {
    const attrs = `classname="smpsim.check" name="${xmlEscape(c.name)}" file="${xmlEscape(c.file)}" time="${(c.wall_ms / 1000).toFixed(3)}"`;
    if (c.verdict === 'pass') {
      out.push(`  <testcase ${attrs}/>`);
      continue;
    }
    out.push(`  <testcase ${attrs}>`);
    if (c.verdict === 'error') {
      out.push(`    <error type="aborted" message="${xmlEscape(c.error ?? 'run aborted')}"/>`);
    } else {
      const failing = c.metrics.filter((m) => m.verdict === 'fail').map((m) => m.metric);
      const body = [
        `fingerprint ${c.fingerprint.baseline} -> ${c.fingerprint.now ?? '-'}`,
        ...c.scenario_changes.map((s) => `scenario changed: ${s}`),
        ...movedTable(c, report.alpha),
      ].join('\n');
      out.push(`    <failure type="regression" message="${xmlEscape(`metrics moved: ${failing.join(', ')}`)}">${xmlEscape(body)}</failure>`);
    }
    out.push('  </testcase>');
  }
  out.push('</testsuite>');
  return `${out.join('\n')}\n`;
}
