/**
 * `smpsim resolve <scenario>`: the scenario with every default filled, as a scenario file
 * in the input language (YAML, or JSON) — what `run` would run. It validates and
 * re-resolves to the same scenario (src/scenario/unresolve.ts); `smpsim run` of a result
 * file re-runs the run it records.
 */
import { Command, Option } from 'commander';
import { checkSetOptions, loadScenario } from '../scenario/load.js';
import { resolvedHeader, scenarioFileOf, scenarioFileYaml } from '../scenario/unresolve.js';
import { UsageError, type CliIo } from './io.js';
import { scenarioPath } from './scenario-path.js';

const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

/** --seed: a non-negative safe integer (as `run` reads it). */
function parseSeed(text: string): number {
  const t = text.trim();
  if (!/^\d+$/.test(t) || !Number.isSafeInteger(Number(t))) {
    throw new UsageError(`--seed: expected an integer 0..${Number.MAX_SAFE_INTEGER}, got ${JSON.stringify(text)}`);
  }
  return Number(t);
}

export function registerResolve(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('resolve')
    .description('print the scenario as run will run it: every default filled, as a scenario file (YAML or JSON)')
    .argument('<scenario>', 'scenario file, bundled scenario name, or a result/baseline file (its recorded scenario)')
    .option('--set <path=value>', 'override a scenario field, as for run (repeatable)', collect)
    .option('--seed <n>', 'override the scenario seed (an integer >= 0)')
    .addOption(new Option('--format <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .action((arg: string, opts: { set?: string[]; seed?: string; format: 'yaml' | 'json' }) => {
      const set = opts.set ?? [];
      checkSetOptions(set);
      const seed = opts.seed === undefined ? undefined : parseSeed(opts.seed);
      const s = loadScenario(scenarioPath(io, arg), { set, seed });
      io.stdout(
        opts.format === 'json'
          ? `${JSON.stringify(scenarioFileOf(s), null, 2)}\n`
          : scenarioFileYaml(s, resolvedHeader(s, `smpsim resolve ${arg}`)),
      );
      setExit(0);
    });
}
