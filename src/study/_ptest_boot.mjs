import { register } from 'tsx/esm/api';
register();
const mod = await import('./_ptest_worker.ts');
export default mod.default;
