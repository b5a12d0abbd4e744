import { describe, expect, it } from 'vitest'
import { gridDisk, gridRingUnsafe, latLngToCell } from 'h3-js'
import { classifyEmerging, emergingHotspots, type EmergingPattern } from '../../server/analysis/emerging.ts'
import { mannKendall } from '../../server/analysis/mann-kendall.ts'

/**
 * A z / adjusted-p series from a picture, oldest step first: H = significant hot step (z 2.5,
 * p̃ 0.01), C = significant cold step (z −2.5, p̃ 0.01), . = not significant (z 0.3, p̃ 0.6).
 */
function series (picture: string): { z: number[], p: number[] } {
  const z = [...picture].map(c => (c === 'H' ? 2.5 : c === 'C' ? -2.5 : 0.3))
  const p = [...picture].map(c => (c === '.' ? 0.6 : 0.01))
  return { z, p }
}

/** Every step significant, with the given z-scores. */
function allSignificant (z: number[]) {
  return { z, p: z.map(() => 0.01) }
}

const INCREASING = [2.0, 2.2, 2.4, 2.6, 2.8, 3.0, 3.2, 3.4, 3.6, 3.8] // MK S = 45, p = 8e-5
const FLAT = [3.0, 2.6, 3.2, 2.7, 3.1, 2.8, 3.0, 2.9, 2.7, 3.1] // MK S = 2, p = 0.93

// Hot-spot fixtures; each is checked as given (direction hot) and with z negated (direction cold).
const FIXTURES: [string, { z: number[], p: number[] }, EmergingPattern][] = [
  ['new: hot only in the final step', series('.........H'), 'new'],
  ['consecutive: one run of hot steps into the present', series('.......HHH'), 'consecutive'],
  ['consecutive: a run of 8 of 10 steps is still under 90 %', series('..HHHHHHHH'), 'consecutive'],
  ['intensifying: hot throughout with rising z', allSignificant(INCREASING), 'intensifying'],
  ['intensifying: hot in 9 of 10 steps (90 %) with rising z',
    { z: [1.0, ...INCREASING.slice(1)], p: [0.3, ...INCREASING.slice(1).map(() => 0.01)] }, 'intensifying'],
  ['persistent: hot throughout, no trend', allSignificant(FLAT), 'persistent'],
  ['persistent: hot in 9 of 10 steps, no significant trend', series('.HHHHHHHHH'), 'persistent'],
  ['diminishing: hot throughout with falling z', allSignificant([...INCREASING].reverse()), 'diminishing'],
  ['sporadic: on-and-off hot, hot now, never cold', series('.H..H...HH'), 'sporadic'],
  ['sporadic: every other step', series('.H.H.H.H.H'), 'sporadic'],
  ['oscillating: hot now, a cold spot before', series('C.H.C..H.H'), 'oscillating'],
  ['historical: hot in 9 of the 9 earlier steps, not now', series('HHHHHHHHH.'), 'historical'],
  ['historical: hot in 10 of the 11 earlier steps (≥ 90 % of earlier steps)', series('HHHHH.HHHHH.'), 'historical'],
  ['no pattern: never significant', series('..........'), 'no_pattern'],
  ['no pattern: hot once in the middle', series('....H.....'), 'no_pattern'],
  ['no pattern: hot for half the time, not now', series('HHHHH.....'), 'no_pattern']
]

