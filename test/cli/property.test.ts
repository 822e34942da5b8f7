/**
 * Whatever the command line and whatever is in the files it names, main() resolves to an
 * exit code of 0, 2 or 3: it never throws, never reports an internal error, and never
 * prints a stack trace.
 *
 * Bounded by case count with a fixed seed (fast-check prints seed and path on failure), never
 * by wall time. The empty command line is left out: it runs the default study whatever the
 * files say (test/cli/default-job.test.ts covers it), and the ~8% of cases fast-check drew
 * as [] took 95% of this file's time.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runScenario } from '../../src/model/run.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { STACK_FRAME, TINY_SCENARIO, fakeIo, tempDir } from './helpers.js';

const dir = tempDir('smpsim-prop-');
fs.writeFileSync(path.join(dir, 'valid.yaml'), TINY_SCENARIO);
fs.writeFileSync(
  path.join(dir, 'result.json'),
  JSON.stringify(runScenario(resolveScenario(YAML.parse(TINY_SCENARIO) as unknown, 'valid.yaml'))),
);
fs.mkdirSync(path.join(dir, 'adir'));

const VALID = YAML.parse(TINY_SCENARIO) as Record<string, unknown>;

/** Paths a mutation may replace: not the ones that set the run's length or size. */
const MUTABLE = [
  [],
  ['name'],
  ['description'],
  ['seed'],
  ['machine'],
  ['machine', 'spinlock'],
  ['machine', 'pae'],
  ['machine', 'highmem'],
  ['costs'],
  ['costs', 'preset'],
  ['costs', 'lock_handoff'],
  ['kernel', 'strategy'],
  ['device', 'latency'],
  ['workload'],
  ['workload', 'type'],
  ['workload', 'think'],
  ['stop'],
  ['extends'],
  ['bogus_key'],
] as const;

function mutate(base: Record<string, unknown>, at: readonly string[], value: unknown): unknown {
  if (at.length === 0) return value;
  const copy = structuredClone(base);
  let o: Record<string, unknown> = copy;
  for (const k of at.slice(0, -1)) {
    const next = o[k];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[at[at.length - 1]!] = value;
  return copy;
}

/** Strings with no path separators, so a random --out stays inside the temp dir. */
const safeString = fc.string({ maxLength: 12 }).map((s) => s.replace(/[/\\]/g, '_').replace(/^\.\.?$/, 'x'));

const fileContent = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.json({ maxDepth: 3 }),
  fc.constantFrom('{', '[1, 2', 'a: b: c', '- - -', '&a [*a]', 'machine: &x {cpus: *x}', 'key: [unclosed', '\t\tbad indent:\n x', '{"schema": "smpsim.result/1"}'),
  fc
    .tuple(fc.constantFrom(...MUTABLE), fc.jsonValue({ maxDepth: 2 }))
    .map(([at, v]) => YAML.stringify(mutate(VALID, at, v))),
);

const fragment = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('run', 'validate', 'schema', 'list', 'compare', 'help', 'bogus') },
  { weight: 6, arbitrary: fc.constantFrom('case.yaml', 'case.json', 'valid.yaml', 'result.json', 'missing.yaml', 'adir', '') },
  {
    weight: 8,
    arbitrary: fc.constantFrom(
      '--set', 'stop.ops=50', 'machine.cpus=3', 'foo', '=x', 'a..b=1', 'machine.spinlock=tas', 'machine={cpus: 2}',
      '--seed', '7', '-3', 'x', '1e3',
      '--vary', 'machine.spinlock=ticket,tas', 'machine.cpus=1,2', 'x=', 'kernel.strategy=kmap,,', 'workload.hold=exp(1us',
      '--format', 'json', 'csv', 'text', 'yaml',
      '--out', 'out.txt', 'adir',
      '--quiet', '--verbose', '--bogus', '-x', '--', '-h', '--version',
    ),
  },
  { weight: 2, arbitrary: safeString },
);

describe('main() on random input', () => {
  it('always resolves to 0, 2 or 3, without internal errors or stack traces', async () => {
    await fc.assert(
      fc.asyncProperty(fileContent, fc.boolean(), fc.boolean(), fc.array(fragment, { minLength: 1, maxLength: 8 }), async (content, asJson, runIt, argv) => {
        fs.writeFileSync(path.join(dir, asJson ? 'case.json' : 'case.yaml'), content);
        const { io, out, err } = fakeIo({ cwd: dir, env: {} });
        // Half the cases run the file just written (the fragments may name it too).
        const args = runIt ? ['run', asJson ? 'case.json' : 'case.yaml', '--set', 'stop.ops=50', ...argv] : argv;
        const code = await main(args, io);
        const stderr = err.join('');
        expect([0, 2, 3], `${JSON.stringify(args)} → ${code}\n${stderr}`).toContain(code);
        expect(stderr).not.toMatch(STACK_FRAME);
        expect(stderr).not.toContain('smpsim: internal error');
        if (code === 2) {
          expect(stderr.length).toBeGreaterThan(0);
          // A refused run prints nothing (validate still prints its "ok" lines).
          if (args[0] === 'run') expect(out.join('')).toBe('');
        }
      }),
      { numRuns: Number(process.env.SMPSIM_PROP_RUNS ?? 600), seed: Number(process.env.SMPSIM_PROP_SEED ?? 20000111) },
    );
  });
});
