/**
 * Which file a scenario argument names. Its own small module so that commands that only
 * read scenarios (validate) need not load run.ts and the model behind it.
 */
import fs from 'node:fs';
import { inputPath, type CliIo } from './io.js';
import { bundledScenario } from './paths.js';

/** The file to load: the path as given, or a bundled scenario named without its folder. */
export function scenarioPath(io: CliIo, arg: string): string {
  const p = inputPath(io, arg);
  if (!fsExists(p)) return bundledScenario(arg) ?? p;
  return p;
}

function fsExists(p: string): boolean {
  try {
    fs.statSync(p);
    return true;
  } catch {
    return false;
  }
}
