/**
 * The shape of src/'s imports (issue 23, item 12): no module imports itself through a circle,
 * and src/'s folders are layers — no import runs from a folder back up to one that imports
 * it. Every relative import counts: static, `import type`, `export … from` and dynamic
 * `import()` (a lazily loaded module still belongs to the graph).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SRC = path.join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(ts|mts|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** `from './x.js'`, `import './x.js'`, `import('./x.js')`: the relative specifiers. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;

/** The file an import names (NodeNext: `.js` written for a `.ts` source), or null outside src/. */
function resolve(from: string, spec: string): string | null {
  const base = path.resolve(path.dirname(from), spec);
  if (!base.startsWith(SRC + path.sep)) return null;
  for (const cand of [base, base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), path.join(base, 'index.ts')]) {
    if (fs.existsSync(cand) && fs.statSync(cand).isFile()) return cand;
  }
  throw new Error(`${path.relative(ROOT, from)}: import ${spec} names no file`);
}

const rel = (f: string) => path.relative(ROOT, f).split(path.sep).join('/');

/** Module → the modules it imports (paths relative to the repository). */
function moduleGraph(): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const f of sourceFiles(SRC)) {
    const text = fs.readFileSync(f, 'utf8');
    const deps = new Set<string>();
    for (const m of text.matchAll(SPECIFIER)) {
      const target = resolve(f, m[1]!);
      if (target !== null) deps.add(rel(target));
    }
    g.set(rel(f), [...deps].sort());
  }
  return g;
}

/** Strongly connected components with more than one member (or a self-import): the circles. */
function circles(g: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  // Iterative Tarjan: the graph is small, but no recursion depth to worry about.
  for (const root of [...g.keys()].sort()) {
    if (index.has(root)) continue;
    const work: Array<{ v: string; i: number }> = [{ v: root, i: 0 }];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const deps = g.get(top.v) ?? [];
      if (top.i < deps.length) {
        const w = deps[top.i++]!;
        if (!index.has(w)) {
          index.set(w, next);
          low.set(w, next++);
          stack.push(w);
          onStack.add(w);
          work.push({ v: w, i: 0 });
        } else if (onStack.has(w)) {
          low.set(top.v, Math.min(low.get(top.v)!, index.get(w)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low.set(parent.v, Math.min(low.get(parent.v)!, low.get(top.v)!));
      if (low.get(top.v) === index.get(top.v)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          comp.push(w);
        } while (w !== top.v);
        if (comp.length > 1 || deps.includes(top.v)) found.push(comp.sort());
      }
    }
  }
  return found;
}

/** src/'s top-level part a module belongs to: its folder, or the file itself at the top. */
function layerOf(file: string): string {
  const parts = file.split('/');
  return parts.length > 2 ? parts[1]! : parts[1]!.replace(/\.[^.]+$/, '');
}

function layerGraph(g: ReadonlyMap<string, readonly string[]>): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const [from, deps] of g) {
    const a = layerOf(from);
    if (!out.has(a)) out.set(a, new Set());
    for (const to of deps) if (layerOf(to) !== a) out.get(a)!.add(layerOf(to));
  }
  return new Map([...out].map(([k, v]) => [k, [...v].sort()]));
}

describe('src/ imports', () => {
  const g = moduleGraph();

  it('reads every module and its imports', () => {
    expect(g.size).toBeGreaterThan(100);
    // The parser sees each kind of import: static, type-only, re-export and dynamic.
    expect(g.get('src/cpu/cpu.ts')).toContain('src/cpu/accounting.ts'); // import { … }
    expect(g.get('src/kernel/blockdev.ts')).toContain('src/cpu/cpu.ts'); // import type { … }
    expect(g.get('src/cli/paths.ts')).toContain('src/scenario/bundled.ts'); // export { … } from
    expect(g.get('src/cli/commands.ts')).toContain('src/cli/run.ts'); // import()
  });

  it('has no import circle between modules', () => {
    expect(circles(g)).toEqual([]);
  });

  it("has no import from a folder back up to one that imports it (src/'s folders are layers)", () => {
    // Per circle of folders, its folder-to-folder imports, fewest first: the one that runs
    // back up is usually the single import against many the other way.
    const found: string[] = [];
    for (const comp of circles(layerGraph(g))) {
      const inComp = new Set(comp);
      const edges = new Map<string, string[]>();
      for (const [from, deps] of g) {
        for (const to of deps) {
          const a = layerOf(from);
          const b = layerOf(to);
          if (a === b || !inComp.has(a) || !inComp.has(b)) continue;
          const k = `${a} -> ${b}`;
          edges.set(k, [...(edges.get(k) ?? []), `${from} -> ${to}`]);
        }
      }
      const listed = [...edges].sort((x, y) => x[1].length - y[1].length || (x[0] < y[0] ? -1 : 1));
      found.push(`${comp.join(', ')}: ${listed.map(([k, v]) => `${k} (${v.length}: ${v.slice(0, 2).join('; ')}${v.length > 2 ? '; …' : ''})`).join(', ')}`);
    }
    expect(found).toEqual([]);
  });

  it('keeps the model core below everything else: engine, then cpu, then kernel', () => {
    const layers = layerGraph(g);
    expect(layers.get('engine') ?? []).toEqual([]);
    expect(layers.get('cpu') ?? []).toEqual(['engine']);
    for (const l of layers.get('kernel') ?? []) expect(['cpu', 'engine']).toContain(l);
  });
});
