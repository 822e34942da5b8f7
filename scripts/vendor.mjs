// Start-up (issue 24): the dependencies every `smpsim run` loads — zod (95 ES modules, its
// locales included), yaml (35 CommonJS files), commander (2) and seedrandom (8) — each
// become ONE file in dist/vendor/, and dist/'s imports of them point there. Node 20 pays per
// module file (resolve, read, compile, link), so one file of the same code loads in about
// half the time: zod ~39 -> ~20 ms, yaml ~28 -> ~10 ms, commander ~13 -> ~8 ms, seedrandom
// ~5 -> ~3 ms (cold, this machine). Only these four: every other package is imported from
// node_modules as before (most of them lazily), and dist/'s own modules are not bundled (one
// bundle of everything loads all of it eagerly, which is slower).
//
// The bundles are the installed packages' own code (same versions: package-lock.json), with
// their licences beside them. src/ (tsx, vitest, tsc) still imports the packages themselves;
// each bundle is checked to export the same names, of the same types, as the package. The
// packages' versions are part of the build stamp (bin/source-stamp.mjs VENDORED), so
// upgrading one rebuilds dist/. Plain JavaScript, run by scripts/build.mjs after tsc.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { VENDORED } from '../bin/source-stamp.mjs';

/** Where the bundles go: dist/vendor/<name>.js. */
export const VENDOR_DIR = path.join('dist', 'vendor');

// CommonJS inside an ES module bundle: esbuild's require() shim needs a real require
// for node's built-ins (commander requires node:events, node:child_process, ...).
const BANNER = "import { createRequire as __smpsimCreateRequire } from 'node:module';\nconst require = __smpsimCreateRequire(import.meta.url);";

/** What `import … from '<name>'` gives in node: the namespace and its names (default included if any). */
async function exportNames(name) {
  const ns = await import(name);
  return { ns, names: Object.keys(ns).sort() };
}

/**
 * The package's licence (MIT for all four): its LICENSE file, or for seedrandom, which ships
 * none, the MIT notice heading its seedrandom.js.
 */
function licenceOf(root, name) {
  const dir = path.join(root, 'node_modules', name);
  const f = fs.readdirSync(dir).find((e) => /^licen[cs]e/i.test(e));
  if (f !== undefined) return fs.readFileSync(path.join(dir, f), 'utf8');
  const head = /^\/\*([\s\S]*?)\*\//.exec(fs.readFileSync(path.join(dir, `${name}.js`), 'utf8'));
  if (head === null || !/Permission is hereby granted/.test(head[1])) throw new Error(`vendor: ${name} has no licence file or notice to ship with its bundle`);
  return `${head[1].trim()}\n`;
}

/** Bundle VENDORED into dist/vendor/ and check each against the package itself. */
export async function bundleVendored(root) {
  const esbuild = createRequire(import.meta.url)('esbuild');
  fs.mkdirSync(path.join(root, VENDOR_DIR), { recursive: true });
  for (const name of VENDORED) {
    const { ns, names } = await exportNames(name);
    const named = names.filter((n) => n !== 'default');
    const contents = `export { ${named.join(', ')} } from '${name}';\n` + (names.includes('default') ? `export { default } from '${name}';\n` : '');
    const outfile = path.join(root, VENDOR_DIR, `${name}.js`);
    esbuild.buildSync({
      stdin: { contents, resolveDir: root, sourcefile: `vendor-${name}.mjs`, loader: 'js' },
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      outfile,
      banner: { js: `// ${name}, bundled by scripts/vendor.mjs (licence: ./${name}.LICENSE)\n${BANNER}` },
      legalComments: 'inline',
      logLevel: 'warning',
    });
    const version = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
    fs.writeFileSync(path.join(root, VENDOR_DIR, `${name}.LICENSE`), `${name} ${version}\n\n${licenceOf(root, name)}`);
    // Same names, same kinds of value, as node's own import of the package.
    const bundled = await import(pathToFileURL(outfile).href);
    const got = Object.keys(bundled).sort();
    if (got.join() !== names.join()) throw new Error(`vendor: dist/vendor/${name}.js exports ${got.join(', ')}; the package exports ${names.join(', ')}`);
    for (const n of names) {
      if (typeof bundled[n] !== typeof ns[n]) throw new Error(`vendor: dist/vendor/${name}.js: ${n} is a ${typeof bundled[n]}, the package's a ${typeof ns[n]}`);
      if (typeof ns[n] === 'object' && ns[n] !== null && Object.keys(bundled[n]).sort().join() !== Object.keys(ns[n]).sort().join()) {
        throw new Error(`vendor: dist/vendor/${name}.js: ${n} has other members than the package's`);
      }
    }
  }
}

/** `from 'zod'` / `import('zod')` in dist/'s JavaScript -> the bundle, by a relative path. */
const SPECIFIER = new RegExp(`(\\bfrom\\s*|\\bimport\\s*\\(\\s*)(['"])(${VENDORED.join('|')})\\2`, 'g');

/** Point every compiled module (not the .d.ts files: their types stay the packages') at dist/vendor/. */
export function rewriteVendoredImports(root) {
  const dist = path.join(root, 'dist');
  const vendor = path.join(root, VENDOR_DIR);
  const visit = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (p !== vendor) visit(p);
      } else if (e.name.endsWith('.js')) {
        const text = fs.readFileSync(p, 'utf8');
        const out = text.replace(SPECIFIER, (_m, lead, q, name) => {
          let rel = path.relative(dir, path.join(vendor, `${name}.js`)).split(path.sep).join('/');
          if (!rel.startsWith('.')) rel = `./${rel}`;
          return `${lead}${q}${rel}${q}`;
        });
        if (out !== text) fs.writeFileSync(p, out);
      }
    }
  };
  visit(dist);
}
