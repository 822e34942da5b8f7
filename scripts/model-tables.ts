/**
 * The generated tables of docs/MODEL.md, from the code: every cost key with its value per
 * machine preset, unit, source and quality; the settings each kernel version decides; the
 * machine presets; every scenario field. scripts/gen-model-tables.ts writes them between
 * the `<!-- BEGIN GENERATED: name -->` / `<!-- END GENERATED: name -->` markers;
 * test/docs/model-md.test.ts checks the file is current and names every key and field.
 */
import { COST_KEYS, COST_TABLE, type CostKey } from '../src/kernel/costs.js';
import { MACHINE_PRESETS, PRESETS, PRESET_ALIASES, machinePresetCosts, type MachinePresetName } from '../src/kernel/presets.js';
import { KERNEL_VERSIONS, KERNEL_VERSION_ALIASES, VERSION_SETTING_FIELDS, VERSION_SETTING_KEYS, VERSION_TABLE, INVLPGB_RULE_SOURCE, INVLPGB_SINCE } from '../src/kernel/versions.js';
import { scenarioJsonSchema } from '../src/scenario/jsonschema.js';
import { costUncertainty, qualityOfSource, type Quality } from '../src/kernel/uncertainty.js';
export type { Quality };

/** Markdown table cell: no pipes or newlines. */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

/**
 * The part of a source text about one column: sources that cover both columns read
 * "A (modern); B (era2000)" — the segment naming the column (`core`), and that segment
 * with the untagged remarks (`text`). Untagged sources are their own core.
 */
export function sourceFor(source: string, column: string): { text: string; core: string } {
  const parts = source.split(/;\s+/);
  const isTagged = (p: string) => /\((era2000|modern)\)\s*$/.test(p.trim());
  const tagged = parts.filter(isTagged);
  if (tagged.length === 0) return { text: source, core: source };
  const mine = parts.find((p) => p.trim().endsWith(`(${column})`)) ?? tagged[0]!;
  return { text: [mine, ...parts.filter((p) => !isTagged(p))].join('; '), core: mine };
}

/** How good a number is: the one classifier of src/kernel/uncertainty.ts (fitted, estimate, derived, measured). */
export const quality = (core: string): Quality => qualityOfSource(core);

/** A range bound in ns, at most 3 significant digits. */
const fmtNs = (v: number): string => String(Number(v.toPrecision(3)));

const presetLabel = (p: MachinePresetName): string => {
  const alias = Object.entries(PRESET_ALIASES).find(([, v]) => v === p)?.[0];
  return alias === undefined ? p : `${p} (${alias})`;
};

/** Every cost key: meaning, value per machine preset (ns), and per preset the source and its quality. */
export function costTable(): string {
  const per = MACHINE_PRESETS.map((p) => ({ p, ...machinePresetCosts(p), base: PRESETS[p].base }));
  const head = ['key', 'meaning', ...MACHINE_PRESETS.map((p) => `${p} (ns)`)];
  const rows = COST_KEYS.map((k) => [`\`${k}\``, COST_TABLE[k].meaning, ...per.map((x) => String(x.costs[k]))]);
  const srcRows: string[][] = [];
  for (const k of COST_KEYS) {
    // One row per distinct (source, quality, range); the presets sharing it listed together.
    // Quality and range are those `smpsim robustness` samples (src/kernel/uncertainty.ts).
    const groups = new Map<string, MachinePresetName[]>();
    for (const x of per) {
      const own = PRESETS[x.p].costs[k] !== undefined;
      const { text } = own ? { text: x.sources[k] } : sourceFor(x.sources[k], x.base);
      const u = costUncertainty(x.p, k, x.costs[k], x.sources[k]);
      const range = `${fmtNs(u.range.lo)}–${fmtNs(u.range.hi)} (${u.range_source.replace(/^default for \w+ \((.*)\)$/, '$1')})`;
      const key = `${u.quality}\u0000${range}\u0000${text}`;
      groups.set(key, [...(groups.get(key) ?? []), x.p]);
    }
    for (const [key, ps] of groups) {
      const [q, range, text] = key.split('\u0000') as [string, string, string];
      srcRows.push([`\`${k}\``, ps.join(', '), q, range, text]);
    }
  }
  return (
    `All costs are durations in nanoseconds (unit: ns). Presets: ${MACHINE_PRESETS.map(presetLabel).join(', ')}.\n\n` +
    table(head, rows) +
    '\n\nSource, quality and range of each value (quality read from the source text, src/kernel/uncertainty.ts: measured = a published measurement; derived = arithmetic on published figures; estimate = no source; fitted = fitted to an end-to-end result. Range: the source\'s own spread where it gives one, else the default of the quality — measured ±15%, derived ±30%, estimate and fitted ×0.5..×2 — sampled by `smpsim robustness`, docs/ROBUSTNESS.md):\n\n' +
    table(['key', 'presets', 'quality', 'range (ns)', 'source'], srcRows)
  );
}

