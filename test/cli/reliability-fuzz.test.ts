/**
 * Fuzz harness of issue 20 (failures 1, 2 and 3), class by class, main() in-process:
 *
 *   special   a special file (device, FIFO, directory, socket, a link to one, a /proc file
 *             that lies about its size, an oversized file) in every read path: the scenario
 *             argument of each command, an `extends` target, compare and validation inputs,
 *             a baseline check reads, plot's summary.json, and a sweep folder's sweep.json,
 *             run file, lock and manifest. Must: exit 2, one short line, no hang (a FIFO
 *             opened for reading without O_NONBLOCK would block the case forever).
 *   output    a link (to a file or a folder outside) or a user's file at every entry an
 *             output folder holds (sweep --out, plot DIR, baseline --out, check --update),
 *             with and without --force, in a fresh folder and in one smpsim wrote. Must: exit
 *             0 or 2, and afterwards every link still a link, every file outside and every
 *             user's file byte-identical.
 *   secrets   shadow-, passwd-, environ-, netrc- and key-like files (generated) given to every
 *             command that reads a file, under every extension and through a `.yaml` link.
 *             Must: no 8-character piece of the file's content in stdout or stderr.
 *
 * Bounded by case count with fixed seeds (printed; SMPSIM_FUZZ_SEED overrides); nothing is
 * timed. Case counts per class are printed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { STACK_FRAME, TINY_SCENARIO, fakeIo, tempDir } from './helpers.js';

const SEED = Number(process.env.SMPSIM_FUZZ_SEED ?? 2020);
const dir = tempDir('smpsim-rfuzz-');
const p = (...parts: string[]) => path.join(dir, ...parts);
fs.writeFileSync(p('tiny.yaml'), TINY_SCENARIO);

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const { io, out, err } = fakeIo({ cwd: dir, env: {} });
  const code = await main(argv, io);
  return { code, out: out.join(''), err: err.join('') };
}

/** A sweep folder, a plot and a baseline folder smpsim wrote: copied for each case. */
const TEMPLATE = { sweep: p('tpl-sweep'), baseline: p('tpl-baseline') };
const SWEEP_ARGS = ['--vary', 'machine.cpus=1,2', '--replications', '1', '--jobs', '1', '--quiet'];
let server: net.Server | undefined;

beforeAll(async () => {
  expect((await run(['sweep', p('tiny.yaml'), '--out', TEMPLATE.sweep, ...SWEEP_ARGS, '--plot'])).code).toBe(0);
  expect((await run(['baseline', p('tiny.yaml'), '--out', TEMPLATE.baseline, '--quiet'])).code).toBe(0);
  execFileSync('mkfifo', [p('fifo')]);
  fs.mkdirSync(p('adir'));
  fs.writeFileSync(p('big'), `description: "${'b'.repeat(300 * 1024)}"\n`);
  server = net.createServer();
  await new Promise<void>((resolve) => server!.listen(p('sock'), resolve));
});
afterAll(() => {
  server?.close();
});

let caseNo = 0;
/** A new name in the fuzz folder, its extension kept: `c<n>-<stem>`. */
const fresh = (stem: string) => p(`c${++caseNo}-${stem}`);

/** Put `special` at `at`: the file itself where it can be made there, else a link to it. */
function plantSpecial(special: string, at: string): void {
  fs.mkdirSync(path.dirname(at), { recursive: true });
  fs.rmSync(at, { recursive: true, force: true });
  if (special === 'fifo') execFileSync('mkfifo', [at]);
  else if (special === 'adir') fs.mkdirSync(at);
  else fs.symlinkSync(special.startsWith('/') ? special : p(special), at);
}

function expectOneLineRefusal(r: { code: number; err: string }, what: string): void {
  expect(r.code, `${what}\n${r.err}`).toBe(2);
  expect(r.err, what).not.toMatch(STACK_FRAME);
  expect(r.err, what).not.toContain('internal error');
  const lines = r.err.trimEnd().split('\n');
  expect(lines.length, `${what}\n${r.err}`).toBeLessThanOrEqual(2);
  for (const l of lines) expect(l.length, what).toBeLessThan(400);
}

