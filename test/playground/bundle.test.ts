/**
 * The playground's bundle (issue 25, item 1): the page and its run worker are built from
 * src/ for the browser, and the model path — engine, cpu, kernel, workload, model,
 * scenario, report, trace — imports no Node-only module. The proof is the build itself:
 * esbuild with platform "browser" cannot resolve node:fs & co., so a Node import anywhere
 * on the graph fails it; the metafile then lists every module bundled, and none is a Node
 * builtin, a queue/pool package, or a CLI/study module. A control entry that imports
 * src/input/read.ts (node:fs) must fail the same build — so the check can fail.
 */
import { builtinModules } from 'node:module';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain .mjs build script without types
import { BROWSER_TWINS, ROOT, buildOptions } from '../../scripts/playground.mjs';

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
});
