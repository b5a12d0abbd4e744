import { describe, expect, it } from 'vitest'
import { gridDisk, latLngToCell } from 'h3-js'
import { cellPriorities, coverageKpis, MIN_INCIDENTS_FOR_Z, TARGET_MINUTES_PER_WEEK } from '../../../server/coverage/priority.ts'
import { giStar } from '../../../server/analysis/gi-star.ts'

const centre = latLngToCell(20.9409, 106.3313, 9)
const cells = gridDisk(centre, 2).sort()
const [a, b, c] = cells

describe('cellPriorities', () => {
  it('few incidents: intensity is the count; lack and gap worked by hand', () => {
    // 2 weeks: target 20 patrol minutes per cell. a: 3 incidents, 10 minutes → lack 1/(1 + 10/20) = 2/3, gap 2.
    // b: 1 incident, unvisited → lack 1, gap 1. c: no incident, 40 minutes → lack 1/3, gap 0.
    const rows = cellPriorities({ cells, incidents: new Map([[a!, 3], [b!, 1]]), dwellSeconds: new Map([[a!, 600], [c!, 2400]]), weeks: 2 })
    const byCell = new Map(rows.map(r => [r.h3, r]))
    expect(TARGET_MINUTES_PER_WEEK).toBe(10)
    expect(byCell.get(a!)).toMatchObject({ incidents: 3, z: null, intensity: 3, dwell_seconds: 600 })
    expect(byCell.get(a!)!.lack).toBeCloseTo(2 / 3, 12)
    expect(byCell.get(a!)!.gap_score).toBeCloseTo(2, 12)
    expect(byCell.get(b!)!.gap_score).toBe(1)
    expect(byCell.get(c!)!.lack).toBeCloseTo(1 / 3, 12)
    expect(byCell.get(c!)!.gap_score).toBe(0)
    // Two cells have intensity > 0: the top 10 % rounds up to one, the most intense.
    expect(rows.filter(r => r.top_priority).map(r => r.h3)).toEqual([a])
  })

  it('enough incidents: intensity is max(Gi*, 0) with k = 1 (the analysis module, independently recomputed)', () => {
    const incidents = new Map([[centre, MIN_INCIDENTS_FOR_Z], [cells[0]!, 2]])
    const rows = cellPriorities({ cells, incidents, dwellSeconds: new Map(), weeks: 1 })
    const { z } = giStar(cells, cells.map(cell => incidents.get(cell) ?? 0), 1)
    rows.forEach((row, i) => {
      expect(row.z).toBeCloseTo(z[i]!, 12)
      expect(row.intensity).toBeCloseTo(Math.max(z[i]!, 0), 12)
      expect(row.gap_score).toBeCloseTo(row.intensity, 12) // nobody patrolled: lack 1
    })
  })

  it('incidents outside the area are ignored', () => {
    const outside = latLngToCell(21.5, 105.5, 9)
    const rows = cellPriorities({ cells, incidents: new Map([[outside, 50]]), dwellSeconds: new Map(), weeks: 1 })
    expect(rows.every(r => r.intensity === 0)).toBe(true)
  })
})

describe('coverageKpis', () => {
  it('share visited and top-priority minutes per week, worked by hand', () => {
    const rows = cellPriorities({ cells, incidents: new Map([[a!, 3], [b!, 1]]), dwellSeconds: new Map(), weeks: 2 })
    // a is the top-priority cell; 30 minutes there over 2 weeks → 15 min/week. 3 of 19 cells visited.
    const kpis = coverageKpis(rows, new Map([[a!, 1800], [b!, 60], [c!, 60]]), 2)
    expect(kpis).toEqual({ cells_total: 19, cells_visited: 3, share_visited: 3 / 19, priority_cells: 1, priority_minutes_per_week: 15 })
  })
})
