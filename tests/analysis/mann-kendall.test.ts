import { describe, expect, it } from 'vitest'
import { mannKendall } from '../../server/analysis/mann-kendall.ts'

/** Independent two-sided normal p-value by Simpson's rule on the density (no erfc). */
function simpsonTwoSidedP (z: number): number {
  const a = Math.abs(z)
  if (a === 0) return 1
  const intervals = 4000
  const h = a / intervals
  const phi = (t: number) => Math.exp(-t * t / 2) / Math.sqrt(2 * Math.PI)
  let sum = phi(0) + phi(a)
  for (let i = 1; i < intervals; i++) sum += (i % 2 === 1 ? 4 : 2) * phi(i * h)
  return 2 * (0.5 - sum * h / 3)
}

/**
 * Brute force from the textbook: S from explicit concordant/discordant pair counts of
 * (time, value); Var(S) with tie groups counted in a Map; tau-b = (nc − nd) / sqrt((n0 − n1)(n0 − n2))
 * with n2 = 0 because time has no ties.
 */
function bruteForce (x: number[]) {
  const n = x.length
  let concordant = 0
  let discordant = 0
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (j <= i) continue
      if (x[j] > x[i]) concordant++
      if (x[j] < x[i]) discordant++
    }
  }
  const s = concordant - discordant
  const groups = new Map<number, number>()
  for (const v of x) groups.set(v, (groups.get(v) ?? 0) + 1)
  let tieTerm = 0
  let n1 = 0
  for (const t of groups.values()) {
    tieTerm += t * (t - 1) * (2 * t + 5)
    n1 += t * (t - 1) / 2
  }
  const varS = (n * (n - 1) * (2 * n + 5) - tieTerm) / 18
  let z = 0
  if (s > 0) z = (s - 1) / Math.sqrt(varS)
  if (s < 0) z = (s + 1) / Math.sqrt(varS)
  const n0 = n * (n - 1) / 2
  return { s, varS, z, p: simpsonTwoSidedP(z), tau: (concordant - discordant) / Math.sqrt((n0 - n1) * n0) }
}

