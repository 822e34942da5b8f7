// Module hooks for the optional-queue test: the packages named (comma-separated) in
// SMPSIM_TEST_HIDE_PACKAGES resolve as if not installed — Node's own ERR_MODULE_NOT_FOUND,
// by resolving them from a folder with no node_modules. Registered by hide-package.mjs.
import { pathToFileURL } from 'node:url';

const hidden = new Set((process.env.SMPSIM_TEST_HIDE_PACKAGES ?? '').split(',').filter((p) => p !== ''));
const NOWHERE = pathToFileURL('/smpsim-test-no-such-folder/importer.mjs').href;

export async function resolve(specifier, context, next) {
  const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
  if (hidden.has(name)) return next(specifier, { ...context, parentURL: NOWHERE });
  return next(specifier, context);
}
