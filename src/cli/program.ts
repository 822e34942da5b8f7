/**
 * The smpsim command line, in-process: `main(argv, io)` parses, runs one command and
 * returns its exit code. Nothing here calls process.exit or touches process.stdout:
 * commander runs with exitOverride() and writes through io (configureOutput).
 *
 * Exit codes: 0 success; 1 a check failed (reserved); 2 bad input or usage (one line per
 * problem on stderr); 3 the run was aborted (message + diagnosis); 70 an internal error
 * (one line; the stack only with SMPSIM_DEBUG=1).
 *
 * Start-up (issue 24): this module imports only commander and the command table. Errors
 * are classified by report-error.ts, imported when one is thrown: its error classes come
 * from the engine, the scenario code and the output files, which `--version` never needs.
 * src/cli/main.ts is the same entry plus reportError, for tests and the library.
 */
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { registerCommands } from './commands.js';
import { EXIT, isHelpOrVersion, type CliIo } from './io.js';

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

/** commander printed the help or the version, as asked (exit code 0). */
function helpShown(err: unknown): boolean {
  return err instanceof CommanderError && isHelpOrVersion(err) && err.exitCode === 0;
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
    // --help and --version end through exitOverride(): not an error (as in reportError).
    if (helpShown(err)) return EXIT.OK;
    return (await import('./report-error.js')).reportError(err, io, argv);
  }
}
