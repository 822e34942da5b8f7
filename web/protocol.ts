/** The messages between the page (web/main.ts) and its run worker (web/worker.ts). */

export interface RunRequest {
  kind: 'run';
  /** The scenario text as in the editor, and the name messages give it. */
  text: string;
  origin: string;
  /** The CLI's --set, in order. */
  set: string[];
  /** Also draw: the HTML report (charts, lock_stat), the timeline of the first TIMELINE_NS. */
  report: boolean;
}

export interface VaryRequest {
  kind: 'vary';
  text: string;
  origin: string;
  set: string[];
  /** The CLI's --vary PATH=V1,V2,…: one run per value, in order. */
  path: string;
  values: string[];
}

export type Request = RunRequest | VaryRequest;

/** A span on a timeline track: start and duration in µs (the Chrome trace's units). */
export interface TimelineSlice {
  track: number;
  ts: number;
  dur: number;
  name: string;
  cat: string;
  detail: string;
}

export interface TimelineData {
  /** [start, end) of simulated time shown, µs. */
  startUs: number;
  endUs: number;
  /** Tracks in display order: id (the trace's tid) and name (CPU0, CPU0 locks, device…). */
  tracks: Array<{ id: number; name: string }>;
  slices: TimelineSlice[];
  /** Cross-CPU calls (IPIs): from the initiator's track to a target's, µs. */
  flows: Array<{ from: number; to: number; ts: number; tsEnd: number; name: string }>;
  /** Events the trace held (the limit may have cut it: cutUs). */
  events: number;
  cutUs: number | null;
}

export interface VaryRow {
  label: string;
  opsPerSec: number;
  cpuNsPerOp: number;
  p99Ns: number;
  bottleneck: string;
}

export type Reply =
  | { kind: 'progress'; done: number; total: number; label: string; fraction: number }
  | {
      kind: 'result';
      /** The result as `smpsim run --format json` writes it. */
      json: string;
      /** `smpsim run`'s text report (perf-stat style, bottleneck line). */
      text: string;
      bottleneck: string;
      /** The `run --html` report (src/report/run-html.ts), or '' when not asked. */
      html: string;
      timeline: TimelineData | null;
      events: number;
      wallMs: number;
    }
  | { kind: 'vary'; path: string; table: string; rows: VaryRow[]; svg: string; json: string; events: number; wallMs: number }
  | { kind: 'error'; lines: string[] };
