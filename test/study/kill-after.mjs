/**
 * Preload for test/study/kill.test.ts (node --import): the process SIGKILLs itself right
 * after it has renamed its N-th sweep run file into place (N = SMPSIM_TEST_KILL_AFTER_RUNS).
 * The kill point is a count of files, not a moment in time, so the test is the same on a
 * fast machine and on a loaded one. SIGKILL cannot be caught: nothing runs after it, as
 * when a user or the OOM killer ends a sweep.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const after = Number(process.env.SMPSIM_TEST_KILL_AFTER_RUNS);
const RUN_FILE = /[\\/]runs[\\/]\d+-\d+\.json$/;
let renamed = 0;

function count(to) {
  if (RUN_FILE.test(String(to)) && ++renamed === after) process.kill(process.pid, 'SIGKILL');
}

const renameSync = fs.renameSync;
fs.renameSync = function patchedRenameSync(from, to) {
  renameSync(from, to);
  count(to);
};
const rename = fs.promises.rename;
fs.promises.rename = async function patchedRename(from, to) {
  await rename(from, to);
  count(to);
};
syncBuiltinESMExports();
