// Module hooks for the lazy-loading test: append every resolved module URL to the file
// named by SMPSIM_TEST_LOAD_LOG (one per line). Registered by load-log.mjs (--import).
import fs from 'node:fs';

export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (process.env.SMPSIM_TEST_LOAD_LOG) fs.appendFileSync(process.env.SMPSIM_TEST_LOAD_LOG, `${r.url}\n`);
  return r;
}
