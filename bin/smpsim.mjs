#!/usr/bin/env node
// Entry point of the `smpsim` command: runs the compiled CLI, dist/cli.js (built by
// `npm run build`, which `npm pack` runs through `prepack`, and this file in a checkout).
// No `prepare`: installing the tarball would list it as an install script it cannot run.
//
// In a checkout (src/ is present) dist/ must match src/: the build stamp is compared with
// a hash of the sources (a few milliseconds), and a stale or missing dist/ is rebuilt
// first, with one line on stderr saying so. An installed package has no src/, only dist/.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (fs.existsSync(path.join(root, 'src'))) {
  const { builtStamp, sourceStamp } = await import('./source-stamp.mjs');
  const built = builtStamp(root);
  if (built !== sourceStamp(root)) {
    const { spawnSync } = await import('node:child_process');
    process.stderr.write(
      `smpsim: ${built === undefined ? 'no build in dist/' : 'src/ changed since dist/ was built'}; rebuilding (npm run build)\n`,
    );
    const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: ['ignore', 2, 2] });
    if (r.status !== 0) {
      process.stderr.write('smpsim: the build failed (see above); fix it or run the sources with `npm run smpsim --`\n');
      process.exit(70);
    }
  }
}
await import('../dist/cli.js');
