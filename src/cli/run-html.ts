/**
 * `run --html FILE`: the checks made before the run (cheap, no vega), and the writing after
 * it, which loads the report module (and with it vega) only now — `run` without --html never
 * loads the plotting code (test/package/lazy-load.test.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Result } from '../report/result.js';
import type { ResolvedScenario } from '../scenario/schema.js';
import { LatencyCollector } from '../report/latency-collector.js';
import { UsageError, fsReason, refuseFolderSyntax, type CliIo } from './io.js';

/** Before any run: one run only, and FILE's directory exists and FILE is not a directory. */
export function checkHtmlOption(io: CliIo, file: string, runs: number): void {
  if (runs > 1) throw new UsageError('--html: reports a single run, so it cannot be combined with --vary (choose the variant with --set, or use smpsim sweep --plot)');
  if (file.trim() === '') throw new UsageError('--html: expected a file name, got ""');
  refuseFolderSyntax('--html', file);
  const abs = path.resolve(io.cwd, file);
  let st: fs.Stats;
  try {
    st = fs.statSync(path.dirname(abs));
  } catch (err) {
    const why = fsReason(err);
    throw new UsageError(`--html: cannot write ${file}: ${why === 'no such file or directory' ? `no directory ${path.dirname(file)}` : why}`);
  }
  if (!st.isDirectory()) throw new UsageError(`--html: cannot write ${file}: ${path.dirname(file)} is not a directory`);
  if (fs.existsSync(abs) && fs.statSync(abs).isDirectory()) throw new UsageError(`--html: cannot write ${file}: is a directory`);
}

/** The collector to pass as runScenario's onOpSample. */
export function latencyCollector(s: ResolvedScenario): LatencyCollector {
  return new LatencyCollector(s.stop.warmup);
}

/** After the run: render and write FILE atomically. */
export async function writeRunHtml(io: CliIo, file: string, result: Result, latency: LatencyCollector): Promise<void> {
  const { runReportHtml } = await import('../report/run-html.js');
  const { writeAtomic, SweepFileError } = await import('../study/files.js');
  const html = await runReportHtml(result, latency.histogram);
  try {
    writeAtomic(path.resolve(io.cwd, file), html);
  } catch (e) {
    if (e instanceof SweepFileError) throw new UsageError(`--html: ${e.message}`);
    throw e;
  }
}
