/**
 * Fuzz harness of issue 20, items 4 and 5 (fixed seeds, bounded by case counts, nothing timed):
 *
 * - huge valid scenarios: fields at or near their limits (machine.cpus 4096, workload.tasks up
 *   to 2^53−1, 1000TiB I/Os, 65536 TLB entries, 2^40-page working sets, 1000TiB of vmalloc
 *   space, 65536 pages per maptorture op). In-process `smpsim run` with a small --max-memory:
 *   exit 0, 2 or 3, never 70 nor an abort; a scenario whose estimate is over the budget is
 *   exit 2 naming the field, one line. A second, larger set is checked on the estimate alone.
 * - forged and malformed queue results, on the coordinator's check (verifyResult): a signed
 *   result with one leaf edited, its signature, worker or job id tampered with, subtrees
 *   replaced by arbitrary JSON and signed again, arbitrary JSON as a whole. Never a throw;
 *   every edit without the secret is "forged"; every accepted result is the one signed.
 *   (The same check against a real Redis: test/queue/trust.test.ts.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryBudgetError, checkMemory, estimateMemory } from '../../src/scenario/memory.js';
import { ScenarioError, resolveScenario } from '../../src/scenario/load.js';
import { signResult, verifyResult } from '../../src/study/queue-trust.js';
import { runTask, type RunOutput } from '../../src/study/worker.js';
import { STACK_FRAME, cli, tempDir } from './helpers.js';
import fs from 'node:fs';
import path from 'node:path';

const SEED = Number(process.env.SMPSIM_FUZZ_SEED ?? 2020);
export const CASES = { hugeRun: 150, hugeEstimate: 1500, forged: 400, tampered: 200, resigned: 400, garbage: 300 };
const BUDGET = 300e6;
const FIELDS = ['machine.cpus', 'workload.tasks', 'workload.size', 'workload.working_set_pages', 'kernel.vmalloc_size', 'machine.tlb_entries'];

const hugeScenario = fc
  .record({
    type: fc.constantFrom('locktorture', 'io', 'maptorture'),
    cpus: fc.constantFrom(1, 2, 64, 1024, 4096),
    tasks: fc.constantFrom(1, 16, 1000, 1_000_000, 10_000_000, 2 ** 31, Number.MAX_SAFE_INTEGER),
    tlb: fc.constantFrom(1, 64, 65536),
    ws: fc.constantFrom(1, 1000, 100_000, 100_000_000, 2 ** 40, Number.MAX_SAFE_INTEGER),
    size: fc.constantFrom('1B', '4KiB', '1MiB', '1GiB', '1000GiB', '1000TiB', 'uniform(1B,1000GiB)', 'exp(64KiB)', 'exp(1TiB)', 'lognormal(64KiB,1GiB)'),
    outstanding: fc.constantFrom(1, 4, 1024),
    pages: fc.constantFrom(1, 16, 65536),
    vmalloc: fc.constantFrom('8KiB', '128MiB', '1000TiB'),
    zipf: fc.boolean(),
  })
  .map((r) => {
    const workload: Record<string, unknown> = { type: r.type, tasks: r.tasks, think: 'exp(1us)' };
    if (r.type === 'locktorture') workload.hold = 'exp(200ns)';
    if (r.type !== 'locktorture') {
      workload.working_set_pages = r.ws;
      workload.locality = r.zipf ? 'zipf(1.0)' : 'uniform';
    }
    if (r.type === 'io') Object.assign(workload, { size: r.size, outstanding: r.outstanding });
    if (r.type === 'maptorture') workload.pages = r.pages;
    return {
      name: 'huge',
      machine: { cpus: r.cpus, tlb_entries: r.tlb, pae: true, highmem: '60GiB' },
      kernel: { vmalloc_size: r.vmalloc },
      workload,
      stop: { ops: 100 },
    };
  });

/** The resolved scenario, or null when validation refuses it (a ScenarioError, exit 2). */
function resolved(raw: unknown) {
  try {
    return resolveScenario(raw, 'huge.yaml');
  } catch (e) {
    if (e instanceof ScenarioError) return null;
    throw e;
  }
}

