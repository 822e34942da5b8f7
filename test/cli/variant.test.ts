/**
 * `smpsim run --variant 'path=v path=v'`: explicit columns of several settings each (the
 * default job's vmap with and without the flush on map), crossed with --vary; --vary alone
 * behaves as before.
 */
import { describe, expect, it } from 'vitest';
import { expandVary, parseVariant } from '../../src/cli/vary.js';
import { UsageError } from '../../src/cli/io.js';
import { STACK_FRAME, cli } from './helpers.js';

describe('--variant', () => {
  it('each --variant is a column, in order, labelled by its first value then path=value for the rest', () => {
    const { variants } = expandVary([], { variants: ['kernel.strategy=bounce', 'kernel.strategy=vmap kernel.vmalloc_flush_on_map=false'] });
    expect(variants.map((v) => v.label)).toEqual(['bounce', 'vmap kernel.vmalloc_flush_on_map=false']);
    expect(variants[1]!.sets).toEqual(['kernel.strategy=vmap', 'kernel.vmalloc_flush_on_map=false']);
    expect(variants[1]!.values).toEqual([
      ['kernel.strategy', 'vmap'],
      ['kernel.vmalloc_flush_on_map', 'false'],
    ]);
  });

  it('is crossed with --vary (variants outermost); --vary alone is unchanged', () => {
    const { variants } = expandVary(['machine.cpus=2,4'], { variants: ['kernel.strategy=kmap', 'kernel.strategy=vmap kernel.vmlist_lock=false'] });
    expect(variants.map((v) => v.label)).toEqual(['kmap, 2', 'kmap, 4', 'vmap kernel.vmlist_lock=false, 2', 'vmap kernel.vmlist_lock=false, 4']);
    expect(expandVary(['kernel.strategy=kmap,vmap']).variants.map((v) => [v.label, v.assignment])).toEqual([
      ['kmap', 'kernel.strategy=kmap'],
      ['vmap', 'kernel.strategy=vmap'],
    ]);
  });

  it('keeps a distribution with spaces in one value', () => {
    expect(parseVariant('workload.think=uniform(1us, 3us) machine.cpus=2')).toEqual([
      ['workload.think', 'uniform(1us, 3us)'],
      ['machine.cpus', '2'],
    ]);
  });

  it('refuses malformed settings, a path set twice, and a path also under --vary', () => {
    expect(() => parseVariant('kernel.strategy')).toThrow(UsageError);
    expect(() => parseVariant('  ')).toThrow(/--variant: expected path=value settings/);
    expect(() => parseVariant('machine.cpus=2 machine.cpus=4')).toThrow('--variant: machine.cpus is set twice');
    expect(() => expandVary(['machine.cpus=2,4'], { variants: ['machine.cpus=8'] })).toThrow('--variant: machine.cpus is also varied by --vary');
  });

  it('runs side by side from the command line; a bad value is one line blamed on --variant (exit 2)', async () => {
    const ok = await cli(['run', 'lkml-2000-4way', '--set', 'stop.ops=200', '--variant', 'kernel.strategy=bounce', '--variant', 'kernel.strategy=vmap kernel.vmalloc_flush_on_map=false', '--quiet', '--format', 'csv', '--out', '-']);
    expect(ok.code).toBe(0);
    const [head, ...rows] = ok.stdout.trimEnd().split('\n');
    expect(head).toMatch(/^kernel\.strategy,kernel\.vmalloc_flush_on_map,/);
    expect(rows.map((r) => r.split(',').slice(0, 2).join(','))).toEqual(['bounce,', 'vmap,false']);

    const bad = await cli(['run', 'lkml-2000-4way', '--variant', 'kernel.strategy=vmap kernel.vmalloc_flush_on_map=maybe']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^--variant: kernel\.vmalloc_flush_on_map: .*maybe.*\n$/);
    expect(bad.stderr).not.toMatch(STACK_FRAME);
  });
});
