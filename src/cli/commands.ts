/**
 * The subcommands, registered lazily: each entry imports its command module only when
 * that command is on the command line (or when all are needed: `--help`, `help`, an
 * unknown command that needs suggestions). So `smpsim --version` loads no command module
 * and `smpsim run`/`validate` never load the plotting and sweep code (vega, piscina):
 * start-up is the modules a command uses, not all of them (issue 14).
 */
import type { Command } from 'commander';
import type { CliIo } from './io.js';

type Register = (program: Command, io: CliIo, setExit: (code: number) => void) => void;

/** Command name → its module's register function, in `smpsim --help` order. */
export const COMMAND_MODULES: ReadonlyArray<readonly [string, () => Promise<Register>]> = [
  ['run', async () => (await import('./run.js')).registerRun],
  ['resolve', async () => (await import('./resolve.js')).registerResolve],
  ['validate', async () => (await import('./validate.js')).registerValidate],
  ['schema', async () => (await import('./schema.js')).registerSchema],
  ['list', async () => (await import('./list.js')).registerList],
  ['init', async () => (await import('./init.js')).registerInit],
  ['compare', async () => (await import('./compare.js')).registerCompare],
  ['baseline', async () => (await import('./baseline.js')).registerBaseline],
  ['check', async () => (await import('./check.js')).registerCheck],
  ['sweep', async () => (await import('./sweep.js')).registerSweep],
  ['robustness', async () => (await import('./robustness.js')).registerRobustness],
  ['worker', async () => (await import('./worker.js')).registerWorker],
  ['plot', async () => (await import('./plot.js')).registerPlot],
  ['validation', async () => (await import('./validation.js')).registerValidation],
  [
    'completion',
    async () => {
      // completion needs every command's options: it gets registerCommands from here
      // rather than importing this table (which would make an import circle).
      const { registerCompletion } = await import('./completion.js');
      return (program, io, setExit) => registerCompletion(program, io, setExit, (all) => registerCommands(all, io, () => {}, []));
    },
  ],
];

/**
 * Which commands argv needs registered: none for `--version`, the one named for
 * `smpsim <command> …` and `smpsim help <command>`, all otherwise (the full help, and
 * commander's "did you mean" for an unknown command).
 */
export function commandsFor(argv: readonly string[]): string[] {
  const known = COMMAND_MODULES.map(([name]) => name);
  const first = argv[0];
  if (first === '-V' || first === '--version') return [];
  if (first !== undefined && known.includes(first)) return [first];
  if (first === 'help' && argv[1] !== undefined && known.includes(argv[1])) return [argv[1]];
  return known;
}

/** Import and register the commands argv needs (see commandsFor), in help order. */
export async function registerCommands(program: Command, io: CliIo, setExit: (code: number) => void, argv: readonly string[]): Promise<void> {
  const wanted = new Set(commandsFor(argv));
  const registers = await Promise.all(COMMAND_MODULES.filter(([name]) => wanted.has(name)).map(([, load]) => load()));
  for (const register of registers) register(program, io, setExit);
}
