/**
 * Fuzz of hostile input, class by class (issue 11, "Done when"): types, units, keys,
 * empty/binary, nesting/aliases/duplicates/__proto__, special files, size, --set/--vary and
 * extends. main() runs in-process, so a case costs a parse, not a process start.
 *
 * For every case: the exit code is 0, 2 or 3 (never 70), no stack trace, every stderr line
 * is short; a case built to be invalid must exit 2 (no wrong exit 0) with one line per
 * problem; a case built to be valid must exit 0. Bounded by case count with a fixed seed
 * (printed); nothing is timed. A FIFO among the inputs would hang the case if it were ever
 * opened for reading, so "no hangs" is checked by the test finishing at all.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { STACK_FRAME, TINY_SCENARIO, fakeIo, tempDir } from './helpers.js';

const SEED = Number(process.env.SMPSIM_FUZZ_SEED ?? 1111);
const RUNS = Number(process.env.SMPSIM_FUZZ_RUNS ?? 600);

const dir = tempDir('smpsim-fuzz-');
const p = (name: string) => path.join(dir, name);
fs.writeFileSync(p('tiny.yaml'), TINY_SCENARIO);
fs.writeFileSync(p('parent.yaml'), 'machine: {cpus: 3}\n');
fs.writeFileSync(p('not-a-scenario.txt'), 'machine: {cpus: 3}\n');
fs.writeFileSync(p('big.yaml'), `description: "${'x'.repeat(300 * 1024)}"\n`);
fs.mkdirSync(p('adir.yaml'));
execFileSync('mkfifo', [p('fifo.yaml')]);
fs.symlinkSync('/dev/zero', p('zero-link.yaml'));

const VALID = YAML.parse(TINY_SCENARIO) as Record<string, unknown>;

/** One fuzz case: files to write, the command line, and what it must do. */
interface Case {
  cls: string;
  text?: string | Uint8Array;
  argv: string[];
  /** 'refuse': exit 2 required; 'accept': exit 0 required; 'any': 0, 2 or 3. */
  expect: 'refuse' | 'accept' | 'any';
}

