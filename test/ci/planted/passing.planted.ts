// A planted passing suite for test/ci/summary.test.ts.
import { expect, it } from 'vitest';

it('passes', () => {
  expect(2 + 2).toBe(4);
});
