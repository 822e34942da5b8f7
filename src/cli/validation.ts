/**
 * `smpsim validation [targets.json] [--only id,…] [--format text|json]`: run the published
 * measurements (docs/VALIDATION.md) and print published vs simulated with a verdict per
 * check. Exit 0 unless a check recorded as passing regressed (exit 1); honest misses are
 * reported, not failed. A bad targets file is exit 2.
 */
import path from 'node:path';
import { Command, Option } from 'commander';
import { renderTable } from '../report/format.js';
import { TargetsError, loadTargets } from '../validation/targets.js';
import { runTargets, type TargetReport } from '../validation/run.js';
import { exitCodeOf, type Verdict } from '../validation/verdict.js';
import { UsageError, inputPath, type CliIo } from './io.js';
import { PROJECT_ROOT } from './paths.js';

export const DEFAULT_TARGETS = path.join(PROJECT_ROOT, 'scenarios', 'validation', 'targets.json');

function fmt(x: number | null): string {
  if (x === null) return '-';
  const a = Math.abs(x);
  if (a === 0) return '0';
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 0.01) return x.toFixed(2);
  return x.toExponential(2);
}

const VERDICT_TEXT: Record<Verdict, string> = {
  pass: 'pass',
  regressed: 'REGRESSED',
  miss: 'miss (recorded)',
  improved: 'now passes (record as pass)',
};

export function formatValidationText(reports: readonly TargetReport[]): string {
  const out: string[] = [];
  const counts: Record<Verdict, number> = { pass: 0, regressed: 0, miss: 0, improved: 0 };
  for (const r of reports) {
    out.push(`== ${r.target.id}: ${r.target.title}`);
    out.push(`   source: ${r.target.source}`);
    const cellRows: string[][] = [['cell', 'published', 'simulated', 'unit', 'overrides']];
    for (const [id, c] of r.cells) {
      const spec = r.target.cells[id]!;
      cellRows.push([id, fmt(spec.published ?? null), c.value === null ? `(${c.error ?? 'no value'})` : fmt(c.value), spec.unit ?? '', spec.set.join(' ')]);
    }
    out.push(...renderTable(cellRows, ['l', 'r', 'r', 'l', 'l']).map((l) => `   ${l}`));
    out.push('');
    const rows: string[][] = [['check', 'published', 'simulated', 'rule', 'verdict']];
    for (const c of r.checks) {
      counts[c.verdict]++;
      rows.push([c.check.id, fmt(c.result.published), fmt(c.result.simulated), c.result.rule, VERDICT_TEXT[c.verdict]]);
    }
    out.push(...renderTable(rows, ['l', 'r', 'r', 'l', 'l']).map((l) => `   ${l}`));
    for (const n of r.notes) out.push(`   note: ${n}`);
    out.push('');
  }
  out.push(
    `validation: ${counts.pass} pass, ${counts.miss} miss (recorded), ${counts.improved} improved, ${counts.regressed} regressed`,
  );
  return `${out.join('\n')}\n`;
}

export function validationJson(reports: readonly TargetReport[]): unknown {
  return {
    schema: 'smpsim.validation/1',
    targets: reports.map((r) => ({
      id: r.target.id,
      title: r.target.title,
      source: r.target.source,
      cells: Object.fromEntries(
        [...r.cells].map(([id, c]) => [
          id,
          { set: r.target.cells[id]!.set, published: r.target.cells[id]!.published ?? null, simulated: c.value, unit: r.target.cells[id]!.unit ?? null, dropped: c.dropped, error: c.error ?? null },
        ]),
      ),
      checks: r.checks.map((c) => ({
        id: c.check.id,
        kind: c.check.kind,
        recorded: c.check.status,
        published: c.result.published,
        simulated: c.result.simulated,
        rule: c.result.rule,
        holds: c.result.holds,
        verdict: c.verdict,
        flags: c.flags,
      })),
    })),
  };
}

export function executeValidation(io: CliIo, file: string | undefined, only: string[], format: 'text' | 'json'): number {
  const targetsFile = file === undefined ? DEFAULT_TARGETS : inputPath(io, file);
  let spec;
  try {
    spec = loadTargets(targetsFile);
  } catch (e) {
    if (e instanceof TargetsError) throw new UsageError(e.lines);
    throw e;
  }
  const known = spec.targets.map((t) => t.id);
  const unknown = only.filter((o) => !known.includes(o));
  if (unknown.length > 0) {
    throw new UsageError(`smpsim validation: --only: expected target ids among ${known.join(', ')}, got ${unknown.join(', ')}`);
  }
  const reports = runTargets(spec, only, (t, c) => {
    if (io.isTTY) io.stderr(`\r\x1b[K${t}: ${c}`);
  });
  if (io.isTTY) io.stderr('\r\x1b[K');
  io.stdout(format === 'json' ? `${JSON.stringify(validationJson(reports), null, 2)}\n` : formatValidationText(reports));
  return exitCodeOf(reports.flatMap((r) => r.checks.map((c) => c.verdict)));
}

export function registerValidation(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('validation')
    .description(
      'run the published measurements (docs/VALIDATION.md): published vs simulated per check; exit 1 only if a check recorded as passing regressed',
    )
    .argument('[targets]', 'targets file (default: scenarios/validation/targets.json)')
    .option('--only <ids>', 'comma-separated target ids to run')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((file: string | undefined, opts: { only?: string; format: 'text' | 'json' }) => {
      const only = opts.only === undefined ? [] : opts.only.split(',').map((s) => s.trim()).filter((s) => s !== '');
      setExit(executeValidation(io, file, only, opts.format));
    });
}
