import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/scenario/errors.js';
import { parseText } from '../../src/scenario/load.js';

describe('YAML warnings are errors', () => {
  it('an unknown tag is one clear line, not a silently different value', () => {
    try {
      parseText('machine:\n  cpus: !bogus 4\n', 'x.yaml');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ScenarioError);
      expect((e as ScenarioError).lines).toEqual(['x.yaml:2:9: YAML syntax error: Unresolved tag: !bogus']);
    }
  });
});
