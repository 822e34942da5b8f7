// `npm run build` (and `prepack`, so `npm pack` builds; bin/smpsim.mjs runs it in a checkout
// whose dist/ is missing or stale): compile src/ to dist/
// from clean with tsc, then write dist/.build-stamp (bin/source-stamp.mjs) so bin/smpsim.mjs
// can tell a dist/ that no longer matches src/. Plain JavaScript: it runs before any build.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { MODEL_FINGERPRINT_FILE, STAMP_FILE, modelFingerprint, sourceStamp } from '../bin/source-stamp.mjs';
import { bundleVendored, rewriteVendoredImports } from './vendor.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Hash before compiling: a source edited during the build then shows as stale, not as built.
const stamp = sourceStamp(root);
const fingerprint = modelFingerprint(root);
// From clean: a module deleted from src/ must not live on in dist/.
fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
if (r.status !== 0) {
  process.stderr.write(`smpsim build: tsc failed (exit ${r.status ?? r.signal})\n`);
  process.exit(1);
}
// zod, yaml and commander as one file each, dist/ importing those (start-up: scripts/vendor.mjs).
await bundleVendored(root);
rewriteVendoredImports(root);
// The model fingerprint queue workers compare (src/study/fingerprint.ts).
fs.writeFileSync(path.join(root, MODEL_FINGERPRINT_FILE), `${fingerprint}\n`);
fs.writeFileSync(path.join(root, STAMP_FILE), `${stamp}\n`);
