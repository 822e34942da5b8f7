/**
 * The bundled scenarios (scenarios/*.yaml), their text as shipped: put into the bundle at
 * build time by scripts/playground.mjs (esbuild `define`), so the page reads no file.
 */
export interface BundledScenario {
  /** The name `smpsim run NAME` takes (file name without extension). */
  name: string;
  /** The file name, as messages name it. */
  file: string;
  text: string;
}

declare const __SMPSIM_SCENARIOS__: readonly BundledScenario[];

export const BUNDLED_SCENARIOS: readonly BundledScenario[] = __SMPSIM_SCENARIOS__;

/** The scenario the page opens with: the 2000 LKML thread's 4-way box. */
export const DEFAULT_SCENARIO = 'lkml-2000-4way';