const CASE_FILE = p('case.yaml');
const validate = (): string[] => ['validate', CASE_FILE];
const withField = (at: readonly string[], value: unknown): string => {
  const copy = structuredClone(VALID);
  let o: Record<string, unknown> = copy;
  for (const k of at.slice(0, -1)) {
    if (typeof o[k] !== 'object' || o[k] === null || Array.isArray(o[k])) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[at[at.length - 1]!] = value;
  return YAML.stringify(copy);
};

const FIELDS = [
  ['machine', 'cpus'], ['machine', 'spinlock'], ['machine', 'lowmem'], ['machine', 'highmem'], ['machine', 'pae'],
  ['kernel', 'strategy'], ['kernel', 'vmalloc_size'], ['device', 'latency'], ['device', 'bandwidth'],
  ['workload', 'think'], ['workload', 'hold'], ['stop', 'time'], ['stop', 'warmup'], ['costs', 'lock_handoff'], ['seed'],
];
const SECTIONS = ['', 'machine', 'kernel', 'device', 'workload', 'stop', 'costs'];

const types = fc
  .tuple(fc.constantFrom(...FIELDS), fc.jsonValue({ maxDepth: 2 }))
  .map(([at, v]): Case => ({ cls: 'types', text: withField(at, v), argv: validate(), expect: 'any' }));

// Values of a type the field never takes (a mapping for a count, a number for a switch...).
const notAnInt = fc.oneof(fc.string().filter((x) => !/^\s*[-+]?(\d|0x|0o|\.)/.test(x)), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }), fc.double({ min: 0.01, max: 0.99 }), fc.integer({ max: -1 }));
const notABool = fc.oneof(fc.integer(), fc.string().map((x) => `zz${x}`), fc.constant(null), fc.array(fc.boolean(), { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.boolean(), { maxKeys: 2 }));
const notAnEnum = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.string().map((x) => `zz${x}`), fc.array(fc.constant('kmap'), { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.string(), { maxKeys: 2 }));
const notADuration = fc.oneof(fc.boolean(), fc.constant(null), fc.array(fc.constant('1us'), { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }), fc.string().map((x) => `zz${x}`), fc.integer({ max: -1 }));
const wrongTypes = fc
  .oneof(
    fc.tuple(fc.constantFrom(['machine', 'cpus'], ['machine', 'tlb_entries'], ['seed'], ['replications'], ['kernel', 'bounce_pool_pages']), notAnInt),
    fc.tuple(fc.constantFrom(['machine', 'pae'], ['kernel', 'vmap_block']), notABool),
    fc.tuple(fc.constantFrom(['machine', 'spinlock'], ['kernel', 'strategy'], ['kernel', 'tlb_flush'], ['costs', 'preset'], ['workload', 'type']), notAnEnum),
    fc.tuple(fc.constantFrom(['device', 'latency'], ['workload', 'hold'], ['stop', 'time'], ['costs', 'lock_handoff']), notADuration),
  )
  .map(([at, v]): Case => ({ cls: 'types-wrong', text: withField(at, v), argv: validate(), expect: 'refuse' }));

// A number with the unit of another kind of quantity (a size for a duration...).
const wrongUnits = fc
  .oneof(
    fc.tuple(fc.constantFrom(['device', 'latency'], ['workload', 'think'], ['stop', 'time'], ['costs', 'ipi_latency']), fc.constantFrom('B', 'KiB', 'MiB', 'GiB', 'MiB/s', '%', 'parsec', 'sec')),
    fc.tuple(fc.constantFrom(['machine', 'highmem'], ['machine', 'lowmem'], ['kernel', 'vmalloc_size']), fc.constantFrom('ns', 'us', 'ms', 's', 'MiB/s', '%', 'KB/s')),
    fc.tuple(fc.constantFrom(['device', 'bandwidth']), fc.constantFrom('ns', 's', '%', 'Hz')),
  )
  .chain(([at, u]) => fc.integer({ min: 1, max: 1000 }).map((n): Case => ({ cls: 'units-wrong', text: withField(at, `${n}${u}`), argv: validate(), expect: 'refuse' })));

const units = fc
  .tuple(
    fc.constantFrom(['device', 'latency'], ['workload', 'think'], ['machine', 'highmem'], ['device', 'bandwidth'], ['stop', 'time']),
    fc.oneof(fc.double({ noNaN: false }), fc.integer()),
    fc.constantFrom('ns', 'us', 'ms', 's', 'm', 'h', 'B', 'KiB', 'MiB', 'GiB', 'kb', 'MiB/s', '', ' ', 'µs', 'exp', '%'),
  )
  .map(([at, n, u]): Case => ({ cls: 'units', text: withField(at, `${n}${u}`), argv: validate(), expect: 'any' }));

// Keys no schema has: `zz` first keeps them from being a real key; the JS-special names too.
const keys = fc
  .tuple(
    fc.constantFrom(...SECTIONS),
    fc.oneof(fc.string({ minLength: 1, maxLength: 300 }).map((s) => `zz${s}`), fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype', 'toJSON')),
  )
  .map(([section, key]): Case => {
    const data = structuredClone(VALID);
    const target = section === '' ? data : ((data[section] as Record<string, unknown> | undefined) ?? (data[section] = {}));
    Object.defineProperty(target, key, { value: 1, enumerable: true, writable: true, configurable: true });
    return { cls: 'keys', text: JSON.stringify(data), argv: validate(), expect: 'refuse' };
  });

const emptyOrBinary = fc.oneof(
  fc.constantFrom('', ' ', '\n\n', '# c\n', 'null', '~', '---\n', '--- null\n...\n', '"x"', '42', '[]', '- a\n').map(
    (t): Case => ({ cls: 'empty', text: t, argv: validate(), expect: 'refuse' }),
  ),
  // Binary: a NUL or an invalid UTF-8 byte first, then anything.
  fc.tuple(fc.constantFrom(0x00, 0xff, 0xfe, 0x1b), fc.uint8Array({ maxLength: 400 })).map(
    ([b, rest]): Case => ({ cls: 'binary', text: Uint8Array.from([b, ...rest]), argv: validate(), expect: 'refuse' }),
  ),
);

const nest = (depth: number, flow: boolean): string =>
  flow ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `\n${'- '.repeat(depth)}1`;
const structure = fc.oneof(
  fc.tuple(fc.constantFrom(...SECTIONS.slice(1)), fc.integer({ min: 65, max: 5000 }), fc.boolean()).map(
    ([s, d, flow]): Case => ({ cls: 'nesting', text: `${s}: ${nest(d, flow)}\n`, argv: validate(), expect: 'refuse' }),
  ),
  fc.constantFrom('&a [*a]', '&a {x: *a}', '&a [[[*a]]]', '&a {cpus: [*a]}').chain((v) =>
    fc.constantFrom(...SECTIONS.slice(1)).map((s): Case => ({ cls: 'alias', text: `${s}: ${v}\n`, argv: validate(), expect: 'refuse' })),
  ),
  fc.tuple(fc.constantFrom(...FIELDS), fc.integer({ min: 0, max: 3 })).map(([at, pad]): Case => {
    const k = at[at.length - 1]!;
    const body = at.length === 1 ? `${k}: 1\n${' '.repeat(0)}${k}: 2\n` : `${at[0]}:\n${' '.repeat(pad + 1)}${k}: 1\n${' '.repeat(pad + 1)}${k}: 2\n`;
    return { cls: 'duplicate', text: body, argv: validate(), expect: 'refuse' };
  }),
  fc.constantFrom('__proto__: {polluted: 1}\n', 'machine: {__proto__: {cpus: 2}}\n', '{"__proto__": {"polluted": 1}}', 'constructor: {prototype: {polluted: 1}}\n').map(
    (t): Case => ({ cls: '__proto__', text: t, argv: validate(), expect: 'refuse' }),
  ),
  fc.constantFrom('machine: !!set {a, b}\n', 'machine: !!omap [{a: 1}]\n', 'seed: !!binary aGVsbG8=\n', 'stop: !!timestamp 2001-12-14\n', 'machine: !bogus 4\n').map(
    (t): Case => ({ cls: 'tags', text: t, argv: validate(), expect: 'refuse' }),
  ),
);

const special = fc
  .constantFrom('/dev/null', '/dev/zero', '/dev/urandom', '/dev/full', '/dev/stdin', p('fifo.yaml'), p('adir.yaml'), p('zero-link.yaml'), '/proc/self/environ', '/proc/self/status', p('big.yaml'))
  .chain((f) =>
    fc.constantFrom<Case>(
      { cls: 'special', argv: ['validate', f], expect: 'refuse' },
      { cls: 'special', argv: ['run', f, '--format', 'json'], expect: 'refuse' },
      { cls: 'special-extends', text: `extends: ${f}\n`, argv: validate(), expect: 'refuse' },
      { cls: 'special-compare', argv: ['compare', f, f], expect: 'refuse' },
    ),
  );

const size = fc
  .tuple(fc.integer({ min: 257 * 1024, max: 600 * 1024 }), fc.constantFrom('description', 'array', 'keys'))
  .map(([n, kind]): Case => {
    const text =
      kind === 'description' ? `description: "${'d'.repeat(n)}"\n` : kind === 'array' ? `[${'1,'.repeat(n / 2)}1]` : Array.from({ length: n / 8 }, (_, i) => `k${i}: 1`).join('\n');
    return { cls: 'size', text, argv: validate(), expect: 'refuse' };
  });

const BAD_SETS = [
  'extends=parent.yaml', 'extends=/dev/zero', 'extends.x=1', 'machine={cpus: &a [*a]}', 'machine=[&a [*a]]', `machine=${'['.repeat(200)}${']'.repeat(200)}`,
  'machine={cpus: 2, cpus: 3}', 'machine.cpus=0', 'machine.cpus=-1', 'stop.opz=5', 'a..b=1', '=1', 'nokey', 'machine={cpus: 2',
  'machine=!!set {a}', 'workload={type: bogus}', '__proto__.polluted=1',
];
const setVary = fc.oneof(
  fc.tuple(fc.constantFrom(...BAD_SETS), fc.constantFrom('run', 'sweep')).map(([s, cmd]): Case => ({
    cls: '--set',
    argv: cmd === 'run' ? ['run', p('tiny.yaml'), '--set', s, '--format', 'json'] : ['sweep', p('tiny.yaml'), '--set', s, '--out', p('sweep-out'), '--jobs', '1', '--quiet'],
    expect: 'refuse',
  })),
  fc.constantFrom('extends=a.yaml,b.yaml', 'machine.cpus=0,1', 'machine={cpus: &a [*a]},{}', 'x', 'stop.opz=1,2', 'machine.cpus=1..100000').map(
    (v): Case => ({ cls: '--vary', argv: ['run', p('tiny.yaml'), '--vary', v, '--format', 'json'], expect: 'refuse' }),
  ),
);

const extendsCases = fc.oneof(
  fc.constantFrom('not-a-scenario.txt', 'missing.yaml', 'adir.yaml', 'fifo.yaml', 'zero-link.yaml', 'case.yaml', '', '/etc/passwd', '/etc/shadow', '../../../../etc/shadow', 'big.yaml').map(
    (t): Case => ({ cls: 'extends', text: `extends: ${JSON.stringify(t)}\n`, argv: validate(), expect: 'refuse' }),
  ),
  fc.jsonValue({ maxDepth: 2 })
    .filter((v) => typeof v !== 'string')
    .map((v): Case => ({ cls: 'extends', text: YAML.stringify({ extends: v }), argv: validate(), expect: 'refuse' })),
  // Valid: relative and absolute paths to a real parent.
  fc.constantFrom('parent.yaml', './parent.yaml', p('parent.yaml')).map(
    (t): Case => ({ cls: 'extends-ok', text: `extends: ${t}\nstop: {ops: 50}\n`, argv: validate(), expect: 'accept' }),
  ),
);

const anyCase = fc.oneof(types, wrongTypes, units, wrongUnits, keys, emptyOrBinary, structure, special, size, setVary, extendsCases);

describe('hostile input, class by class', () => {
  it('exit 0/2/3 only, one short line per problem, known-bad refused, known-good accepted', async () => {
    console.log(`input fuzz: seed ${SEED}, ${RUNS} cases (SMPSIM_FUZZ_RUNS, SMPSIM_FUZZ_SEED override)`);
    const seen = new Map<string, number>();
    let maxHeap = 0;
    await fc.assert(
      fc.asyncProperty(anyCase, async (c) => {
        seen.set(c.cls, (seen.get(c.cls) ?? 0) + 1);
        fs.rmSync(CASE_FILE, { force: true });
        if (c.text !== undefined) fs.writeFileSync(CASE_FILE, c.text);
        const { io, err } = fakeIo({ cwd: dir, env: {} });
        const code = await main(c.argv, io);
        const stderr = err.join('');
        const what = `${c.cls}: ${JSON.stringify(c.argv)} → ${code}\n${stderr.slice(0, 2000)}`;
        expect([0, 2, 3], what).toContain(code);
        expect(stderr, what).not.toMatch(STACK_FRAME);
        expect(stderr, what).not.toContain('internal error');
        if (c.expect === 'refuse') expect(code, what).toBe(2);
        if (c.expect === 'accept') expect(code, what).toBe(0);
        if (code === 2) {
          const lines = stderr.trimEnd().split('\n');
          expect(lines.length, what).toBeGreaterThan(0);
          expect(lines.length, what).toBeLessThanOrEqual(21);
          // A key or value is echoed as a short excerpt: no line carries a whole file.
          for (const l of lines) expect(l.length, what).toBeLessThan(600);
          expect(stderr, what).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        maxHeap = Math.max(maxHeap, process.memoryUsage().heapUsed);
      }),
      { numRuns: RUNS, seed: SEED },
    );
    console.log(`input fuzz: cases per class ${JSON.stringify(Object.fromEntries(seen))}; max heap ${Math.round(maxHeap / 2 ** 20)} MiB`);
    // Every class was drawn, and the largest input (a 600 KiB file) never cost more than
    // a few hundred MiB of heap.
    expect(seen.size).toBeGreaterThanOrEqual(15);
    expect(maxHeap).toBeLessThan(1024 * 2 ** 20);
  }, 900_000);
});

/** Every path to a value in JSON data (the root included). */
function pathsOf(v: unknown, at: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(at);
  if (Array.isArray(v)) v.forEach((c, i) => pathsOf(c, [...at, i], out));
  else if (typeof v === 'object' && v !== null) for (const [k, c] of Object.entries(v)) pathsOf(c, [...at, k], out);
  return out;
}

/** `data` with the value at `at` replaced (or deleted when `value` is undefined). */
function tamper(data: unknown, at: Array<string | number>, value: unknown): unknown {
  if (at.length === 0) return value;
  const copy = structuredClone(data) as Record<string | number, unknown>;
  let o = copy;
  for (const k of at.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  const last = at[at.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(o)) o.splice(Number(last), 1);
    else delete o[last];
  } else o[last] = value;
  return copy;
}

describe('files smpsim wrote, tampered with', () => {
  it('compare, check and plot on a tampered result, baseline or summary: exit 0, 1, 2 or 3, never 70', async () => {
    const TSEED = Number(process.env.SMPSIM_FUZZ_SEED ?? 2222);
    const TRUNS = Number(process.env.SMPSIM_FUZZ_TAMPER_RUNS ?? 60);
    console.log(`tampered-file fuzz: seed ${TSEED}, ${TRUNS} cases`);
    // Real files to start from: a result, a baseline and a sweep summary of a tiny scenario.
    const made = fakeIo({ cwd: dir, env: {} });
    expect(await main(['run', 'tiny.yaml', '--format', 'json', '--out', 'result.json', '--quiet'], made.io), made.err.join('')).toBe(0);
    expect(await main(['baseline', 'tiny.yaml', '--out', 'bl', '--quiet'], made.io), made.err.join('')).toBe(0);
    expect(await main(['sweep', 'tiny.yaml', '--vary', 'machine.cpus=1,2', '--replications', '2', '--jobs', '1', '--out', 'sw', '--quiet'], made.io), made.err.join('')).toBe(0);
    const originals = {
      result: { file: p('result.json'), data: JSON.parse(fs.readFileSync(p('result.json'), 'utf8')) as unknown },
      baseline: { file: p('bl/tiny.json'), data: JSON.parse(fs.readFileSync(p('bl/tiny.json'), 'utf8')) as unknown },
      summary: { file: p('sw/summary.json'), data: JSON.parse(fs.readFileSync(p('sw/summary.json'), 'utf8')) as unknown },
    };
    const argvOf = { result: ['compare', 'result.json', 'result.json'], baseline: ['check', 'tiny.yaml', '--baseline', 'bl'], summary: ['plot', 'sw', '--quiet'] };
    const kinds = ['result', 'baseline', 'summary'] as const;
    const tampered = fc
      .tuple(fc.constantFrom(...kinds), fc.nat(), fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined, freq: 4 }))
      .map(([kind, i, value]) => {
        const paths = pathsOf(originals[kind].data);
        return { kind, at: paths[i % paths.length]!, value };
      });
    const codes = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(tampered, async ({ kind, at, value }) => {
        const o = originals[kind];
        fs.writeFileSync(o.file, JSON.stringify(tamper(o.data, at, value)) ?? "");
        const { io, err } = fakeIo({ cwd: dir, env: {} });
        const code = await main(argvOf[kind], io);
        const stderr = err.join('');
        const what = `${kind} ${JSON.stringify(at)} := ${JSON.stringify(value)?.slice(0, 200)} → ${code}\n${stderr.slice(0, 2000)}`;
        codes.set(code, (codes.get(code) ?? 0) + 1);
        expect([0, 1, 2, 3], what).toContain(code);
        expect(stderr, what).not.toMatch(STACK_FRAME);
        expect(stderr, what).not.toContain('internal error');
      }),
      { numRuns: TRUNS, seed: TSEED },
    );
    for (const o of Object.values(originals)) fs.writeFileSync(o.file, JSON.stringify(o.data));
    console.log(`tampered-file fuzz: exit codes ${JSON.stringify(Object.fromEntries(codes))}`);
  }, 900_000);
});
