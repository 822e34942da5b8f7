import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runScenario } from '../../src/model/run.js';
import type { Result } from '../../src/report/result.js';
import { loadScenario } from '../../src/scenario/load.js';
import type { ResolvedScenario } from '../../src/scenario/schema.js';
import type { TraceSummary, TraceWindow } from '../../src/trace/chrome.js';
import { OutputFile } from '../../src/files/output.js';
import { ChromeTimeline } from '../../src/trace/timeline.js';
import { readTrace, type TraceDoc } from './validate.js';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
export const LKML = path.join(ROOT, 'scenarios', 'lkml-2000-4way.yaml');

const made: string[] = [];
process.on('exit', () => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

export function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'smpsim-trace-'));
  made.push(d);
  return d;
}

export interface Traced {
  doc: TraceDoc;
  result: Result;
  summary: TraceSummary;
  scenario: ResolvedScenario;
  file: string;
}

export function load(file: string, set: string[]): ResolvedScenario {
  return loadScenario(file, { set });
}

/** Run a scenario with a Chrome trace written to a temporary file, and read it back. */
export function traced(file: string, set: string[], opts: { window?: TraceWindow; limit?: number; fingerprint?: boolean } = {}): Traced {
  const scenario = load(file, set);
  const out = path.join(tempDir(), 'trace.json');
  const sink = OutputFile.open(out);
  const tracer = new ChromeTimeline(sink, { window: opts.window, limit: opts.limit, processName: scenario.name });
  const result = runScenario(scenario, { trace: tracer, fingerprint: opts.fingerprint });
  const summary = tracer.finish();
  sink.commit();
  return { doc: readTrace(out), result, summary, scenario, file: out };
}

/** The result without what legitimately differs between two runs. */
export function comparable(r: Result): string {
  return JSON.stringify({ ...r, wall_ms: 0 });
}
