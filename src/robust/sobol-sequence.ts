/**
 * The Sobol low-discrepancy sequence (Sobol' 1967; Bratley & Fox 1988, Algorithm 659),
 * unscrambled, with the Joe-Kuo direction numbers (new-joe-kuo-6.21201, the set SciPy's
 * scipy.stats.qmc.Sobol uses) for the first 64 dimensions, 30 bits. Point n (from 0) is the
 * same as scipy.stats.qmc.Sobol(d, scramble=False, bits=30).random(n+1)[n]
 * (test/robust/fixtures/sobol_scipy.json checks it).
 */

/** [primitive polynomial (with its leading and trailing terms), initial direction numbers m_1..m_s]. */
const JOE_KUO: ReadonlyArray<readonly [number, readonly number[]]> = [
  [1, [1]],
  [3, [1]],
  [7, [1, 3]],
  [11, [1, 3, 1]],
  [13, [1, 1, 1]],
  [19, [1, 1, 3, 3]],
  [25, [1, 3, 5, 13]],
  [37, [1, 1, 5, 5, 17]],
  [41, [1, 1, 5, 5, 5]],
  [47, [1, 1, 7, 11, 19]],
  [55, [1, 1, 5, 1, 1]],
  [59, [1, 1, 1, 3, 11]],
  [61, [1, 3, 5, 5, 31]],
  [67, [1, 3, 3, 9, 7, 49]],
  [91, [1, 1, 1, 15, 21, 21]],
  [97, [1, 3, 1, 13, 27, 49]],
  [103, [1, 1, 1, 15, 7, 5]],
  [109, [1, 3, 1, 15, 13, 25]],
  [115, [1, 1, 5, 5, 19, 61]],
  [131, [1, 3, 7, 11, 23, 15, 103]],
  [137, [1, 3, 7, 13, 13, 15, 69]],
  [143, [1, 1, 3, 13, 7, 35, 63]],
  [145, [1, 3, 5, 9, 1, 25, 53]],
  [157, [1, 3, 1, 13, 9, 35, 107]],
  [167, [1, 3, 1, 5, 27, 61, 31]],
  [171, [1, 1, 5, 11, 19, 41, 61]],
  [185, [1, 3, 5, 3, 3, 13, 69]],
  [191, [1, 1, 7, 13, 1, 19, 1]],
  [193, [1, 3, 7, 5, 13, 19, 59]],
  [203, [1, 1, 3, 9, 25, 29, 41]],
  [211, [1, 3, 5, 13, 23, 1, 55]],
  [213, [1, 3, 7, 3, 13, 59, 17]],
  [229, [1, 3, 1, 3, 5, 53, 69]],
  [239, [1, 1, 5, 5, 23, 33, 13]],
  [241, [1, 1, 7, 7, 1, 61, 123]],
  [247, [1, 1, 7, 9, 13, 61, 49]],
  [253, [1, 3, 3, 5, 3, 55, 33]],
  [285, [1, 3, 1, 15, 31, 13, 49, 245]],
  [299, [1, 3, 5, 15, 31, 59, 63, 97]],
  [301, [1, 3, 1, 11, 11, 11, 77, 249]],
  [333, [1, 3, 1, 11, 27, 43, 71, 9]],
  [351, [1, 1, 7, 15, 21, 11, 81, 45]],
  [355, [1, 3, 7, 3, 25, 31, 65, 79]],
  [357, [1, 3, 1, 1, 19, 11, 3, 205]],
  [361, [1, 1, 5, 9, 19, 21, 29, 157]],
  [369, [1, 3, 7, 11, 1, 33, 89, 185]],
  [391, [1, 3, 3, 3, 15, 9, 79, 71]],
  [397, [1, 3, 7, 11, 15, 39, 119, 27]],
  [425, [1, 1, 3, 1, 11, 31, 97, 225]],
  [451, [1, 1, 1, 3, 23, 43, 57, 177]],
  [463, [1, 3, 7, 7, 17, 17, 37, 71]],
  [487, [1, 3, 1, 5, 27, 63, 123, 213]],
  [501, [1, 1, 3, 5, 11, 43, 53, 133]],
  [529, [1, 3, 5, 5, 29, 17, 47, 173, 479]],
  [539, [1, 3, 3, 11, 3, 1, 109, 9, 69]],
  [545, [1, 1, 1, 5, 17, 39, 23, 5, 343]],
  [557, [1, 3, 1, 5, 25, 15, 31, 103, 499]],
  [563, [1, 1, 1, 11, 11, 17, 63, 105, 183]],
  [601, [1, 1, 5, 11, 9, 29, 97, 231, 363]],
  [607, [1, 1, 5, 15, 19, 45, 41, 7, 383]],
  [617, [1, 3, 7, 7, 31, 19, 83, 137, 221]],
  [623, [1, 1, 1, 3, 23, 15, 111, 223, 83]],
  [631, [1, 1, 5, 13, 31, 15, 55, 25, 161]],
  [637, [1, 1, 3, 13, 25, 47, 39, 87, 257]],];

export const SOBOL_MAX_DIM = JOE_KUO.length;
const BITS = 30;

/** Direction numbers v[d][j], already shifted to BITS bits (Bratley & Fox, p. 90). */
function directions(dim: number): number[][] {
  const v: number[][] = [];
  for (let d = 0; d < dim; d++) {
    const row = new Array<number>(BITS).fill(0);
    if (d === 0) {
      row.fill(1);
    } else {
      const [p, init] = JOE_KUO[d]!;
      const m = Math.floor(Math.log2(p));
      for (let j = 0; j < m; j++) row[j] = init[j]!;
      for (let j = m; j < BITS; j++) {
        let nv = row[j - m]!;
        let pow2 = 1;
        for (let k = 0; k < m; k++) {
          pow2 *= 2;
          if ((p >> (m - 1 - k)) & 1) nv ^= pow2 * row[j - k - 1]!;
        }
        row[j] = nv;
      }
    }
    for (let j = 0; j < BITS; j++) row[j] = row[j]! * 2 ** (BITS - 1 - j);
    v.push(row);
  }
  return v;
}

/** The first `n` points of the `dim`-dimensional Sobol sequence, in [0, 1)^dim (point 0 is the origin). */
export function sobolPoints(n: number, dim: number): number[][] {
  if (!(dim >= 1 && dim <= SOBOL_MAX_DIM)) throw new RangeError(`sobolPoints: dim must be 1..${SOBOL_MAX_DIM}, got ${dim}`);
  const v = directions(dim);
  const x = new Array<number>(dim).fill(0);
  const out: number[][] = [];
  const scale = 2 ** BITS;
  for (let i = 0; i < n; i++) {
    out.push(x.map((xi) => xi / scale));
    // Gray code: the next point flips the direction of the lowest zero bit of i.
    let c = 0;
    while ((i >> c) & 1) c++;
    for (let d = 0; d < dim; d++) x[d] = (x[d]! ^ v[d]![c]!) >>> 0;
  }
  return out;
}
