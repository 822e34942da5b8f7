/**
 * `smpsim completion bash|zsh|fish` (issue 15, item 9): the bash script is valid bash and,
 * sourced in a bash session, completes commands, options, option values, bundled scenario
 * names and scenario keys (and their values) for --set, through its completion function.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers.js';

/** Each case: the words typed so far (the last one being completed) → the completions. */
function complete(script: string, cases: string[][]): string[] {
  const dir = tempDir(); // empty: no file names among the completions
  const file = path.join(dir, 'smpsim.bash');
  fs.writeFileSync(file, script);
  const body = [
    `source ${JSON.stringify(file)}`,
    't() { COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMPREPLY=(); _smpsim; echo "${COMPREPLY[*]}"; }',
    ...cases.map((c) => `t ${c.map((w) => `'${w}'`).join(' ')}`),
  ].join('\n');
  return execFileSync('bash', ['--norc', '-c', body], { cwd: dir, encoding: 'utf8' }).split('\n').slice(0, cases.length);
}

describe('smpsim completion', () => {
  it('bash: valid syntax (bash -n), and zsh (bash completion through bashcompinit) too', async () => {
    for (const shell of ['bash', 'zsh']) {
      const r = await cli(['completion', shell]);
      expect(r.code).toBe(0);
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, 's'), r.stdout);
      expect(() => execFileSync('bash', ['-n', path.join(dir, 's')], { encoding: 'utf8' })).not.toThrow();
    }
  });

  it('bash: completes commands, options, values, scenario names and --set keys', async () => {
    const script = (await cli(['completion', 'bash'])).stdout;
    const got = complete(script, [
      ['smpsim', 'ru'],
      ['smpsim', 'ini'],
      ['smpsim', 'run', 'lkml'],
      ['smpsim', 'run', 'x.yaml', '--se'],
      ['smpsim', 'run', 'x.yaml', '--format', ''],
      ['smpsim', 'run', 'x.yaml', '--set', 'kernel.strat'],
      ['smpsim', 'run', 'x.yaml', '--set', 'kernel.strategy', '=', 'vm'],
      ['smpsim', 'run', 'x.yaml', '--vary', 'machine.spin'],
      ['smpsim', 'init', '--workload', 'l'],
      ['smpsim', 'completion', ''],
    ]);
    expect(got).toEqual([
      'run',
      'init',
      'lkml-2000-4way',
      '--set --seed',
      'text json csv',
      'kernel.strategy=',
      'vmap vmap_lazy',
      'machine.spinlock=',
      'locktorture',
      'bash zsh fish',
    ]);
  });

  it('fish: one completion per command, --set offers scenario keys; an unknown shell is exit 2', async () => {
    const r = await cli(['completion', 'fish']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^complete -c smpsim -n "not __fish_seen_subcommand_from [^"]*" -a run /m);
    expect(r.stdout).toMatch(/-l set .*-x -a '[^']*kernel\.strategy=kmap/);
    const bad = await cli(['completion', 'tcsh']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('completion: expected one of bash, zsh, fish, got "tcsh"\n');
  });
});
