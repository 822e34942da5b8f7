// Sweep the number of CPUs of a bundled scenario and print a table (docs/API.md).
// Run: node docs/examples/sweep-cpus.mjs  (from a checkout after `npm ci`, or anywhere
// `smpsim` is installed). Ctrl-C cancels cleanly through the AbortSignal.
import { loadScenario, runSweep, RunCancelledError } from 'smpsim';

const cpus = [1, 2, 4, 8];
const controller = new AbortController();
process.once('SIGINT', () => controller.abort());

try {
  const set = ['stop.ops=4000'];
  const base = loadScenario('scaling-1-32', { set });
  console.log(`${base.name}: strategy ${base.kernel.strategy}, ${base.workload.tasks} tasks, ${set}`);
  const runs = await runSweep('scaling-1-32', { set, vary: { 'machine.cpus': cpus }, signal: controller.signal });
  console.log('cpus   ops/s     p99 latency (us)');
  for (const { values, result } of runs) {
    const p99us = (result.ops.latency_ns.p99 / 1000).toFixed(1);
    console.log(`${values['machine.cpus'].padStart(4)} ${result.ops.per_sec.toFixed(0).padStart(9)} ${p99us.padStart(12)}`);
  }
} catch (e) {
  if (!(e instanceof RunCancelledError)) throw e;
  console.error('cancelled');
  process.exitCode = 130;
}
