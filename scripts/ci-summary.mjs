#!/usr/bin/env node
/**
 * The line CI ends with: `tests: N passed, N failed`, from vitest's JSON report.
 *
 * Failed counts every failed test, plus every test file that failed without a failed test
 * (an import error, a throwing beforeAll/afterAll: vitest then marks the file's tests
 * skipped and reports numFailedTests 0). A report that cannot be read counts as 1 failed.
 * Only fields vitest emits are read (numPassedTests, numFailedTests, testResults[].status
 * and .assertionResults[].status).
 */
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';

/** { passed, failed } of a parsed vitest JSON report. */
export function summarise(report) {
  const passed = Number.isInteger(report?.numPassedTests) ? report.numPassedTests : 0;
  let failed = Number.isInteger(report?.numFailedTests) ? report.numFailedTests : 0;
  const files = Array.isArray(report?.testResults) ? report.testResults : [];
  for (const f of files) {
    const tests = Array.isArray(f?.assertionResults) ? f.assertionResults : [];
    if (f?.status === 'failed' && !tests.some((t) => t?.status === 'failed')) failed++;
  }
  if (report?.success === false && failed === 0) failed = 1;
  return { passed, failed };
}

export function summaryLine(file) {
  let report;
  try {
    report = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return 'tests: 0 passed, 1 failed';
  }
  const { passed, failed } = summarise(report);
  return `tests: ${passed} passed, ${failed} failed`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(summaryLine(process.argv[2] ?? ''));
}
