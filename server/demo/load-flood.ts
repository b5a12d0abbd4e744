import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { FeatureCollection, LineString, MultiLineString, MultiPolygon, Polygon } from 'geojson'
import type { Database, Sql } from '../db/connection.ts'
import { loadRivers } from '../../data/demo/load-geo.ts'
import { floodLines, generateFlood, type FloodDemo, type FloodPiece } from '../../data/demo/flood.ts'
import { geographyRepository } from '../communes/repository.ts'
import { evacuationRepository, type ZonePlace } from '../evacuation/repository.ts'
import { incidentRepository } from '../incidents/repository.ts'
import { RESCUE_SEVERITY } from '../domain/rescue-urgency.ts'
import { readDemoCommunes } from './demo-communes.ts'

export const LAND_FILE = 'naturalearth/ne_10m_land_vn_region.geojson'
/** Who the generated history and reports name. */
const DEMO_USERNAME = 'demo'

/** Natural Earth land polygons of the region (read-only shared geodata). */
export function loadLand (geoDir: string): FeatureCollection<Polygon | MultiPolygon> {
  return JSON.parse(readFileSync(resolve(geoDir, LAND_FILE), 'utf8')) as FeatureCollection<Polygon | MultiPolygon>
}

export interface FloodDemoResult { source: FloodDemo['source'], zones: number, shelters: number, reports: number, rescues: number }

/**
 * Replaces the province's generated evacuation data (zones, shelters, progress, rescue requests)
 * with a fresh deterministic flood event (data/demo/flood.ts). Runs after the demo teams exist.
 */
export async function loadFloodDemo (db: Database, options: {
  provinceCode: string, seed: number, geoDir: string, now?: Date,
  /** Line sources instead of the Natural Earth files (tests). */
  sources?: { rivers: FeatureCollection<LineString | MultiLineString>, land: FeatureCollection<Polygon | MultiPolygon> }
}): Promise<FloodDemoResult> {
  const communes = await readDemoCommunes(db.sql, options.provinceCode)
  const teams = await evacuationRepository(db.sql).teamsOfProvince(options.provinceCode)
  const sources = options.sources ?? { rivers: loadRivers(options.geoDir), land: loadLand(options.geoDir) }
  const lines = floodLines(communes, sources.rivers, sources.land)
  const pieceRows = await geographyRepository(db.sql).communePiecesNear(options.provinceCode, lines.lines, lines.bufferM)
  const byCode = new Map(communes.map(c => [c.code, c]))
  const pieces: FloodPiece[] = pieceRows.map(r => ({ commune: byCode.get(r.code)!, geometry: JSON.parse(r.geometry), areaM2: r.area_m2, communeAreaM2: r.commune_area_m2 }))
  const flood = generateFlood({
    pieces, source: lines.source, riverNames: lines.riverNames, teams: [...teams], seed: options.seed, now: options.now ?? new Date()
  })

  await db.sql.begin(async tx => {
    const repository = evacuationRepository(tx as unknown as Sql)
    await repository.deleteGenerated(options.provinceCode)
    const shelterIds: string[] = []
    for (const s of flood.shelters) {
      const row = await repository.insertShelter({ ...s, over_capacity_reason: null, is_generated: true })
      shelterIds.push(row.id)
    }
    const zones: ZonePlace[] = []
    for (const z of flood.zones) {
      const id = await repository.insertGeneratedZone({
        province_code: z.province_code, commune_code: z.commune_code, name: z.name, risk_level: z.risk_level, status: z.status,
        ...z.figures, estimated_fields: ['households', 'population', 'elderly', 'disabled', 'children'],
        status_changed_at: z.history[z.history.length - 1]!.at, evacuate_ordered_at: z.evacuate_ordered_at,
        round: z.evacuate_ordered_at ? 1 : 0, created_at: z.history[0]!.at, geometry: z.geometry
      })
      const zone = { id, province_code: z.province_code, commune_code: z.commune_code }
      zones.push(zone)
      await repository.insertZoneHistory(zone, DEMO_USERNAME, z.history)
      await repository.insertZoneTeams(zone, z.team_ids, z.evacuate_ordered_at ?? z.history[0]!.at)
    }
    await repository.insertGeneratedProgress(flood.reports.map(r => ({
      ...r, zone: zones[r.zone]!, shelter_id: r.shelter === null ? null : shelterIds[r.shelter]!, username: DEMO_USERNAME
    })))
    await insertGeneratedRescues(tx as unknown as Sql, flood.rescues.map(r => ({ ...r, zone: zones[r.zone]! })))
  })
  return { source: flood.source, zones: flood.zones.length, shelters: flood.shelters.length, reports: flood.reports.length, rescues: flood.rescues.length }
}

/** The generated calls for rescue: each a generated `rescue` incident and its request row. */
async function insertGeneratedRescues (tx: Sql, rescues: (Omit<FloodDemo['rescues'][number], 'zone'> & { zone: ZonePlace })[]) {
  const incidents = incidentRepository(tx)
  const repository = evacuationRepository(tx)
  for (const r of rescues) {
    const incident = await incidents.insert({
      lon: r.lon, lat: r.lat, category: 'rescue', severity: RESCUE_SEVERITY[r.urgency], occurred_at: r.occurred_at,
      reported_at: r.occurred_at, description: r.description, is_generated: true
    }, r.zone)
    await repository.insertRescueRequest({ incident_id: String(incident.id), zone: r.zone, people: r.people, urgency: r.urgency, created_at: r.occurred_at })
  }
}
