/**
 * `smpsim completion bash|zsh|fish`: a shell completion script (issue 15, item 9) for the
 * commands, their options and option values, the bundled scenario names, and the scenario
 * keys (and enum values) that `--set`/`--vary` take. The script is static, generated from
 * the registered commands and the scenario schema, so completing costs no node start-up;
 * regenerate it after an upgrade.
 *
 *   bash: source <(smpsim completion bash)        (or save it in ~/.local/share/bash-completion/completions/smpsim)
 *   zsh:  source <(smpsim completion zsh)         (bash completion through bashcompinit)
 *   fish: smpsim completion fish > ~/.config/fish/completions/smpsim.fish
 */
import { Command, Option } from 'commander';
import { z } from 'zod';
import { ScenarioRaw } from '../scenario/schema.js';
import { UsageError, type CliIo } from './io.js';
import { bundledScenarioFiles } from './paths.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** One scenario key: its dotted path and, for an enumeration, its values. */
export interface ScenarioKey {
  path: string;
  values: string[];
}

function unwrap(s: z.ZodType): z.ZodType {
  let t = s;
  while (t instanceof z.ZodOptional) t = t.unwrap() as z.ZodType;
  return t;
}

/** The leaf keys of the scenario schema (every workload type's keys under workload.*). */
export function scenarioKeys(): ScenarioKey[] {
  const out = new Map<string, Set<string>>();
  const walk = (schema: z.ZodType, prefix: string): void => {
    const s = unwrap(schema);
    if (s instanceof z.ZodObject) {
      for (const [k, v] of Object.entries(s.shape as Record<string, z.ZodType>)) {
        if (k === '$schema') continue;
        walk(v, prefix === '' ? k : `${prefix}.${k}`);
      }
      return;
    }
    if (s instanceof z.ZodDiscriminatedUnion) {
      for (const o of s.options as readonly z.ZodType[]) walk(o, prefix);
      return;
    }
    const values = out.get(prefix) ?? new Set<string>();
    if (s instanceof z.ZodUnion) {
      // `lowmem_free_pages: N | unlimited`: its words; a mapping option (warmup {ops}) adds none.
      for (const o of s.options as readonly z.ZodType[]) {
        const t = unwrap(o);
        if (t instanceof z.ZodLiteral) values.add(String(t.value));
        if (t instanceof z.ZodEnum) for (const v of t.options) values.add(String(v));
      }
    }
    if (s instanceof z.ZodEnum) for (const v of s.options) values.add(String(v));
    if (s instanceof z.ZodLiteral) values.add(String(s.value));
    if (s instanceof z.ZodBoolean) ['true', 'false'].forEach((v) => values.add(v));
    out.set(prefix, values);
  };
  walk(ScenarioRaw, '');
  return [...out].map(([path, values]) => ({ path, values: [...values] }));
}

interface OptionInfo {
  flags: string[];
  takesValue: boolean;
  choices: string[];
  description: string;
}

interface CommandInfo {
  name: string;
  description: string;
  options: OptionInfo[];
}

/**
 * Registers every command on a program: commands.ts's registerCommands, handed in by the
 * command table (so this module does not import the table that lazily imports it).
 */
export type RegisterAllCommands = (program: Command) => Promise<void>;

/** Every command with its options, as registered (all command modules loaded). */
async function commandInfos(registerAll: RegisterAllCommands): Promise<CommandInfo[]> {
  const program = new Command('smpsim');
  await registerAll(program);
  const info = (o: Option): OptionInfo => ({
    flags: [o.short, o.long].filter((f): f is string => f !== undefined),
    takesValue: o.required || o.optional,
    choices: o.argChoices ?? [],
    description: o.description,
  });
  return program.commands.map((c) => ({
    name: c.name(),
    description: c.description(),
    options: [...c.options.map(info), { flags: ['-h', '--help'], takesValue: false, choices: [], description: 'show help' }],
  }));
}

