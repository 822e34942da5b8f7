/**
 * The bundled scenarios (the `scenarios/` folder of the installation), found from this
 * source file, not from the working directory: `smpsim run lkml-2000-4way` and
 * `extends: lkml-2000-4way` name them without a path.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (the directory holding package.json). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The bundled scenarios. */
export const SCENARIOS_DIR = path.join(PROJECT_ROOT, 'scenarios');

const SCENARIO_EXT = /\.(ya?ml|json)$/i;

/** Bundled scenario files, sorted by name. */
export function bundledScenarioFiles(): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(SCENARIOS_DIR);
  } catch {
    return [];
  }
  return names.filter((n) => SCENARIO_EXT.test(n)).sort();
}

/** The bundled scenarios' names (file names without extension). */
export function bundledScenarioNames(): string[] {
  return bundledScenarioFiles().map((f) => f.replace(SCENARIO_EXT, ''));
}

/** A bare name: no folder, so it may name a bundled scenario. */
export function isBareName(name: string): boolean {
  return !(name.includes('/') || name.includes('\\') || name.trim() === '');
}

/**
 * A bundled scenario named without its folder or extension (`smpsim run lkml-2000-4way`),
 * or undefined. Only bare names qualify: anything with a path separator is a path.
 */
export function bundledScenario(name: string): string | undefined {
  if (!isBareName(name)) return undefined;
  for (const file of bundledScenarioFiles()) {
    if (file === name || file.replace(SCENARIO_EXT, '') === name) return path.join(SCENARIOS_DIR, file);
  }
  return undefined;
}
