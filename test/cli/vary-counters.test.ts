/**
 * `--vary` and `compare` tables show what differs (issue 15, item 5): every event counter
 * that is non-zero in any run has a row, so an injected missing TLB flush shows its stale
 * accesses next to the correct kernel's zero.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers.js';

const ARGS = ['run', 'inject-skip-pkmap-flush', '--set', 'stop.ops=5000'];
/** Counters shown per op instead (the per-op rows of the tables). */
const PER_OP: Record<string, string> = {
  'tlb.ipis_sent': 'per_op.ipis',
  'tlb.shootdowns': 'per_op.shootdowns',
  'kmap.flushes': 'per_op.kmap_flushes',
  'bounce.bytes_copied': 'per_op.bytes_copied',
};

describe('side-by-side tables show every counter that is non-zero in a run', () => {
  it('--vary kernel.inject_bug=none,skip_pkmap_flush shows the stale TLB accesses', async () => {
    const r = await cli([...ARGS, '--vary', 'kernel.inject_bug=none,skip_pkmap_flush']);
    expect(r.code).toBe(0);
    const row = /^stale TLB accesses +(\S+) +(\S+)$/m.exec(r.stdout);
    expect(row).not.toBeNull();
    expect(row![1]).toBe('0');
    expect(Number(row![2]!.replace(/,/g, ''))).toBeGreaterThan(0);
  });

  it('compare: a row for every non-zero counter of tlb, kmap, vmap, bounce, device', async () => {
    const dir = tempDir();
    const a = path.join(dir, 'a.json');
    const b = path.join(dir, 'b.json');
    expect((await cli([...ARGS, '--set', 'kernel.inject_bug=none', '--format', 'json', '--out', a])).code).toBe(0);
    expect((await cli([...ARGS, '--format', 'json', '--out', b])).code).toBe(0);
    const r = await cli(['compare', a, b]);
    expect(r.code).toBe(0);
    const keys = new Set(r.stdout.split('\n').map((l) => l.split(/\s+/)[0]));
    const ra = JSON.parse(fs.readFileSync(a, 'utf8')) as Record<string, Record<string, unknown>>;
    const rb = JSON.parse(fs.readFileSync(b, 'utf8')) as Record<string, Record<string, unknown>>;
    let nonZero = 0;
    for (const group of ['tlb', 'kmap', 'vmap', 'bounce', 'device']) {
      for (const [k, v] of Object.entries(ra[group]!)) {
        const key = `${group}.${k}`;
        if (group === 'device' && k !== 'requests') continue; // bytes, busy share, queue: not event counts
        if (v === 0 && rb[group]![k] === 0) continue;
        nonZero++;
        expect(keys.has(key) || keys.has(PER_OP[key] ?? key), key).toBe(true);
      }
    }
    expect(nonZero).toBeGreaterThan(5);
    expect(keys.has('tlb.stale_accesses')).toBe(true);
  });
});
