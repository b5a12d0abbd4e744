import { describe, expect, it } from 'vitest'
import { gridDisk, gridDistance, latLngToCell } from 'h3-js'
import { benjaminiHochberg, classifyCell } from '../../server/analysis/fdr.ts'
import { giStar } from '../../server/analysis/gi-star.ts'
import { hotspotAnalysis } from '../../server/analysis/hotspots.ts'

const CENTRE = latLngToCell(20.86, 106.68, 9)
// 61 cells: the centre and four rings around it.
const AREA = gridDisk(CENTRE, 4).sort()

/** A cluster of events around the centre, a few scattered events elsewhere, most cells empty. */
function clusterCounts (): Map<string, number> {
  const counts = new Map<string, number>()
  for (const cell of AREA) {
    const d = gridDistance(CENTRE, cell)
    if (d === 0) counts.set(cell, 12)
    else if (d === 1) counts.set(cell, 8)
  }
  counts.set(AREA[3], 1)
  counts.set(AREA[40], 2)
  return counts
}

describe('hotspot analysis', () => {
  it('returns one row per study-area cell, in order, with zero counts for cells without events', () => {
    const counts = clusterCounts()
    const rows = hotspotAnalysis({ cells: AREA, counts, k: 1 })
    expect(rows.map(r => r.h3)).toEqual(AREA)
    const empty = AREA.filter(c => !counts.has(c))
    expect(empty.length).toBeGreaterThan(40)
    for (const row of rows) expect(row.count).toBe(counts.get(row.h3) ?? 0)
  })

  it('is Gi* on the zero-filled counts, BH-adjusted over the area, and classified by the adjusted p', () => {
    const counts = clusterCounts()
    const rows = hotspotAnalysis({ cells: AREA, counts, k: 1 })
    const { z, p } = giStar(AREA, AREA.map(c => counts.get(c) ?? 0), 1)
    const adjusted = benjaminiHochberg(p)
    rows.forEach((row, i) => {
      expect(row.z).toBe(z[i])
      expect(row.p).toBe(p[i])
      expect(row.p_adjusted).toBe(adjusted[i])
      expect(row.class).toBe(classifyCell(z[i], adjusted[i]))
    })
  })

  it('finds the event cluster as a 99 % hot spot and nothing hot far from it', () => {
    const rows = hotspotAnalysis({ cells: AREA, counts: clusterCounts(), k: 1 })
    const centre = rows.find(r => r.h3 === CENTRE)!
    expect(centre.class).toBe('hot_99')
    for (const row of rows) {
      if (gridDistance(CENTRE, row.h3) >= 3) expect(row.class.startsWith('hot')).toBe(false)
    }
  })

  it('ignores counts of cells outside the study area', () => {
    const counts = clusterCounts()
    const withOutside = new Map(counts)
    withOutside.set(latLngToCell(16.05, 108.2, 9), 500) // an event-heavy cell in Đà Nẵng
    withOutside.set(gridDisk(CENTRE, 5).find(c => gridDistance(CENTRE, c) === 5)!, 40) // just outside
    expect(hotspotAnalysis({ cells: AREA, counts: withOutside, k: 1 }))
      .toEqual(hotspotAnalysis({ cells: AREA, counts, k: 1 }))
  })

  it('includes zero-count cells: adding empty cells to the area lowers the mean and raises the cluster’s z', () => {
    // Events only in the centre and its ring; the 24 cells of ring 4 are empty.
    const counts = new Map(gridDisk(CENTRE, 1).map(c => [c, c === CENTRE ? 12 : 8] as [string, number]))
    const small = hotspotAnalysis({ cells: gridDisk(CENTRE, 3), counts, k: 1 })
    const large = hotspotAnalysis({ cells: AREA, counts, k: 1 })
    const zSmall = small.find(r => r.h3 === CENTRE)!.z
    const zLarge = large.find(r => r.h3 === CENTRE)!.z
    expect(zLarge).toBeGreaterThan(zSmall)
  })
})
