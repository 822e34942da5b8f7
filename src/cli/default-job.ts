/**
 * What `smpsim` with no arguments (and `npm start`) runs: a scenario and its --vary, as
 * data, through the same code path as `smpsim run <scenario> --vary ...`. The scenario path
 * is relative to the project root, not the cwd.
 *
 * SMPSIM_DEFAULT_OPS=N (environment) overrides stop.ops, for quick checks and tests.
 */
import path from 'node:path';
import { executeRun } from './run.js';
import { UsageError, type CliIo } from './io.js';
import { PROJECT_ROOT } from './paths.js';

export interface DefaultJob {
  scenario: string;
  vary: string[];
  /** --variant columns (each several settings), before the --vary product. */
  variants?: string[];
}

export const DEFAULT_JOB: DefaultJob = {
  scenario: 'scenarios/lkml-2000-4way.yaml',
  vary: [],
  // Linux 2.3.40 (the scenario's kernel) has no lazy vmap: vmap_lazy would be refused.
  // Woodman's patch mapped page-cache pages with map code of its own; whether it flushed
  // every TLB after mapping (as 2.3.40's vmalloc_area_pages does for fresh pages) is not
  // in the post, so vmap runs both ways, each column labelled with the setting.
  variants: [
    'kernel.strategy=bounce',
    'kernel.strategy=vmap kernel.vmalloc_flush_on_map=true',
    'kernel.strategy=vmap kernel.vmalloc_flush_on_map=false',
    'kernel.strategy=kmap',
    'kernel.strategy=direct',
  ],
};

/** The default job as a command line (arguments with spaces single-quoted). */
export function defaultJobArgs(job: DefaultJob): string[] {
  const q = (a: string) => (/\s/.test(a) ? `'${a}'` : a);
  return [job.scenario, ...(job.variants ?? []).map((v) => `--variant ${q(v)}`), ...job.vary.map((v) => `--vary ${q(v)}`)];
}

export const DEFAULT_OPS_ENV = 'SMPSIM_DEFAULT_OPS';

export async function runDefaultJob(io: CliIo, job: DefaultJob = DEFAULT_JOB): Promise<number> {
  const set: string[] = [];
  const ops = io.env[DEFAULT_OPS_ENV];
  if (ops !== undefined && ops !== '') {
    if (!/^\s*\d+\s*$/.test(ops) || Number(ops) < 1 || !Number.isSafeInteger(Number(ops))) {
      throw new UsageError(`${DEFAULT_OPS_ENV}: expected an integer >= 1, got ${JSON.stringify(ops)}`);
    }
    set.push(`stop.ops=${Number(ops)}`);
  }
  const shown = [...defaultJobArgs(job), ...set.map((s) => `--set ${s}`)].join(' ');
  io.stderr(`smpsim: no command given: running the default job, smpsim run ${shown} (see smpsim --help)\n`);
  const code = await executeRun(
    {
      scenario: path.join(PROJECT_ROOT, job.scenario),
      set,
      vary: job.vary,
      variants: job.variants ?? [],
      format: 'text',
      verbose: false,
      quiet: false,
    },
    io,
  );
  if (code === 0) io.stdout(`${robustnessPointer(job)}
`);
  return code;
}

/** The last line of the default job: where to read how far its ranking can be trusted (issue 21). */
export function robustnessPointer(job: DefaultJob = DEFAULT_JOB): string {
  const name = path.basename(job.scenario).replace(/\.ya?ml$/, '');
  return ` how far this ranking holds over the uncertainty of its costs: smpsim robustness ${name} --jobs 2 (README "Robustness", docs/ROBUSTNESS.md)`;
}
