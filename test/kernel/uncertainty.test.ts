/**
 * Every cost of every preset carries a quality and a range (issue 21); the quality is what
 * its source says, the range the quality's default unless the source gives a spread.
 */
import { describe, expect, it } from 'vitest';
import { COST_KEYS } from '../../src/kernel/costs.js';
import { PRESET_NAMES, machinePresetCosts } from '../../src/kernel/presets.js';
import { QUALITIES, columnSource, costUncertainty, qualityOfSource } from '../../src/kernel/uncertainty.js';
import { loadScenario } from '../../src/scenario/load.js';
import { uncertainInputs, parseRange } from '../../src/robust/inputs.js';
import { scenarioFileYaml } from '../../src/scenario/unresolve.js';
import { resolveScenario } from '../../src/scenario/load.js';
import YAML from 'yaml';

describe('cost quality and range', () => {
  it('every cost of every preset has a quality and a range containing its value', () => {
    for (const p of PRESET_NAMES) {
      const { costs, sources } = machinePresetCosts(p);
      for (const k of COST_KEYS) {
        const u = costUncertainty(p, k, costs[k], sources[k]);
        expect(QUALITIES).toContain(u.quality);
        expect(u.range.lo).toBeLessThanOrEqual(costs[k]);
        expect(u.range.hi).toBeGreaterThanOrEqual(costs[k]);
      }
    }
  });

  it('reads the quality off the source text', () => {
    expect(qualityOfSource('estimate: one page walk')).toBe('estimate');
    expect(qualityOfSource('fitted to the 2.4 throughput table')).toBe('fitted');
    expect(qualityOfSource('FSB arithmetic: 4 KiB read + 4 KiB written')).toBe('derived');
    expect(qualityOfSource('Ingo Molnar, linux-mm Jun 2015: CR3 reload 96 cycles')).toBe('measured');
    // A source speaking for both columns: each column reads its own part.
    const s = 'Ingo Molnar, linux-mm Jun 2015: CR3 reload 96 cycles (modern); estimate (era2000)';
    expect(qualityOfSource(columnSource(s, 'modern'))).toBe('measured');
    expect(qualityOfSource(columnSource(s, 'era2000'))).toBe('estimate');
  });

  it('defaults: estimate ×0.5..×2 log-uniform, derived ±30%, measured ±15%; explicit spreads win', () => {
    const era = machinePresetCosts('era2000');
    const cs = costUncertainty('era2000', 'context_switch', era.costs.context_switch, era.sources.context_switch);
    expect(cs).toMatchObject({ quality: 'estimate', range: { lo: 1500, hi: 6000, scale: 'log' } });
    const copy = costUncertainty('era2000', 'memcpy_page', 10_000, era.sources.memcpy_page);
    expect(copy).toMatchObject({ quality: 'derived', range: { lo: 7000, hi: 13_000, scale: 'linear' } });
    const mod = machinePresetCosts('modern');
    expect(costUncertainty('modern', 'tlb_flush_full', 35, mod.sources.tlb_flush_full)).toMatchObject({ quality: 'measured' });
    expect(costUncertainty('modern', 'tlb_flush_full', 35, mod.sources.tlb_flush_full).range.lo).toBeCloseTo(29.75, 9);
    // Lundell's 35-48 bus clocks: one message 1.0-1.4 us.
    expect(costUncertainty('era2000', 'ipi_latency', 1200, era.sources.ipi_latency).range).toEqual({ lo: 1000, hi: 1400, scale: 'linear' });
    // A value the scenario set itself has no source: an estimate.
    expect(costUncertainty('era2000', 'ipi_latency', 900, 'scenario override').quality).toBe('estimate');
  });
});

describe('the scenario uncertain: block', () => {
  const base = loadScenario(new URL('../../scenarios/lkml-2000-4way.yaml', import.meta.url).pathname);
  const withBlock = (block: Record<string, string>) =>
    resolveScenario({ ...YAML.parse(scenarioFileYaml(base)), uncertain: block }, 'test.yaml');

  it('declares ranges of guessed inputs; resolve writes it back; a declared cost range wins', () => {
    const s = withBlock({ 'device.latency': 'x0.5..x2', 'workload.working_set_pages': '±30%', 'costs.tlb_refill': '40ns..160ns' });
    expect(resolveScenario(YAML.parse(scenarioFileYaml(s)), 'again.yaml').uncertain).toEqual(s.uncertain);
    const ins = uncertainInputs(s);
    const lat = ins.find((i) => i.path === 'device.latency')!;
    expect(lat).toMatchObject({ kind: 'duration_dist', nominal: 500_000, lo: 250_000, hi: 1_000_000, scale: 'log', quality: 'scenario' });
    expect(ins.find((i) => i.path === 'workload.working_set_pages')).toMatchObject({ kind: 'integer', lo: 262144 * 0.7, scale: 'linear' });
    expect(ins.find((i) => i.path === 'costs.tlb_refill')).toMatchObject({ lo: 40, hi: 160, quality: 'scenario' });
    // Scenarios without the block resolve exactly as before (no uncertain key).
    expect('uncertain' in base).toBe(false);
  });

  it('refuses a path that is not a field, and a range that does not contain the value', () => {
    expect(() => withBlock({ 'device.latncy': 'x0.5..x2' })).toThrow(/uncertain\.device\.latncy: expected a field path one of device\.dma_limit/);
    expect(() => withBlock({ 'device.latency': 'x2..x0.5' })).toThrow(/expected a range/);
    expect(() => parseRange('device.latency', '1ms..2ms', 500_000, 'duration_dist')).toThrow(/around the scenario's value/);
  });
});
