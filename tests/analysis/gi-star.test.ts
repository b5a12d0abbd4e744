import { describe, expect, it } from 'vitest'
import {
  areNeighborCells, cellToParent, getBaseCellNumber, getPentagons, gridDisk, gridDiskDistances, gridDistance, latLngToCell
} from 'h3-js'
import { giStar, giStarOn, kRingNeighbourhoods } from '../../server/analysis/gi-star.ts'
import { mulberry32 } from '../helpers/random-incidents.ts'


/**
 * Independent two-sided p-value: 2·(½ − ∫₀^|z| φ(t) dt) with composite Simpson's rule (no erfc).
 */
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
 * Brute-force Gi*, written from the textbook formula with explicit O(n²) loops and a neighbour test
 * by h3-js gridDistance(a, b) ≤ k (no gridDisk, no index map, no lattice shortcut).
 */
function bruteForceGiStar (cells: string[], x: number[], k: number) {
  const n = cells.length
  let sumX = 0
  let sumX2 = 0
  for (const v of x) { sumX += v; sumX2 += v * v }
  const mean = sumX / n
  const s = Math.sqrt(sumX2 / n - mean * mean)
  return cells.map((a, i) => {
    let wx = 0
    let w = 0
    let w2 = 0
    for (let j = 0; j < n; j++) {
      const weight = gridDistance(a, cells[j]) <= k ? 1 : 0
      wx += weight * x[j]
      w += weight
      w2 += weight * weight
    }
    const denominator = s * Math.sqrt((n * w2 - w * w) / (n - 1))
    if (!(denominator > 1e-12)) return { z: 0, p: 1, i }
    const z = (wx - mean * w) / denominator
    return { z, p: simpsonTwoSidedP(z), i }
  })
}

/** Reference neighbourhoods from gridDisk ∩ area, as sets of cell strings. */
function referenceNeighbourhoods (cells: string[], k: number): Set<string>[] {
  const area = new Set(cells)
  return cells.map(cell => new Set(gridDisk(cell, k).filter(c => area.has(c))))
}

function neighbourhoodSets (cells: string[], k: number): Set<string>[] {
  const nb = kRingNeighbourhoods(cells, k)
  return cells.map((_, i) => {
    const list = Array.from(nb.indices.subarray(nb.offsets[i], nb.offsets[i + 1]), j => cells[j])
    expect(new Set(list).size).toBe(list.length) // no neighbour twice
    return new Set(list)
  })
}

// A res-8 cell in Hải Phòng and its 2-disk: 1 centre, 6 in ring 1, 12 in ring 2.
const CENTRE = latLngToCell(20.86, 106.68, 8)
const [, RING1, RING2] = gridDiskDistances(CENTRE, 2).map(ring => [...ring].sort())
const GRID19 = [CENTRE, ...RING1, ...RING2]
const COUNTS19 = [
  9, // hot centre
  5, 4, 6, 3, 5, 4, // ring 1
  0, 1, 0, 2, 1, 0, 0, 1, 3, 0, 1, 0 // ring 2
]

