// `npm run playground [-- --serve [--port N] [--out DIR]]`: build the static playground
// (docs/PLAYGROUND.md) into dist-web/ with esbuild from the same src/ the CLI runs — the page
// (web/main.ts), its run worker (web/worker.ts), web/index.html — and, with --serve, serve it
// on http://localhost:PORT (node:http, loopback only). The bundle is for the browser
// (platform "browser"): a Node-only module anywhere on its import graph fails the build
// (test/playground/bundle.test.ts proves it), except the two host modules whose browser
// twins are listed in BROWSER_TWINS. Plain JavaScript: it runs before any build.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * src/ modules that touch the host and their browser twins (web/): package.json's version
 * (createRequire) and the machine's memory (node:os, node:v8) for the default memory budget.
 */
export const BROWSER_TWINS = {
  'src/version.ts': 'web/version.ts',
  'src/scenario/host-memory.ts': 'web/host-memory.ts',
};

/** Relative `.js` imports resolve to the `.ts` source (NodeNext style); the twins replace their modules. */
const twinsPlugin = {
  name: 'smpsim-browser-twins',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const abs = path.resolve(args.resolveDir, args.path);
      const ts = abs.replace(/\.js$/, '.ts');
      const rel = path.relative(ROOT, ts).split(path.sep).join('/');
      const twin = BROWSER_TWINS[rel];
      if (twin !== undefined) return { path: path.join(ROOT, twin) };
      if (abs.endsWith('.js') && fs.existsSync(ts)) return { path: ts };
      return undefined;
    });
  },
};

/** The bundled scenarios, name, file and text, as the page's BUNDLED_SCENARIOS (web/bundled.ts). */
export function bundledScenarios() {
  const dir = path.join(ROOT, 'scenarios');
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((file) => ({ name: file.replace(/\.ya?ml$/, ''), file, text: fs.readFileSync(path.join(dir, file), 'utf8') }));
}

/** esbuild options for the page and the worker (also used by the bundle test, with write: false). */
export function buildOptions(outdir) {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  return {
    absWorkingDir: ROOT,
    entryPoints: { main: 'web/main.ts', worker: 'web/worker.ts' },
    outdir,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: ['chrome110', 'firefox115', 'safari16'],
    minify: true,
    sourcemap: false,
    metafile: true,
    logLevel: 'silent',
    legalComments: 'none',
    define: {
      __SMPSIM_VERSION__: JSON.stringify(pkg.version),
      __SMPSIM_SCENARIOS__: JSON.stringify(bundledScenarios()),
    },
    plugins: [twinsPlugin],
  };
}

/** Build into `outdir` (emptied first); returns esbuild's result (metafile included). */
export async function buildPlayground(outdir = path.join(ROOT, 'dist-web')) {
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(outdir, { recursive: true });
  const result = await esbuild.build(buildOptions(outdir));
  fs.copyFileSync(path.join(ROOT, 'web', 'index.html'), path.join(outdir, 'index.html'));
  return result;
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.png': 'image/png', '.json': 'application/json' };

/** Serve `dir` on 127.0.0.1:port (0: any free port); resolves to the server once listening. */
export function servePlayground(dir, port) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const rel = decodeURIComponent(url.pathname).replace(/^\/+/, '') || 'index.html';
    const file = path.resolve(dir, rel);
    if (!file.startsWith(path.resolve(dir) + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function usage(message) {
  process.stderr.write(`smpsim playground: ${message}\nusage: npm run playground -- [--serve] [--port N] [--out DIR]\n`);
  process.exit(2);
}

async function main(argv) {
  let serve = false;
  let port = 8080;
  let out = path.join(ROOT, 'dist-web');
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--serve') serve = true;
    else if (a === '--port') {
      const v = argv[++i];
      if (v === undefined || !/^\d+$/.test(v) || Number(v) > 65535) usage(`--port: expected an integer 0..65535, got ${JSON.stringify(v ?? '')}`);
      port = Number(v);
    } else if (a === '--out') {
      const v = argv[++i];
      if (v === undefined || v.trim() === '') usage('--out: expected a directory');
      out = path.resolve(v);
    } else usage(`unknown argument ${JSON.stringify(a)}`);
  }
  try {
    const r = await buildPlayground(out);
    const size = Object.values(r.metafile.outputs).reduce((a, o) => a + o.bytes, 0);
    process.stdout.write(`smpsim playground: built ${path.relative(process.cwd(), out) || '.'} (${(size / 1e6).toFixed(1)} MB of script)\n`);
  } catch (err) {
    const errors = err?.errors ?? [];
    for (const e of errors) process.stderr.write(`smpsim playground: ${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}\n`);
    if (errors.length === 0) process.stderr.write(`smpsim playground: ${err?.message ?? err}\n`);
    process.exit(1);
  }
  if (serve) {
    try {
      const server = await servePlayground(out, port);
      process.stdout.write(`smpsim playground: serving on http://localhost:${server.address().port}/ (Ctrl-C stops)\n`);
    } catch (err) {
      usage(`cannot listen on port ${port}: ${err?.code ?? err?.message ?? err}`);
    }
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main(process.argv.slice(2));
