import type { Database } from '../db/connection.ts'
import type { Category, IncidentStatus } from '../domain/incident-status.ts'
import { incidentRepository } from './repository.ts'

/** A generated or loaded incident: its commune is found from its point when stored. */
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
 * Streams incidents into the database in batches, each batch one createIncidents statement (and
 * so its own rollup update), with the commune found by point-in-polygon; rows that fall in no
 * loaded commune are skipped, and no history rows are written (demo and bench data). Works on
 * both backends (plain parameters, no COPY). Returns how many were stored.
 */
export async function bulkInsertIncidents (
  db: Database, source: Iterable<BulkIncident>, options: { isGenerated: boolean, onProgress?: (stored: number) => void }
): Promise<number> {
  const incidents = incidentRepository(db.sql)
  const store = async (batch: BulkIncident[]) => batch.length === 0
    ? 0
    : (await incidents.createIncidents(batch.map(row => ({ ...row, is_generated: options.isGenerated })), { reportedBy: null, locate: true })).length
  let stored = 0
  let batch: BulkIncident[] = []
  for (const row of source) {
    batch.push(row)
    if (batch.length >= BULK_BATCH_SIZE) {
      stored += await store(batch)
      batch = []
      options.onProgress?.(stored)
    }
  }
  stored += await store(batch)
  options.onProgress?.(stored)
  return stored
}
