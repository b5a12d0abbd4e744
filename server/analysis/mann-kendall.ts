import { twoSidedPValue } from './normal.ts'

/**
 * Mann–Kendall test for a monotonic trend in a series x_1 … x_n (in time order), normal
 * approximation with the tie correction and the continuity correction:
 *
 *   S      = Σ_{i<j} sign(x_j − x_i)
 *   Var(S) = [ n(n−1)(2n+5) − Σ_g t_g(t_g−1)(2t_g+5) ] / 18      (t_g = size of the g-th group of ties)
 *   z      = (S − 1)/√Var(S) if S > 0,  (S + 1)/√Var(S) if S < 0,  0 if S = 0
 *   p      = 2 · (1 − Φ(|z|))                                     (two-sided)
 *
 * Kendall's tau is reported as tau-b between the series and time (time has no ties):
 *
 *   tau = S / √( (n₀ − n₁) · n₀ ),  n₀ = n(n−1)/2,  n₁ = Σ_g t_g(t_g−1)/2
 *
 * (the tau-b that `scipy.stats.kendalltau(range(n), x)` computes). Chosen over tau-a = S / n₀
 * because tied pairs of values can be neither concordant nor discordant, and tau-b leaves them out
 * of the series' side of the denominator instead of counting them as "no trend" — the usual
 * choice when values tie (Gi* z-scores tie, e.g. at 0 in steps where every count is equal).
 * Without ties both are the same. S, z and p do not depend on that choice.
 *
 * Degenerate series: n < 2, or all values tied, give S = 0, Var(S) = 0, z = 0, p = 1, tau = 0.
 * Ties are exact equality of values. The normal approximation is the usual one for n ≥ 8 or so;
 * for shorter series p is approximate.
 */

export interface MannKendallResult {
  /** Length of the series. */
  n: number
  /** Mann–Kendall S statistic. */
  s: number
  /** Variance of S under no trend, with the tie correction. */
  varS: number
  /** Continuity-corrected z-score. */
  z: number
  /** Two-sided p-value of z. */
  p: number
  /** Kendall's tau-b between the series and time. */
  tau: number
}

/**
 * Mann–Kendall trend test (see the module note for the formulas). O(n²) in the length of the
 * series, which is meant to be a handful to a few hundred time steps. Throws on a non-finite value.
 *
 * @example
 * mannKendall([1, 2, 3, 4, 5])
 * // { n: 5, s: 10, varS: 16.667, z: 2.205, p: 0.0275, tau: 1 }
 */
export function mannKendall (series: readonly number[]): MannKendallResult {
  const n = series.length
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(series[i])) throw new RangeError(`Series value ${i} is not a finite number: ${series[i]}`)
  }
  let s = 0
  for (let i = 0; i < n - 1; i++) {
    const xi = series[i]
    for (let j = i + 1; j < n; j++) {
      const d = series[j] - xi
      if (d > 0) s++
      else if (d < 0) s--
    }
  }
  // Tie groups from the sorted values.
  const sorted = [...series].sort((a, b) => a - b)
  let tieVariance = 0
  let tiedPairs = 0
  for (let start = 0; start < n;) {
    let end = start + 1
    while (end < n && sorted[end] === sorted[start]) end++
    const t = end - start
    if (t > 1) {
      tieVariance += t * (t - 1) * (2 * t + 5)
      tiedPairs += (t * (t - 1)) / 2
    }
    start = end
  }
  const varS = n < 2 ? 0 : (n * (n - 1) * (2 * n + 5) - tieVariance) / 18
  const z = varS > 0 && s !== 0 ? (s > 0 ? s - 1 : s + 1) / Math.sqrt(varS) : 0
  const p = z === 0 ? 1 : twoSidedPValue(z)
  const pairs = (n * (n - 1)) / 2
  const tauDenominator = Math.sqrt((pairs - tiedPairs) * pairs)
  const tau = tauDenominator > 0 ? s / tauDenominator : 0
  return { n, s, varS, z, p, tau }
}
