// A planted failing suite for test/ci/summary.test.ts (not matched by the suite's include:
// it ends in .planted.ts). Its beforeAll throws, so vitest marks its one test skipped and
// reports numFailedTests 0: the CI line must still count it as failed.
import { beforeAll, expect, it } from 'vitest';

beforeAll(() => {
  throw new Error('planted failure');
});

it('never runs', () => {
  expect(1).toBe(1);
});