// ---------------------------------------------------------------------------------------
// special files in every read path

const SPECIALS = ['/dev/zero', '/dev/null', '/dev/urandom', '/proc/self/environ', '/proc/self/status', 'fifo', 'adir', 'sock', 'big'] as const;
type ReadPath = (special: string) => { argv: string[]; cls: string };
const READ_PATHS: ReadPath[] = [
  (s) => {
    const f = fresh('scn.yaml');
    plantSpecial(s, f);
    return { cls: 'scenario', argv: [fc.sample(fc.constantFrom('validate', 'run', 'resolve'), { numRuns: 1, seed: caseNo })[0]!, f] };
  },
  (s) => {
    const f = fresh('from.yaml');
    plantSpecial(s, f);
    return { cls: 'init --from', argv: ['init', '--from', f] };
  },
  (s) => {
    const f = fresh('scn.yaml');
    plantSpecial(s, f);
    return { cls: 'sweep/baseline scenario', argv: caseNo % 2 === 0 ? ['sweep', f, '--out', fresh('o'), ...SWEEP_ARGS] : ['baseline', f, '--out', fresh('b')] };
  },
  (s) => {
    const parent = fresh('parent.yaml');
    plantSpecial(s, parent);
    const child = fresh('child.yaml');
    fs.writeFileSync(child, `extends: ${path.basename(parent)}\n`);
    return { cls: 'extends', argv: ['validate', child] };
  },
  (s) => {
    const f = fresh('result.json');
    plantSpecial(s, f);
    return { cls: 'compare', argv: ['compare', f, f] };
  },
  (s) => {
    const f = fresh('targets.json');
    plantSpecial(s, f);
    return { cls: 'validation', argv: ['validation', f] };
  },
  (s) => {
    const b = fresh('bl');
    fs.cpSync(TEMPLATE.baseline, b, { recursive: true });
    plantSpecial(s, path.join(b, 'tiny.json'));
    return { cls: 'check baseline', argv: ['check', p('tiny.yaml'), '--baseline', b] };
  },
  (s) => {
    const o = fresh('sw');
    fs.cpSync(TEMPLATE.sweep, o, { recursive: true, verbatimSymlinks: true });
    plantSpecial(s, path.join(o, 'summary.json'));
    return { cls: 'plot summary.json', argv: ['plot', o] };
  },
  ...(['sweep.json', 'runs/0-0.json', 'sweep.lock', '.smpsim-manifest'] as const).map(
    (entry): ReadPath =>
      (s) => {
        const o = fresh('sw');
        fs.cpSync(TEMPLATE.sweep, o, { recursive: true });
        plantSpecial(s, path.join(o, entry));
        return { cls: `sweep ${entry}`, argv: ['sweep', p('tiny.yaml'), '--out', o, ...SWEEP_ARGS] };
      },
  ),
  (s) => {
    const b = fresh('bl');
    fs.cpSync(TEMPLATE.baseline, b, { recursive: true });
    plantSpecial(s, path.join(b, '.smpsim-manifest'));
    return { cls: 'baseline manifest', argv: ['baseline', p('tiny.yaml'), '--out', b, '--quiet'] };
  },
];

describe('special files in every read path', () => {
  it('exit 2, one short line, no hang', async () => {
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SPECIALS), fc.integer({ min: 0, max: READ_PATHS.length - 1 }), async (special, k) => {
        // A 300 KiB file is too big only for a scenario; as JSON (16 MiB cap) it is just not JSON.
        const c = READ_PATHS[k]!(special);
        seen.set(c.cls, (seen.get(c.cls) ?? 0) + 1);
        const r = await run(c.argv);
        expectOneLineRefusal(r, `${c.cls} ← ${special}: ${c.argv.join(' ')}`);
      }),
      { numRuns: 180, seed: SEED },
    );
    console.log(`reliability fuzz: special: ${[...seen.values()].reduce((a, b) => a + b, 0)} cases ${JSON.stringify(Object.fromEntries(seen))}`);
    expect(seen.size).toBeGreaterThanOrEqual(READ_PATHS.length);
  });
});

