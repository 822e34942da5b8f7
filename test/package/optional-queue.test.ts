/**
 * The queue stack is optional (issue 23, item 6): bullmq and ioredis are optional peer
 * dependencies, not installed with the package. Without them every command but the queue ones
 * works, and `sweep --queue`, `robustness --queue` and `worker` stop with exit 2 and one line
 * naming what to install — never a stack trace. Checked on whole processes run from the sources
 * with the packages hidden from Node's resolver (hide-package.mjs: the real ERR_MODULE_NOT_FOUND),
 * and on the manifest: the default install has no queue stack, no install script of smpsim's
 * own, and every dependency's install script is approved or denied (npm's allowScripts).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { QUEUE_PACKAGES, loadQueue, missingQueuePackage } from '../../src/cli/queue-load.js';
import { UsageError } from '../../src/cli/io.js';
import { ROOT, tempDir } from '../cli/helpers.js';

const HIDE_HOOK = path.join(ROOT, 'test', 'package', 'hide-package.mjs');
const SCENARIO = path.join(ROOT, 'scenarios', 'locktorture-ticket-vs-tas.yaml');
// Port 1 on loopback: nothing listens; the queue code is never reached anyway.
const URL = 'redis://127.0.0.1:1';

/** The CLI from its sources with `hidden` packages unresolvable. */
function smpsimWithout(hidden: readonly string[], args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', '--import', HIDE_HOOK, path.join(ROOT, 'src', 'cli.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, SMPSIM_TEST_HIDE_PACKAGES: hidden.join(',') },
  });
}

const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  license: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  allowScripts?: Record<string, boolean>;
};

describe('without bullmq/ioredis: the queue commands say what to install', () => {
  it('sweep --queue: exit 2, one line naming the package and the npm install command; no output folder', () => {
    const out = path.join(tempDir('smpsim-noqueue-'), 'o');
    const r = smpsimWithout(['bullmq'], ['sweep', SCENARIO, '--vary', 'machine.cpus=1,2', '--set', 'stop.ops=100', '--queue', URL, '--out', out, '--quiet']);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toBe('smpsim: --queue needs the optional package bullmq (not installed): npm install bullmq ioredis\n');
    expect(r.stdout).toBe('');
    expect(fs.existsSync(out)).toBe(false);
  });

  it('worker: exit 2, one line; a missing ioredis is named as such', () => {
    const r = smpsimWithout(['ioredis'], ['worker', '--queue', URL]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toBe('smpsim: worker needs the optional package ioredis (not installed): npm install bullmq ioredis\n');
  });

  it('robustness --queue: exit 2, one line', () => {
    const out = path.join(tempDir('smpsim-noqueue-'), 'o');
    const r = smpsimWithout(['bullmq', 'ioredis'], ['robustness', SCENARIO, '--queue', URL, '--out', out, '--quiet']);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^smpsim: --queue needs the optional package (bullmq|ioredis) \(not installed\): npm install bullmq ioredis\n$/);
  });

  it('everything else runs without them (a local sweep)', () => {
    const out = path.join(tempDir('smpsim-noqueue-'), 'o');
    const r = smpsimWithout(['bullmq', 'ioredis'], ['sweep', SCENARIO, '--vary', 'machine.cpus=1,2', '--set', 'stop.ops=100', '--jobs', '1', '--out', out, '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    expect(fs.existsSync(path.join(out, 'summary.json'))).toBe(true);
  });
});

describe('loadQueue tells a missing queue package from other failures', () => {
  const notFound = (message: string) => Object.assign(new Error(message), { code: 'ERR_MODULE_NOT_FOUND' });

  it('names bullmq or ioredis (also a subpath) from Node\'s message', () => {
    expect(missingQueuePackage(notFound("Cannot find package 'bullmq' imported from /x/queue.js"))).toBe('bullmq');
    expect(missingQueuePackage(notFound("Cannot find package 'ioredis' imported from /x/node_modules/bullmq/dist/esm/classes/redis-connection.js"))).toBe('ioredis');
    expect(missingQueuePackage(notFound("Cannot find module 'bullmq/dist/esm/index.js' imported from /x"))).toBe('bullmq');
  });

  it('passes anything else through: a missing file of smpsim is a bug, not a usage error', async () => {
    expect(missingQueuePackage(notFound("Cannot find module '/x/dist/study/queue.js' imported from /x/dist/cli/sweep.js"))).toBeNull();
    expect(missingQueuePackage(notFound("Cannot find package 'bullmq-pro' imported from /x"))).toBeNull();
    expect(missingQueuePackage(new Error("Cannot find package 'bullmq' imported from /x"))).toBeNull();
    const bug = notFound("Cannot find module '/x/dist/study/queue.js'");
    await expect(loadQueue('--queue', () => Promise.reject(bug))).rejects.toBe(bug);
    await expect(loadQueue('--queue', () => Promise.reject(notFound("Cannot find package 'ioredis' imported from /x")))).rejects.toBeInstanceOf(UsageError);
  });
});

describe('the manifest: a light default install', () => {
  it('bullmq and ioredis are optional peers (not installed by default) and development dependencies (tested here)', () => {
    for (const p of QUEUE_PACKAGES) {
      expect(manifest.dependencies[p], p).toBeUndefined();
      expect(manifest.peerDependencies?.[p], p).toBeDefined();
      expect(manifest.peerDependenciesMeta?.[p]?.optional, p).toBe(true);
      expect(manifest.devDependencies[p], p).toBe(manifest.peerDependencies?.[p]);
    }
  });

  it('no install-time script of its own: no prepare/preinstall/install/postinstall (the tarball ships no scripts/)', () => {
    for (const s of ['prepare', 'preinstall', 'install', 'postinstall']) expect(manifest.scripts[s], s).toBeUndefined();
    expect(manifest.scripts.prepack).toBe('node scripts/build.mjs');
  });

  it('every locked dependency with an install script is approved or denied in allowScripts (npm ci does not warn)', () => {
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean }> };
    const withScripts = Object.entries(lock.packages)
      .filter(([k, v]) => k !== '' && v.hasInstallScript === true)
      .map(([k]) => k.slice(k.lastIndexOf('node_modules/') + 'node_modules/'.length));
    expect(withScripts.length).toBeGreaterThan(0); // the check reads something
    for (const name of withScripts) expect(typeof manifest.allowScripts?.[name], name).toBe('boolean');
  });

  it('LICENSE matches package.json', () => {
    expect(manifest.license).toBe('MIT');
    const text = fs.readFileSync(path.join(ROOT, 'LICENSE'), 'utf8');
    expect(text.split('\n')[0]).toBe('MIT License');
    expect(text).toContain('Permission is hereby granted, free of charge');
  });
});