describe('emerging hot-spot patterns from z / p fixtures', () => {
  it('have fixtures whose trend premises hold', () => {
    expect(mannKendall(INCREASING).p).toBeLessThan(0.001)
    expect(mannKendall(FLAT).p).toBeGreaterThan(0.5)
    // '.HHHHHHHHH': S = 9, Var = (2250 − 9·8·23)/18 = 33, z = 8/√33 = 1.39, p = 0.16 > 0.10.
    expect(mannKendall(series('.HHHHHHHHH').z).p).toBeGreaterThan(0.1)
  })

  for (const [name, fixture, pattern] of FIXTURES) {
    it(`${name} → ${pattern}, for hot and (mirrored) cold spots`, () => {
      const hot = classifyEmerging(fixture.z, fixture.p)
      expect(hot.pattern).toBe(pattern)
      expect(hot.direction).toBe(pattern === 'no_pattern' ? null : 'hot')
      const cold = classifyEmerging(fixture.z.map(v => -v), fixture.p)
      expect(cold.pattern).toBe(pattern)
      expect(cold.direction).toBe(pattern === 'no_pattern' ? null : 'cold')
    })
  }

  it('calls a cold-to-hot switch with one or a single run of hot steps new or consecutive, not oscillating', () => {
    expect(classifyEmerging(series('CC.......H').z, series('CC.......H').p).pattern).toBe('new')
    expect(classifyEmerging(series('CC.....HHH').z, series('CC.....HHH').p).pattern).toBe('consecutive')
  })

  it('reports the Mann–Kendall trend of the z series', () => {
    const r = classifyEmerging(INCREASING, INCREASING.map(() => 0.01))
    expect(r.trend).toEqual({ tau: 1, s: 45, z: mannKendall(INCREASING).z, p: mannKendall(INCREASING).p })
  })

  it('uses the per-step significance level alpha (default 0.10)', () => {
    const z = [0.3, 0.2, 0.1, 0.3, 0.2, 0.4, 0.1, 0.2, 0.3, 2.0]
    const p = [0.7, 0.8, 0.9, 0.7, 0.8, 0.6, 0.9, 0.8, 0.7, 0.08]
    expect(classifyEmerging(z, p).pattern).toBe('new')
    expect(classifyEmerging(z, p, { alpha: 0.05 }).pattern).toBe('no_pattern')
  })

  it('uses the trend significance level trendAlpha (default: alpha)', () => {
    const z = [2.5, 2.4, 2.6, 2.5, 2.7, 2.6, 2.8, 2.7, 2.9, 2.8] // MK p = 0.0064
    const p = z.map(() => 0.01)
    expect(classifyEmerging(z, p).pattern).toBe('intensifying')
    expect(classifyEmerging(z, p, { trendAlpha: 0.001 }).pattern).toBe('persistent')
  })

  it('rejects fewer than 2 steps, mismatched lengths and levels outside (0, 1)', () => {
    expect(() => classifyEmerging([2.5], [0.01])).toThrow(/at least 2 time steps/)
    expect(() => classifyEmerging([2.5, 2.5], [0.01])).toThrow(/differ in length/)
    expect(() => classifyEmerging([2.5, 2.5], [0.01, 0.01], { alpha: 0 })).toThrow(/alpha/)
  })
})

describe('emerging hot-spot analysis from counts (through Gi* and BH per step)', () => {
  const centre = latLngToCell(20.86, 106.68, 8)
  const cells = gridDisk(centre, 5).sort() // 91 cells

  it('finds a growing cluster as an intensifying hot spot and a cluster of the last step as a new one', () => {
    const growing = new Set(gridDisk(centre, 1))
    const lateCentre = gridRingUnsafe(centre, 4)[0]
    const late = new Set(gridDisk(lateCentre, 1))
    const steps = 10
    // Background: 0–2 events per cell and step; the growing cluster: 4, 6, …, 22 events per cell.
    const countsPerStep = Array.from({ length: steps }, (_, t) => cells.map((c, i) => {
      if (growing.has(c)) return 4 + 2 * t
      if (late.has(c) && t === steps - 1) return 12
      return (i * 7 + t * 3) % 3
    }))
    const rows = emergingHotspots({ cells, countsPerStep, k: 1 })
    expect(rows.map(r => r.h3)).toEqual(cells)
    const atCentre = rows.find(r => r.h3 === centre)!
    expect(atCentre).toMatchObject({ pattern: 'intensifying', direction: 'hot' })
    expect(atCentre.z).toHaveLength(steps)
    expect(atCentre.p_adjusted.every(p => p <= 0.1)).toBe(true)
    expect(atCentre.trend.s).toBeGreaterThan(0)
    expect(rows.find(r => r.h3 === lateCentre)).toMatchObject({ pattern: 'new', direction: 'hot' })
    // Cells far from both clusters show no pattern.
    const farFromBoth = rows.filter(r => !gridDisk(centre, 2).includes(r.h3) && !gridDisk(lateCentre, 2).includes(r.h3))
    expect(farFromBoth.length).toBeGreaterThan(40)
    expect(farFromBoth.every(r => r.pattern === 'no_pattern')).toBe(true)
  })

  it('finds a patch that never has events amid busy cells as a persistent cold spot', () => {
    const patch = new Set(gridDisk(centre, 1))
    const countsPerStep = Array.from({ length: 10 }, (_, t) =>
      cells.map((c, i) => (patch.has(c) ? 0 : 4 + ((i * 7 + t * 3) % 3))))
    const rows = emergingHotspots({ cells, countsPerStep, k: 1 })
    expect(rows.find(r => r.h3 === centre)).toMatchObject({ pattern: 'persistent', direction: 'cold' })
    expect(rows.filter(r => r.direction === 'hot')).toHaveLength(0)
  })

  it('rejects a step whose counts do not match the cells', () => {
    expect(() => emergingHotspots({ cells, countsPerStep: [cells.map(() => 1), [1, 2]], k: 1 }))
      .toThrow(/Step 1 has 2 counts for 91 cells/)
  })
})
