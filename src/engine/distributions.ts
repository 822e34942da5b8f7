/**
 * Distributions and their scenario syntax: `exp(200ns)`, `uniform(1us,3us)`,
 * `normal(10us,2us)`, `lognormal(10us,5us)`, `const(2us)` or a bare value.
 *
 * Samplers return non-negative integers (ns or bytes): rounding is deliberate, so that the
 * simulator's time accounting sums exactly.
 */
import type { Rng } from './random.js';
import { UnitError, formatDurationExact, formatSizeExact, parseDuration, parseSize } from './units.js';

/** Parameters in base units (ns or bytes). For lognormal, mean/sd are of the distribution itself. */
export type DistSpec =
  | { kind: 'const'; value: number }
  | { kind: 'exp'; mean: number }
  | { kind: 'uniform'; lo: number; hi: number }
  | { kind: 'normal'; mean: number; sd: number }
  | { kind: 'lognormal'; mean: number; sd: number };

export type DistUnit = 'duration' | 'size';

/** Draws one value: a non-negative integer. */
export type Sampler = (rng: Rng) => number;

const FORMS =
  'expected a distribution: const(x), exp(mean), uniform(lo,hi), normal(mean,sd), lognormal(mean,sd) or a bare value';

const ARITY: Readonly<Record<string, number>> = { const: 1, exp: 1, uniform: 2, normal: 2, lognormal: 2 };

const CALL_RE = /^\s*([A-Za-z_]\w*)\s*\((.*)\)\s*$/s;

function parseValue(text: string | number, unit: DistUnit): number {
  return unit === 'duration' ? parseDuration(text) : parseSize(text);
}

function formatValue(value: number, unit: DistUnit): string {
  return unit === 'duration' ? formatDurationExact(value) : formatSizeExact(value);
}

export function parseDistribution(text: string | number, unit: DistUnit): DistSpec {
  if (typeof text === 'number') return { kind: 'const', value: parseValue(text, unit) };
  const call = CALL_RE.exec(text);
  if (call === null) {
    // Something that starts like a number is meant as a bare value: the unit's own
    // message ("units: ns, us, ms, s") helps more than the list of forms.
    if (/^\s*[\d.]/.test(text)) return { kind: 'const', value: parseValue(text, unit) };
    throw new UnitError(`${FORMS}; got ${JSON.stringify(text)}`);
  }
  const name = call[1] as string;
  const args = (call[2] as string).split(',').map((a) => a.trim());
  if (!Object.hasOwn(ARITY, name) || ARITY[name] !== args.length) throw new UnitError(`${FORMS}; got ${JSON.stringify(text)}`);
  const v = args.map((a) => {
    try {
      return parseValue(a, unit);
    } catch (e) {
      if (e instanceof UnitError) throw new UnitError(`in ${JSON.stringify(text)}: ${e.message}`);
      throw e;
    }
  });
  const a = v[0] as number;
  const b = v[1] as number;
  let spec: DistSpec;
  switch (name) {
    case 'const': spec = { kind: 'const', value: a }; break;
    case 'exp': spec = { kind: 'exp', mean: a }; break;
    case 'uniform': spec = { kind: 'uniform', lo: a, hi: b }; break;
    case 'normal': spec = { kind: 'normal', mean: a, sd: b }; break;
    default: spec = { kind: 'lognormal', mean: a, sd: b }; break;
  }
  validateDistribution(spec, JSON.stringify(text));
  return spec;
}

/**
 * Throws UnitError if the parameters make no sense. Parsing cannot produce negative
 * values, but specs are also built in code. `shown` is what the message quotes.
 */
export function validateDistribution(spec: DistSpec, shown?: string): void {
  const got = shown ?? JSON.stringify(spec);
  const bad = (rule: string): never => {
    throw new UnitError(`${rule}; got ${got}`);
  };
  const ok = (x: number): boolean => Number.isFinite(x) && x >= 0;
  switch (spec.kind) {
    case 'const':
      if (!ok(spec.value)) bad('const(x) needs x >= 0');
      break;
    case 'exp':
      if (!ok(spec.mean)) bad('exp(mean) needs mean >= 0');
      break;
    case 'uniform':
      if (!ok(spec.lo) || !ok(spec.hi)) bad('uniform(lo,hi) needs lo >= 0 and hi >= 0');
      if (spec.lo > spec.hi) bad('uniform(lo,hi) needs lo <= hi');
      break;
    case 'normal':
      if (!ok(spec.mean) || !ok(spec.sd)) bad('normal(mean,sd) needs mean >= 0 and sd >= 0');
      break;
    case 'lognormal':
      if (!ok(spec.mean) || !ok(spec.sd)) bad('lognormal(mean,sd) needs mean >= 0 and sd >= 0');
      if (spec.mean === 0 && spec.sd > 0) bad('lognormal(mean,sd) with sd > 0 needs mean > 0');
      break;
  }
}

