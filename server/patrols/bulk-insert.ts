import type { Sql } from '../db/connection.ts'
import { h3ToBigintString } from '../h3/cells.ts'
import { trackDwell } from '../h3/track-dwell.ts'
import { cleanTrack, splitWhere, type CleaningOptions, type CleaningReport } from './clean-track.ts'
import type { Fix } from './track-formats.ts'
import { inferMode, trackFingerprint, trackLengthMeters } from './ingest.ts'
import { lockCoverageTeams, placeFixes, PLACE_BEYOND, PLACE_INSIDE, trackEwkt, type TravelModeName } from './repository.ts'

export interface BulkPatrol {
  team: { id: string, province_code: string, commune_code: string }
  mode: TravelModeName | null
  /** Raw fixes as recorded (they are cleaned here, like an upload). */
  segments: Fix[][]
}

export interface BulkResult { patrols: number, fixes: number, cells: number }

/** Patrols per statement: a few hundred tracks and their cells keep each statement well under PGlite's limits. */
export const PATROL_BATCH_SIZE = 200

/**
 * Stores many patrols at once (the demo loader, migrations of old data): the same cleaning, commune
 * check and dwell binning as the upload path (a track with no fix in its commune is skipped), then
 * one insert for the patrols and one for their cells per batch, and the coverage rollup rebuilt
 * once for the teams touched, all in one transaction. Raw fixes are not kept as uploads (generated
 * tracks are re-made from their seed). Returns counts.
 */
export async function bulkInsertPatrols (sql: Sql, patrols: Iterable<BulkPatrol>, options: { isGenerated: boolean, cleaning?: Partial<CleaningOptions> }): Promise<BulkResult> {
  // One transaction (the caller's, or one of its own): the coverage locks are held to its end.
  if (!('savepoint' in sql)) return sql.begin(tx => bulkInsertPatrols(tx as unknown as Sql, patrols, options)) as Promise<BulkResult>
  let stored = 0; let fixes = 0; let cells = 0
  const teams = new Set<string>()
  let batch: BulkPatrol[] = []
  const flush = async () => {
    if (batch.length === 0) return
    const cleaned = batch.map(p => ({ p, ...cleanTrack(p.segments, options.cleaning) })).filter(x => x.report.kept >= 2)
    batch = []
    // As in an upload: fixes beyond the margin outside the team's commune are not binned.
    const places = await placeFixes(sql, cleaned.flatMap(x => x.segments.flat().map(f => ({ commune: x.p.team.commune_code, lon: f.lon, lat: f.lat }))))
    let offset = 0
    const prepared = cleaned.flatMap(x => {
      const start = offset
      offset += x.report.kept
      const inside = places.subarray(start, offset)
      // The upload path refuses a track with no fix inside its commune.
      if (!inside.includes(PLACE_INSIDE)) return []
      const binned = splitWhere(x.segments, i => inside[i] !== PLACE_BEYOND)
      const report: CleaningReport = { ...x.report, outside_commune: binned.dropped }
      return [{ p: x.p, segments: x.segments, report, dwell: trackDwell(binned.segments, 10), fingerprint: trackFingerprint(x.p.team.id, x.p.segments) }]
    })
    if (prepared.length === 0) return
    const ids = await sql<{ id: string, fingerprint: string }[]>`
      insert into patrols (province_code, commune_code, team_id, mode, status, fingerprint, track, fix_count, distance_m,
                           started_at, ended_at, cleaning, is_generated)
      select province_code, commune_code, team_id, mode, 'ended', fingerprint, st_geomfromewkt(track), fix_count, distance_m,
             started_at, ended_at, cleaning::jsonb, ${options.isGenerated}
      from unnest(${prepared.map(x => x.p.team.province_code)}::text[], ${prepared.map(x => x.p.team.commune_code)}::text[],
                  ${prepared.map(x => x.p.team.id)}::bigint[], ${prepared.map(x => x.p.mode ?? inferMode(x.segments))}::text[],
                  ${prepared.map(x => x.fingerprint)}::text[], ${prepared.map(x => trackEwkt(x.segments))}::text[],
                  ${prepared.map(x => x.report.kept)}::int[], ${prepared.map(x => trackLengthMeters(x.segments))}::float8[],
                  ${prepared.map(x => new Date(x.segments[0]![0]!.time).toISOString())}::timestamptz[],
                  ${prepared.map(x => { const last = x.segments[x.segments.length - 1]!; return new Date(last[last.length - 1]!.time).toISOString() })}::timestamptz[],
                  ${prepared.map(x => JSON.stringify(x.report))}::text[])
        as u (province_code, commune_code, team_id, mode, fingerprint, track, fix_count, distance_m, started_at, ended_at, cleaning)
      on conflict (team_id, fingerprint) where fingerprint is not null do nothing
      returning id::text as id, fingerprint`
    const idOf = new Map(ids.map(r => [r.fingerprint, r.id]))
    const rows = prepared.flatMap(x => {
      const id = idOf.get(x.fingerprint)
      if (!id) return []
      teams.add(x.p.team.id)
      stored++
      fixes += x.report.kept
      return x.dwell.map(c => ({ id, team: x.p.team, c }))
    })
    cells += rows.length
    for (let i = 0; i < rows.length; i += 20_000) {
      const part = rows.slice(i, i + 20_000)
      await sql`
        insert into patrol_cells (patrol_id, province_code, commune_code, h3, dwell_seconds, first_visit, last_visit)
        select patrol_id, province_code, commune_code, h3, dwell, to_timestamp(first_ms / 1000.0), to_timestamp(last_ms / 1000.0)
        from unnest(${part.map(r => r.id)}::bigint[], ${part.map(r => r.team.province_code)}::text[], ${part.map(r => r.team.commune_code)}::text[],
                    ${part.map(r => h3ToBigintString(r.c.h3))}::bigint[], ${part.map(r => r.c.dwellSeconds)}::float8[],
                    ${part.map(r => r.c.firstVisit)}::float8[], ${part.map(r => r.c.lastVisit)}::float8[])
          as u (patrol_id, province_code, commune_code, h3, dwell, first_ms, last_ms)`
    }
  }
  for (const patrol of patrols) {
    batch.push(patrol)
    if (batch.length >= PATROL_BATCH_SIZE) await flush()
  }
  await flush()
  await rebuildCoverage(sql, [...teams])
  return { patrols: stored, fixes, cells }
}

/**
 * Rebuilds the daily coverage rollup of whole teams from their patrols' cells, under each team's
 * exclusive coverage lock (a live patrol refreshing one of its days waits, and is waited for).
 * Call it inside a transaction.
 */
export async function rebuildCoverage (sql: Sql, teamIds: string[]): Promise<void> {
  if (teamIds.length === 0) return
  await lockCoverageTeams(sql, teamIds)
  await sql`delete from patrol_coverage_daily where team_id = any(${teamIds}::bigint[])`
  await sql`
    insert into patrol_coverage_daily (province_code, commune_code, team_id, day, h3, dwell_seconds, patrols, last_visit)
    select p.province_code, p.commune_code, p.team_id, (c.first_visit at time zone 'Asia/Ho_Chi_Minh')::date, c.h3,
           sum(c.dwell_seconds), count(distinct c.patrol_id)::int, max(c.last_visit)
    from patrol_cells c join patrols p on p.id = c.patrol_id
    where p.team_id = any(${teamIds}::bigint[])
    group by 1, 2, 3, 4, 5`
}
