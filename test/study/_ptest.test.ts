import { test, expect } from 'vitest';
import { Piscina } from 'piscina';
test('pool', async () => {
  const p = new Piscina({ filename: new URL('../../src/study/_ptest_boot.mjs', import.meta.url).href, maxThreads: 2, minThreads: 0 });
  const r = await Promise.all([1,2,3].map((n) => p.run({ n })));
  expect(r).toEqual([2,4,6]);
  await p.destroy();
});
