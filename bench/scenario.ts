/**
 * Benchmarks of whole model runs: `runScenario` on an in-memory scenario, measuring
 * simulated operations and events per wall-clock second, and whether the live heap grows
 * with the run length (1× vs 4× the operations).
 */
import { runScenario } from '../src/model/run.js';
import { resolveScenario } from '../src/scenario/load.js';
import type { ResolvedScenario } from '../src/scenario/schema.js';
import {
  NotAvailable,
  collectGarbage,
  hasGc,
  metric,
  timeIt,
  type BenchDef,
  type BenchOptions,
  type BenchResult,
  type Metric,
} from './harness.js';

export interface ScenarioBenchSpec {
  name: string;
  issue: string;
  description: string;
  /** The raw scenario (as a file would give it) for a run that stops after `ops` operations. */
  scenario(ops: number): Record<string, unknown>;
  /** Operations per timed run at scale 1. */
  ops: number;
  /** Targets on the medians; omitted ones are reported without pass/fail. */
  targets?: { opsPerSec?: number; eventsPerSec?: number };
  /** Also run 1× and 4× the ops and compare the live heap (needs node --expose-gc). */
  memory?: boolean;
  /** Name of the ops rate in the table, e.g. "acquisitions/s". */
  opsLabel?: string;
}

/** Allowed growth of the live heap from a 1× to a 4× run: a leak of even a few bytes per op shows far above it. */
export const MEMORY_GROWTH_LIMIT = 1024 * 1024;

interface HeapSample {
  /** Largest post-GC heapUsed sampled while the run was going (the model alive). */
  during: number;
  /** heapUsed after the run returned and a GC (what the run left behind). */
  after: number;
  samples: number;
}

/** Run once, sampling the post-GC heap every 2^18 events through the progress hook. */
function heapOfRun(s: ResolvedScenario): HeapSample {
  let during = 0;
  let samples = 0;
  collectGarbage();
  runScenario(s, {
    onProgress: () => {
      collectGarbage();
      during = Math.max(during, process.memoryUsage().heapUsed);
      samples++;
    },
  });
  collectGarbage();
  return { during, after: process.memoryUsage().heapUsed, samples };
}

export function scenarioBench(spec: ScenarioBenchSpec): BenchDef {
  return {
    name: spec.name,
    issue: spec.issue,
    description: spec.description,
    run(opts: BenchOptions, info: BenchResult['info']): Metric[] {
      const ops = Math.max(1000, Math.round(spec.ops * opts.scale));
      const scenario = resolveScenario(spec.scenario(ops), 'bench');
      try {
        runScenario(scenario); // warm-up; also tells whether the model exists
      } catch (e) {
        throw new NotAvailable(`runScenario threw: ${e instanceof Error ? e.message : String(e)}`);
      }
      const opsRate: number[] = [];
      const eventRate: number[] = [];
      let events = 0;
      let completed = 0;
      for (let i = 0; i < opts.reps; i++) {
        let r: ReturnType<typeof runScenario> | undefined;
        const s = timeIt(() => {
          r = runScenario(scenario);
        });
        completed = r!.ops.completed;
        events = r!.events;
        opsRate.push(completed / s);
        eventRate.push(events / s);
      }
      info['ops/run'] = completed;
      info['events/run'] = events;
      info['events/op'] = Number((events / completed).toFixed(3));
      const t = spec.targets ?? {};
      const out = [
        metric(spec.opsLabel ?? 'ops/s', '/s', opsRate, t.opsPerSec === undefined ? undefined : { op: '>=', value: t.opsPerSec }),
        metric('events/s', '/s', eventRate, t.eventsPerSec === undefined ? undefined : { op: '>=', value: t.eventsPerSec }),
      ];
      if (spec.memory === true) out.push(...memoryMetrics(spec, ops, info));
      return out;
    },
  };
}

function memoryMetrics(spec: ScenarioBenchSpec, ops: number, info: BenchResult['info']): Metric[] {
  if (!hasGc()) {
    info['memory'] = 'not measured: run node with --expose-gc';
    return [];
  }
  const one = heapOfRun(resolveScenario(spec.scenario(ops), 'bench'));
  const four = heapOfRun(resolveScenario(spec.scenario(4 * ops), 'bench'));
  info['heap samples 1x/4x'] = `${one.samples}/${four.samples}`;
  const note = 'max post-GC heapUsed sampled every 2^18 events while the run goes';
  return [
    metric(`heap during 1x (${ops} ops)`, 'bytes', [one.during], undefined, note),
    metric(`heap during 4x (${4 * ops} ops)`, 'bytes', [four.during]),
    metric('heap growth 4x-1x', 'bytes', [four.during - one.during], { op: '<=', value: MEMORY_GROWTH_LIMIT }),
    metric('heap after 1x run', 'bytes', [one.after], undefined, 'heapUsed after the run returned and a GC'),
    metric('heap after 4x run', 'bytes', [four.after]),
  ];
}
