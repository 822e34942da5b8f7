/**
 * src/version.ts in the browser build (scripts/playground.mjs puts this module in its
 * place): package.json's version, put into the bundle at build time (esbuild `define`)
 * instead of read with createRequire.
 */
declare const __SMPSIM_VERSION__: string;

export const VERSION: string = __SMPSIM_VERSION__;
