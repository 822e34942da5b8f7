/** `smpsim compare <a.json> <b.json>`: key metrics of two results with their deltas. */
import type { Command } from 'commander';
import { InputFileError, readInputFile } from '../input/read.js';
import { formatCompare } from '../report/compare.js';
import { parseResultText, type ReadResult } from '../report/read.js';
import { EXIT, UsageError, fsReason, inputPath, type CliIo } from './io.js';

function readResult(io: CliIo, file: string): ReadResult | string[] {
  let text: string;
  try {
    text = readInputFile(inputPath(io, file));
  } catch (err) {
    const why = err instanceof InputFileError ? (err.code === 'missing' ? 'no such file or directory' : err.message) : fsReason(err);
    return [`${file}: cannot read file: ${why}`];
  }
  const r = parseResultText(text, file);
  return r.ok ? r.value : r.problems;
}

export function compareFiles(io: CliIo, fileA: string, fileB: string): number {
  const a = readResult(io, fileA);
  const b = readResult(io, fileB);
  const problems = [...(Array.isArray(a) ? a : []), ...(Array.isArray(b) ? b : [])];
  if (Array.isArray(a) || Array.isArray(b)) throw new UsageError(problems);
  const what = (r: ReadResult) => `${r.name ?? '?'}, seed ${r.seed ?? '?'}`;
  io.stdout(
    `a: ${fileA} (${what(a)})\nb: ${fileB} (${what(b)})\n\n` +
      formatCompare({ label: 'a', result: a.result, bottleneck: a.bottleneck }, { label: 'b', result: b.result, bottleneck: b.bottleneck }),
  );
  return EXIT.OK;
}

export function registerCompare(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('compare')
    .description('compare two result files (smpsim run --format json): metrics, b - a, (b - a)/a')
    .argument('<a>', 'baseline result (JSON)')
    .argument('<b>', 'result to compare with it (JSON)')
    .action((a: string, b: string) => {
      setExit(compareFiles(io, a, b));
    });
}