/** The settings kernel.version decides: value per version, then the source of each. */
export function versionTable(): string {
  // Aliases (modern) are the row they stand for: one column per real version.
  const versions = KERNEL_VERSIONS.filter((v) => !Object.hasOwn(KERNEL_VERSION_ALIASES, v));
  const head = ['setting (scenario field)', ...versions];
  const rows = VERSION_SETTING_KEYS.map((k) => [`\`${VERSION_SETTING_FIELDS[k]}\``, ...versions.map((v) => String(VERSION_TABLE[v][k].value))]);
  const src: string[] = [];
  for (const k of VERSION_SETTING_KEYS) {
    src.push(`- \`${VERSION_SETTING_FIELDS[k]}\``);
    const groups = new Map<string, string[]>();
    for (const v of versions) {
      const key = `${String(VERSION_TABLE[v][k].value)}\u0000${VERSION_TABLE[v][k].source}`;
      groups.set(key, [...(groups.get(key) ?? []), v]);
    }
    for (const [key, vs] of groups) {
      const [value, source] = key.split('\u0000') as [string, string];
      src.push(`  - ${vs.join(', ')}: ${value} — ${source}`);
    }
  }
  const aliases = Object.entries(KERNEL_VERSION_ALIASES).map(([a, v]) => `\`${a}\` is an alias of ${v}`).join('; ');
  const rule = `\`kernel.tlb_flush\` is \`invlpgb\` instead on ${INVLPGB_SINCE}+ when \`machine.invlpgb\` is true: ${INVLPGB_RULE_SOURCE}.`;
  return `${table(head, rows)}\n\n${aliases}. ${rule}\n\nSources (file and function in that version's tree):\n\n${src.join('\n')}`;
}

/** The machine presets and the source of each field. */
export function machinePresetTable(): string {
  const fields = ['cpus', 'cores_per_package', 'clock_mhz', 'memory_bandwidth_bytes_per_s', 'pae', 'lowmem_bytes', 'highmem_bytes', 'invlpgb'] as const;
  const rows: string[][] = [];
  for (const p of MACHINE_PRESETS) {
    const d = PRESETS[p];
    rows.push([`\`${p}\``, 'title', d.title, `cost column: ${d.base}`]);
    for (const f of fields) {
      const v = d.machine[f];
      rows.push(['', f, String(v.value), v.source]);
    }
  }
  return table(['preset', 'field', 'value', 'source'], rows);
}

interface FieldInfo {
  path: string;
  description: string;
  workloads: string[];
}

/** Every scenario field (dotted path), from the editor JSON schema, with its description. */
export function scenarioFields(): FieldInfo[] {
  const out = new Map<string, FieldInfo>();
  const walk = (node: unknown, path: string[], workload: string | null): void => {
    if (typeof node !== 'object' || node === null) return;
    const n = node as Record<string, unknown>;
    for (const key of ['anyOf', 'oneOf'] as const) {
      const alts = n[key];
      if (!Array.isArray(alts)) continue;
      for (const a of alts) {
        const props = (a as { properties?: Record<string, { const?: unknown }> }).properties;
        const kind = path.join('.') === 'workload' && typeof props?.type?.const === 'string' ? props.type.const : workload;
        walk(a, path, kind);
      }
    }
    const props = n.properties;
    if (typeof props !== 'object' || props === null) return;
    for (const [k, v] of Object.entries(props as Record<string, unknown>)) {
      const p = [...path, k];
      const key = p.join('.');
      if (key === '$schema') continue;
      const d = (v as { description?: unknown }).description;
      const prev = out.get(key);
      if (prev === undefined) out.set(key, { path: key, description: typeof d === 'string' ? d : '', workloads: workload === null ? [] : [workload] });
      else if (workload !== null && !prev.workloads.includes(workload)) prev.workloads.push(workload);
      walk(v, p, workload);
    }
  };
  walk(scenarioJsonSchema(), [], null);
  return [...out.values()];
}

/** The scenario fields table (cost overrides listed once: every cost key under `costs.`). */
export function fieldTable(): string {
  const rows = scenarioFields()
    .filter((f) => !(f.path.startsWith('costs.') && (COST_KEYS as readonly string[]).includes(f.path.slice(6))))
    .map((f) => [`\`${f.path}\``, f.workloads.length === 0 ? '' : f.workloads.join(', '), f.description]);
  rows.push(['`costs.<key>`', '', `Override one cost key (a duration): ${COST_KEYS.map((k: CostKey) => `\`${k}\``).join(', ')} — see Costs.`]);
  return table(['field', 'workload type', 'meaning and default'], rows);
}

export const GENERATED: Record<string, () => string> = {
  costs: costTable,
  versions: versionTable,
  'machine-presets': machinePresetTable,
  fields: fieldTable,
};

/** `text` with every generated section replaced by its current content. */
export function regenerate(text: string): string {
  let out = text;
  for (const [name, gen] of Object.entries(GENERATED)) {
    const begin = `<!-- BEGIN GENERATED: ${name} (npx tsx scripts/gen-model-tables.ts) -->`;
    const end = `<!-- END GENERATED: ${name} -->`;
    const i = out.indexOf(begin);
    const j = out.indexOf(end);
    if (i < 0 || j < i) throw new Error(`docs/MODEL.md: markers for the generated section "${name}" are missing`);
    out = `${out.slice(0, i + begin.length)}\n${gen()}\n${out.slice(j)}`;
  }
  return out;
}
