/**
 * Pure figures of the evacuation workspace: progress per commune, the timeline chart's geometry,
 * durations, and where on the map a zone or a team sits.
 */
import type { MultiPolygon, Polygon, Position } from 'geojson'
import type { TimelinePoint, ZoneFeature } from '../api/evacuation.ts'
import { statusRank } from './evacuation-scales.ts'

/** people moved / people at risk, clamped to 0..1 (no one at risk counts as nothing to do: 0). */
export function shareOf (moved: number, atRisk: number): number {
  if (!(atRisk > 0)) return 0
  return Math.min(1, Math.max(0, moved / atRisk))
}

/** Whole per cent for a progress bar (aria-valuenow): floor, so 99.6 % is not shown as done. */
export function percentOf (share: number): number {
  return Math.floor(Math.min(1, Math.max(0, share)) * 100 + 1e-9)
}

export interface CommuneProgress {
  code: string
  name: string
  zones: number
  /** People at risk over the commune's zones. */
  population: number
  moved: number
  remaining: number
  share: number
  /** Zones where people must move or are moving. */
  active: number
}

/** Sums the zones of each commune; communes with an active evacuation first, then by name. */
export function communeProgress (zones: readonly ZoneFeature[]): CommuneProgress[] {
  const byCode = new Map<string, CommuneProgress>()
  for (const { properties: z } of zones) {
    let c = byCode.get(z.commune_code)
    if (!c) {
      c = { code: z.commune_code, name: z.commune_name, zones: 0, population: 0, moved: 0, remaining: 0, share: 0, active: 0 }
      byCode.set(z.commune_code, c)
    }
    c.zones++
    c.population += z.population
    c.moved += z.moved.people
    c.remaining += z.remaining.people
    if (z.status === 'evacuate_now' || z.status === 'evacuating') c.active++
  }
  const list = [...byCode.values()]
  for (const c of list) c.share = shareOf(c.moved, c.population)
  return list.sort((a, b) => Number(b.active > 0) - Number(a.active > 0) || a.name.localeCompare(b.name, 'vi'))
}

/** The area's totals over every zone. */
export function totalsOf (zones: readonly ZoneFeature[]): { population: number, moved: number, vulnerable: number, share: number } {
  let population = 0
  let moved = 0
  let vulnerable = 0
  for (const { properties: z } of zones) {
    population += z.population
    moved += z.moved.people
    vulnerable += z.vulnerable
  }
  return { population, moved, vulnerable, share: shareOf(moved, population) }
}

/** Zones in list order: where people must move first, then by name. */
export function sortZones (zones: readonly ZoneFeature[]): ZoneFeature[] {
  return [...zones].sort((a, b) =>
    statusRank(a.properties.status) - statusRank(b.properties.status) || a.properties.name.localeCompare(b.properties.name, 'vi'))
}

/** Days, hours and minutes of a duration in seconds (negative and unknown → undefined). */
export function durationParts (seconds: number | null | undefined): { days: number, hours: number, minutes: number } | undefined {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return undefined
  const minutesTotal = Math.floor(seconds / 60)
  return { days: Math.floor(minutesTotal / 1440), hours: Math.floor((minutesTotal % 1440) / 60), minutes: minutesTotal % 60 }
}

/** A round upper bound for a chart axis: 1, 2, 2.5 or 5 × 10^k at or above `value`. */
export function niceCeil (value: number): number {
  if (!(value > 0)) return 1
  const power = 10 ** Math.floor(Math.log10(value))
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * power >= value - 1e-9) return step * power
  }
  return 10 * power
}

export interface ChartGeometry {
  /** Upper bound of the y axis (people). */
  yMax: number
  /** Cumulative people moved: a line and the area below it (SVG path data). */
  line: string
  area: string
  /** People at risk (a step line: it changes when zones are added or estimated again). */
  risk: string
  /** The last point, for the end marker and label. */
  last: { x: number, y: number, value: number } | undefined
  /** Times of the first and last points (axis labels). */
  from: string | undefined
  to: string | undefined
}

export interface ChartBox { width: number, height: number, left: number, right: number, top: number, bottom: number }

const fmt = (n: number) => Number(n.toFixed(1)).toString()

/**
 * Geometry of the timeline chart: x by time (not by index, so uneven steps stay honest),
 * y from 0 to a round bound above both people moved and people at risk.
 */
