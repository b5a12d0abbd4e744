import { createHash } from 'node:crypto'
import type { Sql } from '../db/connection.ts'
import type { Fix } from '../domain/fix.ts'
import type { TravelMode } from '../domain/travel-modes.ts'
import { errors } from '../errors.ts'
import { parseTrack, type TrackFormat } from './track-formats.ts'
import { cleanTrack, distanceMeters, splitWhere, type CleaningOptions, type CleaningReport } from './clean-track.ts'
import { trackDwell, type CellDwell } from '../h3/track-dwell.ts'
import { FUTURE_TOLERANCE_MS } from '../http/params.ts'
import { coverageRepository } from '../coverage/repository.ts'
import type { TeamRow } from '../teams/repository.ts'
import { patrolRepository, PLACE_BEYOND, PLACE_INSIDE, type PatrolPlace } from './repository.ts'

/** Patrol coverage is binned at res 10 (~15,000 m², edge ~66 m): a street corner, a market. */
export const COVERAGE_RESOLUTION = 10

/** Above this median speed a track is taken to be a motorbike ride (when the mode is not given). */
const MOTORBIKE_MEDIAN_KMH = 10

/** The same team and the same fixes give the same fingerprint, whatever the file format. */
export function trackFingerprint (teamId: string, segments: Fix[][]): string {
  const hash = createHash('sha256').update(`team:${teamId}\n`)
  for (const segment of segments) {
    for (const fix of segment) hash.update(`${fix.lon.toFixed(7)},${fix.lat.toFixed(7)},${fix.time}\n`)
    hash.update('|\n')
  }
  return hash.digest('hex')
}

export function trackLengthMeters (segments: Fix[][]): number {
  let total = 0
  for (const segment of segments) {
    for (let i = 1; i < segment.length; i++) total += distanceMeters(segment[i - 1]!, segment[i]!)
  }
  return total
}

/** foot or motorbike, from the median speed of the cleaned track's steps. */
export function inferMode (segments: Fix[][]): TravelMode | null {
  const speeds: number[] = []
  for (const segment of segments) {
    for (let i = 1; i < segment.length; i++) {
      const seconds = (segment[i]!.time - segment[i - 1]!.time) / 1000
      if (seconds > 0) speeds.push(distanceMeters(segment[i - 1]!, segment[i]!) / seconds * 3.6)
    }
  }
  if (speeds.length === 0) return null
  speeds.sort((a, b) => a - b)
  return speeds[Math.floor(speeds.length / 2)]! > MOTORBIKE_MEDIAN_KMH ? 'motorbike' : 'foot'
}

export interface IngestResult {
  patrolId: string
  duplicate: boolean
  report: CleaningReport | null
  cells: number
  untimedDropped: number
}

/**
 * The dwell cells of a cleaned track, given where each of its fixes lies against the team's
 * commune (placeFixes, in track order); null when no fix lies inside (the track is refused, or
 * skipped by a bulk load). Fixes farther than OUTSIDE_MARGIN_M outside the commune stay in the
 * track but are not binned (the segments are cut there and the report counts them in
 * `outside_commune`): a patrol's coverage is its own commune's.
 */
export function binInCommune (cleaned: { segments: Fix[][], report: CleaningReport }, places: Uint8Array): { report: CleaningReport, cells: CellDwell[] } | null {
  if (!places.includes(PLACE_INSIDE)) return null
  const binned = splitWhere(cleaned.segments, i => places[i] !== PLACE_BEYOND)
  return { report: { ...cleaned.report, outside_commune: binned.dropped }, cells: trackDwell(binned.segments, COVERAGE_RESOLUTION) }
}

/**
 * Stores a cleaned track: checks it touches the team's commune, then the track, its dwell cells
 * (binInCommune) and the team's daily coverage for the days touched. Runs in the caller's transaction.
 */
async function storeCleaned (tx: Sql, patrol: PatrolPlace & { team_id: string },
  cleanedTrack: { segments: Fix[][], report: CleaningReport }, mode: TravelMode | null, team: TeamRow, field: string) {
  const repository = patrolRepository(tx)
  const { segments: cleaned } = cleanedTrack
  const places = await repository.place(cleaned.flat().map(f => ({ commune: team.commune_code, lon: f.lon, lat: f.lat })))
  const binned = places.length > 0 ? binInCommune(cleanedTrack, places) : { report: cleanedTrack.report, cells: [] }
  if (!binned) throw errors.invalidField(field, `the track lies entirely outside the team's commune ${team.commune_name} (${team.commune_code})`)
  const oldDays = await repository.cellDays(patrol.id)
  await repository.setTrack(patrol.id, { segments: cleaned, cleaning: binned.report, distanceMeters: trackLengthMeters(cleaned), mode: mode ?? inferMode(cleaned) })
  await repository.replaceCells(patrol, binned.cells)
  const newDays = await repository.cellDays(patrol.id)
  await coverageRepository(tx).refresh({ teamId: patrol.team_id, days: [...new Set([...oldDays, ...newDays])] })
  return { report: binned.report, cells: binned.cells.length }
}

