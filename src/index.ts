/**
 * `import … from 'smpsim'`: the library's deliberate, small surface (docs/API.md lists what
 * is semver-stable). Everything else under dist/ is internal and may change in any release.
 */
export {
  loadScenario,
  runScenario,
  runSweep,
  checkBaseline,
  RunCancelledError,
  type LoadScenarioOptions,
  type RunHooks,
  type RunScenarioOptions,
  type SweepOptions,
  type SweepRun,
  type CheckBaselineOptions,
} from './api.js';
export { resolveScenario } from './scenario/load.js';
export { ScenarioError, type Problem } from './scenario/errors.js';
export { SimulationAborted } from './engine/sim.js';
export { MemoryBudgetError, estimateMemory, type MemoryEstimate } from './scenario/memory.js';
export { formatTextReport } from './report/text.js';
export { RESULT_SCHEMA, type Result, type CpuResult, type LatencySummary } from './report/result.js';
export type { ResolvedScenario } from './scenario/types.js';
export type { Baseline } from './check/baseline.js';
export type { ScenarioCheck, MetricComparison } from './check/compare.js';
export { VERSION } from './version.js';
