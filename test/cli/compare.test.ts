import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../src/model/run.js';
import { fmtPlain } from '../../src/report/format.js';
import type { Result } from '../../src/report/result.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { STACK_FRAME, cli, tempDir } from './helpers.js';

function tiny(spinlock: 'ticket' | 'tas'): Result {
  return runScenario(
    resolveScenario(
      {
        name: `tiny-${spinlock}`,
        seed: 3,
        machine: { cpus: 4, spinlock },
        workload: { type: 'locktorture', think: 'exp(1us)', hold: 'exp(200ns)' },
        stop: { ops: 3000 },
      },
      'tiny.yaml',
    ),
  );
}

let dir: string;
let a: Result;
let b: Result;
const fa = () => path.join(dir, 'ticket.json');
const fb = () => path.join(dir, 'tas.json');

beforeAll(() => {
  dir = tempDir();
  a = tiny('ticket');
  b = tiny('tas');
  fs.writeFileSync(fa(), JSON.stringify(a, null, 2));
  fs.writeFileSync(fb(), JSON.stringify(b, null, 2));
});

/** The cells of the row for `key` (columns are separated by 2+ spaces). */
function row(out: string, key: string): string[] {
  const line = out.split('\n').find((l) => l.startsWith(`${key} `));
  expect(line, key).toBeDefined();
  return line!.split(/\s{2,}/);
}

describe('smpsim compare', () => {
  it('prints the metrics of both results side by side with absolute and relative deltas', async () => {
    const r = await cli(['compare', fa(), fb()]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`a: ${fa()} (tiny-ticket, seed 3)`);
    expect(lines[1]).toBe(`b: ${fb()} (tiny-tas, seed 3)`);
    expect(lines[3]!.split(/\s+/)).toEqual(['metric', 'a', 'b', 'delta', 'delta%']);

    const ops = row(r.stdout, 'ops.per_sec');
    expect(ops[1]).toBe(fmtPlain(a.ops.per_sec));
    expect(ops[2]).toBe(fmtPlain(b.ops.per_sec));
    const rel = ((b.ops.per_sec - a.ops.per_sec) / a.ops.per_sec) * 100;
    expect(ops[4]).toBe(`${rel > 0 ? '+' : ''}${rel.toFixed(1)}%`);

    const p99 = row(r.stdout, 'ops.latency_ns.p99');
    const dp = b.ops.latency_ns.p99 - a.ops.latency_ns.p99;
    expect(p99.slice(1, 4)).toEqual([String(a.ops.latency_ns.p99), String(b.ops.latency_ns.p99), `${dp > 0 ? '+' : ''}${dp}`]);

    const cont = row(r.stdout, 'locks.torture_spinlock.contentions');
    const ca = a.locks.torture_spinlock!.contentions;
    const cb = b.locks.torture_spinlock!.contentions;
    expect(cont.slice(1, 4)).toEqual([String(ca), String(cb), `${cb - ca > 0 ? '+' : ''}${cb - ca}`]);
    expect(r.stdout).toContain('locks.torture_spinlock.wait_ns.total');

    // Per-op metrics are always shown, zero or not; the IPI count is 0 → 0.
    expect(row(r.stdout, 'per_op.ipis').slice(1)).toEqual(['0', '0', '0', '0.0%']);
    for (const k of ['per_op.shootdowns', 'per_op.kmap_flushes', 'per_op.bytes_copied', 'cpu_share.work', 'cpu_share.spin']) row(r.stdout, k);
    // A category that is zero in both (no IRQs in locktorture) is left out.
    expect(r.stdout).not.toMatch(/^cpu_share\.irq /m);
  });

  it('a file compared with itself has zero deltas', async () => {
    const r = await cli(['compare', fa(), fa()]);
    expect(r.code).toBe(0);
    for (const line of r.stdout.split('\n').slice(4).filter((l) => l !== '')) {
      const cells = line.split(/\s{2,}/);
      // The bottleneck row (issue 23) holds names, not numbers: the same in both.
      if (cells[0] === 'bottleneck') expect([cells[1], cells[3]]).toEqual([cells[2], 'same']);
      else expect(cells.slice(3)).toEqual(['0', '0.0%']);
    }
    expect(r.stdout).toMatch(/^bottleneck {2,}cpu0 100\.0% {2,}cpu0 100\.0% {2,}same$/m);
  });

  it('a result from before the bottleneck field compares; its bottleneck cell is "-"', async () => {
    const { bottleneck: _b, ...old } = a;
    const file = path.join(dir, 'old.json');
    fs.writeFileSync(file, JSON.stringify(old));
    const r = await cli(['compare', file, fb()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^bottleneck {2,}- {2,}cpu0 100\.0% {2,}changed$/m);
    const both = await cli(['compare', file, file]);
    expect(both.stdout).not.toContain('bottleneck');
  });

  it('refuses files that are not smpsim results, with a clear message', async () => {
    const notResult = path.join(dir, 'other.json');
    fs.writeFileSync(notResult, JSON.stringify({ schema: 'something/2', ops: {} }));
    const r = await cli(['compare', fa(), notResult]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`${notResult}: not a smpsim result: expected "schema": "smpsim.result/1", got "something/2"\n`);

    const arr = path.join(dir, 'vary.json');
    fs.writeFileSync(arr, JSON.stringify([a, b]));
    const v = await cli(['compare', arr, fb()]);
    expect(v.code).toBe(2);
    expect(v.stderr).toBe(`${arr}: not a smpsim result: expected "schema": "smpsim.result/1", got nothing (an array: a --vary run? compare takes single results)\n`);

    const broken = path.join(dir, 'broken.json');
    fs.writeFileSync(broken, '{"schema": ');
    const bj = await cli(['compare', broken, path.join(dir, 'missing.json')]);
    expect(bj.code).toBe(2);
    const lines = bj.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a JSON file: `));
    expect(lines[1]).toBe(`${path.join(dir, 'missing.json')}: cannot read file: no such file or directory`);

    const partial = path.join(dir, 'partial.json');
    fs.writeFileSync(partial, JSON.stringify({ ...a, ops: { completed: 'many' } }));
    const p = await cli(['compare', partial, fb()]);
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/: ops\.completed: /);
    expect(p.stderr).not.toMatch(STACK_FRAME);
  });
});
