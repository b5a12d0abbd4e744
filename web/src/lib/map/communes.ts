/**
 * Client-side geometry of the loaded communes: which commune a point (or an H3 cell centre)
 * falls in, label points, and the province dissolved from its communes.
 */
import { booleanPointInPolygon, pointOnFeature, area, union } from '@turf/turf'
import { cellToLatLng } from 'h3-js'
import type { Feature, FeatureCollection, MultiPolygon, Point, Polygon, Position } from 'geojson'
import type { CommuneCollection, CommuneProperties } from '../api/client.ts'

type BBox = [number, number, number, number]

interface IndexedCommune {
  feature: Feature<MultiPolygon | Polygon, CommuneProperties>
  bbox: BBox
}

function ringsOf (geometry: MultiPolygon | Polygon): Position[][][] {
  return geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates
}

function bboxOf (geometry: MultiPolygon | Polygon): BBox {
  const box: BBox = [Infinity, Infinity, -Infinity, -Infinity]
  for (const polygon of ringsOf(geometry)) {
    for (const [x, y] of polygon[0] ?? []) {
      if (x < box[0]) box[0] = x
      if (y < box[1]) box[1] = y
      if (x > box[2]) box[2] = x
      if (y > box[3]) box[3] = y
    }
  }
  return box
}

/** Finds the commune under a point: a bbox pre-check, then an exact point-in-polygon test. */
export class CommuneIndex {
  private readonly communes: IndexedCommune[]
  private readonly cellCache = new Map<string, CommuneProperties | null>()

  constructor (collection: CommuneCollection | FeatureCollection<MultiPolygon | Polygon, CommuneProperties>) {
    this.communes = collection.features
      .filter(f => f.geometry && (f.geometry.type === 'MultiPolygon' || f.geometry.type === 'Polygon'))
      .map(feature => ({ feature, bbox: bboxOf(feature.geometry) }))
  }

  get size (): number { return this.communes.length }

  at (lon: number, lat: number): CommuneProperties | undefined {
    for (const { feature, bbox } of this.communes) {
      if (lon < bbox[0] || lon > bbox[2] || lat < bbox[1] || lat > bbox[3]) continue
      if (booleanPointInPolygon([lon, lat], feature)) return feature.properties
    }
    return undefined
  }

  /** Commune that the centre of an H3 cell falls in (cached per cell). */
  atCell (h3: string): CommuneProperties | undefined {
    const cached = this.cellCache.get(h3)
    if (cached !== undefined) return cached ?? undefined
    const [lat, lon] = cellToLatLng(h3)
    const found = this.at(lon, lat)
    this.cellCache.set(h3, found ?? null)
    return found
  }
}

/** One label point per commune, inside its largest part (so islands do not repeat the name). */
export function communeLabelPoints (collection: CommuneCollection): FeatureCollection<Point, CommuneProperties> {
  const features: Array<Feature<Point, CommuneProperties>> = []
  for (const feature of collection.features) {
    if (!feature.geometry) continue
    const parts = ringsOf(feature.geometry)
    let largest: Position[][] | undefined
    let largestArea = -1
    for (const rings of parts) {
      const a = area({ type: 'Polygon', coordinates: rings })
      if (a > largestArea) { largestArea = a; largest = rings }
    }
    if (!largest) continue
    const point = pointOnFeature({ type: 'Polygon', coordinates: largest })
    features.push({ type: 'Feature', geometry: point.geometry, properties: feature.properties })
  }
  return { type: 'FeatureCollection', features }
}

/**
 * The province as one (multi)polygon: the union of its communes. Neighbouring communes do not
 * always share vertices (the server may simplify them), so shared edges cannot simply be
 * matched; a real union is needed. It takes a second or two for a province: run it in
 * outline.worker.ts, not on the page's thread.
 */
export function dissolveCommunes (collection: FeatureCollection<MultiPolygon | Polygon>): Feature<MultiPolygon | Polygon> | null {
  const parts = collection.features.filter(f => f.geometry)
  if (parts.length === 0) return null
  const merged = parts.length === 1 ? parts[0] : union({ type: 'FeatureCollection', features: parts })
  if (!merged) return null
  // Gaps between neighbours that do not quite meet come out as slivers of holes: keep only the
  // outer ring of each part.
  const outer = ringsOf(merged.geometry).map(rings => [rings[0]])
  return { type: 'Feature', properties: {}, geometry: { type: 'MultiPolygon', coordinates: outer } }
}
