/**
 * Benchmark plumbing: what a benchmark definition looks like, how repetitions are timed
 * and summarised, how results are printed.
 *
 * Each benchmark does a warm-up pass (JIT, caches), then `reps` timed repetitions; every
 * metric is reported as the median with the min and max of the repetitions, so the noise
 * is visible next to the figure. Wall-clock benchmarks, never tests: nothing here fails a
 * build, a missed target is reported as "FAIL" in the table.
 */

export interface BenchOptions {
  /** Timed repetitions (after one warm-up pass). */
  reps: number;
  /** Scale of the work per repetition (1 = the documented size; smaller for smoke runs). */
  scale: number;
}

/** A target: the median must be ≥ (or ≤) `value`. */
export interface Target {
  op: '>=' | '<=';
  value: number;
}

export interface Metric {
  name: string;
  unit: string;
  median: number;
  min: number;
  max: number;
  /** How many measurements the figures summarise. */
  samples: number;
  target?: Target;
  /** Present when there is a target: median meets it. */
  pass?: boolean;
  note?: string;
}

export interface BenchResult {
  name: string;
  issue: string;
  description: string;
  status: 'ok' | 'not available' | 'error';
  /** Why not available / the error message. */
  message?: string;
  metrics: Metric[];
  /** Free-form facts about the run (sizes, event counts, checks). */
  info: Record<string, string | number | boolean>;
}

/** One benchmark. Add new ones to the BENCHMARKS array in bench/benchmarks.ts. */
export interface BenchDef {
  name: string;
  /** The issue that states the target, e.g. "#2". */
  issue: string;
  description: string;
  /**
   * Runs warm-up and repetitions and returns the metrics. Throw NotAvailable when the
   * model needed is missing (reported, not an error); anything else is reported as an error.
   */
  run(opts: BenchOptions, info: BenchResult['info']): Metric[];
}

/** Thrown by a benchmark whose model is not there yet. */
export class NotAvailable extends Error {}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Summarise samples into a metric; with a target, decide pass/fail on the median. */
export function metric(name: string, unit: string, samples: readonly number[], target?: Target, note?: string): Metric {
  const m: Metric = {
    name,
    unit,
    median: median(samples),
    min: Math.min(...samples),
    max: Math.max(...samples),
    samples: samples.length,
  };
  if (target !== undefined) {
    m.target = target;
    m.pass = target.op === '>=' ? m.median >= target.value : m.median <= target.value;
  }
  if (note !== undefined) m.note = note;
  return m;
}

/** Full collection when node runs with --expose-gc; false otherwise. */
export function collectGarbage(): boolean {
  const gc = globalThis.gc;
  if (gc === undefined) return false;
  gc();
  return true;
}

export function hasGc(): boolean {
  return globalThis.gc !== undefined;
}

/** Wall seconds taken by `fn` (after a GC, so one repetition's garbage is not billed to the next). */
export function timeIt(fn: () => void): number {
  collectGarbage();
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) / 1000;
}

// ---------------------------------------------------------------------------------------
// Output

function si(x: number): string {
  const a = Math.abs(x);
  if (a >= 1e9) return `${(x / 1e9).toFixed(2)} G`;
  if (a >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  if (a >= 1e3) return `${(x / 1e3).toFixed(1)} k`;
  return x.toFixed(a >= 10 ? 1 : 3);
}

export function formatValue(x: number, unit: string): string {
  if (!Number.isFinite(x)) return String(x);
  switch (unit) {
    case 'ratio':
      return x.toFixed(3);
    case 'bytes':
      return `${(x / (1024 * 1024)).toFixed(2)} MiB`;
    case '/s':
      return `${si(x)}/s`;
    case 'ns/event':
      return `${x.toFixed(1)} ns/event`;
    case 's':
      return `${x.toFixed(3)} s`;
    default:
      return `${si(x)}${unit === '' ? '' : ` ${unit}`}`;
  }
}

function formatTarget(m: Metric): string {
  if (m.target === undefined) return '';
  return `${m.target.op} ${formatValue(m.target.value, m.unit)}`;
}

/** The results as a fixed-width text table (plus notes and info lines). */
export function formatTable(results: readonly BenchResult[]): string {
  const header = ['benchmark', 'metric', 'median', 'min', 'max', 'n', 'target', 'result'];
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const r of results) {
    if (r.status !== 'ok') {
      rows.push([r.name, `(${r.status})`, '', '', '', '', '', r.status === 'error' ? 'ERROR' : 'n/a']);
      notes.push(`${r.name}: ${r.status}: ${r.message ?? ''}`);
      continue;
    }
    for (const m of r.metrics) {
      rows.push([
        r.name,
        m.name,
        formatValue(m.median, m.unit),
        formatValue(m.min, m.unit),
        formatValue(m.max, m.unit),
        String(m.samples),
        formatTarget(m),
        m.pass === undefined ? '' : m.pass ? 'pass' : 'FAIL',
      ]);
      if (m.note !== undefined) notes.push(`${r.name} / ${m.name}: ${m.note}`);
    }
    const info = Object.entries(r.info).map(([k, v]) => `${k}=${v}`);
    if (info.length > 0) notes.push(`${r.name}: ${info.join(', ')}`);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const right = new Set([2, 3, 4, 5]);
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  if (notes.length > 0) out.push('', ...notes);
  return out.join('\n');
}
