/**
 * bin/smpsim.mjs never runs a dist/ that disagrees with src/ (issue 14): in a checkout it
 * compares dist/.build-stamp with a hash of the sources and rebuilds first (one line on
 * stderr) when they differ; an installed package (no src/) runs dist/ as it is. Tested on
 * a scratch root with the real bin/ and stand-ins for dist/cli.js and scripts/build.mjs.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../cli/helpers.js';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

/** A scratch project: the real bin/, a one-file src/, a dist/cli.js that says it ran. */
function scratch(opts: { src: boolean; build: 'ok' | 'fail' }): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'smpsim-stale-'));
  roots.push(root);
  fs.cpSync(path.join(ROOT, 'bin'), path.join(root, 'bin'), { recursive: true });
  fs.mkdirSync(path.join(root, 'dist'));
  fs.mkdirSync(path.join(root, 'scripts'));
  fs.writeFileSync(path.join(root, 'dist', 'cli.js'), "process.stdout.write('dist ran\\n');\n");
  if (opts.src) {
    fs.mkdirSync(path.join(root, 'src'));
    fs.writeFileSync(path.join(root, 'src', 'cli.ts'), 'export const a = 1;\n');
  }
  // The stand-in build writes the stamp of the current sources, as scripts/build.mjs does.
  fs.writeFileSync(
    path.join(root, 'scripts', 'build.mjs'),
    opts.build === 'ok'
      ? "import fs from 'node:fs';\nimport { STAMP_FILE, sourceStamp } from '../bin/source-stamp.mjs';\n" +
          "const root = new URL('..', import.meta.url).pathname;\nfs.writeFileSync(root + STAMP_FILE, sourceStamp(root) + '\\n');\nprocess.stderr.write('built\\n');\n"
      : "process.stderr.write('tsc: error\\n');\nprocess.exit(1);\n",
  );
  return root;
}

const smpsim = (root: string) => spawnSync(process.execPath, [path.join(root, 'bin', 'smpsim.mjs')], { encoding: 'utf8' });

describe('bin/smpsim.mjs and the build stamp', () => {
  it('a checkout without a build is built first; then dist/ runs without a rebuild until a source changes', () => {
    const root = scratch({ src: true, build: 'ok' });
    const first = smpsim(root);
    expect(first.stdout).toBe('dist ran\n');
    expect(first.stderr).toBe('smpsim: no build in dist/; rebuilding (npm run build)\nbuilt\n');

    const second = smpsim(root);
    expect(second.stdout).toBe('dist ran\n');
    expect(second.stderr).toBe('');

    fs.writeFileSync(path.join(root, 'src', 'cli.ts'), 'export const a = 2;\n');
    const third = smpsim(root);
    expect(third.stderr).toBe('smpsim: src/ changed since dist/ was built; rebuilding (npm run build)\nbuilt\n');
    expect(third.stdout).toBe('dist ran\n');

    // A new source file counts too, not only edits.
    fs.writeFileSync(path.join(root, 'src', 'new.ts'), 'export {};\n');
    expect(smpsim(root).stderr).toMatch(/^smpsim: src\/ changed since dist\/ was built/);
  });

  it('upgrading a package bundled into dist/vendor/ (scripts/vendor.mjs) rebuilds dist/ too', () => {
    const root = scratch({ src: true, build: 'ok' });
    const pkg = path.join(root, 'node_modules', 'zod', 'package.json');
    fs.mkdirSync(path.dirname(pkg), { recursive: true });
    fs.writeFileSync(pkg, '{"name":"zod","version":"4.6.7"}\n');
    expect(smpsim(root).stderr).toMatch(/^smpsim: no build in dist\//);
    expect(smpsim(root).stderr).toBe('');
    fs.writeFileSync(pkg, '{"name":"zod","version":"4.6.8"}\n');
    const r = smpsim(root);
    expect(r.stderr).toBe('smpsim: src/ changed since dist/ was built; rebuilding (npm run build)\nbuilt\n');
    expect(r.stdout).toBe('dist ran\n');
  });

  it('a failed rebuild refuses to run the stale dist/: exit 70, one line after the build output', () => {
    const root = scratch({ src: true, build: 'fail' });
    const r = smpsim(root);
    expect(r.status).toBe(70);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').at(-2)).toBe('smpsim: the build failed (see above); fix it or run the sources with `npm run smpsim --`');
  });

  it('an installed package (no src/) runs dist/ without any check', () => {
    const root = scratch({ src: false, build: 'fail' });
    const r = smpsim(root);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('dist ran\n');
    expect(r.stderr).toBe('');
  });
});
