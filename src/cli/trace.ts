/**
 * `smpsim run … --trace FILE [--trace-window START:END] [--trace-limit N]`: the options, and
 * one traced run's file from opening to publishing.
 */
import path from 'node:path';
import { STDOUT_ARG, UsageError, checkOutputPath, fsReason, type CliIo } from './io.js';
import { OutputError, OutputFile } from '../files/output.js';
import { SimulationAborted } from '../engine/sim.js';
import { UnitError, formatDuration, parseDuration } from '../engine/units.js';
import type { ResolvedScenario } from '../scenario/schema.js';
import { VERSION } from '../version.js';
import { DEFAULT_TRACE_LIMIT, type TraceSink, type TraceWindow } from '../trace/chrome.js';
import { ChromeTimeline } from '../trace/timeline.js';

export interface TraceSpec {
  /** The file as given on the command line. */
  file: string;
  window: TraceWindow | undefined;
  limit: number;
}

export interface TraceOptionValues {
  trace?: string;
  traceWindow?: string;
  traceLimit?: string;
}

const WINDOW_SYNTAX = 'expected START:END in simulated time, e.g. 1ms:2ms, 500us: or :3ms';

/** --trace-window START:END (either side may be empty: from 0, to the end of the run). */
export function parseTraceWindow(text: string): TraceWindow | undefined {
  const parts = text.split(':');
  if (parts.length !== 2) throw new UsageError(`--trace-window: ${WINDOW_SYNTAX}, got ${JSON.stringify(text)}`);
  const bound = (raw: string, which: string, dflt: number): number => {
    if (raw.trim() === '') return dflt;
    try {
      return parseDuration(raw);
    } catch (e) {
      if (e instanceof UnitError) throw new UsageError(`--trace-window: ${which} ${JSON.stringify(raw)}: ${e.message}`);
      throw e;
    }
  };
  const start = bound(parts[0]!, 'start', 0);
  const end = bound(parts[1]!, 'end', Number.POSITIVE_INFINITY);
  if (!(end > start)) {
    throw new UsageError(`--trace-window: the end (${parts[1]!.trim()}) must be after the start (${parts[0]!.trim()}), got ${JSON.stringify(text)}`);
  }
  if (start === 0 && end === Number.POSITIVE_INFINITY) return undefined;
  return { start, end };
}

/** --trace-limit N: an integer ≥ 1. */
export function parseTraceLimit(text: string): number {
  const t = text.trim();
  if (!/^\d+$/.test(t) || Number(t) < 1 || !Number.isSafeInteger(Number(t))) {
    throw new UsageError(`--trace-limit: expected an integer >= 1 (events), got ${JSON.stringify(text)}`);
  }
  return Number(t);
}

/** The --trace options of `smpsim run`, checked; undefined without --trace. */
export function parseTraceOptions(o: TraceOptionValues): TraceSpec | undefined {
  if (o.trace === undefined) {
    if (o.traceWindow !== undefined) throw new UsageError('--trace-window: only with --trace FILE');
    if (o.traceLimit !== undefined) throw new UsageError('--trace-limit: only with --trace FILE');
    return undefined;
  }
  if (o.trace.trim() === '') throw new UsageError('--trace: expected a file name, got ""');
  return {
    file: o.trace,
    window: o.traceWindow === undefined ? undefined : parseTraceWindow(o.traceWindow),
    limit: o.traceLimit === undefined ? DEFAULT_TRACE_LIMIT : parseTraceLimit(o.traceLimit),
  };
}

/** Fails before the run when the trace file cannot be written (as --out does). */
export function checkTracePath(io: CliIo, spec: TraceSpec): void {
  checkOutputPath(io, spec.file, '--trace');
}

/** Where a trace goes: a file (src/files/output.ts) or standard output (`--trace -`). */
interface TraceFileSink extends TraceSink {
  commit(): void;
  abort(): void;
}

