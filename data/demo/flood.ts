// Deterministic generator of a synthetic flood evacuation for the demo province: evacuation zones
// along the Natural Earth rivers that cross the province, buffered and clipped to its communes, or,
// where no Natural Earth river crosses it (Hải Phòng), a storm-surge strip along the Natural Earth
// coastline; shelters at commune centres; and one generated flood event with an evacuation in
// progress. Pure module: no database, no clock, no Math.random — the same input gives the same output.
// Everything is labelled as generated; no river or place is invented.
import { booleanPointInPolygon, pointOnFeature } from '@turf/turf'
import type { FeatureCollection, LineString, MultiLineString, MultiPolygon, Polygon, Position } from 'geojson'
import { Rng } from './random.ts'
import { GENERATED_LABEL, type DemoCommune } from './generate.ts'
import { containsPoint, prepareCommune, round6, uniformPoint } from './geometry.ts'
import { estimateAtRisk, type AtRisk } from '../../server/evacuation/estimate.ts'

/** Half-width of a flood zone along a river: the floodplain next to the channel. */
export const RIVER_BUFFER_M = 800
/** Depth of the storm-surge strip inland from the coastline (Yagi 2024's surge reached about 1 km inland in low districts). */
export const COASTAL_STRIP_M = 1500
/** Zones smaller than this are slivers of the buffer at a commune's edge, not places people live. */
export const MIN_ZONE_M2 = 100_000
/** At most this many zones, so the embedded demo starts quickly. */
export const MAX_ZONES = 40
/** Share of the zones caught by the generated flood event (ordered to evacuate or further). */
const EVENT_SHARE = 1 / 3
/** How far around the province the line sources are read. */
const BBOX_MARGIN_DEG = 0.05

export const FLOOD_EVENT_NAME = `Đợt nước dâng do bão (mô phỏng theo kiểu bão Yagi 2024) ${GENERATED_LABEL}`

export type ZoneStatus = 'normal' | 'watch' | 'warning' | 'evacuate_now' | 'evacuating' | 'evacuated' | 'all_clear'
/** The lines the zones follow, to be buffered and clipped to the communes (by PostGIS in the loader). */
export interface FloodLines {
  source: 'river' | 'coast'
  lines: Position[][]
  /** Buffer half-width in metres. */
  bufferM: number
  riverNames: string[]
}
/** A commune's part of the buffered band: the zone polygon, clipped to the commune. */
export interface FloodPiece { commune: DemoCommune; geometry: Polygon | MultiPolygon; areaM2: number; communeAreaM2: number }
export interface FloodInput {
  pieces: FloodPiece[]
  source: 'river' | 'coast'
  riverNames: string[]
  /** The province's teams (ids as stored), in a stable order. */
  teams: { id: string, commune_code: string }[]
  seed: number
  /** The instant the event is "now": every generated time lies before it. */
  now: Date
}
export interface GeneratedZone {
  commune_code: string; province_code: string; name: string; risk_level: 1 | 2 | 3
  geometry: MultiPolygon; figures: AtRisk; status: ZoneStatus
  /** Status changes, oldest first (the first is the zone's creation as normal). */
  history: { at: Date, from: ZoneStatus | null, to: ZoneStatus, note: string }[]
  evacuate_ordered_at: Date | null
  team_ids: string[]
}
export interface GeneratedShelter { commune_code: string; province_code: string; name: string; lon: number; lat: number; capacity: number; occupancy: number; is_open: boolean }
export interface GeneratedReport {
  zone: number; team_id: string | null; shelter: number | null
  households: number; people: number; elderly: number; disabled: number; children: number; reported_at: Date
}
export interface GeneratedRescue { zone: number; lon: number; lat: number; people: number; urgency: 'low' | 'high' | 'critical'; occurred_at: Date; description: string }
export interface FloodDemo {
  /** Which lines the zones follow: Natural Earth rivers, or the coastline where no river crosses the province. */
  source: 'river' | 'coast'
  zones: GeneratedZone[]
  shelters: GeneratedShelter[]
  reports: GeneratedReport[]
  rescues: GeneratedRescue[]
}

type BBox = [number, number, number, number]
const MINUTE = 60_000
const HOUR = 60 * MINUTE