describe('Getis-Ord Gi*', () => {
  it('equals a brute-force O(n²) implementation to 1e-9 on the 19-cell Hải Phòng grid, k = 1 and k = 2', () => {
    expect(GRID19).toHaveLength(19)
    for (const k of [1, 2]) {
      const { z, p } = giStar(GRID19, COUNTS19, k)
      const expected = bruteForceGiStar(GRID19, COUNTS19, k)
      for (const e of expected) {
        expect(Math.abs(z[e.i] - e.z)).toBeLessThan(1e-9)
        expect(Math.abs(p[e.i] - e.p)).toBeLessThan(1e-9)
      }
    }
    // k = 1: the busy centre is the hottest cell. k = 2: its 2-ring is the whole area, so z = 0.
    const k1 = giStar(GRID19, COUNTS19, 1)
    expect(Math.max(...k1.z)).toBe(k1.z[0])
    expect(k1.z[0]).toBeGreaterThan(2)
    const k2 = giStar(GRID19, COUNTS19, 2)
    expect(k2.z[0]).toBe(0)
    expect(k2.p[0]).toBe(1)
  })

  it('follows the formula on a 7-cell area worked by hand', () => {
    // Area: the centre C and its six neighbours (gridDisk(C, 1)), k = 1. Counts: C = 4, one
    // neighbour A = 4, the five other neighbours = 1.
    //   n = 7, Σx = 13, X̄ = 13/7, Σx² = 37, S² = 37/7 − 169/49 = 90/49, S = 3√10 / 7.
    // An outer cell's 1-ring inside the area is itself, C and its two neighbours on the ring:
    //   W = 4, sqrt((n·W − W²)/(n − 1)) = sqrt((28 − 16)/6) = √2.
    //   A:                 Σwx = 4 + 4 + 1 + 1 = 10 → (10 − 4·13/7) / (3√10/7 · √2) = (18/7)/(3√20/7) = 3/√5
    //   neighbour of A:    Σwx = 1 + 4 + 4 + 1 = 10 → 3/√5 ≈ 1.3416,  p = 0.17971249487899984
    //   other outer cells: Σwx = 1 + 4 + 1 + 1 = 7  → (7 − 52/7)/(3√20/7) = −1/(2√5) ≈ −0.2236
    // C's 1-ring is the whole area (W = n): the denominator is 0, so z = 0, p = 1.
    const [, ring] = gridDiskDistances(CENTRE, 1)
    const outer = [...ring].sort()
    const a = outer[0]
    const cells = [CENTRE, ...outer]
    const counts = cells.map(c => (c === CENTRE || c === a ? 4 : 1))
    const { z, p } = giStar(cells, counts, 1)
    expect(z[0]).toBe(0)
    expect(p[0]).toBe(1)
    for (let i = 1; i < 7; i++) {
      const cell = cells[i]
      const expected = cell === a || areNeighborCells(cell, a) ? 3 / Math.sqrt(5) : -1 / (2 * Math.sqrt(5))
      expect(z[i]).toBeCloseTo(expected, 12)
    }
    expect(z.filter(v => Math.abs(v - 3 / Math.sqrt(5)) < 1e-12)).toHaveLength(3)
    expect(p[1]).toBeCloseTo(0.17971249487899984, 14)
  })

  it('gives z = 0 and p = 1 everywhere when all counts are equal (S = 0)', () => {
    for (const value of [0, 3, 0.1]) {
      const { z, p } = giStar(GRID19, GRID19.map(() => value), 1)
      expect(z.every(v => v === 0)).toBe(true)
      expect(p.every(v => v === 1)).toBe(true)
    }
    expect(giStar([CENTRE], [5], 1)).toEqual({ z: [0], p: [1] })
    expect(giStar([], [], 1)).toEqual({ z: [], p: [] })
  })

  it('changes z as expected when a far-away zero-count cell joins the area, and ignores cells outside it', () => {
    // Far away: a res-8 cell in Đà Nẵng, with no study-area cell within k of it.
    const far = latLngToCell(16.05, 108.2, 8)
    const cells = [...GRID19, far]
    const counts = [...COUNTS19, 0]
    const { z } = giStar(cells, counts, 1)
    // n grows to 20 and the mean falls to Σx/20; the far cell's neighbourhood is only itself (W = 1):
    //   z_far = (0 − X̄) / (S · sqrt((20·1 − 1)/19)) = −X̄ / S
    const n = 20
    const mean = COUNTS19.reduce((s, v) => s + v, 0) / n
    const s = Math.sqrt(COUNTS19.reduce((acc, v) => acc + v * v, 0) / n - mean * mean)
    expect(z[19]).toBeCloseTo(-mean / s, 12)
    // Every other cell matches the brute force on the enlarged area and differs from the 19-cell run.
    const expected = bruteForceGiStar(cells, counts, 1)
    const before = giStar(GRID19, COUNTS19, 1).z
    for (let i = 0; i < 19; i++) {
      expect(Math.abs(z[i] - expected[i].z)).toBeLessThan(1e-9)
      expect(Math.abs(z[i] - before[i])).toBeGreaterThan(1e-6)
    }
    // The hot centre stands out more against the lower mean.
    expect(z[0]).toBeGreaterThan(before[0])
  })

  it('matches the brute force on a random area that straddles a base-cell boundary and has holes', () => {
    const random = mulberry32(7)
    // Around lat 16.05, lon 106.68 base cells 32 and 50 meet.
    const disk = gridDisk(latLngToCell(16.05, 106.68, 8), 6)
    const cells = disk.filter(() => random() < 0.8)
    expect(new Set(cells.map(getBaseCellNumber)).size).toBeGreaterThan(1)
    const counts = cells.map(() => Math.floor(random() * 6))
    for (const k of [1, 2]) {
      const { z, p } = giStar(cells, counts, k)
      for (const e of bruteForceGiStar(cells, counts, k)) {
        expect(Math.abs(z[e.i] - e.z)).toBeLessThan(1e-9)
        expect(Math.abs(p[e.i] - e.p)).toBeLessThan(1e-9)
      }
    }
  })

  it('reuses prebuilt neighbourhoods: giStarOn equals giStar', () => {
    const nb = kRingNeighbourhoods(GRID19, 2)
    expect(giStarOn(nb, COUNTS19)).toEqual(giStar(GRID19, COUNTS19, 2))
  })

  it('rejects duplicate cells, mixed resolutions, invalid cells, a bad k and a count list of the wrong length', () => {
    expect(() => giStar([CENTRE, CENTRE], [1, 2], 1)).toThrow(/more than once/)
    expect(() => giStar([CENTRE, cellToParent(CENTRE, 7)], [1, 2], 1)).toThrow(/one resolution/)
    expect(() => giStar(['not-a-cell'], [1], 1)).toThrow(/Not an H3 cell/)
    expect(() => giStar(GRID19, COUNTS19, 1.5)).toThrow(/whole number/)
    expect(() => giStar(GRID19, COUNTS19.slice(1), 1)).toThrow(/Expected 19 counts/)
    expect(() => giStar(GRID19, COUNTS19.map((v, i) => (i === 3 ? NaN : v)), 1)).toThrow(/finite/)
  })
})

describe('k-ring neighbourhoods of a study area', () => {
  const cases: [string, () => string[]][] = [
    ['a compact disk in Hải Phòng (res 9)', () => gridDisk(latLngToCell(20.86, 106.68, 9), 12)],
    ['an area across the boundary of base cells 32 and 50 (res 8)', () => gridDisk(latLngToCell(16.05, 106.68, 8), 10)],
    ['an area around a pentagon (res 6)', () => gridDisk(getPentagons(6)[2], 6)],
    ['a scattered area with holes (res 10)', () => {
      const random = mulberry32(11)
      return gridDisk(latLngToCell(20.84, 106.7, 10), 14).filter(() => random() < 0.6)
    }]
  ]
  for (const [name, make] of cases) {
    it(`equal gridDisk ∩ area, cell by cell, for ${name}, k = 0…3`, () => {
      const cells = make()
      for (let k = 0; k <= 3; k++) {
        expect(neighbourhoodSets(cells, k)).toEqual(referenceNeighbourhoods(cells, k))
      }
    })
  }
})
