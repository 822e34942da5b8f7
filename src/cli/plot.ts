/**
 * `smpsim plot DIR`: the charts of a finished sweep (DIR/summary.json) as SVG files and one
 * self-contained DIR/report.html (src/study/plot.ts). `smpsim sweep --plot` does the same.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { SweepFileError } from '../study/files.js';
import { writePlots } from '../study/plot.js';
import { readSummary } from '../study/summary-file.js';
import { EXIT, UsageError, requireFolderName, type CliIo } from './io.js';

export async function executePlot(io: CliIo, dirArg: string, quiet: boolean): Promise<number> {
  requireFolderName('plot', dirArg);
  const dir = path.resolve(io.cwd, dirArg);
  let files: string[];
  try {
    files = await writePlots(dir, readSummary(dir));
  } catch (e) {
    if (e instanceof SweepFileError) throw new UsageError(e.message);
    throw e;
  }
  if (!quiet) for (const f of files) io.stdout(`wrote ${path.join(dirArg, path.basename(f))}\n`);
  return EXIT.OK;
}

export function registerPlot(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('plot')
    .description('charts of a sweep (SVG) and a self-contained report.html, from DIR/summary.json')
    .argument('<dir>', 'the --out directory of smpsim sweep')
    .option('--quiet', 'print nothing but errors')
    .action(async (dir: string, opts: { quiet?: boolean }) => {
      setExit(await executePlot(io, dir, opts.quiet === true));
    });
}