function provinceBBox (communes: DemoCommune[]): BBox {
  const bb: BBox = [Infinity, Infinity, -Infinity, -Infinity]
  for (const c of communes) {
    const b = prepareCommune(c.geometry).bbox
    bb[0] = Math.min(bb[0], b[0]); bb[1] = Math.min(bb[1], b[1]); bb[2] = Math.max(bb[2], b[2]); bb[3] = Math.max(bb[3], b[3])
  }
  return [bb[0] - BBOX_MARGIN_DEG, bb[1] - BBOX_MARGIN_DEG, bb[2] + BBOX_MARGIN_DEG, bb[3] + BBOX_MARGIN_DEG]
}

const inside = (p: Position, bb: BBox) => p[0] >= bb[0] && p[0] <= bb[2] && p[1] >= bb[1] && p[1] <= bb[3]

/** The runs of consecutive vertices of the lines that lie inside the box, as lines of ≥ 2 points. */
export function runsInside (lines: Position[][], bb: BBox): Position[][] {
  const runs: Position[][] = []
  for (const line of lines) {
    let run: Position[] = []
    for (const p of line) {
      if (inside(p, bb)) run.push(p)
      else { if (run.length >= 2) runs.push(run); run = [] }
    }
    if (run.length >= 2) runs.push(run)
  }
  return runs
}

function riverLines (rivers: FeatureCollection<LineString | MultiLineString>): { name: string, line: Position[] }[] {
  return rivers.features.flatMap(f => {
    const name = String(f.properties?.name ?? '')
    const lines = f.geometry.type === 'LineString' ? [f.geometry.coordinates] : f.geometry.coordinates
    return lines.map(line => ({ name, line }))
  })
}

function coastLines (land: FeatureCollection<Polygon | MultiPolygon>): Position[][] {
  return land.features.flatMap(f => (f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates).flat())
}

function asMulti (g: Polygon | MultiPolygon): MultiPolygon {
  const round = (rings: Position[][]) => rings.map(ring => ring.map(p => [round6(p[0]), round6(p[1])]))
  return { type: 'MultiPolygon', coordinates: g.type === 'Polygon' ? [round(g.coordinates)] : g.coordinates.map(round) }
}

/** A point inside the polygon, uniform by rejection in its box (pointOnFeature if that fails). */
function pointIn (g: MultiPolygon, rng: Rng): [number, number] {
  const xs = g.coordinates.flat(2).map(p => p[0]); const ys = g.coordinates.flat(2).map(p => p[1])
  const bb = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)]
  for (let i = 0; i < 200; i++) {
    const p: [number, number] = [round6(rng.range(bb[0]!, bb[2]!)), round6(rng.range(bb[1]!, bb[3]!))]
    if (booleanPointInPolygon(p, g)) return p
  }
  const p = pointOnFeature(g).geometry.coordinates
  return [round6(p[0]!), round6(p[1]!)]
}

/** Splits a total into n cumulative-rounded parts (they add up to the total exactly). */
function split (total: number, n: number): number[] {
  const parts: number[] = []
  for (let j = 1; j <= n; j++) parts.push(Math.round(total * j / n) - Math.round(total * (j - 1) / n))
  return parts
}

/** Does the line pass through a commune? Its vertices and points every ~100 m along it are tested. */
function crossesCommunes (line: Position[], communes: DemoCommune[]): boolean {
  const prepared = communes.map(c => prepareCommune(c.geometry))
  const hit = (x: number, y: number) => prepared.some(pc => x >= pc.bbox[0] && x <= pc.bbox[2] && y >= pc.bbox[1] && y <= pc.bbox[3] && containsPoint(pc, x, y))
  for (let k = 0; k + 1 < line.length; k++) {
    const [ax, ay] = line[k] as [number, number]; const [bx, by] = line[k + 1] as [number, number]
    const n = Math.max(1, Math.ceil(Math.hypot(bx - ax, by - ay) / 0.001))
    for (let s = 0; s <= n; s++) if (hit(ax + (bx - ax) * s / n, ay + (by - ay) * s / n)) return true
  }
  return false
}

/**
 * The lines of the province's flood zones: the Natural Earth rivers that pass through a commune
 * of the province, else (no river crosses it, as for Hải Phòng) the Natural Earth coastline near
 * the province, for a storm-surge strip.
 */
export function floodLines (communes: DemoCommune[], rivers: FeatureCollection<LineString | MultiLineString>, land: FeatureCollection<Polygon | MultiPolygon>): FloodLines {
  const bb = provinceBBox(communes)
  const crossing = riverLines(rivers)
    .flatMap(r => runsInside([r.line], bb).map(line => ({ name: r.name, line })))
    .filter(r => crossesCommunes(r.line, communes))
  if (crossing.length > 0) {
    return { source: 'river', lines: crossing.map(r => r.line), bufferM: RIVER_BUFFER_M, riverNames: [...new Set(crossing.map(r => r.name).filter(Boolean))].sort() }
  }
  return { source: 'coast', lines: runsInside(coastLines(land), bb), bufferM: COASTAL_STRIP_M, riverNames: [] }
}