/** `--trace -`: the trace streams to the CLI's stdout as it is made; nothing to publish. */
function stdoutSink(io: CliIo): TraceFileSink {
  return { write: (chunk) => io.stdout(chunk), commit: () => {}, abort: () => {} };
}

/**
 * A file sink whose write errors (a full disk mid-run) are usage errors naming --trace:
 * they end the run at once with exit 2, not an internal error after it.
 */
function fileSink(out: OutputFile, shown: string): TraceFileSink {
  const fail = (err: unknown): never => {
    out.abort();
    throw new UsageError(`--trace: cannot write ${shown}: ${err instanceof OutputError ? err.reason : fsReason(err)}`);
  };
  return {
    write: (chunk) => {
      try {
        out.write(chunk);
      } catch (err) {
        fail(err);
      }
    },
    commit: () => {
      try {
        out.commit();
      } catch (err) {
        fail(err);
      }
    },
    abort: () => out.abort(),
  };
}

/** One traced run: the observer to hand to runScenario, and its file. */
export class TraceSession {
  readonly tracer: ChromeTimeline;
  private readonly sink: TraceFileSink;

  private constructor(
    readonly spec: TraceSpec,
    sink: TraceFileSink,
    scenario: ResolvedScenario,
  ) {
    this.sink = sink;
    this.tracer = new ChromeTimeline(sink, {
      window: spec.window,
      limit: spec.limit,
      processName: `smpsim ${scenario.name} (${scenario.machine.cpus} CPUs, ${scenario.kernel.strategy})`,
      metadata: { scenario: scenario.name, seed: scenario.seed, strategy: scenario.kernel.strategy, version: VERSION },
    });
  }

  /** Open the temporary file next to the destination. */
  static open(io: CliIo, spec: TraceSpec, scenario: ResolvedScenario): TraceSession {
    let sink: TraceFileSink;
    if (spec.file === STDOUT_ARG) sink = stdoutSink(io);
    else {
      try {
        sink = fileSink(OutputFile.open(path.resolve(io.cwd, spec.file)), spec.file);
      } catch (err) {
        throw new UsageError(`--trace: cannot write ${spec.file}: ${err instanceof OutputError ? err.reason : fsReason(err)}`);
      }
    }
    try {
      return new TraceSession(spec, sink, scenario);
    } catch (err) {
      sink.abort();
      throw err;
    }
  }

  /**
   * The run ended: normally (`error` null), aborted by a guard (a SimulationAborted: the
   * trace up to the abort is published — it shows how the run got stuck), or by another
   * error (the file is dropped). Says on stderr when the limit cut the trace, unless `quiet`.
   */
  close(io: CliIo, quiet: boolean, error: unknown): void {
    if (error === null) {
      this.commit(io, { quiet, aborted: false });
    } else if (error instanceof SimulationAborted) {
      try {
        this.commit(io, { quiet, aborted: true });
      } catch {
        // the abort is what gets reported
      }
    } else {
      this.abort();
    }
  }

  private commit(io: CliIo, opts: { quiet: boolean; aborted: boolean }): void {
    let summary;
    try {
      summary = this.tracer.finish();
      this.sink.commit();
    } catch (err) {
      this.sink.abort();
      if (err instanceof UsageError) throw err;
      throw new UsageError(`--trace: cannot write ${this.spec.file}: ${fsReason(err)}`);
    }
    if (opts.quiet) return;
    if (summary.cutAt !== null) {
      io.stderr(
        `smpsim: warning: --trace: ${this.spec.file} reached the limit of ${this.spec.limit.toLocaleString('en-US')} events ` +
          `at t=${formatDuration(summary.cutAt)}; later events were dropped (narrow --trace-window or raise --trace-limit)\n`,
      );
    }
    if (opts.aborted) io.stderr(`smpsim: note: --trace: ${this.spec.file} was written up to the abort at t=${formatDuration(summary.endNs)}\n`);
  }

  /** Drop the temporary file (the run failed); the destination is left untouched. */
  abort(): void {
    this.sink.abort();
  }
}
