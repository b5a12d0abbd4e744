import { getResolution, isValidCell, polygonToCells } from 'h3-js'

/** A GeoJSON Polygon geometry (positions are [longitude, latitude]). */
export interface PolygonGeometry {
  type: 'Polygon'
  coordinates: number[][][]
}

/** A GeoJSON MultiPolygon geometry (positions are [longitude, latitude]). */
export interface MultiPolygonGeometry {
  type: 'MultiPolygon'
  coordinates: number[][][][]
}

/**
 * The H3 cells of a study area at resolution `res`:
 *
 *   cells = ( ⋃_polygons polygonToCells(polygon, res) ) ∪ extraCells,  de-duplicated, sorted
 *
 * where polygonToCells takes the cells whose CENTRE lies inside the polygon (h3-js, GeoJSON
 * [lon, lat] order; the first ring is the outline and the others are holes, so cells centred in a
 * hole are left out), run once per polygon of a MultiPolygon. `extraCells` are the cells that hold
 * events of the area (a point inside a commune may fall in a border cell whose centre is outside
 * it); they must be valid cells at `res` already — this function does not coarsen finer cells
 * (use h3-js `cellToParent` first) and throws when one is at another resolution. The result is
 * sorted by the cell string, which for cells of one resolution is the order of their 64-bit index.
 *
 * @example
 * studyAreaCells([{ type: 'Polygon', coordinates: [[[106.6, 20.8], [106.7, 20.8], [106.7, 20.9], [106.6, 20.9], [106.6, 20.8]]] }], 8, [])
 * // the 144 resolution-8 cells whose centres lie in that 0.1° square (Hải Phòng)
 */
export function studyAreaCells (
  polygons: readonly (PolygonGeometry | MultiPolygonGeometry)[],
  res: number,
  extraCells: readonly string[] = []
): string[] {
  if (!Number.isInteger(res) || res < 0 || res > 15) throw new RangeError(`res must be a whole number 0–15, got ${res}`)
  const cells = new Set<string>()
  const addPolygon = (rings: number[][][]) => {
    for (const cell of polygonToCells(rings, res, true)) cells.add(cell)
  }
  for (const geometry of polygons) {
    if (geometry.type === 'Polygon') addPolygon(geometry.coordinates)
    else if (geometry.type === 'MultiPolygon') for (const rings of geometry.coordinates) addPolygon(rings)
    else throw new RangeError(`Expected a Polygon or MultiPolygon, got ${(geometry as { type: string }).type}`)
  }
  for (const cell of extraCells) {
    if (!isValidCell(cell)) throw new RangeError(`Not an H3 cell: ${cell}`)
    const cellRes = getResolution(cell)
    if (cellRes !== res) {
      throw new RangeError(`Extra cell ${cell} is at resolution ${cellRes}, not ${res}: convert it with cellToParent first`)
    }
    cells.add(cell)
  }
  return [...cells].sort()
}
