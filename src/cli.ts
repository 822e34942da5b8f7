/**
 * The `smpsim` process: wire the real stdout/stderr/env/cwd into main() and set the exit
 * code. Everything else lives in src/cli/ (program.ts and one module per command).
 */
import { Lifecycle } from './cli/lifecycle.js';
import type { CliIo } from './cli/io.js';
import { main } from './cli/program.js';

// Signals and the launchers' death (npm, npx, tsx): src/cli/lifecycle.ts.
const lifecycle = new Lifecycle();

const realIo: CliIo = {
  stdout: (s) => {
    process.stdout.write(s);
  },
  stderr: (s) => {
    process.stderr.write(s);
  },
  isTTY: process.stderr.isTTY === true,
  env: { ...process.env, COLUMNS: process.env.COLUMNS ?? (process.stderr.columns ? String(process.stderr.columns) : undefined) },
  cwd: process.cwd(),
  onInterrupt: (fn) => lifecycle.onInterrupt(fn),
  onShutdown: (fn) => lifecycle.onShutdown(fn),
};

// `smpsim run ... | head`: a closed pipe ends the output, not with a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

process.exitCode = await main(process.argv.slice(2), realIo);