export function chartGeometry (points: readonly TimelinePoint[], box: ChartBox): ChartGeometry {
  const empty: ChartGeometry = { yMax: 1, line: '', area: '', risk: '', last: undefined, from: undefined, to: undefined }
  if (points.length === 0) return empty
  const times = points.map(p => Date.parse(p.at))
  const t0 = times[0]
  const t1 = times[times.length - 1]
  const yMax = niceCeil(Math.max(...points.map(p => Math.max(p.people_moved, p.people_at_risk))))
  const innerW = box.width - box.left - box.right
  const innerH = box.height - box.top - box.bottom
  // A single point sits at the right edge (the latest figure), not at the left.
  const x = (t: number) => box.left + (t1 > t0 ? (t - t0) / (t1 - t0) : 1) * innerW
  const y = (v: number) => box.top + innerH - (Math.max(0, v) / yMax) * innerH
  const xy = points.map((p, i) => [x(times[i]), y(p.people_moved)] as const)
  const line = xy.map(([px, py], i) => `${i === 0 ? 'M' : 'L'}${fmt(px)},${fmt(py)}`).join('')
  const base = fmt(box.top + innerH)
  const area = `${line}L${fmt(xy[xy.length - 1][0])},${base}L${fmt(xy[0][0])},${base}Z`
  let risk = ''
  points.forEach((p, i) => {
    const px = fmt(x(times[i]))
    const py = fmt(y(p.people_at_risk))
    risk += i === 0 ? `M${px},${py}` : `H${px}V${py}`
  })
  const lastPoint = points[points.length - 1]
  return {
    yMax, line, area, risk,
    last: { x: xy[xy.length - 1][0], y: xy[xy.length - 1][1], value: lastPoint.people_moved },
    from: points[0].at,
    to: lastPoint.at
  }
}

/** Ray casting on one ring (closed or not). */
function inRing (lon: number, lat: number, ring: readonly Position[]): boolean {
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]
    const [xj, yj] = ring[j]
    if ((yi > lat) !== (yj > lat) && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}

/** Whether a point is inside a polygon or multipolygon (holes excluded). */
export function containsPoint (geometry: Polygon | MultiPolygon, [lon, lat]: readonly [number, number]): boolean {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates
  return polygons.some(rings => rings.length > 0 && inRing(lon, lat, rings[0]) && !rings.slice(1).some(hole => inRing(lon, lat, hole)))
}

/** The zone under a map click; with nested zones, the smallest (the one drawn on top). */
export function zoneAt (zones: readonly ZoneFeature[], lonLat: readonly [number, number]): ZoneFeature | undefined {
  let best: ZoneFeature | undefined
  let bestArea = Infinity
  for (const zone of zones) {
    if (!zone.geometry || !containsPoint(zone.geometry, lonLat)) continue
    const area = Math.abs(polygonArea(zone.geometry))
    if (area < bestArea) {
      best = zone
      bestArea = area
    }
  }
  return best
}

function ringArea (ring: readonly Position[]): number {
  let sum = 0
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) sum += ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1]
  return sum / 2
}

/** Planar area in square degrees (only to compare zones with each other). */
export function polygonArea (geometry: Polygon | MultiPolygon): number {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates
  return polygons.reduce((sum, rings) => sum + Math.abs(ringArea(rings[0] ?? [])) -
    rings.slice(1).reduce((h, ring) => h + Math.abs(ringArea(ring)), 0), 0)
}

/**
 * Where a zone's markers go: the centroid of its largest outer ring (the vertex mean when the
 * ring is degenerate).
 */
export function zoneAnchor (geometry: Polygon | MultiPolygon): [number, number] {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates
  let ring: readonly Position[] = []
  let largest = -1
  for (const rings of polygons) {
    const a = Math.abs(ringArea(rings[0] ?? []))
    if (a > largest) {
      largest = a
      ring = rings[0] ?? []
    }
  }
  const a = ringArea(ring)
  if (ring.length === 0) return [0, 0]
  if (Math.abs(a) < 1e-14) {
    const n = ring.length
    return [ring.reduce((s, p) => s + p[0], 0) / n, ring.reduce((s, p) => s + p[1], 0) / n]
  }
  // Relative to the first vertex: products of ~106° coordinates would lose the last digits.
  const [ox, oy] = ring[0]
  let cx = 0
  let cy = 0
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const xj = ring[j][0] - ox
    const yj = ring[j][1] - oy
    const xi = ring[i][0] - ox
    const yi = ring[i][1] - oy
    const f = xj * yi - xi * yj
    cx += (xj + xi) * f
    cy += (yj + yi) * f
  }
  return [ox + cx / (6 * a), oy + cy / (6 * a)]
}

/**
 * Team markers around their zone's anchor, spread on a small circle so that two teams of one
 * zone do not hide each other (about 120 m at Vietnam's latitudes).
 */
export const TEAM_SPREAD_DEG = 0.0011

export function teamPositions (anchor: readonly [number, number], count: number): [number, number][] {
  if (count <= 1) return count === 1 ? [[anchor[0], anchor[1]]] : []
  return Array.from({ length: count }, (_, i) => {
    const angle = (2 * Math.PI * i) / count - Math.PI / 2
    return [anchor[0] + TEAM_SPREAD_DEG * Math.cos(angle), anchor[1] + TEAM_SPREAD_DEG * Math.sin(angle)] as [number, number]
  })
}

/** Metres as "850 m" or "1,2 km" (the caller's number formatter gives the decimal mark). */
export function distanceParts (metres: number): { value: number, unit: 'm' | 'km' } {
  if (metres < 1000) return { value: Math.round(metres / 10) * 10, unit: 'm' }
  return { value: Math.round(metres / 100) / 10, unit: 'km' }
}
