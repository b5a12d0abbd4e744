import type { Sql } from '../db/connection.ts'
import type { TravelMode } from '../domain/travel-modes.ts'
import type { Fix } from '../domain/fix.ts'
import type { CellDwell } from '../h3/track-dwell.ts'
import { coverageRepository } from '../coverage/repository.ts'
import { cleanTrack, type CleaningOptions } from './clean-track.ts'
import { binInCommune, inferMode, trackFingerprint, trackLengthMeters } from './ingest.ts'
import { patrolRepository, type EndedPatrol, type TeamPlace } from './repository.ts'

export interface BulkPatrol {
  team: TeamPlace
  mode: TravelMode | null
  /** Raw fixes as recorded (they are cleaned here, like an upload). */
  segments: Fix[][]
}

export interface BulkResult { patrols: number, fixes: number, cells: number }

/** Patrols per statement: a few hundred tracks and their cells keep each statement well under PGlite's limits. */
export const PATROL_BATCH_SIZE = 200

/**
 * Stores many patrols at once (the demo loader, migrations of old data): the same cleaning, commune
 * check and dwell binning as the upload path (binInCommune; a track with no fix in its commune is
 * skipped), then one insert for the patrols and one for their cells per batch, and the coverage
 * rollup rebuilt once for the teams touched, all in one transaction. Raw fixes are not kept as
 * uploads (generated tracks are re-made from their seed). Returns counts.
 */
export async function bulkInsertPatrols (sql: Sql, patrols: Iterable<BulkPatrol>, options: { isGenerated: boolean, cleaning?: Partial<CleaningOptions> }): Promise<BulkResult> {
  // One transaction (the caller's, or one of its own): the coverage locks are held to its end.
  if (!('savepoint' in sql)) return sql.begin(tx => bulkInsertPatrols(tx as unknown as Sql, patrols, options)) as Promise<BulkResult>
  const repository = patrolRepository(sql)
  let stored = 0; let fixes = 0; let cells = 0
  const teams = new Set<string>()
  let batch: BulkPatrol[] = []
  const flush = async () => {
    if (batch.length === 0) return
    const cleaned = batch.map(p => ({ p, ...cleanTrack(p.segments, options.cleaning) })).filter(x => x.report.kept >= 2)
    batch = []
    const places = await repository.place(cleaned.flatMap(x => x.segments.flat().map(f => ({ commune: x.p.team.commune_code, lon: f.lon, lat: f.lat }))))
    let offset = 0
    const prepared: (EndedPatrol & { cells: CellDwell[] })[] = cleaned.flatMap(x => {
      const start = offset
      offset += x.report.kept
      const binned = binInCommune(x, places.subarray(start, offset))
      if (!binned) return []
      return [{
        team: x.p.team, mode: x.p.mode ?? inferMode(x.segments), fingerprint: trackFingerprint(x.p.team.id, x.p.segments),
        segments: x.segments, report: binned.report, distanceMeters: trackLengthMeters(x.segments), cells: binned.cells
      }]
    })
    if (prepared.length === 0) return
    const idOf = await repository.insertEnded(prepared, options.isGenerated)
    const rows = prepared.flatMap(x => {
      const id = idOf.get(x.fingerprint)
      if (!id) return []
      teams.add(x.team.id)
      stored++
      fixes += x.report.kept
      const patrol = { id, province_code: x.team.province_code, commune_code: x.team.commune_code }
      return x.cells.map(cell => ({ patrol, cell }))
    })
    cells += rows.length
    await repository.insertCells(rows)
  }
  for (const patrol of patrols) {
    batch.push(patrol)
    if (batch.length >= PATROL_BATCH_SIZE) await flush()
  }
  await flush()
  await coverageRepository(sql).refresh({ teamIds: [...teams] })
  return { patrols: stored, fixes, cells }
}