const GLOBAL = ['-h', '--help', '-V', '--version'];
/** Options whose value is a scenario key (`path=value`). */
const KEY_OPTIONS = ['--set', '--vary', '--variant', '--zip'];
/** Commands whose argument is one of these words, not a scenario. */
const POSITIONAL_WORDS: Record<string, readonly string[]> = { completion: SHELLS };
/** Commands whose arguments are files, not scenario names (results, directories, the file to write). */
const FILES_ONLY = ['init', 'compare', 'plot'];
/** An option whose value is a file or directory (its help says so): complete paths. */
const takesFile = (o: OptionInfo): boolean =>
  o.takesValue && o.choices.length === 0 && !o.flags.some((f) => KEY_OPTIONS.includes(f)) && (/\b(file|dir|directory|folder)\b/i.test(o.description) || o.flags.some((f) => /^--(out|trace|html|junit|baseline)$/.test(f)));
const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function bashScript(cmds: CommandInfo[], keys: ScenarioKey[], scenarios: string[]): string {
  const lines: string[] = [];
  lines.push('# smpsim completion for bash (smpsim completion bash); zsh: through bashcompinit.');
  lines.push('_smpsim_keys=' + q(keys.map((k) => `${k.path}=`).join(' ')));
  lines.push('declare -A _smpsim_values=(');
  for (const k of keys) if (k.values.length > 0) lines.push(`  [${k.path}]=${q(k.values.join(' '))}`);
  lines.push(')');
  lines.push(`_smpsim_scenarios=${q(scenarios.join(' '))}`);
  lines.push('_smpsim() {');
  lines.push('  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" cmd="${COMP_WORDS[1]}"');
  lines.push('  COMPREPLY=()');
  lines.push('  if [[ $COMP_CWORD -eq 1 ]]; then');
  lines.push(`    COMPREPLY=( $(compgen -W ${q([...cmds.map((c) => c.name), 'help', ...GLOBAL].join(' '))} -- "$cur") )`);
  lines.push('    return 0');
  lines.push('  fi');
  // `--set kernel.strategy=km`: bash splits at '=' (COMP_WORDBREAKS): key, '=', value.
  lines.push('  local key="" val=""');
  lines.push('  if [[ "$prev" == "=" && $COMP_CWORD -ge 3 ]]; then key="${COMP_WORDS[COMP_CWORD-2]}"; val="$cur";');
  lines.push('  elif [[ "$cur" == "=" && $COMP_CWORD -ge 2 ]]; then key="$prev"; val="";');
  lines.push('  elif [[ "$cur" == *=* ]]; then key="${cur%%=*}"; val="${cur#*=}"; fi');
  lines.push('  if [[ -n "$key" && -n "${_smpsim_values[$key]+x}" ]]; then');
  lines.push('    COMPREPLY=( $(compgen -W "${_smpsim_values[$key]}" -- "$val") )');
  lines.push('    [[ "$cur" == *=* && "$cur" != "=" ]] && COMPREPLY=( "${COMPREPLY[@]/#/${key}=}" )');
  lines.push('    return 0');
  lines.push('  fi');
  lines.push('  case "$prev" in');
  lines.push(`    ${KEY_OPTIONS.join('|')})`);
  lines.push('      COMPREPLY=( $(compgen -W "$_smpsim_keys" -- "$cur") )');
  lines.push('      compopt -o nospace 2>/dev/null');
  lines.push('      return 0 ;;');
  lines.push('  esac');
  lines.push('  case "$cmd" in');
  for (const c of cmds) {
    lines.push(`    ${c.name})`);
    const withChoices = c.options.filter((o) => o.takesValue && o.choices.length > 0);
    const withFiles = c.options.filter(takesFile);
    lines.push('      case "$prev" in');
    for (const o of withChoices) lines.push(`        ${o.flags.join('|')}) COMPREPLY=( $(compgen -W ${q(o.choices.join(' '))} -- "$cur") ); return 0 ;;`);
    if (withFiles.length > 0) lines.push(`        ${withFiles.flatMap((o) => o.flags).join('|')}) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;`);
    lines.push('      esac');
    lines.push('      if [[ "$cur" == -* ]]; then');
    lines.push(`        COMPREPLY=( $(compgen -W ${q(c.options.flatMap((o) => o.flags).join(' '))} -- "$cur") )`);
    lines.push('      else');
    const words = POSITIONAL_WORDS[c.name];
    if (words !== undefined) lines.push(`        COMPREPLY=( $(compgen -W ${q(words.join(' '))} -- "$cur") )`);
    else if (FILES_ONLY.includes(c.name)) lines.push('        COMPREPLY=( $(compgen -f -- "$cur") )');
    else lines.push('        COMPREPLY=( $(compgen -W "$_smpsim_scenarios" -- "$cur") $(compgen -f -- "$cur") )');
    lines.push('      fi ;;');
  }
  lines.push(`    help) COMPREPLY=( $(compgen -W ${q(cmds.map((c) => c.name).join(' '))} -- "$cur") ) ;;`);
  lines.push('  esac');
  lines.push('  return 0');
  lines.push('}');
  lines.push('complete -o filenames -F _smpsim smpsim');
  return `${lines.join('\n')}\n`;
}

