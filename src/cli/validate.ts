/** `smpsim validate <scenario…>`: `ok <file>` on stdout, or the file's problems on stderr. */
import type { Command } from 'commander';
import { UnitError } from '../engine/units.js';
import { ScenarioError, loadScenario } from '../scenario/load.js';
import { EXIT, firstLine, type CliIo } from './io.js';
import { scenarioPath } from './scenario-path.js';

export function validateFiles(io: CliIo, files: readonly string[]): number {
  let bad = false;
  for (const file of files) {
    try {
      loadScenario(scenarioPath(io, file));
      io.stdout(`ok ${file}\n`);
    } catch (e) {
      if (e instanceof ScenarioError) io.stderr(`${e.lines.join('\n')}\n`);
      else if (e instanceof UnitError) io.stderr(`${file}: ${firstLine(e.message)}\n`);
      else throw e;
      bad = true;
    }
  }
  return bad ? EXIT.USAGE : EXIT.OK;
}

export function registerValidate(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('validate')
    .description('check scenario files: "ok <file>" or one line per problem; exit 2 if any is invalid')
    .argument('<scenario...>', 'scenario files (YAML or JSON)')
    .action((files: string[]) => {
      setExit(validateFiles(io, files));
    });
}
