/** `smpsim schema`: the JSON Schema of scenario files (for editors and validators). */
import type { Command } from 'commander';
import { scenarioJsonSchemaText } from '../scenario/jsonschema.js';
import { EXIT, type CliIo } from './io.js';

export function registerSchema(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('schema')
    .description('print the JSON Schema of scenario files')
    .action(() => {
      io.stdout(scenarioJsonSchemaText());
      setExit(EXIT.OK);
    });
}
