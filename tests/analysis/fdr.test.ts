import { describe, expect, it } from 'vitest'
import { benjaminiHochberg, classifyCell, classifyHotspots, type HotspotClass } from '../../server/analysis/fdr.ts'

/** Independent BH: for each p_i, min over all p_j ≥ p_i of m·p_j / rank_j (rank = number of p ≤ p_j). */
function bruteForceBH (p: number[]): number[] {
  const m = p.length
  return p.map(pi => {
    let best = 1
    for (const pj of p) {
      if (pj < pi) continue
      const rank = p.filter(v => v <= pj).length
      best = Math.min(best, (m * pj) / rank)
    }
    return best
  })
}

describe('Benjamini–Hochberg adjustment', () => {
  it('adjusts the textbook example [0.01, 0.04, 0.03, 0.005] to [0.02, 0.04, 0.04, 0.02]', () => {
    // Sorted: 0.005, 0.01, 0.03, 0.04 → m·p/rank = 0.02, 0.02, 0.04, 0.04; running minimum from the
    // top leaves them unchanged; back in input order: 0.02, 0.04, 0.04, 0.02.
    const adjusted = benjaminiHochberg([0.01, 0.04, 0.03, 0.005])
    const expected = [0.02, 0.04, 0.04, 0.02]
    adjusted.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 15))
  })

  it('matches scipy.stats.false_discovery_control on ten p-values, where the step-up minimum matters', () => {
    const p = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216]
    // scipy 1.17: false_discovery_control(p) (method 'bh')
    const expected = [0.01, 0.04, 0.084, 0.084, 0.084, 0.1, 0.10571428571428572, 0.216, 0.216, 0.216]
    benjaminiHochberg(p).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 14))
  })

  it('is monotone in p, never below p, capped at 1, and equal to a brute-force definition on random input', () => {
    let seed = 17
    const random = () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647 }
    for (let trial = 0; trial < 20; trial++) {
      const p = Array.from({ length: 1 + (trial * 7) % 40 }, () => (random() < 0.2 ? 1 : random() ** 3))
      if (trial % 5 === 0) p.push(p[0], p[0]) // ties
      const adjusted = benjaminiHochberg(p)
      const expected = bruteForceBH(p)
      adjusted.forEach((v, i) => {
        expect(v).toBeCloseTo(expected[i], 14)
        expect(v).toBeGreaterThanOrEqual(p[i])
        expect(v).toBeLessThanOrEqual(1)
      })
      for (let i = 0; i < p.length; i++) {
        for (let j = 0; j < p.length; j++) if (p[i] <= p[j]) expect(adjusted[i]).toBeLessThanOrEqual(adjusted[j])
      }
    }
  })

  it('handles an empty list and rejects p-values outside [0, 1]', () => {
    expect(benjaminiHochberg([])).toEqual([])
    expect(() => benjaminiHochberg([0.5, 1.2])).toThrow(/not in \[0, 1\]/)
    expect(() => benjaminiHochberg([NaN])).toThrow(/not in \[0, 1\]/)
  })
})

describe('hot/cold-spot classes', () => {
  it('classify a z / adjusted-p table at the 99, 95 and 90 % levels, boundaries included', () => {
    const table: [number, number, HotspotClass][] = [
      [3.5, 0.0004, 'hot_99'],
      [2.7, 0.01, 'hot_99'], // p̃ = α counts as significant
      [2.1, 0.0100001, 'hot_95'],
      [2.0, 0.05, 'hot_95'],
      [1.7, 0.08, 'hot_90'],
      [1.65, 0.1, 'hot_90'],
      [1.6, 0.10001, 'not_significant'],
      [-3.9, 0.001, 'cold_99'],
      [-2.2, 0.03, 'cold_95'],
      [-1.8, 0.09, 'cold_90'],
      [-0.4, 0.7, 'not_significant'],
      [0, 0.001, 'not_significant'], // no sign, no side
      [0, 1, 'not_significant']
    ]
    const z = table.map(row => row[0])
    const p = table.map(row => row[1])
    expect(classifyHotspots(z, p, { fdr: false })).toEqual(table.map(row => row[2]))
    for (const [zi, pi, expected] of table) expect(classifyCell(zi, pi)).toBe(expected)
  })

  it('use Benjamini–Hochberg adjusted p-values by default', () => {
    // Raw p = [0.0014, 0.036, 0.69] → adjusted [0.0042, 0.054, 0.69]: the raw 0.036 would be
    // cold_95, after adjustment it is only cold_90.
    const z = [3.2, -2.1, 0.4]
    const p = [0.0014, 0.036, 0.69]
    expect(classifyHotspots(z, p)).toEqual(['hot_99', 'cold_90', 'not_significant'])
    expect(classifyHotspots(z, p, { fdr: false })).toEqual(['hot_99', 'cold_95', 'not_significant'])
    expect(() => classifyHotspots([1], [0.5, 0.5])).toThrow(/differ in length/)
  })
})
