/**
 * What a failed command prints and exits with (src/cli/program.ts imports this module when a
 * command throws): commander's usage errors, bad input, an aborted run, an internal error.
 */
import { CommanderError } from 'commander';
import { SimulationAborted } from '../engine/sim.js';
import { MemoryBudgetError } from '../scenario/memory.js';
import { UnitError } from '../engine/units.js';
import { OutputError } from '../files/output.js';
import { OutputDirError } from '../files/manifest.js';
import { ScenarioError } from '../scenario/errors.js';
import { EXIT, UsageError, firstLine, isHelpOrVersion, type CliIo } from './io.js';

const COMMANDS = ['run', 'resolve', 'validate', 'schema', 'list', 'init', 'compare', 'baseline', 'check', 'sweep', 'worker', 'plot', 'validation', 'completion', 'help'];

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
    const help = isHelpOrVersion(err);
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

