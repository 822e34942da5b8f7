import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATEGORY_NAMES } from '../../src/cpu/accounting.js';
import { lockstatTime, LOCKSTAT_WIDTH } from '../../src/report/lockstat.js';
import { RESULT_SCHEMA, type Result } from '../../src/report/result.js';
import { BUNDLED, STACK_FRAME, cli, tempDir } from './helpers.js';

const SMALL = ['--set', 'stop.ops=2000'];

/** The header line of /proc/lock_stat, verbatim from Documentation/locking/lockstat.rst. */
const KERNEL_HEADER =
  '                              class name    con-bounces    contentions   waittime-min   waittime-max waittime-total   waittime-avg    acq-bounces   acquisitions   holdtime-min   holdtime-max holdtime-total   holdtime-avg';

/** One class row: %40s: %14lu␠ %14lu (␠%14s)×4 ␠%14lu␠ %14lu (␠%14s)×4 */
const T = '( {1,13}\\d+\\.\\d\\d)';
const N = '( {0,13}\\d{1,14})';
const ROW = new RegExp(`^ *(\\S+):${N} ${N} ${T} ${T} ${T} ${T} ${N} ${N} ${T} ${T} ${T} ${T}$`);

describe('smpsim run --format text', () => {
  it('prints the perf-stat-like summary, the CPU table, the TLB counters and lock_stat', async () => {
    const r = await cli(['run', BUNDLED, ...SMALL]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const out = r.stdout;
    expect(out).toContain("Performance counter stats for scenario 'locktorture-ticket-vs-tas'");
    expect(out).toMatch(/^ +2,000 +ops completed/m);
    expect(out).toMatch(/^ +[\d,]+ +ops\/s +# +[\d.]+ [KMG]?\/sec of simulated time$/m);
    for (const q of ['mean', 'p50', 'p90', 'p99', 'p99.9', 'max']) {
      // p50 carries the note on the percentiles' resolution.
      const note = q === 'p50' ? ' +# +percentiles: log-bucketed, within 1/256 of exact' : '';
      expect(out).toMatch(new RegExp(`^ +\\d+(\\.\\d+)?(ns|us|ms|s) +latency ${q.replace('.', '\\.')}${note}$`, 'm'));
    }
    expect(out).toMatch(/^ +[\d,]+ +events +# +[\d.]+ [KMG]?\/sec of wall time$/m);
    expect(out).toMatch(/^ +[\d.]+(ns|us|ms|s) +simulated time$/m);
    expect(out).toMatch(/^ +[\d.]+s +wall time$/m);
    expect(out).toMatch(/^ +CPU +work +copy +spin +ipi_wait +irq +tlb +map +sched +idle$/m);
    expect(out).toMatch(/^ +7( +\d+\.\d){9}$/m);
    expect(out).toMatch(/^ +all( +\d+\.\d){9}$/m);
    expect(out).toMatch(/^ +0 +IPIs sent +# +0\.000 per op$/m);
    expect(out).toMatch(/^ +0 +shootdowns +# +0\.000 per op$/m);
    // Unused subsystems are left out.
    expect(out).not.toContain(' kmap:');
    expect(out).not.toContain('bounce pages');
  });

  it('prints lock_stat in the /proc/lock_stat v0.4 layout', async () => {
    const r = await cli(['run', BUNDLED, ...SMALL]);
    const lines = r.stdout.split('\n');
    const at = lines.indexOf('lock_stat version 0.4');
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toBe('-'.repeat(221));
    expect(lines[at + 2]).toBe(KERNEL_HEADER);
    expect(lines[at + 3]).toBe('-'.repeat(221));
    expect(lines[at + 4]).toBe('');
    const row = lines[at + 5]!;
    expect(row.length).toBe(KERNEL_HEADER.length);
    const m = ROW.exec(row);
    expect(m, row).not.toBeNull();
    expect(m![1]).toBe('torture_spinlock');
    // Column ends line up with the header's.
    for (const col of ['contentions', 'waittime-avg', 'acquisitions', 'holdtime-avg']) {
      const end = KERNEL_HEADER.indexOf(col) + col.length;
      expect(row[end - 1]).toMatch(/\d/);
      expect(row[end] ?? ' ').toBe(' ');
    }
    // Contention points: a short rule under the name, then `name count [<addr>] site+0x0/0x0`.
    expect(lines[at + 6]).toBe(' '.repeat(24) + '-'.repeat('torture_spinlock'.length));
    expect(lines[at + 7]).toMatch(/^ {24}torture_spinlock +\d+ +\[<0{16}>\] lock_torture_writer\+0x0\/0x0$/);
    expect(lines[at + 7]!.indexOf('[<')).toBe(40 + 1 + 14 + 1 + 29 - 20);
    // Then the contending points (where the holder acquired it: the same writer loop here).
    expect(lines[at + 8]).toBe(' '.repeat(24) + '-'.repeat('torture_spinlock'.length));
    expect(lines[at + 9]).toMatch(/^ {24}torture_spinlock +\d+ +\[<0{16}>\] lock_torture_writer\+0x0\/0x0$/);
    expect(lines[at + 10]).toBe('');
    expect(lines[at + 11]).toBe('.'.repeat(LOCKSTAT_WIDTH));
  });

  it('prints the lock_stat numbers of the JSON result (µs, two decimals)', async () => {
    const text = await cli(['run', BUNDLED, ...SMALL]);
    const json = await cli(['run', BUNDLED, ...SMALL, '--format', 'json']);
    const lock = (JSON.parse(json.stdout) as Result).locks.torture_spinlock!;
    const row = text.stdout.split('\n').find((l) => /^ *torture_spinlock:/.test(l))!;
    const f = ROW.exec(row)!.slice(2).map((s) => s.trim());
    expect(f).toEqual([
      String(lock.con_bounces),
      String(lock.contentions),
      lockstatTime(lock.wait_ns.min),
      lockstatTime(lock.wait_ns.max),
      lockstatTime(lock.wait_ns.total),
      lockstatTime(lock.wait_ns.avg),
      String(lock.acq_bounces),
      String(lock.acquisitions),
      lockstatTime(lock.hold_ns.min),
      lockstatTime(lock.hold_ns.max),
      lockstatTime(lock.hold_ns.total),
      lockstatTime(lock.hold_ns.avg),
    ]);
  });

  it('rounds times like the kernel snprint_time', () => {
    expect(lockstatTime(0)).toBe('0.00');
    expect(lockstatTime(4)).toBe('0.00');
    expect(lockstatTime(5)).toBe('0.01');
    expect(lockstatTime(1234)).toBe('1.23');
    expect(lockstatTime(1235)).toBe('1.24');
    expect(lockstatTime(999_995)).toBe('1000.00');
    expect(lockstatTime(16_371_530)).toBe('16371.53');
  });
});

describe('smpsim run --format json', () => {
  it('prints exactly the Result, with every docs/MODEL.md §10 field', async () => {
    const r = await cli(['run', BUNDLED, ...SMALL, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout) as Result;
    expect(r.stdout).toBe(`${JSON.stringify(j, null, 2)}\n`);
    expect(j.schema).toBe(RESULT_SCHEMA);
    expect(typeof j.version).toBe('string');
    expect(j.scenario.name).toBe('locktorture-ticket-vs-tas');
    expect(j.scenario.machine.cpus).toBe(8);
    for (const k of ['seed', 'sim_time_ns', 'events', 'wall_ms'] as const) expect(typeof j[k]).toBe('number');
    expect(j.ops.completed).toBe(2000);
    expect(Object.keys(j.ops.latency_ns).sort()).toEqual(['max', 'mean', 'p50', 'p90', 'p99', 'p999']);
    expect(typeof j.ops.per_sec).toBe('number');
    const lock = j.locks.torture_spinlock!;
    for (const k of ['acquisitions', 'contentions', 'con_bounces', 'acq_bounces'] as const) expect(typeof lock[k]).toBe('number');
    for (const k of ['wait_ns', 'hold_ns'] as const) expect(Object.keys(lock[k]).sort()).toEqual(['avg', 'max', 'min', 'total']);
    expect(Object.keys(j.tlb)).toEqual(
      expect.arrayContaining(['local_flushes', 'page_flushes', 'shootdowns', 'ipis_sent', 'ipis_received', 'stale_accesses']),
    );
    expect(Object.keys(j.kmap)).toEqual(expect.arrayContaining(['kmaps', 'hits', 'flushes', 'waits']));
    expect(Object.keys(j.vmap)).toEqual(expect.arrayContaining(['allocs', 'frees', 'purges', 'failures']));
    expect(Object.keys(j.bounce)).toEqual(expect.arrayContaining(['pages', 'bytes_copied', 'pool_waits']));
    expect(j.cpus).toHaveLength(8);
    for (const c of j.cpus) expect(Object.keys(c.time_ns).sort()).toEqual([...CATEGORY_NAMES].sort());
  });

  it('same scenario and seed: byte-identical JSON apart from wall_ms', async () => {
    const a = await cli(['run', BUNDLED, ...SMALL, '--format', 'json']);
    const b = await cli(['run', BUNDLED, ...SMALL, '--format', 'json']);
    const strip = (s: string) => s.replace(/^ {2}"wall_ms": [\d.e+-]+,$/m, '  "wall_ms": 0,');
    expect(strip(a.stdout)).toContain('"wall_ms": 0,');
    expect(strip(a.stdout)).toBe(strip(b.stdout));
  });

  it('--set and --seed take effect', async () => {
    const base = JSON.parse((await cli(['run', BUNDLED, ...SMALL, '--format', 'json'])).stdout) as Result;
    const r = await cli(['run', BUNDLED, '--set', 'stop.ops=1500', '--set', 'machine.cpus=4', '--seed', '42', '--format', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as Result;
    expect(j.ops.completed).toBe(1500);
    expect(j.cpus).toHaveLength(4);
    expect(j.scenario.machine.cpus).toBe(4);
    expect(j.seed).toBe(42);
    expect(j.scenario.seed).toBe(42);
    const seeded = JSON.parse((await cli(['run', BUNDLED, ...SMALL, '--seed', '42', '--format', 'json'])).stdout) as Result;
    expect(seeded.seed).toBe(42);
    expect(seeded.sim_time_ns).not.toBe(base.sim_time_ns);
  });

  it('accepts a bundled scenario by name', async () => {
    const r = await cli(['run', 'locktorture-ticket-vs-tas', ...SMALL, '--format', 'json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Result).scenario.name).toBe('locktorture-ticket-vs-tas');
  });
});

describe('smpsim run --format csv', () => {
  it('prints a header and one row of flattened dotted metrics', async () => {
    const r = await cli(['run', BUNDLED, ...SMALL, '--format', 'csv']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const header = lines[0]!.split(',');
    const row = lines[1]!.split(',');
    expect(header.length).toBe(row.length);
    // No --vary: no variant columns (issue 15: one column per varied key, none here).
    expect(header.slice(0, 2)).toEqual(['scenario.name', 'schema']);
    for (const k of ['ops.per_sec', 'ops.latency_ns.p99', 'locks.torture_spinlock.contentions', 'cpus.0.time_ns.spin', 'tlb.ipis_sent']) {
      expect(header).toContain(k);
    }
    expect(header.some((h) => h.startsWith('scenario.') && h !== 'scenario.name')).toBe(false);
    expect(header.some((h) => h.includes('contention_points'))).toBe(false);
    const cell = (k: string) => row[header.indexOf(k)];
    expect(header).not.toContain('variant');
    expect(header.some((h) => h.startsWith('scenario_file'))).toBe(false);
    expect(cell('scenario.name')).toBe('locktorture-ticket-vs-tas');
    expect(cell('ops.completed')).toBe('2000');
  });
});

describe('smpsim run --vary', () => {
  it('text: one column per variant, side by side', async () => {
    const r = await cli(['run', BUNDLED, ...SMALL, '--vary', 'machine.spinlock=ticket,tas']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toContain('--vary machine.spinlock');
    const header = lines.find((l) => l.startsWith('metric'))!;
    expect(header.split(/\s{2,}/)).toEqual(['metric', 'ticket', 'tas']);
    for (const label of ['ops/s', 'latency p50', 'latency p99', 'IPIs per op', 'shootdowns per op', 'kmap flushes per op', 'bytes copied per op', 'torture_spinlock contentions', 'torture_spinlock wait total', 'CPU work', 'CPU spin']) {
      const row = lines.find((l) => l.startsWith(`${label}  `));
      expect(row, label).toBeDefined();
      expect(row!.split(/\s{2,}/), label).toHaveLength(3);
    }
  });

  it('text: a cartesian product of two --vary options', async () => {
    const r = await cli(['run', BUNDLED, '--set', 'stop.ops=500', '--vary', 'machine.spinlock=ticket,tas', '--vary', 'machine.cpus=2,4']);
    expect(r.code).toBe(0);
    const header = r.stdout.split('\n').find((l) => l.startsWith('metric'))!;
    expect(header.split(/\s{2,}/)).toEqual(['metric', 'ticket, 2', 'ticket, 4', 'tas, 2', 'tas, 4']);
  });

  it('json: an array of results; csv: one row per variant', async () => {
    const j = await cli(['run', BUNDLED, ...SMALL, '--vary', 'machine.spinlock=ticket,tas', '--format', 'json']);
    const arr = JSON.parse(j.stdout) as Result[];
    expect(arr.map((x) => x.scenario.machine.spinlock)).toEqual(['ticket', 'tas']);
    const c = await cli(['run', BUNDLED, ...SMALL, '--vary', 'machine.spinlock=ticket,tas', '--format', 'csv']);
    const lines = c.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]!.startsWith('machine.spinlock,scenario.name,')).toBe(true);
    expect(lines[1]!.startsWith('ticket,')).toBe(true);
    expect(lines[2]!.startsWith('tas,')).toBe(true);
  });

  it('values may contain commas inside parentheses', async () => {
    const r = await cli(['run', BUNDLED, '--set', 'stop.ops=300', '--vary', 'workload.hold=exp(200ns),uniform(100ns,300ns)', '--format', 'json']);
    expect(r.code).toBe(0);
    const arr = JSON.parse(r.stdout) as Result[];
    expect(arr.map((x) => (x.scenario.workload as { hold: { kind: string } }).hold.kind)).toEqual(['exp', 'uniform']);
  });
});

describe('--out, --quiet, --verbose', () => {
  it('--out writes the file and nothing to stdout', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'r.json');
    const r = await cli(['run', BUNDLED, ...SMALL, '--format', 'json', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
    expect((JSON.parse(fs.readFileSync(out, 'utf8')) as Result).ops.completed).toBe(2000);
    expect(fs.readdirSync(dir)).toEqual(['r.json']); // no temp file left behind
  });

  it('--out is relative to the cwd of io', async () => {
    const dir = tempDir();
    const r = await cli(['run', BUNDLED, ...SMALL, '--format', 'csv', '--out', 'r.csv'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'r.csv'), 'utf8').split('\n')[0]).toMatch(/^scenario\.name,schema,/);
  });

  it('--quiet prints nothing but still writes --out', async () => {
    const q = await cli(['run', BUNDLED, ...SMALL, '--quiet']);
    expect(q).toEqual({ code: 0, stdout: '', stderr: '' });
    const dir = tempDir();
    const out = path.join(dir, 'r.txt');
    const w = await cli(['run', BUNDLED, ...SMALL, '--quiet', '--out', out]);
    expect(w).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(fs.readFileSync(out, 'utf8')).toContain('lock_stat version 0.4');
  });

  it('--verbose prints the resolved scenario and the cost table with sources', async () => {
    const r = await cli(['run', BUNDLED, ...SMALL, '--verbose']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('# resolved scenario')).toBe(true);
    // A scenario file (issue 15): no preset written when none was set, units, no internal names.
    expect(r.stdout).toMatch(/^machine:\n {2}cpus: 8$/m);
    // Quality and range beside each value (issue 21).
    expect(r.stdout).toMatch(/^key +value +unit +quality +range +source$/m);
    expect(r.stdout).toMatch(/^lock_handoff +0 +ns +estimate +- +scenario override/m);
    expect(r.stdout).toMatch(/^ipi_latency +1300 +ns +measured +1300\.\.1450 +KVM IPIv/m);
    expect(r.stdout).toMatch(/^tlb_refill +30 +ns +estimate +15\.\.60 log +estimate/m);
    // The machine behind the cost preset, with the source of each figure.
    expect(r.stdout).toMatch(/^# machine preset x86-server-2024 \(described only/m);
    expect(r.stdout).toMatch(/^memory bandwidth +460000 MB\/s +spec arithmetic/m);
    expect(r.stdout).toContain('lock_stat version 0.4');
  });

  it('--verbose keeps JSON on stdout clean (the scenario goes to stderr)', async () => {
    const r = await cli(['run', BUNDLED, ...SMALL, '--verbose', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(() => JSON.parse(r.stdout) as unknown).not.toThrow();
    expect(r.stderr).toContain('# cost table (preset modern = x86-server-2024: ');
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });
});

describe('replications in a scenario', () => {
  it('run says it does one replication and points to sweep, instead of ignoring them silently', async () => {
    const r = await cli(['run', BUNDLED, '--set', 'replications=3', '--set', 'stop.ops=500']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/asks for 3 replications; run does one per variant .* smpsim sweep /);
    const quiet = await cli(['run', BUNDLED, '--set', 'replications=3', '--set', 'stop.ops=500', '--quiet']);
    expect(quiet.stderr).toBe('');
    const single = await cli(['run', BUNDLED, '--set', 'stop.ops=500']);
    expect(single.stderr).not.toMatch(/replications/);
  });
});
