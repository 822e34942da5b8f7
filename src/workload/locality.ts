/**
 * Which page of the working set an access picks: uniform, or Zipf(s) over page ranks
 * (rank 1 hottest), which is what decides kmap hit rates. Ranks are spread over the page
 * numbers by a fixed stride so hot pages are not all highmem or all lowmem.
 */
import { keptTables } from '../engine/kept-tables.js';
import type { Rng } from '../engine/random.js';
import type { Locality } from '../scenario/types.js';

export type PagePicker = (rng: Rng) => number;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * The Zipf(s) CDF over `pages` ranks, normalised: built once per (s, pages) and shared
 * read-only between runs (engine/kept-tables.ts; the table, a Math.pow per page, was a
 * tenth of a short run's CPU time, issue 24).
 */
const zipfCdfs = keptTables<Float64Array>(4);

function buildZipfCdf(s: number, pages: number): Float64Array {
  const cdf = new Float64Array(pages);
  let sum = 0;
  for (let k = 0; k < pages; k++) {
    sum += 1 / Math.pow(k + 1, s);
    cdf[k] = sum;
  }
  for (let k = 0; k < pages; k++) cdf[k]! /= sum;
  return cdf;
}

export function makePagePicker(locality: Locality, pages: number): PagePicker {
  if (locality.kind === 'uniform') return (rng) => Math.floor(rng.next() * pages);
  // Zipf: P(rank k) ∝ 1/k^s, k = 1..pages; inverse CDF by binary search.
  const s = locality.s;
  const cdf = zipfCdfs(`${s}/${pages}`, () => buildZipfCdf(s, pages));
  let stride = 2654435761 % pages || 1;
  while (gcd(stride, pages) !== 1) stride++;
  return (rng) => {
    const u = rng.next();
    let lo = 0;
    let hi = pages - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return (lo * stride) % pages;
  };
}
