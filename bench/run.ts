/**
 * `npm run bench [-- [--json] [--reps N] [--scale X] [--in-process] [--list] [NAME|GLOB ...]]`
 *
 * Runs the benchmarks of bench/benchmarks.ts (all, or those named; `phold*` globs) and
 * prints a table, or JSON with --json. Each benchmark runs in a fresh child node process
 * (same flags as this one), so a benchmark's figures do not depend on which others ran
 * before it in the same JIT (call sites turning polymorphic); --in-process turns that off.
 * Progress goes to stderr, results to stdout.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { BENCHMARKS } from './benchmarks.js';
import { NotAvailable, formatTable, hasGc, type BenchDef, type BenchOptions, type BenchResult } from './harness.js';

const RESULT_MARK = '@@smpsim-bench-result ';

interface Args {
  json: boolean;
  list: boolean;
  inProcess: boolean;
  child: string | null;
  opts: BenchOptions;
  filters: string[];
}

function usage(message: string): never {
  process.stderr.write(
    `${message}\nusage: npm run bench -- [--json] [--reps N] [--scale X] [--in-process] [--list] [NAME|GLOB ...]\n` +
      `benchmarks: ${BENCHMARKS.map((b) => b.name).join(', ')}\n`,
  );
  process.exit(2);
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = { json: false, list: false, inProcess: false, child: null, opts: { reps: 7, scale: 1 }, filters: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) usage(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '--json': a.json = true; break;
      case '--list': a.list = true; break;
      case '--in-process': a.inProcess = true; break;
      case '--child': a.child = value(); break;
      case '--reps': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1) usage('--reps needs an integer >= 1');
        a.opts.reps = n;
        break;
      }
      case '--scale': {
        const x = Number(value());
        if (!(x > 0)) usage('--scale needs a number > 0');
        a.opts.scale = x;
        break;
      }
      default:
        if (arg.startsWith('-')) usage(`unknown option ${arg}`);
        a.filters.push(arg);
    }
  }
  return a;
}

function select(filters: readonly string[]): BenchDef[] {
  if (filters.length === 0) return BENCHMARKS;
  const chosen = new Set<BenchDef>();
  for (const f of filters) {
    const re = new RegExp(`^${f.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    const hits = BENCHMARKS.filter((b) => re.test(b.name));
    if (hits.length === 0) usage(`no benchmark matches ${JSON.stringify(f)}`);
    for (const h of hits) chosen.add(h);
  }
  return BENCHMARKS.filter((b) => chosen.has(b));
}

function runHere(def: BenchDef, opts: BenchOptions): BenchResult {
  const result: BenchResult = { name: def.name, issue: def.issue, description: def.description, status: 'ok', metrics: [], info: {} };
  try {
    result.metrics = def.run(opts, result.info);
  } catch (e) {
    result.status = e instanceof NotAvailable ? 'not available' : 'error';
    result.message = e instanceof Error ? e.message : String(e);
    if (result.status === 'error' && e instanceof Error && e.stack !== undefined) process.stderr.write(`${e.stack}\n`);
  }
  return result;
}

function runInChild(def: BenchDef, opts: BenchOptions): BenchResult {
  const script = fileURLToPath(import.meta.url);
  const args = [...process.execArgv, script, '--child', def.name, '--reps', String(opts.reps), '--scale', String(opts.scale)];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
  const line = r.stdout.split('\n').find((l) => l.startsWith(RESULT_MARK));
  if (line === undefined) {
    return {
      name: def.name,
      issue: def.issue,
      description: def.description,
      status: 'error',
      message: `child process exited with ${r.status ?? r.signal} and no result${r.error ? `: ${r.error.message}` : ''}`,
      metrics: [],
      info: {},
    };
  }
  return JSON.parse(line.slice(RESULT_MARK.length)) as BenchResult;
}

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    expose_gc: hasGc(),
    /** 1-minute load average at the end: above ~0 on this machine, other work competed for the cores. */
    loadavg_1m: Number(os.loadavg()[0]!.toFixed(2)),
  };
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  if (args.child !== null) {
    const def = BENCHMARKS.find((b) => b.name === args.child);
    if (def === undefined) usage(`no benchmark named ${args.child}`);
    process.stdout.write(`\n${RESULT_MARK}${JSON.stringify(runHere(def, args.opts))}\n`);
    return;
  }
  if (args.list) {
    for (const b of BENCHMARKS) process.stdout.write(`${b.name.padEnd(16)} ${b.issue.padEnd(4)} ${b.description}\n`);
    return;
  }
  const defs = select(args.filters);
  const started = new Date();
  const loadBefore = Number(os.loadavg()[0]!.toFixed(2));
  const results: BenchResult[] = [];
  for (const def of defs) {
    process.stderr.write(`bench: ${def.name} (${args.opts.reps} reps)...\n`);
    const t0 = performance.now();
    results.push(args.inProcess ? runHere(def, args.opts) : runInChild(def, args.opts));
    process.stderr.write(`bench: ${def.name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  const m = machine();
  if (args.json) {
    const doc = { date: started.toISOString(), machine: m, loadavg_1m_before: loadBefore, reps: args.opts.reps, scale: args.opts.scale, results };
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    process.stdout.write(
      `smpsim benchmarks  ${started.toISOString()}  node ${m.node}  ${m.cpu} x${m.cores}  ` +
        `load ${loadBefore} -> ${m.loadavg_1m}  ` +
        `reps=${args.opts.reps}${args.opts.scale !== 1 ? ` scale=${args.opts.scale}` : ''}${m.expose_gc ? '' : '  (no --expose-gc: memory not measured)'}\n\n`,
    );
    process.stdout.write(`${formatTable(results)}\n`);
  }
  if (results.some((r) => r.status === 'error')) process.exitCode = 1;
}

main();
