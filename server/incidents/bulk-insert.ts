import type { Database, Sql } from '../db/connection.ts'
import type { Category, IncidentStatus } from '../http/params.ts'
import { storedCellOf } from '../h3/cells.ts'

export interface BulkIncident {
  lon: number
  lat: number
  category: Category
  severity: number
  status: IncidentStatus
  occurred_at: Date
  reported_at: Date
  description: string
}

/** Rows per statement: large enough to amortise round trips, small enough for PGlite's memory. */
export const BULK_BATCH_SIZE = 5_000

/**
 * Inserts one batch; each row's commune comes from point-in-polygon against commune_parts.
 * Rows that fall in no loaded commune are skipped. Returns the number stored.
 * Works on both backends (plain parameters, no COPY).
 */
export async function insertIncidentBatch (sql: Sql, rows: BulkIncident[], isGenerated: boolean): Promise<number> {
  if (rows.length === 0) return 0
  const result = await sql`
    insert into incidents (province_code, commune_code, category, severity, status, occurred_at,
                           reported_at, description, geom, h3, is_generated)
    select c.province_code, c.commune_code, r.category, r.severity, r.status, r.occurred_at,
           r.reported_at, r.description, r.geom, r.h3, ${isGenerated}
    from (
      select st_setsrid(st_makepoint(lon, lat), 4326) as geom, category, severity, status,
             occurred_at, reported_at, description, h3
      from unnest(
        ${rows.map(r => r.lon)}::float8[], ${rows.map(r => r.lat)}::float8[],
        ${rows.map(r => r.category)}::text[], ${rows.map(r => r.severity)}::int2[],
        ${rows.map(r => r.status)}::text[], ${rows.map(r => r.occurred_at.toISOString())}::timestamptz[],
        ${rows.map(r => r.reported_at.toISOString())}::timestamptz[], ${rows.map(r => r.description)}::text[],
        ${rows.map(r => storedCellOf(r.lon, r.lat))}::bigint[]
      ) as u (lon, lat, category, severity, status, occurred_at, reported_at, description, h3)
    ) r
    cross join lateral (
      select p.commune_code, p.province_code from commune_parts p
      where st_intersects(p.geom, r.geom)
      limit 1
    ) c`
  return result.count
}

/**
 * Streams incidents into the database in batches, each batch its own statement (and so its own
 * rollup update). Returns how many were stored.
 */
export async function bulkInsertIncidents (
  db: Database, source: Iterable<BulkIncident>, options: { isGenerated: boolean, onProgress?: (stored: number) => void }
): Promise<number> {
  let stored = 0
  let batch: BulkIncident[] = []
  for (const row of source) {
    batch.push(row)
    if (batch.length >= BULK_BATCH_SIZE) {
      stored += await insertIncidentBatch(db.sql, batch, options.isGenerated)
      batch = []
      options.onProgress?.(stored)
    }
  }
  stored += await insertIncidentBatch(db.sql, batch, options.isGenerated)
  options.onProgress?.(stored)
  return stored
}
