/**
 * --max-events N and --max-wall DURATION (run, sweep, baseline, check): the runaway guards of
 * every run a command makes (engine/sim.ts Limits; defaults in model/run.ts DEFAULT_LIMITS).
 * The zero-time livelock guard has no option: a run whose clock stops is never legitimate.
 */
import type { Command } from 'commander';
import { DEFAULT_LIMITS, type RunLimits } from '../model/run.js';

export type { RunLimits } from '../model/run.js';
import { UsageError } from './io.js';


export interface LimitOptionValues {
  maxEvents?: string;
  maxWall?: string;
}

/** --max-events: an integer >= 1, digits or 2e9-style. */
export function parseMaxEvents(text: string): number {
  const t = text.trim().replace(/_/g, '');
  const v = /^\d+$/.test(t) || /^\d+(\.\d+)?e\d+$/i.test(t) ? Number(t) : Number.NaN;
  if (!(Number.isSafeInteger(v) && v >= 1)) {
    throw new UsageError(`--max-events: expected an integer >= 1 like 100000000 or 1e8 (events per run), got ${JSON.stringify(text)}`);
  }
  return v;
}

const WALL_UNITS: Record<string, number> = { ms: 1, s: 1000, min: 60_000, h: 3_600_000 };

/** --max-wall: a wall-clock duration per run with a unit: 500ms, 90s, 10min, 1h. */
export function parseMaxWall(text: string): number {
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|min|h)$/.exec(text.trim());
  const v = m === null ? Number.NaN : Number(m[1]) * WALL_UNITS[m[2]!]!;
  if (!(v >= 1 && Number.isFinite(v))) {
    throw new UsageError(`--max-wall: expected a wall-clock time per run with a unit (ms, s, min, h) of 1ms or more, like 90s or 10min, got ${JSON.stringify(text)}`);
  }
  return Math.round(v);
}

export function parseLimitOptions(o: LimitOptionValues): RunLimits {
  const limits: RunLimits = {};
  if (o.maxEvents !== undefined) limits.maxEvents = parseMaxEvents(o.maxEvents);
  if (o.maxWall !== undefined) limits.wallMs = parseMaxWall(o.maxWall);
  return limits;
}

/** Add --max-events and --max-wall to a command. */
export function addLimitOptions(cmd: Command): Command {
  return cmd
    .option('--max-events <n>', `abort a run after N events, exit 3 (default ${DEFAULT_LIMITS.maxEvents.toExponential().replace('e+', 'e')})`)
    .option('--max-wall <time>', `abort a run after this much wall-clock time, e.g. 90s or 10min, exit 3 (default ${DEFAULT_LIMITS.wallMs / 60_000}min)`);
}