describe('Mann–Kendall trend test', () => {
  it('gives S, Var(S), z, p and tau for a strictly increasing series worked by hand', () => {
    // x = 1, 2, 3, 4, 5: all 10 pairs increase → S = 10.
    // Var(S) = n(n−1)(2n+5)/18 = 5·4·15/18 = 16.6667; z = (S − 1)/√Var = 9/4.08248 = 2.20454;
    // p = 2(1 − Φ(2.20454)) = 0.027486336111510347 (mpmath); tau = 10/√(10·10) = 1.
    const r = mannKendall([1, 2, 3, 4, 5])
    expect(r.n).toBe(5)
    expect(r.s).toBe(10)
    expect(r.varS).toBeCloseTo(300 / 18, 12)
    expect(r.z).toBeCloseTo(2.2045407685048604, 12)
    expect(r.p).toBeCloseTo(0.027486336111510347, 12)
    expect(r.tau).toBe(1)
  })

  it('corrects the variance and tau for ties, worked by hand', () => {
    // x = 1, 2, 2, 3. Pairs: (1,2)+ (1,2)+ (1,3)+ (2,2)0 (2,3)+ (2,3)+ → S = 5.
    // One tie group of t = 2: Var(S) = [4·3·13 − 2·1·9]/18 = (156 − 18)/18 = 7.6667.
    // z = (5 − 1)/√7.6667 = 1.44463; p = 0.14856177489186866 (mpmath).
    // tau-b = S/√((n0 − n1)·n0) with n0 = 6, n1 = 1: 5/√30 = 0.912871 (= scipy.stats.kendalltau).
    const r = mannKendall([1, 2, 2, 3])
    expect(r.s).toBe(5)
    expect(r.varS).toBeCloseTo(138 / 18, 12)
    expect(r.z).toBeCloseTo(1.4446302370292303, 12)
    expect(r.p).toBeCloseTo(0.14856177489186866, 12)
    expect(r.tau).toBeCloseTo(0.9128709291752769, 14)
  })

  it('handles a ten-step series with two tie groups, worked by hand and checked against SciPy', () => {
    // x = 5, 3, 3, 8, 6, 6, 6, 9, 12, 10. Later values above − below each x_i:
    //   5: 7 − 2 = 5 | 3: 7 − 0 = 7 | 3: 7 − 0 = 7 | 8: 3 − 3 = 0 | 6: 3 − 0 = 3
    //   6: 3 − 0 = 3 | 6: 3 − 0 = 3 | 9: 2 − 0 = 2 | 12: 0 − 1 = −1 | 10: 0
    //   S = 5 + 7 + 7 + 0 + 3 + 3 + 3 + 2 − 1 = 29.
    // Ties: {3, 3} (t = 2) and {6, 6, 6} (t = 3):
    //   Var(S) = [10·9·25 − (2·1·9 + 3·2·11)]/18 = (2250 − 84)/18 = 120.3333.
    // z = 28/√120.3333 = 2.552496; p = 0.010695416006747845 (mpmath).
    // tau-b = 29/√((45 − 4)·45) = 0.6751492859105922 (scipy.stats.kendalltau(range(10), x)).
    const r = mannKendall([5, 3, 3, 8, 6, 6, 6, 9, 12, 10])
    expect(r.s).toBe(29)
    expect(r.varS).toBeCloseTo(2166 / 18, 12)
    expect(r.z).toBeCloseTo(2.552495926943609, 12)
    expect(r.p).toBeCloseTo(0.010695416006747845, 12)
    expect(r.tau).toBeCloseTo(0.6751492859105922, 14)
  })

  it('finds no trend in a palindromic series (S = 0, z = 0, p = 1, tau = 0)', () => {
    // Every pair (i, j) has a mirror pair (n+1−j, n+1−i) with the opposite sign, so S = 0.
    const r = mannKendall([1, 4, 2, 5, 5, 2, 4, 1])
    expect(r.s).toBe(0)
    expect(r.z).toBe(0)
    expect(r.p).toBe(1)
    expect(r.tau).toBe(0)
  })

  it('mirrors a decreasing series: negative S, z, tau and the same p', () => {
    const up = mannKendall([5, 3, 3, 8, 6, 6, 6, 9, 12, 10])
    const down = mannKendall([5, 3, 3, 8, 6, 6, 6, 9, 12, 10].map(v => -v))
    expect(down.s).toBe(-up.s)
    expect(down.z).toBeCloseTo(-up.z, 14)
    expect(down.tau).toBeCloseTo(-up.tau, 14)
    expect(down.p).toBeCloseTo(up.p, 14)
  })

  it('equals a brute-force textbook implementation on random series with many ties', () => {
    let seed = 29
    const random = () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647 }
    for (let trial = 0; trial < 60; trial++) {
      const n = 3 + (trial % 38)
      const drift = (trial % 3) - 1
      const x = Array.from({ length: n }, (_, t) => Math.floor(random() * 5) + Math.round(drift * t / 4))
      if (new Set(x).size === 1) continue
      const r = mannKendall(x)
      const e = bruteForce(x)
      expect(r.s).toBe(e.s)
      expect(r.varS).toBeCloseTo(e.varS, 9)
      expect(r.z).toBeCloseTo(e.z, 12)
      expect(Math.abs(r.p - e.p)).toBeLessThan(1e-9)
      expect(r.tau).toBeCloseTo(e.tau, 12)
    }
  })

  it('returns no trend for degenerate series and rejects non-finite values', () => {
    for (const x of [[], [4], [2, 2, 2, 2]]) {
      const r = mannKendall(x)
      expect(r).toMatchObject({ s: 0, varS: 0, z: 0, p: 1, tau: 0 })
    }
    expect(() => mannKendall([1, NaN, 3])).toThrow(/finite/)
  })
})
