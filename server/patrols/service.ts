import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Sql } from '../db/connection.ts'
import type { Fix } from '../domain/fix.ts'
import type { TravelMode } from '../domain/travel-modes.ts'
import { roleMay } from '../domain/roles.ts'
import { errors } from '../errors.ts'
import type { Area, TimeWindow } from '../http/params.ts'
import { assertAreaVisible } from '../auth/area-scope.ts'
import { recordAudit } from '../audit/record.ts'
import { teamRepository, type TeamRow } from '../teams/repository.ts'
import type { CleaningReport } from './clean-track.ts'
import { appendLiveFixes, ingestTrack, startLivePatrol } from './ingest.ts'
import { patrolRepository, type PatrolRow } from './repository.ts'
import type { TrackFormat } from './track-formats.ts'

export interface PatrolServiceOptions { maxSpeedKmh: number }

/** A patrol as the API gives it (PatrolSummary in schemas.ts). */
export function patrolSummary (row: PatrolRow) {
  // Reports stored before the commune check (issue 11) lack outside_commune: nothing was left out then.
  const stored = row.cleaning as (Omit<CleaningReport, 'outside_commune'> & { outside_commune?: number }) | null
  const cleaning = stored === null ? null : { ...stored, outside_commune: stored.outside_commune ?? 0 }
  return {
    id: row.id, team_id: row.team_id, team_name: row.team_name, commune_code: row.commune_code, province_code: row.province_code,
    mode: row.mode, status: row.status, started_at: row.started_at?.toISOString() ?? null, ended_at: row.ended_at?.toISOString() ?? null,
    fixes: row.fix_count, distance_m: Math.round(row.distance_m * 10) / 10,
    duration_s: row.started_at && row.ended_at ? (row.ended_at.getTime() - row.started_at.getTime()) / 1000 : null,
    is_generated: row.is_generated, cleaning
  }
}

/** The team, if the user may see it (404 otherwise) and write patrols for it (403). */
async function writableTeam (tx: Sql, request: FastifyRequest, id: string, field: string): Promise<TeamRow> {
  const user = request.user!
  if (!roleMay(user.role, 'patrols:write')) throw errors.forbidden(null, `the role ${user.role} may not record patrols`)
  const team = await teamRepository(tx).findById(id)
  if (!team) throw errors.notFound(`team ${id}`)
  // A team member records for their own team only.
  if (user.role === 'team_member' && user.team_id !== team.id) throw errors.forbidden(field, `you are not a member of team ${id}`)
  return team
}

/**
 * The live patrol, locked for this transaction (after the 404/403 checks): its batches and its end
 * run one at a time, each reading the row as the one before left it.
 */
async function livePatrol (tx: Sql, request: FastifyRequest, id: string) {
  const repository = patrolRepository(tx)
  const seen = await repository.get(id)
  if (!seen) throw errors.notFound(`patrol ${id}`)
  const team = await writableTeam(tx, request, seen.team_id, 'id')
  if ((await repository.lockPatrol(id)) !== 'live') throw errors.patrolEnded(id)
  const row = (await repository.get(id))!
  return { row, team }
}

/** Rules of recording and reading patrols: who may write for which team, the transaction, the audit rows. */
export function patrolService (app: FastifyInstance, options: PatrolServiceOptions) {
  const cleaning = { maxSpeedKmh: options.maxSpeedKmh }
  return {
    /** A whole track for a team: a new patrol, or the one uploaded before with the same fixes. */
    async upload (request: FastifyRequest, input: { teamId: string, mode: TravelMode | null, format: TrackFormat, text: string }) {
      const result = await request.scoped(async tx => {
        const team = await writableTeam(tx, request, input.teamId, 'team')
        const ingested = await ingestTrack(tx, { team, format: input.format, text: input.text, mode: input.mode, createdBy: request.user!.id, cleaning })
        const row = (await patrolRepository(tx).get(ingested.patrolId))!
        if (!ingested.duplicate) {
          await recordAudit(tx, request, request.user!, {
            action: 'patrol.upload', entity: 'patrol', entity_id: row.id, province_code: row.province_code, commune_code: row.commune_code,
            before: null, after: { team_id: row.team_id, format: input.format, fixes: row.fix_count, cleaning: ingested.report }
          })
        }
        return { ingested, row }
      })
      return { duplicate: result.ingested.duplicate, cells: result.ingested.cells, untimed_dropped: result.ingested.untimedDropped, patrol: patrolSummary(result.row) }
    },

    async startLive (request: FastifyRequest, input: { teamId: string, mode: TravelMode | null }) {
      const row = await request.scoped(async tx => {
        const team = await writableTeam(tx, request, input.teamId, 'team_id')
        const id = await startLivePatrol(tx, { team, mode: input.mode, createdBy: request.user!.id })
        await recordAudit(tx, request, request.user!, {
          action: 'patrol.start', entity: 'patrol', entity_id: id, province_code: team.province_code, commune_code: team.commune_code,
          before: null, after: { team_id: team.id, mode: input.mode }
        })
        return (await patrolRepository(tx).get(id))!
      })
      return patrolSummary(row)
    },

    async addPositions (request: FastifyRequest, id: string, fixes: Fix[]) {
      return request.scoped(async tx => {
        const { row, team } = await livePatrol(tx, request, id)
        const result = await appendLiveFixes(tx, { patrol: row, team, fixes, cleaning })
        await recordAudit(tx, request, request.user!, {
          action: 'patrol.positions', entity: 'patrol', entity_id: row.id, province_code: row.province_code, commune_code: row.commune_code,
          before: null, after: { fixes: fixes.length, kept: result.report.kept }
        })
        return { cells: result.cells, patrol: patrolSummary((await patrolRepository(tx).get(row.id))!) }
      })
    },

    async end (request: FastifyRequest, id: string) {
      return request.scoped(async tx => {
        const { row } = await livePatrol(tx, request, id)
        await patrolRepository(tx).end(row.id)
        await recordAudit(tx, request, request.user!, {
          action: 'patrol.end', entity: 'patrol', entity_id: row.id, province_code: row.province_code, commune_code: row.commune_code,
          before: { status: 'live' }, after: { status: 'ended' }
        })
        return patrolSummary((await patrolRepository(tx).get(row.id))!)
      })
    },

    async list (request: FastifyRequest, filter: { area: Area, team: string | null, window: TimeWindow, limit: number }) {
      await assertAreaVisible(app, request.user!, filter.area)
      const { area } = filter
      const rows = await request.scoped(tx => patrolRepository(tx).list({
        area: area.kind === 'province' || area.kind === 'commune' ? area : null, team: filter.team, ...filter.window, limit: filter.limit
      }))
      return { patrols: rows.map(patrolSummary) }
    },

    /** A patrol with its cleaned track, for playback. */
    async detail (request: FastifyRequest, id: string) {
      return request.scoped(async tx => {
        const repository = patrolRepository(tx)
        const row = await repository.get(id)
        if (!row) throw errors.notFound(`patrol ${id}`)
        const { coordinates, times } = await repository.trackPoints(row.id)
        return { ...patrolSummary(row), track: coordinates.length ? { type: 'MultiLineString' as const, coordinates } : null, times }
      })
    }
  }
}
