import { describe, expect, it } from 'vitest'
import { cellToLatLng, cellToParent, getResolution, latLngToCell, polygonToCells } from 'h3-js'
import { studyAreaCells, type PolygonGeometry } from '../../server/analysis/study-area.ts'

/** A lon/lat rectangle as a closed GeoJSON ring. */
function ring (west: number, south: number, east: number, north: number): number[][] {
  return [[west, south], [east, south], [east, north], [west, north], [west, south]]
}

const SQUARE: PolygonGeometry = { type: 'Polygon', coordinates: [ring(106.6, 20.8, 106.7, 20.9)] }

describe('study-area cells', () => {
  it('are the cells centred in a small polygon: as many as polygonToCells, unique and sorted', () => {
    const cells = studyAreaCells([SQUARE], 8, [])
    const reference = polygonToCells(SQUARE.coordinates, 8, true)
    expect(reference.length).toBeGreaterThan(50)
    expect(cells).toHaveLength(reference.length)
    expect(new Set(cells)).toEqual(new Set(reference))
    expect(cells).toEqual([...cells].sort())
    for (const cell of cells) {
      const [lat, lon] = cellToLatLng(cell)
      expect(lon > 106.6 && lon < 106.7 && lat > 20.8 && lat < 20.9).toBe(true)
    }
  })

  it('add the extra event cells once, whether they are inside the polygon or not', () => {
    const base = studyAreaCells([SQUARE], 8, [])
    const inside = base[10]
    const outside = latLngToCell(20.95, 106.75, 8)
    expect(base).not.toContain(outside)
    const cells = studyAreaCells([SQUARE], 8, [inside, outside, outside])
    expect(cells).toHaveLength(base.length + 1)
    expect(cells.filter(c => c === outside)).toHaveLength(1)
    expect(cells.filter(c => c === inside)).toHaveLength(1)
    expect(cells).toEqual([...cells].sort())
  })

  it('leave out the cells centred in a hole', () => {
    const hole = ring(106.63, 20.83, 106.67, 20.87)
    const withHole: PolygonGeometry = { type: 'Polygon', coordinates: [SQUARE.coordinates[0], [...hole].reverse()] }
    const cells = studyAreaCells([withHole], 8, [])
    const inHole = polygonToCells([hole], 8, true)
    expect(inHole.length).toBeGreaterThan(5)
    expect(cells).toHaveLength(polygonToCells(SQUARE.coordinates, 8, true).length - inHole.length)
    for (const cell of inHole) expect(cells).not.toContain(cell)
  })

  it('take every polygon of a MultiPolygon and of the list, without duplicates where they overlap', () => {
    const east = ring(106.65, 20.8, 106.75, 20.9) // overlaps SQUARE between 106.65 and 106.7
    const far = ring(108.1, 16.0, 108.15, 16.05)
    const cells = studyAreaCells([{ type: 'MultiPolygon', coordinates: [[east], [far]] }, SQUARE], 8)
    const expected = new Set([
      ...polygonToCells(SQUARE.coordinates, 8, true),
      ...polygonToCells([east], 8, true),
      ...polygonToCells([far], 8, true)
    ])
    expect(cells).toHaveLength(expected.size)
    expect(new Set(cells)).toEqual(expected)
  })

  it('refuse extra cells at another resolution instead of silently mixing resolutions', () => {
    const coarse = cellToParent(latLngToCell(20.85, 106.65, 8), 7)
    expect(getResolution(coarse)).toBe(7)
    expect(() => studyAreaCells([SQUARE], 8, [coarse])).toThrow(/resolution 7, not 8/)
    expect(() => studyAreaCells([SQUARE], 8, ['zzz'])).toThrow(/Not an H3 cell/)
    expect(() => studyAreaCells([SQUARE], 16, [])).toThrow(/res must be/)
  })
})
