// The build stamp: one hash of everything the compiled dist/ is made from (src/ and the
// tsconfig files). scripts/build.mjs writes it to dist/.build-stamp after compiling;
// bin/smpsim.mjs recomputes it in a checkout and rebuilds when they differ, so sources and
// dist/ never disagree silently (issue 14). Plain JavaScript: it must run before any build.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const STAMP_FILE = path.join('dist', '.build-stamp');
/**
 * The packages scripts/vendor.mjs bundles into dist/vendor/ (start-up, issue 24): dist/ runs
 * the copy made at build time, so their installed versions are build inputs too.
 */
export const VENDORED = ['zod', 'yaml', 'commander', 'seedrandom'];
const INPUTS = ['tsconfig.json', 'tsconfig.build.json', ...VENDORED.map((name) => `node_modules/${name}/package.json`)];

function walk(dir, rel, out) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const r = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) walk(path.join(dir, e.name), r, out);
    else if (e.isFile()) out.push(r);
  }
}

/** The hash of src/ (paths and contents), the tsconfig files and the vendored packages' package.json under `root`. */
export function sourceStamp(root) {
  const files = [];
  walk(path.join(root, 'src'), 'src', files);
  files.push(...INPUTS.filter((f) => fs.existsSync(path.join(root, f))));
  return hashFiles(root, files);
}

/** sha256 (hex) of `files` (paths relative to `root`), names and contents, in sorted order. */
function hashFiles(root, files) {
  files.sort();
  const h = crypto.createHash('sha256');
  for (const f of files) {
    h.update(f);
    h.update('\0');
    h.update(fs.readFileSync(path.join(root, f)));
    h.update('\0');
  }
  return h.digest('hex');
}

/** The stamp the last build wrote, or undefined (no build yet). */
export function builtStamp(root) {
  try {
    return fs.readFileSync(path.join(root, STAMP_FILE), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * What a run's numbers are computed by: the model (engine, CPUs, kernel mechanisms,
 * workloads, model assembly), the result it reports and the sweep's run task. A queue worker
 * (src/study/queue.ts) refuses a job made by a coordinator whose fingerprint differs: same
 * version number but other model code would give other numbers. Hashed from src/ when
 * running from sources; written to dist/model-fingerprint by scripts/build.mjs.
 */
export const MODEL_SOURCES = ['src/engine', 'src/cpu', 'src/kernel', 'src/workload', 'src/model', 'src/report', 'src/study/worker.ts', 'src/study/series.ts'];
export const MODEL_FINGERPRINT_FILE = path.join('dist', 'model-fingerprint');

/** The first 16 hex digits of the hash of MODEL_SOURCES (paths and contents) under `root`. */
export function modelFingerprint(root) {
  const files = [];
  for (const src of MODEL_SOURCES) {
    const p = path.join(root, src);
    if (fs.statSync(p).isDirectory()) walk(p, src, files);
    else files.push(src);
  }
  return hashFiles(root, files).slice(0, 16);
}
