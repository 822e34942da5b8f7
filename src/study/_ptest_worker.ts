import type { ResolvedScenario } from '../scenario/types.js';
export default function run(x: { n: number }): number { const s: Partial<ResolvedScenario> = {}; void s; return x.n * 2; }
