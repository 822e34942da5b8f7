// Worker-thread entry of the sweep pool (src/study/pool.ts) when smpsim runs from its
// TypeScript sources: register tsx's ESM loader in this thread, then load the worker.
// Works whether the main thread got tsx from `tsx src/cli.ts`, `node --import tsx`,
// bin/smpsim.mjs (tsx's register API) or vitest. A compiled build (npm run build) uses
// dist/study/worker.js directly instead.
import { register } from 'tsx/esm/api';

register();
const mod = await import('./worker.ts');
export default mod.default;