// ---------------------------------------------------------------------------------------
// links and a user's files in every output path

type Target = { cmd: 'sweep' | 'sweep --plot' | 'plot' | 'baseline' | 'check --update'; entries: readonly string[] };
const TARGETS: Target[] = [
  { cmd: 'sweep', entries: ['sweep.json', 'summary.json', 'summary.csv', 'runs', 'runs/0-0.json', 'runs/1-0.json', '.smpsim-manifest'] },
  { cmd: 'sweep --plot', entries: ['report.html', 'throughput.svg', 'latency.svg'] },
  { cmd: 'plot', entries: ['report.html', 'throughput.svg', 'speedup.svg', 'cputime.svg'] },
  { cmd: 'baseline', entries: ['tiny.json', '.smpsim-manifest'] },
  { cmd: 'check --update', entries: ['tiny.json'] },
];
type Plant = 'link-to-file' | 'link-to-dir' | 'user-file';

describe('links and foreign files in every output path', () => {
  it('exit 0 or 2; every link stays a link, every file outside and every user file byte-identical', async () => {
    const seen = new Map<string, number>();
    const arb = fc.tuple(
      fc.constantFrom(...TARGETS).chain((t) => fc.tuple(fc.constant(t), fc.constantFrom(...t.entries))),
      fc.constantFrom<Plant>('link-to-file', 'link-to-dir', 'user-file'),
      fc.boolean(), // smpsim wrote the folder before (else: a fresh folder holding only the plant)
      fc.boolean(), // --force
      fc.string({ minLength: 1, maxLength: 40 }),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ([[t, entry], plant, wroteBefore, force, userText]) => {
        const cls = `${t.cmd} ${plant}`;
        seen.set(cls, (seen.get(cls) ?? 0) + 1);
        const isBaseline = t.cmd === 'baseline' || t.cmd === 'check --update';
        const o = fresh('out');
        // plot and check --update need what they read: always a folder smpsim wrote.
        if (wroteBefore || t.cmd === 'plot' || t.cmd === 'check --update') fs.cpSync(isBaseline ? TEMPLATE.baseline : TEMPLATE.sweep, o, { recursive: true });
        else fs.mkdirSync(o);
        const at = path.join(o, entry);
        fs.rmSync(at, { recursive: true, force: true });
        fs.mkdirSync(path.dirname(at), { recursive: true });
        const victim = fresh('victim');
        const victimDir = fresh('victim-dir');
        fs.writeFileSync(victim, `victim ${userText}`);
        fs.mkdirSync(victimDir);
        fs.writeFileSync(path.join(victimDir, '0-0.json'), `precious ${userText}`);
        fs.writeFileSync(path.join(victimDir, 'tiny.json'), `precious ${userText}`);
        if (plant === 'link-to-file') fs.symlinkSync(victim, at);
        else if (plant === 'link-to-dir') fs.symlinkSync(victimDir, at);
        else fs.writeFileSync(at, `mine ${userText}`);
        const argv =
          t.cmd === 'plot'
            ? ['plot', o, '--quiet']
            : t.cmd === 'baseline'
              ? ['baseline', p('tiny.yaml'), '--out', o, '--quiet', '--set', 'machine.cpus=3']
              : t.cmd === 'check --update'
                ? ['check', p('tiny.yaml'), '--baseline', o, '--update', '--set', 'machine.cpus=3']
                : ['sweep', p('tiny.yaml'), '--out', o, ...SWEEP_ARGS, ...(t.cmd === 'sweep --plot' ? ['--plot'] : [])];
        if (force && (t.cmd.startsWith('sweep') || t.cmd === 'baseline')) argv.push('--force');
        const r = await run(argv);
        const what = `${cls} at ${entry} (before: ${wroteBefore}, force: ${force}): ${argv.join(' ')} → ${r.code}\n${r.err}`;
        expect([0, 1, 2], what).toContain(r.code);
        expect(r.err, what).not.toMatch(STACK_FRAME);
        expect(fs.readFileSync(victim, 'utf8'), what).toBe(`victim ${userText}`);
        expect(fs.readdirSync(victimDir).sort(), what).toEqual(['0-0.json', 'tiny.json']);
        expect(fs.readFileSync(path.join(victimDir, '0-0.json'), 'utf8'), what).toBe(`precious ${userText}`);
        expect(fs.readFileSync(path.join(victimDir, 'tiny.json'), 'utf8'), what).toBe(`precious ${userText}`);
        if (plant === 'user-file') {
          // Kept where it was, or — a run file smpsim wrote that name for, changed since — set
          // aside as <name>.changed-<k> with a note: never replaced.
          const kept = [at, ...fs.readdirSync(path.dirname(at)).filter((n) => n.startsWith(`${path.basename(at)}.changed-`)).map((n) => path.join(path.dirname(at), n))];
          expect(kept.some((f) => fs.existsSync(f) && fs.readFileSync(f, 'utf8') === `mine ${userText}`), what).toBe(true);
        }
        else expect(fs.lstatSync(at).isSymbolicLink(), what).toBe(true);
      }),
      { numRuns: 120, seed: SEED + 1 },
    );
    console.log(`reliability fuzz: output: ${[...seen.values()].reduce((a, b) => a + b, 0)} cases ${JSON.stringify(Object.fromEntries(seen))}`);
    expect(seen.size).toBeGreaterThanOrEqual(12);
  });
});