describe(`huge valid scenarios (seed ${SEED})`, () => {
  it(`${CASES.hugeEstimate} cases: the estimate is finite or refuses with MemoryBudgetError naming a field, never another error`, () => {
    let refused = 0;
    fc.assert(
      fc.property(hugeScenario, (raw) => {
        const s = resolved(raw);
        if (s === null) return;
        const est = estimateMemory(s);
        expect(est.bytes).toBeGreaterThan(0);
        expect(Number.isNaN(est.bytes)).toBe(false);
        try {
          checkMemory(s, BUDGET);
        } catch (e) {
          expect(e).toBeInstanceOf(MemoryBudgetError);
          expect(FIELDS).toContain((e as MemoryBudgetError).field);
          refused++;
        }
      }),
      { seed: SEED, numRuns: CASES.hugeEstimate },
    );
    expect(refused).toBeGreaterThan(CASES.hugeEstimate / 4);
  });

  it(`${CASES.hugeRun} cases through smpsim run --max-memory 300MB: exit 0, 2 or 3, never 70; over the budget → exit 2 naming the field`, async () => {
    const dir = tempDir('smpsim-huge-');
    const codes = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(hugeScenario, async (raw) => {
        const f = path.join(dir, 'huge.json');
        fs.writeFileSync(f, JSON.stringify(raw));
        const r = await cli(['run', f, '--max-memory', '300MB', '--max-events', '20000', '--quiet']);
        codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
        expect([0, 2, 3], r.stderr).toContain(r.code);
        expect(r.stderr).not.toMatch(/internal error/);
        expect(r.stderr).not.toMatch(STACK_FRAME);
        for (const line of r.stderr.trimEnd().split('\n')) expect(line.length).toBeLessThan(400);
        const s = resolved(raw);
        if (s !== null && estimateMemory(s).bytes > BUDGET) {
          expect(r.code).toBe(2);
          expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
          expect(r.stderr).toMatch(/^(machine|workload|kernel)\.[a-z_]+: .* need ~.* over --max-memory 300 MB; lower /);
        }
      }),
      { seed: SEED, numRuns: CASES.hugeRun },
    );
    console.info(`huge scenarios through run: exit codes ${JSON.stringify(Object.fromEntries([...codes].sort()))}`);
    // The harness exercised both sides of the budget.
    expect(codes.get(2) ?? 0).toBeGreaterThan(0);
    expect((codes.get(0) ?? 0) + (codes.get(3) ?? 0)).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------
// Forged and malformed queue results

const SECRET = 'fuzz-secret';
const JOB = 'run-fuzz';
const SCENARIO = resolveScenario({ name: 'q', machine: { cpus: 2 }, workload: { type: 'locktorture' }, stop: { ops: 300 } }, 'q.yaml');
const SCENARIO_JSON = JSON.stringify(SCENARIO);
const OUTPUT = runTask({ scenario: SCENARIO, series: false });
const SIGNED = JSON.stringify(signResult(JOB, 'w:1', OUTPUT, SECRET));
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path to a leaf (and to every subtree) of a JSON value. */
function paths(v: Json, at: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}
const OUTPUT_PATHS = paths(JSON.parse(JSON.stringify(OUTPUT)) as Json).filter((p) => p.length > 0);

function get(v: Json, p: ReadonlyArray<string | number>): Json {
  return p.reduce<Json>((o, k) => (o as Record<string, Json>)[k as string]!, v);
}
function set(v: Json, p: ReadonlyArray<string | number>, x: Json): void {
  (get(v, p.slice(0, -1)) as Record<string, Json>)[p[p.length - 1] as string] = x;
}
/** A leaf edited so that it differs (the canonical JSON changes). */
function edit(x: Json, k: number): Json {
  if (typeof x === 'number') return k % 2 === 0 ? x + 1 : 123456789;
  if (typeof x === 'string') return `${x}x`;
  if (typeof x === 'boolean') return !x;
  if (x === null) return 0;
  return Array.isArray(x) ? [...x, 1] : { ...x, injected: 1 };
}

describe(`forged and malformed queue results (seed ${SEED})`, () => {
  it(`${CASES.forged} cases: one leaf or subtree of a signed result edited without the secret → forged`, () => {
    fc.assert(
      fc.property(fc.nat(OUTPUT_PATHS.length - 1), fc.nat(), (i, k) => {
        const r = JSON.parse(SIGNED) as { output: Json };
        const p = OUTPUT_PATHS[i]!;
        set(r.output, p, edit(get(r.output, p), k));
        const v = verifyResult(JOB, r, SECRET, SCENARIO_JSON);
        expect(v).toMatchObject({ ok: false, why: expect.stringMatching(/^forged/) });
      }),
      { seed: SEED, numRuns: CASES.forged },
    );
  });

  it(`${CASES.tampered} cases: signature, worker, job id or secret tampered with → rejected`, () => {
    fc.assert(
      fc.property(fc.constantFrom('mac', 'worker', 'job', 'secret', 'drop-mac'), fc.nat(63), fc.constantFrom(...'0123456789abcdef'), (what, at, hex) => {
        const r = JSON.parse(SIGNED) as { mac?: string; worker: string };
        let job = JOB;
        let secret = SECRET;
        if (what === 'mac') {
          const m = r.mac!;
          const c = m[at] === hex ? (hex === '0' ? '1' : '0') : hex;
          r.mac = m.slice(0, at) + c + m.slice(at + 1);
        } else if (what === 'worker') r.worker += hex;
        else if (what === 'job') job += hex;
        else if (what === 'secret') secret += hex;
        else delete r.mac;
        const v = verifyResult(job, r, secret, SCENARIO_JSON);
        expect(v.ok).toBe(false);
        expect(v.ok ? '' : v.why).toMatch(what === 'drop-mac' ? /^unsigned/ : /^forged/);
      }),
      { seed: SEED, numRuns: CASES.tampered },
    );
  });

  it(`${CASES.resigned} cases: a subtree replaced by arbitrary JSON and signed again (a broken worker) → never a throw; accepted only if still a well-formed run of this scenario`, () => {
    fc.assert(
      fc.property(fc.nat(OUTPUT_PATHS.length - 1), fc.jsonValue({ maxDepth: 3 }), (i, x) => {
        const out = JSON.parse(JSON.stringify(OUTPUT)) as Json;
        set(out, OUTPUT_PATHS[i]!, x as Json);
        const r = JSON.parse(JSON.stringify(signResult(JOB, 'w:1', out as unknown as RunOutput, SECRET))) as unknown;
        const v = verifyResult(JOB, r, SECRET, SCENARIO_JSON);
        if (v.ok) {
          expect(JSON.stringify(v.value.output)).toBe(JSON.stringify(out));
          const o = v.value.output;
          if (o.ok) {
            expect(typeof o.result.ops.per_sec).toBe('number');
            expect(JSON.stringify(o.result.scenario)).toBe(SCENARIO_JSON);
          }
        } else {
          expect(v.why).toMatch(/^malformed: /);
          expect(v.why.length).toBeLessThan(200);
        }
      }),
      { seed: SEED, numRuns: CASES.resigned },
    );
  });

  it(`${CASES.garbage} cases: arbitrary JSON as the returnvalue → rejected, never a throw`, () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (x) => {
        expect(verifyResult(JOB, x, SECRET, SCENARIO_JSON).ok).toBe(false);
      }),
      { seed: SEED, numRuns: CASES.garbage },
    );
  });
});