function zshScript(cmds: CommandInfo[], keys: ScenarioKey[], scenarios: string[]): string {
  return (
    '# smpsim completion for zsh (smpsim completion zsh): the bash completion through bashcompinit.\n' +
    'autoload -U +X compinit && compinit\n' +
    'autoload -U +X bashcompinit && bashcompinit\n' +
    bashScript(cmds, keys, scenarios)
  );
}

function fishScript(cmds: CommandInfo[], keys: ScenarioKey[], scenarios: string[]): string {
  const lines = ['# smpsim completion for fish (smpsim completion fish > ~/.config/fish/completions/smpsim.fish)', 'complete -c smpsim -f'];
  const names = cmds.map((c) => c.name).join(' ');
  for (const c of cmds) lines.push(`complete -c smpsim -n "not __fish_seen_subcommand_from ${names}" -a ${c.name} -d ${q(c.description)}`);
  const keyWords = keys.flatMap((k) => (k.values.length === 0 ? [`${k.path}=`] : k.values.map((v) => `${k.path}=${v}`)));
  for (const c of cmds) {
    const when = `-n "__fish_seen_subcommand_from ${c.name}"`;
    const words = POSITIONAL_WORDS[c.name];
    if (words !== undefined) lines.push(`complete -c smpsim ${when} -a ${q(words.join(' '))}`);
    else if (FILES_ONLY.includes(c.name)) lines.push(`complete -c smpsim ${when} -F`);
    else lines.push(`complete -c smpsim ${when} -a ${q(scenarios.join(' '))} -F`);
    for (const o of c.options) {
      const long = o.flags.find((f) => f.startsWith('--'))?.slice(2);
      const short = o.flags.find((f) => /^-[^-]/.test(f))?.slice(1);
      let spec = `complete -c smpsim ${when}${long === undefined ? '' : ` -l ${long}`}${short === undefined ? '' : ` -s ${short}`} -d ${q(o.description)}`;
      if (o.takesValue) {
        if (o.choices.length > 0) spec += ` -x -a ${q(o.choices.join(' '))}`;
        else if (o.flags.some((f) => KEY_OPTIONS.includes(f))) spec += ` -x -a ${q(keyWords.join(' '))}`;
        else spec += takesFile(o) ? ' -r -F' : ' -x';
      }
      lines.push(spec);
    }
  }
  return `${lines.join('\n')}\n`;
}

export async function completionScript(shell: string, registerAll: RegisterAllCommands): Promise<string> {
  if (!(SHELLS as readonly string[]).includes(shell)) {
    throw new UsageError(`completion: expected one of ${SHELLS.join(', ')}, got ${JSON.stringify(shell)}`);
  }
  const cmds = await commandInfos(registerAll);
  const keys = scenarioKeys();
  const scenarios = bundledScenarioFiles().map((f) => f.replace(/\.(ya?ml|json)$/i, ''));
  switch (shell as Shell) {
    case 'bash':
      return bashScript(cmds, keys, scenarios);
    case 'zsh':
      return zshScript(cmds, keys, scenarios);
    case 'fish':
      return fishScript(cmds, keys, scenarios);
  }
}

export function registerCompletion(program: Command, io: CliIo, setExit: (code: number) => void, registerAll: RegisterAllCommands): void {
  program
    .command('completion')
    .description('print a shell completion script: source <(smpsim completion bash) (also zsh; fish: save it in ~/.config/fish/completions)')
    .argument('<shell>', `one of ${SHELLS.join(', ')}`)
    .action(async (shell: string) => {
      io.stdout(await completionScript(shell, registerAll));
      setExit(0);
    });
}
