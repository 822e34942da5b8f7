import { Piscina } from 'piscina';
const p = new Piscina({ filename: new URL('./_ptest_boot.mjs', import.meta.url).href, maxThreads: 2, minThreads: 0 });
const r = await Promise.all([1,2,3].map((n) => p.run({ n })));
console.log('ok', r, process.execArgv);
await p.destroy();
