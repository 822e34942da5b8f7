/**
 * --max-events N, --max-wall DURATION and --max-memory SIZE (run, sweep, baseline, check): the
 * runaway guards of every run a command makes (engine/sim.ts Limits; defaults in model/run.ts
 * DEFAULT_LIMITS; the memory budget and estimate in scenario/memory.ts). The zero-time livelock
 * guard has no option: a run whose clock stops is never legitimate.
 */
import type { Command } from 'commander';
import { MemoryBudgetError, checkMemory, defaultMemoryBudget, formatBytes } from '../scenario/memory.js';
import type { ResolvedScenario } from '../scenario/types.js';
import { DEFAULT_LIMITS, type RunLimits } from '../model/run.js';

export type { RunLimits } from '../model/run.js';
import { UsageError } from './io.js';


export interface LimitOptionValues {
  maxEvents?: string;
  maxWall?: string;
  maxMemory?: string;
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

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** --max-memory: a size with a unit, decimal (MB, GB) or binary (MiB, GiB), 16MB or more. */
export function parseMaxMemory(text: string): number {
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*([kmgt]i?b|b)$/i.exec(text.trim());
  const v = m === null ? Number.NaN : Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]!;
  if (!(v >= 16e6 && Number.isFinite(v))) {
    throw new UsageError(`--max-memory: expected a memory size per run with a unit (MB, GB, MiB, GiB…) of 16MB or more, like 4GB or 12GiB, got ${JSON.stringify(text)}`);
  }
  return Math.round(v);
}

export function parseLimitOptions(o: LimitOptionValues): RunLimits {
  const limits: RunLimits = {};
  if (o.maxEvents !== undefined) limits.maxEvents = parseMaxEvents(o.maxEvents);
  if (o.maxWall !== undefined) limits.wallMs = parseMaxWall(o.maxWall);
  if (o.maxMemory !== undefined) limits.memoryBytes = parseMaxMemory(o.maxMemory);
  return limits;
}

/** Add --max-events, --max-wall and --max-memory to a command. */
export function addLimitOptions(cmd: Command): Command {
  return cmd
    .option(
      '--max-memory <size>',
      `refuse, exit 2, a run whose estimated memory exceeds this, e.g. 4GB (default ${formatBytes(defaultMemoryBudget())}: half the machine's memory, at most the JS heap limit)`,
    )
    .option('--max-events <n>', `abort a run after N events, exit 3 (default ${DEFAULT_LIMITS.maxEvents.toExponential().replace('e+', 'e')})`)
    .option('--max-wall <time>', `abort a run after this much wall-clock time, e.g. 90s or 10min, exit 3 (default ${DEFAULT_LIMITS.wallMs / 60_000}min)`);
}

/**
 * Every run's memory estimate against the budget before the first run starts (exit 2, one
 * line per scenario over it, naming the field that drives it).
 */
export function checkMemoryBudget(items: ReadonlyArray<{ label: string; scenario: ResolvedScenario }>, limits: RunLimits | undefined): void {
  const budget = limits?.memoryBytes ?? defaultMemoryBudget();
  const lines: string[] = [];
  for (const { label, scenario } of items) {
    try {
      checkMemory(scenario, budget);
    } catch (e) {
      if (!(e instanceof MemoryBudgetError)) throw e;
      lines.push(`${label === '' ? '' : `${label}: `}${e.message}`);
    }
  }
  if (lines.length > 0) throw new UsageError(lines);
}
