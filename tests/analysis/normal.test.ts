import { describe, expect, it } from 'vitest'
import { erfc, normalCdf, twoSidedPValue } from '../../server/analysis/normal.ts'

// Reference values computed with mpmath at 30–40 significant digits (mpmath.ncdf, mpmath.erfc).
const CDF_REFERENCE: [number, number][] = [
  [-10, 7.6198530241605261e-24],
  [-8, 6.2209605742717841e-16],
  [-5, 2.8665157187919391e-7],
  [-3, 0.0013498980316300945],
  [-1.6448536269514722, 0.050000000000000054],
  [0, 0.5],
  [0.5, 0.6914624612740131],
  [1, 0.84134474606854295],
  [1.959963984540054, 0.97499999999999999],
  [2.5758293035489004, 0.99499999999999999]
]

const ERFC_REFERENCE: [number, number][] = [
  [-1, 1.8427007929497149],
  [0, 1],
  [-2, 1.9953222650189527],
  [0.3, 0.67137324054087258], // first interval (|x| ≤ 0.46875)
  [0.46875, 0.50738652678206201],
  [1, 0.15729920705028513], // second interval
  [2.5, 0.00040695201744495894],
  [3.5, 7.4309837234141275e-7],
  [4, 1.5417257900280019e-8],
  [4.5, 1.9661604415428875e-10], // third interval (|x| > 4)
  [5, 1.5374597944280349e-12],
  [10, 2.0884875837625448e-45]
]

describe('normal distribution', () => {
  it('gives the standard normal CDF to 1e-15 absolute and 1e-12 relative against high-precision values', () => {
    for (const [x, expected] of CDF_REFERENCE) {
      const got = normalCdf(x)
      expect(Math.abs(got - expected)).toBeLessThan(1e-15)
      expect(Math.abs(got - expected) / expected).toBeLessThan(1e-12)
    }
  })

  it('computes erfc in each of Cody’s three intervals to 1e-14 relative', () => {
    for (const [x, expected] of ERFC_REFERENCE) {
      expect(Math.abs(erfc(x) - expected) / expected).toBeLessThan(1e-14)
    }
  })

  it('is symmetric, monotone and has the right limits', () => {
    for (let x = -9; x <= 9; x += 0.173) {
      expect(normalCdf(x) + normalCdf(-x)).toBeCloseTo(1, 15)
      // Strictly increasing while 1 − Φ is resolvable in doubles, never decreasing beyond.
      if (x < 5) expect(normalCdf(x + 0.01)).toBeGreaterThan(normalCdf(x))
      else expect(normalCdf(x + 0.01)).toBeGreaterThanOrEqual(normalCdf(x))
    }
    expect(normalCdf(-Infinity)).toBe(0)
    expect(normalCdf(Infinity)).toBe(1)
    expect(normalCdf(-40)).toBe(0)
    expect(Number.isNaN(normalCdf(NaN))).toBe(true)
  })

  it('turns the familiar critical z-values into two-sided p-values of 0.10, 0.05 and 0.01', () => {
    expect(twoSidedPValue(1.6448536269514722)).toBeCloseTo(0.1, 14)
    expect(twoSidedPValue(-1.959963984540054)).toBeCloseTo(0.05, 14)
    expect(twoSidedPValue(2.5758293035489004)).toBeCloseTo(0.01, 14)
    expect(twoSidedPValue(0)).toBe(1)
  })

  it('keeps relative precision for tiny two-sided p-values (no 1 − Φ cancellation)', () => {
    // erfc(6/√2) = 1.9731752900753963e-9, erfc(10/√2) = 1.5239706048321052e-23 (mpmath)
    expect(Math.abs(twoSidedPValue(6) / 1.9731752900753963e-9 - 1)).toBeLessThan(1e-13)
    expect(Math.abs(twoSidedPValue(-10) / 1.5239706048321052e-23 - 1)).toBeLessThan(1e-13)
  })
})
