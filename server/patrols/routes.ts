import type { FastifyInstance, FastifyRequest } from 'fastify'
import { errors } from '../errors.ts'
import { FUTURE_TOLERANCE_MS, parseArea, parseTime, parseTimeWindow } from '../http/params.ts'
import { areaAndWindowQuery, communeCode, errorResponses, provinceCode } from '../http/schemas.ts'
import { assertAreaVisible } from '../auth/area-scope.ts'
import { roleMay } from '../auth/roles.ts'
import { recordAudit } from '../audit/record.ts'
import type { Sql } from '../db/connection.ts'
import { detectTrackFormat, MAX_TIME_CHARS, type Fix, type TrackFormat } from './track-formats.ts'
import { appendLiveFixes, ingestTrack, startLivePatrol } from './ingest.ts'
import { OUTSIDE_MARGIN_M, patrolRepository, type PatrolRow, type TeamRow, type TravelModeName } from './repository.ts'

export interface PatrolRouteOptions { maxSpeedKmh: number }

/** Largest track upload (a 10-hour log with a fix a second is ~5 MB of GPX). */
export const TRACK_BODY_LIMIT = 20 * 1024 * 1024
/** Most fixes in one live batch. */
export const MAX_LIVE_BATCH = 5_000

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^\\d{1,18}$' } } } as const
const teamId = { type: 'string', pattern: '^\\d{1,18}$' } as const
const mode = { type: 'string', enum: ['foot', 'motorbike'] } as const

const CleaningReportSchema = {
  type: ['object', 'null'],
  properties: {
    input: { type: 'integer' }, kept: { type: 'integer' }, duplicate: { type: 'integer' }, out_of_order: { type: 'integer' },
    too_fast: { type: 'integer' }, jump: { type: 'integer' }, short_segment: { type: 'integer' }, segments: { type: 'integer' },
    outside_commune: { type: 'integer', description: `kept fixes more than ${OUTSIDE_MARGIN_M} m outside the team's commune: in the track, not in coverage` }
  }
} as const

const PatrolSummary = {
  type: 'object',
  properties: {
    id: { type: 'string' }, team_id: { type: 'string' }, team_name: { type: 'string' }, commune_code: { type: 'string' },
    province_code: { type: 'string' }, mode: { type: ['string', 'null'] }, status: { type: 'string' },
    started_at: { type: ['string', 'null'] }, ended_at: { type: ['string', 'null'] }, fixes: { type: 'integer' },
    distance_m: { type: 'number' }, duration_s: { type: ['number', 'null'] }, is_generated: { type: 'boolean' },
    cleaning: CleaningReportSchema
  }
} as const

function summary (row: PatrolRow) {
  return {
    id: row.id, team_id: row.team_id, team_name: row.team_name, commune_code: row.commune_code, province_code: row.province_code,
    mode: row.mode, status: row.status, started_at: row.started_at?.toISOString() ?? null, ended_at: row.ended_at?.toISOString() ?? null,
    fixes: row.fix_count, distance_m: Math.round(row.distance_m * 10) / 10,
    duration_s: row.started_at && row.ended_at ? (row.ended_at.getTime() - row.started_at.getTime()) / 1000 : null,
    is_generated: row.is_generated, cleaning: row.cleaning as never
  }
}