export function generateFlood (input: FloodInput): FloodDemo {
  const rng = new Rng(`flood|${input.seed}|${input.pieces[0]?.commune.province_code ?? ''}`)
  const now = Math.floor(input.now.getTime() / MINUTE) * MINUTE
  const source = input.source
  const riverNames = input.riverNames

  // 1. One zone per commune (the pieces), the largest MAX_ZONES, slivers left out.
  const candidates = input.pieces.filter(p => p.areaM2 >= MIN_ZONE_M2)
    .map(p => ({ ...p, geometry: asMulti(p.geometry) }))
  const chosen = [...candidates].sort((a, b) => b.areaM2 - a.areaM2 || a.commune.code.localeCompare(b.commune.code)).slice(0, MAX_ZONES)
    .sort((a, b) => a.commune.code.localeCompare(b.commune.code))

  // 2. Zones, their figures (area-share estimate) and risk level (share of the commune under water).
  const teamsOf = (code: string) => input.teams.filter(t => t.commune_code === code).map(t => t.id)
  const zones: GeneratedZone[] = chosen.map(c => {
    const share = c.areaM2 / c.communeAreaM2
    const what = source === 'river'
      ? `Vùng ven sông${riverNames.length ? ` (${riverNames.join(', ')})` : ''}`
      : 'Dải ven biển nguy cơ nước dâng do bão'
    return {
      commune_code: c.commune.code, province_code: c.commune.province_code,
      name: `${what} – ${c.commune.name} ${GENERATED_LABEL}`,
      risk_level: share > 0.3 ? 3 : share > 0.1 ? 2 : 1,
      geometry: c.geometry,
      figures: estimateAtRisk({ communePopulation: c.commune.population, zoneAreaM2: c.areaM2, communeAreaM2: c.communeAreaM2 }, {}).figures,
      status: 'normal', history: [{ at: new Date(now - 30 * 24 * HOUR), from: null, to: 'normal', note: `tạo vùng ${GENERATED_LABEL}` }],
      evacuate_ordered_at: null, team_ids: []
    }
  })

  // 3. Shelters at commune centres: a cultural house, and a school in the larger communes.
  const shelters: GeneratedShelter[] = []
  const sheltersOf = new Map<string, number[]>()
  for (const z of zones) {
    const commune = chosen.find(c => c.commune.code === z.commune_code)!.commune
    const prepared = prepareCommune(commune.geometry)
    const list: number[] = []
    list.push(shelters.push({
      commune_code: commune.code, province_code: commune.province_code, name: `Nhà văn hoá ${commune.name} ${GENERATED_LABEL}`,
      lon: round6(prepared.centre[0]), lat: round6(prepared.centre[1]), capacity: 50 * rng.int(3, 8), occupancy: 0, is_open: false
    }) - 1)
    if (commune.population >= 8000) {
      const [lon, lat] = uniformPoint(prepared, rng)
      list.push(shelters.push({
        commune_code: commune.code, province_code: commune.province_code, name: `Trường THCS ${commune.name} ${GENERATED_LABEL}`,
        lon: round6(lon), lat: round6(lat), capacity: 100 * rng.int(3, 8), occupancy: 0, is_open: false
      }) - 1)
    }
    sheltersOf.set(commune.code, list)
  }

  // 4. The flood event: the riskiest third of the zones is ordered out, a few hours ago.
  const byRisk = zones.map((z, i) => i).sort((a, b) => zones[b]!.risk_level - zones[a]!.risk_level || a - b)
  const eventCount = Math.max(1, Math.round(zones.length * EVENT_SHARE))
  const eventStatuses: ZoneStatus[] = ['evacuating', 'evacuated', 'evacuating', 'evacuate_now', 'evacuating', 'evacuated']
  const reports: GeneratedReport[] = []
  const rescues: GeneratedRescue[] = []
  byRisk.forEach((zi, rank) => {
    const z = zones[zi]!
    if (rank >= eventCount) {
      // The rest of the coast or river is warned or watched.
      const status: ZoneStatus = rng.chance(0.5) ? 'warning' : 'watch'
      const at = new Date(now - rng.int(6 * 60, 10 * 60) * MINUTE)
      if (status === 'warning') z.history.push({ at: new Date(at.getTime() - HOUR), from: 'normal', to: 'watch', note: 'cảnh báo bão' }, { at, from: 'watch', to: 'warning', note: 'cảnh báo nước dâng' })
      else z.history.push({ at, from: 'normal', to: 'watch', note: 'cảnh báo bão' })
      z.status = status
      return
    }
    const status = eventStatuses[rank % eventStatuses.length]!
    const ordered = now - rng.int(4 * 60, 8 * 60) * MINUTE
    z.history.push(
      { at: new Date(ordered - 3 * HOUR), from: 'normal', to: 'watch', note: 'cảnh báo bão' },
      { at: new Date(ordered - 2 * HOUR), from: 'watch', to: 'warning', note: 'cảnh báo nước dâng' },
      { at: new Date(ordered), from: 'warning', to: 'evacuate_now', note: `lệnh sơ tán – ${FLOOD_EVENT_NAME}` })
    z.evacuate_ordered_at = new Date(ordered)
    z.team_ids = teamsOf(z.commune_code).slice(0, 2)
    z.status = status
    const communeShelters = sheltersOf.get(z.commune_code) ?? []
    for (const s of communeShelters) shelters[s]!.is_open = true
    if (status === 'evacuate_now') return

    // Reports between 20 minutes after the order and 10 minutes ago, by the zone's teams.
    const fraction = status === 'evacuated' ? 1 : rng.range(0.3, 0.8)
    const n = rng.int(2, 5)
    const start = ordered + 20 * MINUTE
    const end = now - 10 * MINUTE
    // First the commune's open shelters are filled to 60–95 % of capacity (where people suffice),
    // then the rest of the moved people (to relatives, higher ground) come in n reports without a shelter.
    const targetPeople = Math.floor(z.figures.population * fraction)
    const loads: { people: number, shelter: number | null }[] = []
    let left = targetPeople
    for (const s of communeShelters) {
      const people = Math.min(left, Math.floor(shelters[s]!.capacity * rng.range(0.6, 0.95)))
      if (people <= 0) continue
      loads.push({ people, shelter: s })
      shelters[s]!.occupancy += people
      left -= people
    }
    for (const people of split(left, n)) if (people > 0) loads.push({ people, shelter: null })
    // Households and groups follow each report's share of the people, by cumulative rounding, so
    // their totals are those of the moved share exactly (the fraction of the zone's figures).
    const cumulative = (total: number) => {
      let before = 0; let done = 0
      return loads.map(l => { done += l.people; const upTo = targetPeople > 0 ? Math.round(total * done / targetPeople) : 0; const part = upTo - before; before = upTo; return part })
    }
    const parts = Object.fromEntries((['households', 'elderly', 'disabled', 'children'] as const)
      .map(f => [f, cumulative(Math.floor(z.figures[f] * fraction))])) as Record<'households' | 'elderly' | 'disabled' | 'children', number[]>
    loads.forEach((load, j) => {
      reports.push({
        zone: zi, team_id: z.team_ids.length ? z.team_ids[j % z.team_ids.length]! : null, shelter: load.shelter,
        households: Math.min(parts.households[j]!, load.people), people: load.people,
        elderly: Math.min(parts.elderly[j]!, load.people), disabled: Math.min(parts.disabled[j]!, load.people), children: Math.min(parts.children[j]!, load.people),
        reported_at: new Date(Math.round(start + (end - start) * (j + 1) / (loads.length + 1)))
      })
    })
    const firstReport = new Date(Math.round(start + (end - start) / (loads.length + 1)))
    z.history.push({ at: firstReport, from: 'evacuate_now', to: 'evacuating', note: 'first progress report' })
    if (status === 'evacuated') z.history.push({ at: new Date(end), from: 'evacuating', to: 'evacuated', note: 'đã sơ tán hết' })
    if (status === 'evacuating') {
      // People still calling for rescue from the zone.
      for (let k = rng.int(1, 2); k > 0; k--) {
        const [lon, lat] = pointIn(z.geometry, rng)
        const people = rng.int(1, 8)
        const urgency = rng.pick(['low', 'high', 'critical'] as const)
        rescues.push({
          zone: zi, lon, lat, people, urgency, occurred_at: new Date(now - rng.int(10, 180) * MINUTE),
          description: `${GENERATED_LABEL} Yêu cầu cứu hộ: ${people} người mắc kẹt do nước dâng`
        })
      }
    }
  })
  return { source, zones, shelters, reports, rescues }
}
