import type { Sql } from '../db/connection.ts'
import type { MultiPolygonGeometry } from '../analysis/study-area.ts'

/** Boundaries of a province's or a commune's communes, as GeoJSON geometry (public reference data). */
export async function areaPolygons (sql: Sql, area: { kind: 'province' | 'commune', code: string }): Promise<MultiPolygonGeometry[]> {
  const rows = await sql<{ geometry: string }[]>`
    select st_asgeojson(geom) as geometry from communes
    where ${area.kind === 'province' ? sql`province_code = ${area.code}` : sql`code = ${area.code}`}
    order by code`
  return rows.map(row => JSON.parse(row.geometry) as MultiPolygonGeometry)
}

/** Area of a province's or a commune's communes in km² (on the spheroid): prices a cell statistic before it runs. */
export async function areaKm2 (sql: Sql, area: { kind: 'province' | 'commune', code: string }): Promise<number> {
  const [row] = await sql<{ km2: number | null }[]>`
    select sum(st_area(geom::geography)) / 1e6 as km2 from communes
    where ${area.kind === 'province' ? sql`province_code = ${area.code}` : sql`code = ${area.code}`}`
  return row?.km2 ?? 0
}
