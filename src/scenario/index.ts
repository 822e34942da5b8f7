/** Scenario files → validated, fully resolved scenarios (docs/MODEL.md §9). */
export { loadScenario, loadRawScenario, resolveScenario, parseText, type LoadOptions } from './load.js';
export { parseSetOption, applySet, Origins, type SetOption } from './merge.js';
export { ScenarioError, formatProblem, didYouMean, editDistance, type Problem, type PathSegment } from './errors.js';
export { scenarioJsonSchema, scenarioJsonSchemaText } from './jsonschema.js';
export { OVERRIDE_SOURCE } from './resolve.js';
export type {
  ResolvedScenario,
  ResolvedMachine,
  ResolvedKernel,
  ResolvedDevice,
  ResolvedWorkload,
  ResolvedStop,
  IoWorkload,
  LocktortureWorkload,
  MaptortureWorkload,
  Locality,
  Warmup,
  Strategy,
  SpinlockKind,
  TlbFlushKind,
  InjectBug,
  DmaLimit,
  IrqRouting,
  WorkloadType,
  MapApi,
} from './types.js';
export {
  STRATEGIES,
  SPINLOCKS,
  TLB_FLUSHES,
  INJECT_BUGS,
  DMA_LIMITS,
  IRQ_ROUTINGS,
  WORKLOAD_TYPES,
  MAP_APIS,
  PAGE_SIZE,
} from './types.js';
