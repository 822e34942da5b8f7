/**
 * The playground's bundle (issue 25, item 1): the page and its run worker are built from
 * src/ for the browser, and the model path — engine, cpu, kernel, workload, model,
 * scenario, report, trace — imports no Node-only module. The proof is the build itself:
 * esbuild with platform "browser" cannot resolve node:fs & co., so a Node import anywhere
 * on the graph fails it; the metafile then lists every module bundled, and none is a Node
 * builtin, a queue/pool package, or a CLI/study module. A control entry that imports
 * src/input/read.ts (node:fs) must fail the same build — so the check can fail.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import type http from 'node:http';
import { builtinModules } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain .mjs build script without types
import { BROWSER_TWINS, ROOT, buildOptions, servePlayground } from '../../scripts/playground.mjs';

interface Metafile {
  inputs: Record<string, { imports: Array<{ path: string; external?: boolean }> }>;
  outputs: Record<string, { bytes: number; imports: Array<{ path: string }> }>;
}

const NODE_ONLY_PACKAGES = ['ioredis', 'bullmq', 'piscina', 'commander', 'cli-progress', 'msgpackr'];
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

async function build(entryPoints?: Record<string, string>): Promise<Metafile> {
  const opts = buildOptions(path.join(ROOT, 'dist-web-test')) as esbuild.BuildOptions;
  const r = await esbuild.build({ ...opts, ...(entryPoints === undefined ? {} : { entryPoints }), write: false });
  return r.metafile as Metafile;
}

describe('the playground bundle', () => {
  it('builds the page and the worker for the browser, with no Node-only module on the model path', async () => {
    const meta = await build();
    const inputs = Object.keys(meta.inputs);
    // The model path is in it: the same src/ the CLI runs.
    for (const m of ['src/engine/sim.ts', 'src/cpu/cpu.ts', 'src/kernel/machine.ts', 'src/workload/index.ts', 'src/model/run.ts', 'src/scenario/resolve.ts', 'src/report/text.ts', 'src/report/run-html.ts', 'src/trace/timeline.ts']) {
      expect(inputs, m).toContain(m);
    }
    const bad = inputs.filter((i) => {
      if (builtins.has(i) || i.startsWith('node:')) return true;
      if (NODE_ONLY_PACKAGES.some((p) => i.includes(`node_modules/${p}/`))) return true;
      return /^src\/(cli|study|check|files|robust|validation)\//.test(i) || i === 'src/input/read.ts' || i === 'src/api.ts' || i === 'src/cli.ts';
    });
    expect(bad).toEqual([]);
    // Only the listed host modules are replaced by their browser twins.
    for (const [node, twin] of Object.entries(BROWSER_TWINS as Record<string, string>)) {
      expect(inputs).not.toContain(node);
      expect(inputs).toContain(twin);
    }
    // Nothing is left for the page to load from elsewhere: the two outputs import nothing.
    const externals = Object.entries(meta.outputs).flatMap(([f, v]) => v.imports.map((i) => `${f} -> ${i.path}`));
    expect(Object.keys(meta.outputs).map((o) => path.basename(o)).sort()).toEqual(['main.js', 'worker.js']);
    expect(externals).toEqual([]);
  });

  it('fails the build when a Node module is on the graph (the control: src/input/read.ts reads files with node:fs)', async () => {
    await expect(build({ control: 'src/input/read.ts' })).rejects.toThrow(/node:fs/);
  });

  it('npm run playground: a bad option is one line and exit 2, before anything is built', () => {
    for (const args of [['--port', 'abc'], ['--port', '70000'], ['--bogus']]) {
      const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'playground.mjs'), ...args], { encoding: 'utf8' });
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.split('\n')[0]).toMatch(/^smpsim playground: (--port: expected an integer 0\.\.65535|unknown argument)/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
    }
  });

  it('--serve serves the built files and nothing outside them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smpsim-serve-'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<!DOCTYPE html><title>t</title>');
    fs.writeFileSync(path.join(os.tmpdir(), 'smpsim-serve-outside.txt'), 'secret');
    const server = (await servePlayground(dir, 0)) as http.Server;
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const index = await fetch(`${base}/`);
      expect(index.status).toBe(200);
      expect(index.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await index.text()).toContain('<title>t</title>');
      for (const p of ['/missing.js', '/..%2fsmpsim-serve-outside.txt', '/%2e%2e/smpsim-serve-outside.txt']) {
        const r = await fetch(base + p);
        expect(r.status, p).toBe(404);
      }
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(path.join(os.tmpdir(), 'smpsim-serve-outside.txt'), { force: true });
    }
  });
});
