import { describe, expect, it } from 'vitest';
import { expandRange, expandVary } from '../../src/cli/vary.js';
import { UsageError } from '../../src/cli/io.js';
import { cli, tempDir, BUNDLED } from '../cli/helpers.js';

describe('--vary ranges', () => {
  it('expands 1..8 and 1..64x2, alone or mixed with plain values', () => {
    expect(expandVary(['machine.cpus=1..64x2']).specs[0]!.values).toEqual(['1', '2', '4', '8', '16', '32', '64']);
    expect(expandVary(['machine.cpus=1..8']).specs[0]!.values).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
    expect(expandVary(['machine.cpus=1,3..5,12']).specs[0]!.values).toEqual(['1', '3', '4', '5', '12']);
    expect(expandRange('p', '3..40x3')).toEqual(['3', '9', '27']);
    expect(expandRange('p', '4..4')).toEqual(['4']);
    expect(expandRange('p', ' 1 .. 4 ')).toEqual(['1', '2', '3', '4']);
    // Not ranges: left alone.
    expect(expandRange('p', 'exp(1us)')).toEqual(['exp(1us)']);
    expect(expandRange('p', '1.5')).toEqual(['1.5']);
  });

  it('refuses bad ranges with one clear line', () => {
    const bad: Array<[string, RegExp]> = [
      ['8..1', /end is not below its start/],
      ['1..8x1', /factor of 2 or more/],
      ['0..8x2', /start of 1 or more/],
      ['1..', /range of integers/],
      ['1..8x', /range of integers/],
      ['-1..4', /range of integers/],
      ['1..100000', /at most 1000 values/],
    ];
    for (const [v, re] of bad) {
      let err: unknown;
      try {
        expandRange('machine.cpus', v);
      } catch (e) {
        err = e;
      }
      expect(err, v).toBeInstanceOf(UsageError);
      expect((err as UsageError).lines, v).toHaveLength(1);
      expect((err as UsageError).message, v).toMatch(re);
      expect((err as UsageError).message, v).toContain('machine.cpus');
    }
  });
});

describe('--zip', () => {
  it('pairs the lists element by element', () => {
    const { variants } = expandVary(['machine.cpus=1..4x2', 'workload.tasks=2,4,8'], { zip: true });
    expect(variants.map((v) => v.assignment)).toEqual([
      'machine.cpus=1 workload.tasks=2',
      'machine.cpus=2 workload.tasks=4',
      'machine.cpus=4 workload.tasks=8',
    ]);
    expect(expandVary(['a=1,2', 'b=x,y']).variants).toHaveLength(4);
  });

  it('refuses lists of different lengths', () => {
    expect(() => expandVary(['machine.cpus=1..8x2', 'kernel.strategy=kmap,vmap'], { zip: true })).toThrow(
      /--zip: expected --vary lists of equal length, got machine.cpus has 4, kernel.strategy has 2 values/,
    );
  });
});

describe('smpsim sweep: usage errors (exit 2, one line, nothing run)', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--vary', 'machine.cpus=4..1'], /^--vary: machine.cpus: expected a range whose end is not below its start, got "4..1"$/],
    [['--vary', 'machine.cpus=1..4x2', '--vary', 'machine.spinlock=tas,ticket', '--zip'], /^--zip: expected --vary lists of equal length/],
    [['--warmup', '5ms'], /^--warmup: expected auto/],
    [['--precision', '2'], /^--precision: expected a relative half-width/],
    [['--precision', '0.05', '--replications', '1'], /^--replications: expected 2 or more with --precision/],
    [['--metric', 'ops.per_sec'], /^--metric: only used with --precision/],
    [['--precision', '5%', '--metric', 'ops.per_fortnight'], /^--metric: expected one of ops.per_sec/],
    [['--jobs', '0'], /^--jobs: expected an integer 1\.\.256/],
    [['--vary', 'machine.cpus=0,1'], /^--vary: machine.cpus: expected an integer 1\.\.4096, got 0$/],
  ];
  it.each(cases)('%j', async (args, re) => {
    const dir = tempDir('smpsim-sweep-usage-');
    const r = await cli(['sweep', BUNDLED, '--out', `${dir}/out`, ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(re);
  });

  it('needs --out', async () => {
    const r = await cli(['sweep', BUNDLED]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--out/);
  });
});