/** A whole recorded track (GPX, GeoJSON or CSV) for a team: one new patrol, or the existing one if uploaded before. */
export async function ingestTrack (tx: Sql, input: {
  team: TeamRow, format: TrackFormat, text: string, mode: TravelMode | null, createdBy: string | null,
  cleaning?: Partial<CleaningOptions>, isGenerated?: boolean
}): Promise<IngestResult> {
  const parsed = parseTrack(input.text, input.format, { latest: Date.now() + FUTURE_TOLERANCE_MS })
  return ingestFixes(tx, { ...input, segments: parsed.segments, untimedDropped: parsed.untimedDropped, rawFormat: input.format, raw: input.text })
}

/** Parsed fixes for a team (also the demo loader's way in: no file to parse). */
export async function ingestFixes (tx: Sql, input: {
  team: TeamRow, segments: Fix[][], untimedDropped?: number, rawFormat: TrackFormat, raw: string | null, mode: TravelMode | null,
  createdBy: string | null, cleaning?: Partial<CleaningOptions>, isGenerated?: boolean
}): Promise<IngestResult> {
  const repository = patrolRepository(tx)
  const fixCount = input.segments.reduce((n, s) => n + s.length, 0)
  if (fixCount < 2) throw errors.invalidField('fixes', `a patrol needs at least 2 timed fixes, found ${fixCount}`)
  const fingerprint = trackFingerprint(input.team.id, input.segments)
  const existing = await repository.byFingerprint(input.team.id, fingerprint)
  if (existing) return { patrolId: existing, duplicate: true, report: null, cells: 0, untimedDropped: input.untimedDropped ?? 0 }
  // Cleaned before anything is written: a track that cleaning empties is refused without work.
  const cleaned = cleanTrack(input.segments, input.cleaning)
  if (cleaned.report.kept < 2) throw errors.invalidField('fixes', `fewer than 2 fixes are left after cleaning (${describeDrops(cleaned.report)})`)
  const id = await repository.create({ team: input.team, mode: input.mode, status: 'ended', fingerprint, createdBy: input.createdBy, isGenerated: input.isGenerated })
  if (id === null) {
    // The same track, uploaded at the same moment, was committed first.
    const first = await repository.byFingerprint(input.team.id, fingerprint)
    if (first) return { patrolId: first, duplicate: true, report: null, cells: 0, untimedDropped: input.untimedDropped ?? 0 }
    throw new Error(`patrol with fingerprint ${fingerprint} conflicted but cannot be read`)
  }
  const patrol = { id, province_code: input.team.province_code, commune_code: input.team.commune_code, team_id: input.team.id }
  if (input.raw !== null) await repository.addUpload(patrol, input.rawFormat, input.raw)
  const { report, cells } = await storeCleaned(tx, patrol, cleaned, input.mode, input.team, 'track')
  return { patrolId: id, duplicate: false, report, cells, untimedDropped: input.untimedDropped ?? 0 }
}

function describeDrops (report: CleaningReport): string {
  return `${report.input} read: ${report.duplicate} duplicate, ${report.out_of_order} out of order, ${report.too_fast} too fast, ${report.jump} jumps, ${report.short_segment} in segments too short`
}

/** A live patrol: created empty, fed by batches of fixes, ended by the team. */
export async function startLivePatrol (tx: Sql, input: { team: TeamRow, mode: TravelMode | null, createdBy: string | null }): Promise<string> {
  return (await patrolRepository(tx).create({ team: input.team, mode: input.mode, status: 'live', fingerprint: null, createdBy: input.createdBy }))!
}

/**
 * Appends a batch of fixes to a live patrol: the batch is kept as sent, then the whole patrol is
 * cleaned and binned again from every batch, so the stored coverage always equals that of the
 * full track. Fixes are put in time order first (a stable sort: equal times keep arrival order),
 * because batches arrive in any order from a phone that retries: a late batch fills its gap
 * instead of being dropped as out of order, and a repeated one is dropped as duplicates. The
 * caller holds the patrol's row lock (lockPatrol), so batches of one patrol append one at a time.
 */
export async function appendLiveFixes (tx: Sql, input: {
  patrol: PatrolPlace & { team_id: string, mode: TravelMode | null },
  team: TeamRow, fixes: Fix[], cleaning?: Partial<CleaningOptions>
}): Promise<{ report: CleaningReport, cells: number }> {
  const repository = patrolRepository(tx)
  if ((await repository.countInside(input.team.commune_code, input.fixes)) === 0) {
    throw errors.invalidField('fixes', `the batch lies entirely outside the team's commune ${input.team.commune_name} (${input.team.commune_code})`)
  }
  await repository.addUpload(input.patrol, 'positions', JSON.stringify(input.fixes))
  const all: Fix[] = []
  for (const upload of await repository.uploads(input.patrol.id)) {
    if (upload.format === 'positions') all.push(...JSON.parse(upload.content) as Fix[])
  }
  all.sort((a, b) => a.time - b.time)
  return storeCleaned(tx, input.patrol, cleanTrack([all], input.cleaning), input.patrol.mode, input.team, 'fixes')
}
