/**
 * .ci/run's last line, `tests: N passed, N failed`, counts failed files and suites as well as
 * failed tests: proven on a real vitest run of a planted suite whose beforeAll throws (vitest
 * then reports numFailedTests 0), and on the JSON such a run wrote with vitest 4.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { summarise, summaryLine } from '../../scripts/ci-summary.mjs';

const ROOT = path.resolve(__dirname, '../..');
const FIXTURE = path.join(__dirname, 'fixtures/vitest4-failing-beforeall.json');

describe('the CI summary line', () => {
  it('counts a file whose beforeAll throws as failed (recorded vitest 4 report)', () => {
    const report = JSON.parse(fs.readFileSync(FIXTURE, 'utf8'));
    expect(report.numFailedTests).toBe(0); // what vitest itself says
    expect(summarise(report)).toEqual({ passed: 3, failed: 1 });
  });

  it('counts failed tests, and a failed run with nothing else to show as one failure', () => {
    expect(summarise({ numPassedTests: 5, numFailedTests: 2, testResults: [{ status: 'failed', assertionResults: [{ status: 'failed' }] }] })).toEqual({
      passed: 5,
      failed: 2,
    });
    expect(summarise({ numPassedTests: 0, numFailedTests: 0, testResults: [], success: false })).toEqual({ passed: 0, failed: 1 });
    expect(summaryLine(path.join(os.tmpdir(), 'no-such-report.json'))).toBe('tests: 0 passed, 1 failed');
  });

  it('says "1 failed" for a real vitest run of a planted suite whose beforeAll throws', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'smpsim-ci-'));
    const report = path.join(out, 'report.json');
    try {
      try {
        execFileSync(
          process.execPath,
          [
            path.join(ROOT, 'node_modules/vitest/vitest.mjs'),
            'run',
            '--config', path.join(ROOT, 'test/ci/planted/vitest.planted.config.ts'),
            '--reporter=json',
            `--outputFile.json=${report}`,
          ],
          { cwd: ROOT, stdio: 'pipe' },
        );
      } catch {
        // vitest exits 1: the planted suite fails.
      }
      expect(summaryLine(report)).toBe('tests: 1 passed, 1 failed');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