/** The team, if the user may see it (404 otherwise) and write patrols for it (403). */
async function writableTeam (tx: Sql, request: FastifyRequest, id: string, field: string): Promise<TeamRow> {
  const user = request.user!
  if (!roleMay(user.role, 'patrols:write')) throw errors.forbidden(null, `the role ${user.role} may not record patrols`)
  const team = await patrolRepository(tx).team(id)
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

export default async function patrolRoutes (app: FastifyInstance, options: PatrolRouteOptions) {
  const cleaning = { maxSpeedKmh: options.maxSpeedKmh }

  // Uploads of whole tracks take the body as text, whatever the type (GPX, GeoJSON, CSV); in
  // their own context so the JSON routes below keep the normal JSON parser.
  await app.register(async function trackUploads (upload) {
    upload.removeContentTypeParser('application/json')
    upload.addContentTypeParser(
      ['application/gpx+xml', 'application/xml', 'text/xml', 'text/csv', 'application/geo+json', 'application/json'],
      { parseAs: 'string', bodyLimit: TRACK_BODY_LIMIT },
      (_request, body, done) => { done(null, body) })

    upload.post<{ Querystring: { team: string, mode?: TravelModeName, format?: TrackFormat }, Body: string }>('/api/patrols', {
      bodyLimit: TRACK_BODY_LIMIT,
      schema: {
        description: 'Records a patrol from a whole track: GPX 1.0/1.1 (every trkseg a segment), GeoJSON LineString/MultiLineString with properties.coordTimes, or CSV with a lon,lat,time header. The track is cleaned (see README), binned into res-10 H3 cells with dwell time and added to the team\'s coverage. The same fixes for the same team again return the existing patrol (200, duplicate: true).',
        querystring: {
          type: 'object', additionalProperties: false, required: ['team'],
          properties: {
            team: { ...teamId, description: 'the team that patrolled' },
            mode: { ...mode, description: 'default: from the median speed (above 10 km/h: motorbike)' },
            format: { type: 'string', enum: ['gpx', 'geojson', 'csv'], description: 'default: from the Content-Type, else sniffed' }
          }
        },
        response: {
          200: { type: 'object', properties: { duplicate: { type: 'boolean' }, cells: { type: 'integer' }, untimed_dropped: { type: 'integer' }, patrol: PatrolSummary } },
          201: { type: 'object', properties: { duplicate: { type: 'boolean' }, cells: { type: 'integer' }, untimed_dropped: { type: 'integer' }, patrol: PatrolSummary } },
          ...errorResponses
        }
      }
    }, async (request, reply) => {
      const text = typeof request.body === 'string' ? request.body : ''
      if (text.trim() === '') throw errors.invalidField('body', 'is empty: send a GPX, GeoJSON or CSV track')
      const format = request.query.format ?? detectTrackFormat(request.headers['content-type'], text)
      if (!format) throw errors.unsupportedMediaType(String(request.headers['content-type'] ?? ''))
      const result = await request.scoped(async tx => {
        const team = await writableTeam(tx, request, request.query.team, 'team')
        const ingested = await ingestTrack(tx, { team, format, text, mode: request.query.mode ?? null, createdBy: request.user!.id, cleaning })
        const row = (await patrolRepository(tx).get(ingested.patrolId))!
        if (!ingested.duplicate) {
          await recordAudit(tx, request, request.user!, {
            action: 'patrol.upload', entity: 'patrol', entity_id: row.id, province_code: row.province_code, commune_code: row.commune_code,
            before: null, after: { team_id: row.team_id, format, fixes: row.fix_count, cleaning: ingested.report }
          })
        }
        return { ingested, row }
      })
      reply.code(result.ingested.duplicate ? 200 : 201)
      return { duplicate: result.ingested.duplicate, cells: result.ingested.cells, untimed_dropped: result.ingested.untimedDropped, patrol: summary(result.row) }
    })
  })

  app.post<{ Body: { team_id: string, mode?: TravelModeName } }>('/api/patrols/live', {
    schema: {
      description: 'Starts a live patrol: fixes follow in batches (POST /api/patrols/:id/positions) until POST /api/patrols/:id/end.',
      body: { type: 'object', additionalProperties: false, required: ['team_id'], properties: { team_id: teamId, mode } },
      response: { 201: PatrolSummary, ...errorResponses }
    }
  }, async (request, reply) => {
    const row = await request.scoped(async tx => {
      const team = await writableTeam(tx, request, request.body.team_id, 'team_id')
      const id = await startLivePatrol(tx, { team, mode: request.body.mode ?? null, createdBy: request.user!.id })
      const created = (await patrolRepository(tx).get(id))!
      await recordAudit(tx, request, request.user!, {
        action: 'patrol.start', entity: 'patrol', entity_id: id, province_code: team.province_code, commune_code: team.commune_code,
        before: null, after: { team_id: team.id, mode: request.body.mode ?? null }
      })
      return created
    })
    reply.code(201)
    return summary(row)
  })

  app.post<{ Params: { id: string }, Body: { fixes: { lon: number, lat: number, time: string }[] } }>('/api/patrols/:id/positions', {
    schema: {
      description: 'Adds a batch of fixes to a live patrol. The whole patrol is cleaned and binned again, so repeated or late fixes are dropped as in a file.',
      params: idParams,
      body: {
        type: 'object', additionalProperties: false, required: ['fixes'],
        properties: {
          fixes: {
            type: 'array', minItems: 1, maxItems: MAX_LIVE_BATCH,
            items: {
              type: 'object', additionalProperties: false, required: ['lon', 'lat', 'time'],
              properties: { lon: { type: 'number', minimum: -180, maximum: 180 }, lat: { type: 'number', minimum: -90, maximum: 90 }, time: { type: 'string', minLength: 1, maxLength: MAX_TIME_CHARS } }
            }
          }
        }
      },
      response: { 200: { type: 'object', properties: { cells: { type: 'integer' }, patrol: PatrolSummary } }, ...errorResponses }
    }
  }, async (request) => {
    const now = Date.now()
    const fixes: Fix[] = request.body.fixes.map((fix, i) => {
      const time = parseTime(`fixes[${i}].time`, fix.time).getTime()
      if (time > now + FUTURE_TOLERANCE_MS) throw errors.futureTime(`fixes[${i}].time`, fix.time)
      return { lon: fix.lon, lat: fix.lat, time }
    })
    return request.scoped(async tx => {
      const { row, team } = await livePatrol(tx, request, request.params.id)
      const result = await appendLiveFixes(tx, { patrol: { ...row, mode: row.mode }, team, fixes, cleaning })
      await recordAudit(tx, request, request.user!, {
        action: 'patrol.positions', entity: 'patrol', entity_id: row.id, province_code: row.province_code, commune_code: row.commune_code,
        before: null, after: { fixes: fixes.length, kept: result.report.kept }
      })
      return { cells: result.cells, patrol: summary((await patrolRepository(tx).get(row.id))!) }
    })
  })

  app.post<{ Params: { id: string } }>('/api/patrols/:id/end', {
    schema: { description: 'Ends a live patrol (its end time is its last kept fix).', params: idParams, response: { 200: PatrolSummary, ...errorResponses } }
  }, async (request) => {
    return request.scoped(async tx => {
      const { row } = await livePatrol(tx, request, request.params.id)
      await patrolRepository(tx).end(row.id)
      await recordAudit(tx, request, request.user!, {
        action: 'patrol.end', entity: 'patrol', entity_id: row.id, province_code: row.province_code, commune_code: row.commune_code,
        before: { status: 'live' }, after: { status: 'ended' }
      })
      return summary((await patrolRepository(tx).get(row.id))!)
    })
  })

  app.get<{ Querystring: { province?: string, commune?: string, team?: string, from?: string, to?: string, limit: number } }>('/api/patrols', {
    schema: {
      description: 'Patrols of an area or team, newest first.',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          province: provinceCode, commune: communeCode, team: teamId,
          from: areaAndWindowQuery.from, to: areaAndWindowQuery.to,
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }
        }
      },
      response: { 200: { type: 'object', properties: { patrols: { type: 'array', items: PatrolSummary } } }, ...errorResponses }
    }
  }, async (request) => {
    const area = parseArea(request.query)
    await assertAreaVisible(app, request.user!, area)
    const window = parseTimeWindow(request.query)
    const rows = await request.scoped(tx => patrolRepository(tx).list({
      area: area.kind === 'province' || area.kind === 'commune' ? area : null,
      team: request.query.team ?? null, ...window, limit: request.query.limit
    }))
    return { patrols: rows.map(summary) }
  })

  app.get<{ Params: { id: string } }>('/api/patrols/:id', {
    schema: {
      description: 'A patrol with its cleaned track (for playback): `times` holds each coordinate\'s epoch seconds, parallel to track.coordinates.',
      params: idParams,
      response: {
        200: {
          type: 'object',
          properties: {
            ...PatrolSummary.properties,
            track: { type: ['object', 'null'], properties: { type: { type: 'string' }, coordinates: { type: 'array', items: { type: 'array', items: { type: 'array', items: { type: 'number' } } } } } },
            times: { type: 'array', items: { type: 'array', items: { type: 'number' } } }
          }
        },
        ...errorResponses
      }
    }
  }, async (request) => {
    return request.scoped(async tx => {
      const repository = patrolRepository(tx)
      const row = await repository.get(request.params.id)
      if (!row) throw errors.notFound(`patrol ${request.params.id}`)
      const { coordinates, times } = await repository.trackPoints(row.id)
      return { ...summary(row), track: coordinates.length ? { type: 'MultiLineString', coordinates } : null, times }
    })
  })
}
