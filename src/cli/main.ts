/**
 * The smpsim command line, in-process: main() (src/cli/program.ts) and reportError()
 * (src/cli/report-error.ts), for tests and the library. The `smpsim` process (src/cli.ts)
 * imports program.ts itself, so that it loads the error classes only on an error.
 */
export { main } from './program.js';
export { reportError } from './report-error.js';
export type { CliIo } from './io.js';
export { EXIT } from './io.js';
