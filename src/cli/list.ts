/** `smpsim list`: the bundled scenarios and the question each one answers. */
import path from 'node:path';
import type { Command } from 'commander';
import { ScenarioError, loadScenario } from '../scenario/load.js';
import { renderTable } from '../report/format.js';
import { EXIT, firstLine, type CliIo } from './io.js';
import { SCENARIOS_DIR, bundledScenarioFiles } from './paths.js';

/** First sentence-ish line of a description, whitespace collapsed. */
export function oneLineDescription(d: string): string {
  return d.replace(/\s+/g, ' ').trim();
}

export function listScenarios(io: CliIo): number {
  const files = bundledScenarioFiles();
  if (files.length === 0) {
    io.stdout(`no bundled scenarios in ${SCENARIOS_DIR}\n`);
    return EXIT.OK;
  }
  const rows: string[][] = [];
  for (const file of files) {
    const name = file.replace(/\.(ya?ml|json)$/i, '');
    let description: string;
    try {
      description = oneLineDescription(loadScenario(path.join(SCENARIOS_DIR, file)).description) || '(no description)';
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      description = `(invalid: ${firstLine(e.message)})`;
    }
    rows.push([name, description]);
  }
  io.stdout(`${renderTable(rows, ['l', 'l']).join('\n')}\n`);
  return EXIT.OK;
}

export function registerList(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('list')
    .description(`list the bundled scenarios (run one with: smpsim run <name>)`)
    .action(() => {
      setExit(listScenarios(io));
    });
}