// ---------------------------------------------------------------------------------------
// secrets: shadow-like files never echoed

const word = (min: number, max: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9./]{${min},${max}}$`));
const secretFile = fc.oneof(
  fc.array(fc.tuple(word(3, 10), fc.constantFrom('1', '5', '6', 'y', '2b'), word(8, 16), word(22, 86), fc.integer({ min: 10000, max: 20000 })), { minLength: 1, maxLength: 30 }).map((ls) => ({
    kind: 'shadow',
    text: ls.map(([u, id, salt, hash, day]) => `${u}:$${id}$${salt}$${hash}:${day}:0:99999:7:::`).join('\n') + '\n',
  })),
  fc.array(fc.tuple(word(3, 10), fc.integer({ min: 0, max: 65535 }), word(4, 20)), { minLength: 1, maxLength: 30 }).map((ls) => ({
    kind: 'passwd',
    text: ls.map(([u, id, home]) => `${u}:x:${id}:${id}:${u} ${home}:/home/${home}:/bin/sh`).join('\n') + '\n',
  })),
  fc.array(fc.tuple(fc.stringMatching(/^[A-Z][A-Z_]{2,15}$/), word(8, 40)), { minLength: 1, maxLength: 20 }).map((ls) => ({
    kind: 'environ',
    text: ls.map(([k, v]) => `${k}=${v}`).join('\u0000') + '\u0000',
  })),
  fc.array(fc.tuple(word(4, 20), word(3, 12), word(8, 30)), { minLength: 1, maxLength: 10 }).map((ls) => ({
    kind: 'netrc',
    text: ls.map(([m, l, pw]) => `machine ${m}.example login ${l} password ${pw}`).join('\n') + '\n',
  })),
  fc.array(fc.tuple(fc.stringMatching(/^[a-z_]{3,15}$/), word(8, 40)), { minLength: 1, maxLength: 20 }).map((ls) => ({
    kind: 'key: value',
    text: ls.map(([k, v]) => `${k}_token: ${v}`).join('\n') + '\n',
  })),
  word(200, 400).map((b) => ({ kind: 'private key', text: `-----BEGIN OPENSSH PRIVATE KEY-----\n${b.match(/.{1,70}/g)!.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n` })),
);

/** The first 8-character piece of `secret` (no blank, not a run of one character) in `out`. */
function leak(secret: string, out: string): string | undefined {
  for (let i = 0; i + 8 <= secret.length; i++) {
    const piece = secret.slice(i, i + 8);
    if (/\s|\u0000/.test(piece) || /^(.)\1+$/.test(piece)) continue;
    if (out.includes(piece)) return piece;
  }
  return undefined;
}

/** mayPass: a file smpsim only reads to recompute (a damaged run file) may end in exit 0. */
type SecretPath = (f: string) => { cls: string; argv: string[]; mayPass?: boolean };
const SECRET_PATHS: SecretPath[] = [
  (f) => ({ cls: 'validate', argv: ['validate', f] }),
  (f) => ({ cls: 'run', argv: ['run', f, '--format', 'json'] }),
  (f) => ({ cls: 'resolve', argv: ['resolve', f] }),
  (f) => ({ cls: 'init --from', argv: ['init', '--from', f] }),
  (f) => ({ cls: 'sweep', argv: ['sweep', f, '--out', fresh('so'), ...SWEEP_ARGS] }),
  (f) => ({ cls: 'baseline', argv: ['baseline', f, '--out', fresh('sb')] }),
  (f) => ({ cls: 'check', argv: ['check', f, '--baseline', TEMPLATE.baseline] }),
  (f) => ({ cls: 'compare', argv: ['compare', f, f] }),
  (f) => ({ cls: 'validation', argv: ['validation', f] }),
  (f) => {
    const link = fresh('link.yaml');
    fs.symlinkSync(f, link);
    const child = fresh('child.yaml');
    fs.writeFileSync(child, `extends: ${path.basename(link)}\n`);
    return { cls: 'extends a .yaml link', argv: ['validate', child] };
  },
  (f) => {
    const b = fresh('bl');
    fs.cpSync(TEMPLATE.baseline, b, { recursive: true });
    fs.copyFileSync(f, path.join(b, 'tiny.json'));
    return { cls: 'check: the baseline', argv: ['check', p('tiny.yaml'), '--baseline', b] };
  },
  (f) => {
    const o = fresh('sw');
    fs.cpSync(TEMPLATE.sweep, o, { recursive: true });
    const entry = fc.sample(fc.constantFrom('summary.json', 'sweep.json', 'runs/0-0.json'), { numRuns: 1, seed: caseNo })[0]!;
    fs.copyFileSync(f, path.join(o, entry));
    if (entry === 'summary.json') return { cls: 'a sweep folder file', argv: ['plot', o] };
    return { cls: 'a sweep folder file', argv: ['sweep', p('tiny.yaml'), '--out', o, ...SWEEP_ARGS], mayPass: entry === 'runs/0-0.json' };
  },
];

describe('secrets: shadow-like files', () => {
  it('no 8-character piece of the file is ever printed', async () => {
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(secretFile, fc.constantFrom('', '.yaml', '.yml', '.json', '.txt'), fc.integer({ min: 0, max: SECRET_PATHS.length - 1 }), async (s, ext, k) => {
        const f = `${fresh('secret')}${ext}`;
        fs.writeFileSync(f, s.text);
        const c = SECRET_PATHS[k]!(f);
        seen.set(c.cls, (seen.get(c.cls) ?? 0) + 1);
        const r = await run(c.argv);
        const what = `${s.kind}${ext} via ${c.cls}: ${c.argv.join(' ')} → ${r.code}\n${r.err.slice(0, 1000)}`;
        if (c.mayPass !== true) expect(r.code, what).not.toBe(0);
        expect(r.err, what).not.toMatch(STACK_FRAME);
        expect(leak(s.text, r.out + r.err), what).toBeUndefined();
      }),
      { numRuns: 300, seed: SEED + 2 },
    );
    console.log(`reliability fuzz: secrets: ${[...seen.values()].reduce((a, b) => a + b, 0)} cases ${JSON.stringify(Object.fromEntries(seen))}`);
    expect(seen.size).toBe(SECRET_PATHS.length);
  });
});
