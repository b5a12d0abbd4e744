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
