/**
 * `smpsim init [--workload io|maptorture|locktorture] [--from NAME] [FILE]`: a commented
 * scenario file to start from (issue 15, item 6). Its first line points editors at the
 * installed scenario.schema.json by a path relative to where the file is written, so that
 * completion works wherever it lands. The text is checked to validate before it is written;
 * an existing file is never overwritten.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { DEFAULT_KERNEL_VERSION, KERNEL_VERSIONS } from '../kernel/versions.js';
import { PRESET_NAMES } from '../kernel/presets.js';
import { excerpt, readInputFile, InputFileError, MAX_SCENARIO_BYTES } from '../input/read.js';
import { checkScenarioFile, parseText, resolveScenario } from '../scenario/load.js';
import { nameFromOrigin } from '../scenario/resolve.js';
import { INJECT_BUGS, IRQ_ROUTINGS, MAP_APIS, STRATEGIES, WORKLOAD_TYPES, type WorkloadType } from '../scenario/schema.js';
import { UsageError, fsReason, type CliIo } from './io.js';
import { OutputError, writeOutput } from '../files/output.js';
import { PROJECT_ROOT } from './paths.js';
import { scenarioPath } from './scenario-path.js';

/** The JSON Schema of scenario files, as installed (next to package.json). */
export const SCHEMA_FILE = path.join(PROJECT_ROOT, 'scenario.schema.json');

/** `# yaml-language-server: $schema=…` for a file in `dir`: the schema's path relative to it. */
export function schemaLine(dir: string): string {
  let rel = path.relative(dir, SCHEMA_FILE).split(path.sep).join('/');
  if (!rel.startsWith('.')) rel = `./${rel}`;
  return `# yaml-language-server: $schema=${rel}`;
}

const SCHEMA_LINE_RE = /^#\s*yaml-language-server:\s*\$schema=.*$/m;

const WORKLOAD_SECTIONS: Record<WorkloadType, string> = {
  io: `workload:
  type: io                   # closed-loop block I/O: each task submits, waits, thinks (one op = one I/O)
  tasks: 8                   # default: machine.cpus
  size: 64KiB                # bytes per I/O, or a distribution: uniform(4KiB,64KiB)
  read_fraction: 0.7         # or "70%"
  outstanding: 1             # I/Os a task keeps in flight
  think: 0                   # between I/Os: 10us, exp(10us)
  working_set_pages: 65536   # pages the I/Os go to
  # highmem_fraction: 0.78   # share of those in highmem (default: highmem / all memory)
  locality: uniform          # or zipf(0.8)
  touch_per_page: 0          # CPU time touching each page after a read`,
  maptorture: `workload:
  type: maptorture           # map, touch, unmap rounds (one op = one map round)
  tasks: 4                   # default: machine.cpus
  api: kmap                  # ${MAP_APIS.join(' | ')}
  pages: 1                   # pages mapped per round
  touch: true                # touch the mapped pages (TLB misses, stale-TLB checks)
  think: 0                   # between rounds: 1us, exp(1us)
  working_set_pages: 65536
  # highmem_fraction: 1      # default: 1 when there is highmem
  locality: uniform          # or zipf(0.8)`,
  locktorture: `workload:
  type: locktorture          # tasks taking one contended spinlock (one op = one acquisition)
  tasks: 8                   # default: machine.cpus
  think: exp(1us)            # outside the lock
  hold: exp(200ns)           # inside the lock`,
};

/**
 * A name as a YAML string: double-quoted (JSON's escapes are YAML's), so that `init null.yaml`
 * (or true, 123, '', a: b) writes a name YAML reads back as the same string, not null, a
 * boolean or a number (issue 20, item 6).
 */
export function yamlString(s: string): string {
  return JSON.stringify(s);
}

/** The commented template for a workload. `name`: the scenario's name. */
export function templateText(workload: WorkloadType, name: string, dir: string): string {
  const ops = workload === 'io' ? 20000 : 100000;
  return `${schemaLine(dir)}
# A smpsim scenario (docs/CLI.md; every field and its default: smpsim schema, or completion in
# an editor that reads the line above). Check it with: smpsim validate <file>; run it with:
# smpsim run <file>; see everything it resolves to with: smpsim resolve <file>.
# Durations take ns, us, ms, s; sizes B, KiB, MiB, GiB; distributions: exp(200ns),
# uniform(1us,3us), normal(m,sd), lognormal(m,sd), const(x) or a bare value.
name: ${yamlString(name)}
description: >-
  The question this scenario answers.
seed: 1                      # same scenario + seed => the same result, byte for byte
# extends: lkml-2000-4way    # inherit a bundled scenario (or a file) and override below

machine:
  cpus: 4
  pae: false                 # true allows more than 4GiB of memory
  lowmem: 896MiB
  highmem: 3200MiB
  tlb_entries: 64
  # tlb_working_set: 24      # TLB entries walked back in after a full flush, costs.tlb_refill each
  # preset: era2000          # ${PRESET_NAMES.join(' | ')}: fills unset machine fields and costs

costs:
  preset: modern             # ${PRESET_NAMES.join(' | ')}; any cost key overrides it:
  # ipi_latency: 5us         # the keys, values and sources: smpsim run <file> --verbose

kernel:
  version: ${DEFAULT_KERNEL_VERSION}            # ${KERNEL_VERSIONS.join(' | ')}: decides spinlock, vmlist_lock, bounce pool, ...
  strategy: kmap             # how highmem pages reach the device: ${STRATEGIES.join(' | ')} (vmap_lazy: 2.6.28+)
  # bounce_pool_pages: 32    # default: the version's
  # lowmem_free_pages: unlimited
  inject_bug: none           # ${INJECT_BUGS.join(' | ')}

device:
  dma_limit: 32bit           # isa | 32bit | 64bit: which pages the device reaches without bouncing
  latency: 100us             # per request, or a distribution: exp(100us)
  bandwidth: 100MiB/s
  queue_depth: 32
  irq: cpu0                  # ${IRQ_ROUTINGS.join(' | ')}

${WORKLOAD_SECTIONS[workload]}

stop:
  ops: ${ops}                # or time: 10ms; and warmup: 1ms (or {ops: N}) to leave out the start
`;
}

