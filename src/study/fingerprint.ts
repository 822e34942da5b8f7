/**
 * The model fingerprint: a hash of the sources that compute a run's numbers (the list and
 * the hash are in bin/source-stamp.mjs, shared with the build). A queue job carries the
 * coordinator's fingerprint and a worker with another one refuses it (src/study/queue.ts).
 * From a compiled build it is read from dist/model-fingerprint (written by
 * scripts/build.mjs from the same sources); from the TypeScript sources it is hashed now.
 */
import { readInputFile } from '../input/read.js';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

let cached: string | undefined;

/** Largest dist/model-fingerprint read (bytes): it holds one hex hash. */
const FINGERPRINT_BYTES = 1024;

export async function modelFingerprint(): Promise<string> {
  if (cached !== undefined) return cached;
  const here = import.meta.url;
  // src/study/fingerprint.ts or dist/study/fingerprint.js: the package root is two up.
  const root = fileURLToPath(new URL('../../', here));
  if (here.endsWith('.ts')) {
    const stamp = (await import(pathToFileURL(path.join(root, 'bin', 'source-stamp.mjs')).href)) as { modelFingerprint(root: string): string };
    cached = stamp.modelFingerprint(root);
  } else {
    cached = readInputFile(path.join(root, 'dist', 'model-fingerprint'), FINGERPRINT_BYTES, 'fingerprint files').trim();
  }
  return cached;
}
