import { expect } from 'vitest';
import { ScenarioError } from '../../src/scenario/errors.js';
import { resolveScenario } from '../../src/scenario/load.js';
import type { ResolvedScenario } from '../../src/scenario/schema.js';

export const ORIGIN = 'scenarios/x.yaml';

export function resolve(raw: unknown): ResolvedScenario {
  return resolveScenario(raw, ORIGIN);
}

/** The formatted problem lines a thunk throws (fails the test if it throws anything else). */
export function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    const err = e as ScenarioError;
    expect(err.message).toBe(err.lines.join('\n'));
    return err.lines;
  }
  throw new Error('expected a ScenarioError, but nothing was thrown');
}

export function problemsOfRaw(raw: unknown): string[] {
  return problemsOf(() => resolve(raw));
}

/** Build {a: {b: value}} from 'a.b'. */
export function at(dotted: string, value: unknown): Record<string, unknown> {
  const keys = dotted.split('.');
  let v: unknown = value;
  for (let i = keys.length - 1; i >= 0; i--) v = { [keys[i]!]: v };
  return v as Record<string, unknown>;
}