/**
 * A copy of a scenario file (a bundled name or a path) to edit: its text with its comments,
 * the schema line fixed for `dir` and the name set to `name`.
 */
export function fromText(io: CliIo, from: string, name: string, dir: string): string {
  const file = scenarioPath(io, from);
  let text: string;
  try {
    text = readInputFile(file, MAX_SCENARIO_BYTES, 'scenario files');
  } catch (err) {
    if (err instanceof InputFileError) throw new UsageError(`--from: cannot read ${excerpt(from)}: ${err.message} (a scenario file, or a name from smpsim list)`);
    throw err;
  }
  // Refused as a scenario file would be ("not a scenario file", nothing of it quoted) before
  // the name line added below makes a shadow file look half like a scenario.
  checkScenarioFile(file);
  text = SCHEMA_LINE_RE.test(text) ? text.replace(SCHEMA_LINE_RE, schemaLine(dir)) : `${schemaLine(dir)}\n${text}`;
  text = /^name:.*$/m.test(text) ? text.replace(/^name:.*$/m, `name: ${yamlString(name)}`) : text.replace(/\n/, `\nname: ${yamlString(name)}\n`);
  // An extends relative to the original file would break in the copy: make it point there.
  return text.replace(/^extends:\s*(\S+)\s*$/m, (line, target: string) => {
    const t = target.replace(/^["']|["']$/g, '');
    return path.isAbsolute(t) || !/\.(ya?ml|json)$/i.test(t) ? line : `extends: ${path.relative(dir, path.join(path.dirname(path.resolve(io.cwd, file)), t)).split(path.sep).join('/')}`;
  });
}

interface InitOptions {
  workload?: WorkloadType;
  from?: string;
  force?: boolean;
}

export function initScenario(io: CliIo, file: string | undefined, opts: InitOptions): number {
  if (opts.workload !== undefined && opts.from !== undefined) {
    throw new UsageError("init: --workload and --from cannot be combined (--from copies that scenario's workload); see 'smpsim init --help'");
  }
  if (file !== undefined && file.trim() === '') throw new UsageError('init: expected a file name (or none, to print the template), got ""');
  const target = file === undefined ? undefined : path.resolve(io.cwd, file);
  const dir = target === undefined ? path.resolve(io.cwd) : path.dirname(target);
  const name = file === undefined ? 'my-scenario' : nameFromOrigin(file);
  const text = opts.from === undefined ? templateText(opts.workload ?? 'io', name, dir) : fromText(io, opts.from, name, dir);
  // It must validate where it is written (an extends is read relative to it).
  resolveScenario(parseText(text, file ?? 'scenario.yaml'), target ?? path.join(dir, 'scenario.yaml'));
  if (target === undefined) {
    io.stdout(text);
    return 0;
  }
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`init: cannot write ${file}: no directory ${path.dirname(file!)}`);
  if (fs.existsSync(target) && opts.force !== true) throw new UsageError(`init: ${file} exists; not overwriting it (use --force, or another name)`);
  try {
    // Atomically (a temporary file renamed over it): --force never leaves half a file.
    writeOutput(target, text);
  } catch (err) {
    throw new UsageError(`init: cannot write ${file}: ${err instanceof OutputError ? err.reason : fsReason(err)}`);
  }
  io.stderr(`smpsim: wrote ${file}; check it with: smpsim validate ${file}, run it with: smpsim run ${file}\n`);
  return 0;
}

export function registerInit(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('init')
    .description('write a commented scenario file to start from (it validates; the $schema line finds scenario.schema.json)')
    .argument('[file]', 'where to write it (default: print it on stdout); an existing file is kept')
    .addOption(new Option('--workload <type>', 'the workload of the template').choices(WORKLOAD_TYPES))
    .option('--from <scenario>', 'copy a bundled scenario (a name from smpsim list) or a scenario file, with its comments')
    .option('--force', 'overwrite FILE if it exists')
    .action((file: string | undefined, opts: InitOptions) => {
      setExit(initScenario(io, file, opts));
    });
}