/** Inverse of parseDistribution: const prints as a bare value; values print exactly. */
export function formatDistribution(spec: DistSpec, unit: DistUnit): string {
  const f = (x: number): string => formatValue(x, unit);
  switch (spec.kind) {
    case 'const': return f(spec.value);
    case 'exp': return `exp(${f(spec.mean)})`;
    case 'uniform': return `uniform(${f(spec.lo)},${f(spec.hi)})`;
    case 'normal': return `normal(${f(spec.mean)},${f(spec.sd)})`;
    case 'lognormal': return `lognormal(${f(spec.mean)},${f(spec.sd)})`;
  }
}

const TWO_PI = 2 * Math.PI;

/**
 * One standard normal draw by Box–Muller, always consuming exactly two uniforms.
 * The second value of the pair is deliberately thrown away rather than cached: a sampler
 * may be shared by several streams (one per CPU), and a cached spare would hand a value
 * from one stream to another, so a stream's draws would depend on other streams' activity.
 */
function standardNormal(rng: Rng): number {
  const r = Math.sqrt(-2 * Math.log(1 - rng.next())); // 1-u in (0,1]: log is finite
  return r * Math.cos(TWO_PI * rng.next());
}

/** Redraws allowed for truncated normal before clamping at 0 (P(clamp) <= 2^-64 when mean >= 0). */
const MAX_REDRAWS = 64;

/** A closure drawing one non-negative integer per call; allocates nothing per draw. */
export function makeSampler(spec: DistSpec): Sampler {
  validateDistribution(spec);
  switch (spec.kind) {
    case 'const': {
      const v = Math.round(spec.value);
      return () => v;
    }
    case 'exp': {
      const mean = spec.mean;
      // Inversion; `0 - ...` turns the -0 of log(1) into +0.
      return (rng) => Math.round(0 - mean * Math.log(1 - rng.next()));
    }
    case 'uniform': {
      const lo = spec.lo;
      const width = spec.hi - spec.lo;
      return (rng) => Math.round(lo + width * rng.next());
    }
    case 'normal': {
      // Truncated at 0 by redrawing, which keeps the shape of the positive part (the
      // mean is then the truncated mean, see meanOf); clamp only as a bounded fallback.
      const mean = spec.mean;
      const sd = spec.sd;
      return (rng) => {
        for (let i = 0; i < MAX_REDRAWS; i++) {
          const x = mean + sd * standardNormal(rng);
          if (x >= 0) return Math.round(x);
        }
        return 0;
      };
    }
    case 'lognormal': {
      if (spec.mean === 0) return () => 0;
      // Parameters of the underlying normal from the requested mean m and sd s:
      // sigma^2 = ln(1 + s^2/m^2), mu = ln(m) - sigma^2/2.
      const cv = spec.sd / spec.mean;
      const sigma2 = Math.log(1 + cv * cv);
      const sigma = Math.sqrt(sigma2);
      const mu = Math.log(spec.mean) - sigma2 / 2;
      return (rng) => Math.round(Math.exp(mu + sigma * standardNormal(rng)));
    }
  }
}

/** Complementary error function (Numerical Recipes erfcc, relative error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
        t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/**
 * Analytic mean (before the rounding to integers, which shifts it by far less than 1 unit).
 * Normal is truncated at 0: when mean > 4 sd the truncation moves the mean by
 * < 1.4e-4 sd, so the plain mean is returned; otherwise the truncated-normal mean
 * mu + sd * phi(a) / (1 - Phi(a)), a = -mu/sd.
 */
export function meanOf(spec: DistSpec): number {
  switch (spec.kind) {
    case 'const': return spec.value;
    case 'exp': return spec.mean;
    case 'uniform': return (spec.lo + spec.hi) / 2;
    case 'lognormal': return spec.mean;
    case 'normal': {
      const { mean, sd } = spec;
      if (sd === 0 || mean > 4 * sd) return mean;
      const a = -mean / sd;
      const pdf = Math.exp(-0.5 * a * a) / Math.sqrt(TWO_PI);
      const tail = 0.5 * erfc(a / Math.SQRT2); // 1 - Phi(a)
      return mean + (sd * pdf) / tail;
    }
  }
}
