/**
 * The smpsim command line, in-process: `main(argv, io)` parses, runs one command and
 * returns its exit code. Nothing here calls process.exit or touches process.stdout:
 * commander runs with exitOverride() and writes through io (configureOutput).
 *
 * Exit codes: 0 success; 1 a check failed (reserved); 2 bad input or usage (one line per
 * problem on stderr); 3 the run was aborted (message + diagnosis); 70 an internal error
 * (one line; the stack only with SMPSIM_DEBUG=1).
 */
import { Command, CommanderError } from 'commander';
import { SimulationAborted } from '../engine/sim.js';
import { MemoryBudgetError } from '../scenario/memory.js';
import { UnitError } from '../engine/units.js';
import { OutputError } from '../files/output.js';
import { OutputDirError } from '../files/manifest.js';
import { ScenarioError } from '../scenario/errors.js';
import { VERSION } from '../version.js';
import { registerCommands } from './commands.js';
import { EXIT, UsageError, firstLine, type CliIo } from './io.js';

export type { CliIo } from './io.js';
export { EXIT } from './io.js';

const COMMANDS = ['run', 'resolve', 'validate', 'schema', 'list', 'init', 'compare', 'baseline', 'check', 'sweep', 'worker', 'plot', 'validation', 'completion', 'help'];

async function buildProgram(io: CliIo, setExit: (code: number) => void, errBuf: string[], argv: readonly string[]): Promise<Command> {
  const program = new Command('smpsim');
  program
    .description(
      'Discrete-event simulator of an SMP Linux kernel doing I/O to high memory (kmap vs vmap vs bounce buffers).\n' +
        'Without arguments, runs the default job (see docs/CLI.md).',
    )
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      // Held back: when commander shows the help as an error (options but no command),
      // main() replaces it with one line.
      writeErr: (s) => errBuf.push(s),
      // Errors are printed by main() as one line with a hint; commander stays quiet.
      outputError: () => {},
    })
    .showSuggestionAfterError(true);
  // Subcommands created with .command() inherit exitOverride and configureOutput.
  // Each command module is imported only when argv needs it (src/cli/commands.ts).
  await registerCommands(program, io, setExit, argv);
  program.addHelpText(
    'after',
    '\nExit codes: 0 ok, 1 a check failed, 2 bad input or usage, 3 run aborted, 70 internal error.',
  );
  return program;
}

/** commander's "error: unknown command 'rn'\n(Did you mean run?)" → one line with a hint. */
function usageLine(err: CommanderError, argv: readonly string[]): string {
  const parts = err.message
    .replace(/^error:\s*/i, '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l) => l.replace(/^\(Did you mean (.*)\?\)$/, '(did you mean $1?)'));
  const cmd = argv.find((a) => COMMANDS.includes(a) && a !== 'help');
  const hint = err.code === 'commander.unknownCommand' || cmd === undefined ? 'smpsim --help' : `smpsim ${cmd} --help`;
  return `smpsim: ${parts.join(' ').replace(/\.$/, '')}; see '${hint}'`;
}

/** commander showed the help as an error: options without a command, or `help <unknown>`. */
function helpAsErrorLine(argv: readonly string[]): string {
  const asked = argv[0] === 'help' ? argv.slice(1).find((a) => !a.startsWith('-')) : undefined;
  return asked === undefined
    ? "smpsim: no command given; see 'smpsim --help'"
    : `smpsim: unknown command '${asked}'; see 'smpsim --help'`;
}

function debug(io: CliIo): boolean {
  return io.env.SMPSIM_DEBUG === '1';
}

/** Classify a thrown value → stderr lines and an exit code. */
export function reportError(err: unknown, io: CliIo, argv: readonly string[]): number {
  if (err instanceof CommanderError) {
    const help = err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version';
    if (help && err.exitCode === 0) return EXIT.OK;
    const line = help ? helpAsErrorLine(argv) : usageLine(err, argv);
    io.stderr(`${line}\n`);
    return EXIT.USAGE;
  }
  if (err instanceof UsageError) {
    io.stderr(`${err.lines.join('\n')}\n`);
    return EXIT.USAGE;
  }
  if (err instanceof ScenarioError) {
    io.stderr(`${err.lines.join('\n')}\n`);
    return EXIT.USAGE;
  }
  if (err instanceof OutputDirError) {
    io.stderr(`smpsim: ${firstLine(err.message)}\n`);
    return EXIT.USAGE;
  }
  if (err instanceof OutputError) {
    io.stderr(`smpsim: ${err.message}\n`);
    return EXIT.USAGE;
  }
  if (err instanceof MemoryBudgetError) {
    io.stderr(`${firstLine(err.message)}\n`);
    return EXIT.USAGE;
  }
  if (err instanceof UnitError) {
    io.stderr(`smpsim: ${firstLine(err.message)}\n`);
    return EXIT.USAGE;
  }
  if (err instanceof SimulationAborted) {
    const diagnosis = err.diagnosis.trim();
    io.stderr(
      `smpsim: ${firstLine(err.message)}\n` +
        (diagnosis === '' ? '' : `diagnosis (per-CPU state, lock holders and waiters):\n${diagnosis.replace(/^/gm, '  ')}\n`),
    );
    return EXIT.ABORTED;
  }
  const msg = err instanceof Error ? err.message : String(err);
  io.stderr(`smpsim: internal error: ${firstLine(msg) || (err instanceof Error ? err.name : 'unknown')}\n`);
  if (debug(io) && err instanceof Error && err.stack !== undefined) io.stderr(`${err.stack}\n`);
  return EXIT.INTERNAL;
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  try {
    if (argv.length === 0) return await (await import('./default-job.js')).runDefaultJob(io);
    let code: number = EXIT.OK;
    const errBuf: string[] = [];
    const program = await buildProgram(
      io,
      (c) => {
        code = c;
      },
      errBuf,
      argv,
    );
    try {
      await program.parseAsync(argv, { from: 'user' });
    } catch (err) {
      if (!(err instanceof CommanderError && err.exitCode !== 0)) for (const s of errBuf) io.stderr(s);
      throw err;
    }
    for (const s of errBuf) io.stderr(s);
    return code;
  } catch (err) {
    return reportError(err, io, argv);
  }
}
