import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { FeatureCollection, LineString, MultiLineString, MultiPolygon, Polygon } from 'geojson'
import type { Database } from '../db/connection.ts'
import { loadRivers } from '../../data/demo/load-geo.ts'
import { floodLines, generateFlood, type FloodDemo, type FloodPiece } from '../../data/demo/flood.ts'
import type { DemoCommune } from '../../data/demo/generate.ts'
import { incidentRepository } from '../incidents/repository.ts'
import { RESCUE_SEVERITY } from './routes.ts'

export const LAND_FILE = 'naturalearth/ne_10m_land_vn_region.geojson'

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
  const rows = await db.sql<{ code: string, province_code: string, name: string, population: number | null, area_km2: number, geometry: string }[]>`
    select code, province_code, name, population, area_km2, st_asgeojson(geom) as geometry
    from communes where province_code = ${options.provinceCode} order by code`
  const known = rows.filter(r => r.population !== null)
  const density = known.reduce((s, r) => s + r.population!, 0) / Math.max(1, known.reduce((s, r) => s + r.area_km2, 0))
  const communes: DemoCommune[] = rows.map(r => ({
    code: r.code, province_code: r.province_code, name: r.name,
    population: r.population ?? Math.round(r.area_km2 * density), geometry: JSON.parse(r.geometry)
  }))
  const teams = await db.sql<{ id: string, commune_code: string }[]>`
    select id::text as id, commune_code from teams where province_code = ${options.provinceCode} order by id`
  const sources = options.sources ?? { rivers: loadRivers(options.geoDir), land: loadLand(options.geoDir) }
  const lines = floodLines(communes, sources.rivers, sources.land)
  // Buffer and clip in PostGIS (GEOS is far faster than turf on full-detail commune boundaries).
  const pieceRows = lines.lines.length === 0 ? [] : await db.sql<{ code: string, geometry: string, area_m2: number, commune_area_m2: number }[]>`
    with band as (
      select st_buffer(st_setsrid(st_geomfromgeojson(${JSON.stringify({ type: 'MultiLineString', coordinates: lines.lines })}), 4326)::geography, ${lines.bufferM})::geometry as g
    ), piece as (
      select c.code, c.geom as commune, st_multi(st_collectionextract(st_intersection(c.geom, band.g), 3)) as g
      from communes c, band where c.province_code = ${options.provinceCode} and st_intersects(c.geom, band.g)
    )
    select code, st_asgeojson(g, 6) as geometry, st_area(g::geography) as area_m2, st_area(commune::geography) as commune_area_m2
    from piece where not st_isempty(g) order by code`
  const byCode = new Map(communes.map(c => [c.code, c]))
  const pieces: FloodPiece[] = pieceRows.map(r => ({ commune: byCode.get(r.code)!, geometry: JSON.parse(r.geometry), areaM2: r.area_m2, communeAreaM2: r.commune_area_m2 }))
  const flood = generateFlood({
    pieces, source: lines.source, riverNames: lines.riverNames, teams: [...teams], seed: options.seed, now: options.now ?? new Date()
  })

  await db.sql.begin(async tx => {
    await tx`
      delete from incidents where id in (
        select r.incident_id from rescue_requests r join evacuation_zones z on z.id = r.zone_id
        where z.province_code = ${options.provinceCode} and z.is_generated)`
    await tx`delete from evacuation_zones where province_code = ${options.provinceCode} and is_generated`
    await tx`delete from shelters where province_code = ${options.provinceCode} and is_generated`

    const shelterIds: string[] = []
    for (const s of flood.shelters) {
      const [row] = await tx<{ id: string }[]>`
        insert into shelters (province_code, commune_code, name, capacity, occupancy, is_open, geom, is_generated)
        values (${s.province_code}, ${s.commune_code}, ${s.name}, ${s.capacity}, ${s.occupancy}, ${s.is_open},
                st_setsrid(st_makepoint(${s.lon}, ${s.lat}), 4326), true)
        returning id::text as id`
      shelterIds.push(row!.id)
    }
    const zoneIds: string[] = []
    for (const z of flood.zones) {
      const last = z.history[z.history.length - 1]!
      const [row] = await tx<{ id: string }[]>`
        insert into evacuation_zones (province_code, commune_code, name, risk_level, status, households, population, elderly, disabled, children,
                                      estimated_fields, status_changed_at, evacuate_ordered_at, round, created_at, geom, is_generated)
        values (${z.province_code}, ${z.commune_code}, ${z.name}, ${z.risk_level}, ${z.status}, ${z.figures.households}, ${z.figures.population},
                ${z.figures.elderly}, ${z.figures.disabled}, ${z.figures.children},
                ${['households', 'population', 'elderly', 'disabled', 'children']}::text[], ${last.at}, ${z.evacuate_ordered_at},
                ${z.evacuate_ordered_at ? 1 : 0}, ${z.history[0]!.at},
                (select st_multi(st_collectionextract(st_intersection(st_makevalid(st_setsrid(st_geomfromgeojson(${JSON.stringify(z.geometry)}), 4326)), c.geom), 3))
                   from communes c where c.code = ${z.commune_code}), true)
        returning id::text as id`
      const id = row!.id
      zoneIds.push(id)
      for (const h of z.history) {
        await tx`
          insert into evacuation_zone_events (zone_id, province_code, commune_code, at, username, from_status, to_status, note)
          values (${id}, ${z.province_code}, ${z.commune_code}, ${h.at}, 'demo', ${h.from}, ${h.to}, ${h.note})`
      }
      for (const team of z.team_ids) {
        await tx`
          insert into evacuation_zone_teams (zone_id, team_id, province_code, commune_code, assigned_at)
          values (${id}, ${team}, ${z.province_code}, ${z.commune_code}, ${z.evacuate_ordered_at ?? z.history[0]!.at})`
      }
    }
    for (const r of flood.reports) {
      const z = flood.zones[r.zone]!
      await tx`
        insert into evacuation_progress (zone_id, province_code, commune_code, round, team_id, shelter_id, households, people,
                                         elderly, disabled, children, reported_at, username, is_generated)
        values (${zoneIds[r.zone]!}, ${z.province_code}, ${z.commune_code}, 1, ${r.team_id}, ${r.shelter === null ? null : shelterIds[r.shelter]!},
                ${r.households}, ${r.people}, ${r.elderly}, ${r.disabled}, ${r.children}, ${r.reported_at}, 'demo', true)`
    }
    const incidents = incidentRepository(tx as never)
    for (const r of flood.rescues) {
      const z = flood.zones[r.zone]!
      const incident = await incidents.insert({
        lon: r.lon, lat: r.lat, category: 'rescue', severity: RESCUE_SEVERITY[r.urgency], occurred_at: r.occurred_at,
        reported_at: r.occurred_at, description: r.description, is_generated: true
      }, z)
      await tx`
        insert into rescue_requests (incident_id, zone_id, province_code, commune_code, people, urgency, created_at)
        values (${String(incident.id)}, ${zoneIds[r.zone]!}, ${z.province_code}, ${z.commune_code}, ${r.people}, ${r.urgency}, ${r.occurred_at})`
    }
  })
  return { source: flood.source, zones: flood.zones.length, shelters: flood.shelters.length, reports: flood.reports.length, rescues: flood.rescues.length }
}
