import type { FastifyInstance } from 'fastify'
import { errors } from '../errors.ts'
import { CATEGORIES, FUTURE_TOLERANCE_MS, parseArea, parseCategories, parseTime, parseTimeWindow, STATUSES, type Category, type IncidentStatus } from '../http/params.ts'
import type { Sql } from '../db/connection.ts'
import { canMove, secondsBetween, TRANSITIONS } from './lifecycle.ts'
import { areaAndWindowQuery, errorResponses } from '../http/schemas.ts'
import { incidentRepository, toFeature, toSnapshot, type FireDetails, type IncidentFilter, type IncidentRow, type ListCursor, type RescueDetails } from './repository.ts'
import { assertAreaVisible, scopeCoversPlace } from '../auth/area-scope.ts'
import { roleMay } from '../auth/roles.ts'
import { recordAudit } from '../audit/record.ts'

export const MAX_LIST_LIMIT = 5_000

const IncidentProperties = {
  type: 'object',
  properties: {
    id: { type: 'integer' }, category: { type: 'string' }, severity: { type: 'integer' }, status: { type: 'string' },
    occurred_at: { type: 'string' }, reported_at: { type: 'string' }, commune_code: { type: 'string' },
    province_code: { type: 'string' }, h3: { type: 'string' }, description: { type: 'string' }, is_generated: { type: 'boolean' }
  }
} as const

const IncidentFeature = {
  type: 'object',
  properties: {
    type: { type: 'string' },
    geometry: { type: 'object', properties: { type: { type: 'string' }, coordinates: { type: 'array', items: { type: 'number' } } } },
    properties: IncidentProperties
  }
} as const

const FireDetailsSchema = {
  type: 'object', additionalProperties: false,
  properties: {
    cause: { type: ['string', 'null'], maxLength: 500 },
    area_m2: { type: ['number', 'null'], minimum: 0 },
    people_injured: { type: ['integer', 'null'], minimum: 0 }
  }
} as const

const RescueDetailsSchema = {
  type: 'object', additionalProperties: false,
  properties: {
    people_rescued: { type: ['integer', 'null'], minimum: 0 },
    people_missing: { type: ['integer', 'null'], minimum: 0 }
  }
} as const

const IncidentDetail = {
  type: 'object',
  properties: {
    ...IncidentFeature.properties,
    properties: {
      type: 'object',
      properties: {
        ...IncidentProperties.properties,
        team_id: { type: ['string', 'null'] },
        dispatched_at: { type: ['string', 'null'] }, on_scene_at: { type: ['string', 'null'] }, resolved_at: { type: ['string', 'null'] },
        closed_at: { type: ['string', 'null'] }, cancelled_at: { type: ['string', 'null'] },
        response_seconds: { type: ['integer', 'null'], description: 'dispatched − reported' },
        handling_seconds: { type: ['integer', 'null'], description: 'resolved − reported' },
        fire: { type: ['object', 'null'], properties: FireDetailsSchema.properties },
        rescue: { type: ['object', 'null'], properties: RescueDetailsSchema.properties },
        history: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              at: { type: 'string' }, username: { type: ['string', 'null'] }, from_status: { type: ['string', 'null'] },
              to_status: { type: 'string' }, team_id: { type: ['string', 'null'] }, note: { type: ['string', 'null'] }
            }
          }
        }
      }
    }
  }
} as const

const NewIncidentBody = {
  type: 'object',
  additionalProperties: false,
  required: ['lon', 'lat', 'category', 'severity', 'occurred_at'],
  properties: {
    lon: { type: 'number', minimum: -180, maximum: 180 },
    lat: { type: 'number', minimum: -90, maximum: 90 },
    category: { type: 'string', enum: CATEGORIES },
    severity: { type: 'integer', minimum: 1, maximum: 5 },
    occurred_at: { type: 'string', minLength: 1, description: 'ISO 8601; not in the future' },
    description: { type: 'string', maxLength: 4000, default: '' },
    fire: FireDetailsSchema,
    rescue: RescueDetailsSchema
  }
} as const

interface NewIncidentBodyType { lon: number, lat: number, category: Category, severity: number, occurred_at: string, description: string, fire?: FireDetails, rescue?: RescueDetails }
interface ChangeBody { status: IncidentStatus, team_id?: string, note?: string, fire?: FireDetails, rescue?: RescueDetails }

/** Fire details belong to fires, rescue details to rescues (and floods, where people are rescued). */
function checkDetails (category: Category, body: { fire?: FireDetails, rescue?: RescueDetails }) {
  if (body.fire && category !== 'fire') throw errors.invalidField('fire', `fire details belong to fire incidents, not ${category}`)
  if (body.rescue && category !== 'rescue' && category !== 'flood') throw errors.invalidField('rescue', `rescue details belong to rescue or flood incidents, not ${category}`)
}

/** The incident with its timing, details and history, as GET /api/incidents/:id shows it. */
async function incidentDetail (tx: Sql, row: IncidentRow) {
  const repository = incidentRepository(tx)
  const id = String(row.id)
  const [{ fire, rescue, timing }, history] = await Promise.all([repository.details(id), repository.history(id)])
  const feature = toFeature(row)
  const iso = (time: Date | null) => time?.toISOString() ?? null
  return {
    ...feature,
    properties: {
      ...feature.properties,
      team_id: timing.team_id,
      dispatched_at: iso(timing.dispatched_at), on_scene_at: iso(timing.on_scene_at), resolved_at: iso(timing.resolved_at),
      closed_at: iso(timing.closed_at), cancelled_at: iso(timing.cancelled_at),
      response_seconds: secondsBetween(row.reported_at, timing.dispatched_at),
      handling_seconds: secondsBetween(row.reported_at, timing.resolved_at),
      fire, rescue,
      history: history.map(h => ({ ...h, at: h.at.toISOString() }))
    }
  }
}
interface ListQuery { province?: string, commune?: string, bbox?: string, from?: string, to?: string, category?: string, limit: number, cursor?: string }

function encodeCursor (occurredAt: Date, id: bigint | number): string {
  return Buffer.from(JSON.stringify([occurredAt.toISOString(), String(id)])).toString('base64url')
}

function decodeCursor (cursor: string): ListCursor {
  try {
    const [time, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string]
    const occurredAt = new Date(time)
    if (Number.isNaN(occurredAt.getTime()) || !/^\d+$/.test(id)) throw new Error('bad cursor')
    return { occurredAt, id }
  } catch {
    throw errors.invalidField('cursor', 'is not a cursor returned by this API')
  }
}

export function parseIncidentFilter (query: Omit<ListQuery, 'limit' | 'cursor'>): IncidentFilter {
  return { area: parseArea(query), categories: parseCategories(query.category), ...parseTimeWindow(query) }
}

export default async function incidentRoutes (app: FastifyInstance) {
  app.get<{ Querystring: ListQuery }>('/api/incidents', {
    schema: {
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          ...areaAndWindowQuery,
          limit: { type: 'integer', minimum: 1, maximum: MAX_LIST_LIMIT, default: 1000 },
          cursor: { type: 'string' }
        }
      },
      response: {
        200: {
          type: 'object',
          properties: {
            type: { type: 'string' },
            features: { type: 'array', items: IncidentFeature },
            next_cursor: { type: ['string', 'null'] }
          }
        },
        ...errorResponses
      }
    }
  }, async (request) => {
    const filter = parseIncidentFilter(request.query)
    const after = request.query.cursor ? decodeCursor(request.query.cursor) : null
    await assertAreaVisible(app, request.user!, filter.area)
    const limit = request.query.limit
    // One extra row tells whether another page exists.
    const rows = await request.scoped(tx => incidentRepository(tx).list(filter, limit + 1, after))
    const page = rows.slice(0, limit)
    const last = page[page.length - 1]
    return {
      type: 'FeatureCollection',
      features: page.map(toFeature),
      next_cursor: rows.length > limit && last ? encodeCursor(last.occurred_at, last.id) : null
    }
  })

  app.get<{ Params: { id: string } }>('/api/incidents/:id', {
    schema: {
      params: { type: 'object', properties: { id: { type: 'string', pattern: '^\\d{1,18}$' } } },
      response: { 200: IncidentDetail, ...errorResponses }
    }
  }, async (request) => {
    // Outside the jurisdiction the row is invisible, so the answer is the same 404 as for no row.
    const detail = await request.scoped(async tx => {
      const row = await incidentRepository(tx).findById(request.params.id)
      return row ? incidentDetail(tx, row) : null
    })
    if (!detail) throw errors.notFound(`incident ${request.params.id}`)
    return detail
  })

  app.patch<{ Params: { id: string }, Body: ChangeBody }>('/api/incidents/:id', {
    schema: {
      params: { type: 'object', properties: { id: { type: 'string', pattern: '^\\d{1,18}$' } } },
      body: {
        type: 'object', additionalProperties: false, required: ['status'],
        properties: {
          status: { type: 'string', enum: STATUSES },
          team_id: { type: 'string', pattern: '^\\d{1,18}$', description: 'the team sent (a team of the incident\'s commune)' },
          note: { type: 'string', maxLength: 2000 },
          fire: FireDetailsSchema,
          rescue: RescueDetailsSchema
        }
      },
      response: { 200: IncidentDetail, ...errorResponses }
    }
  }, async (request) => {
    const user = request.user!
    if (!roleMay(user.role, 'incidents:write')) throw errors.forbidden(null, `the role ${user.role} may not change incidents`)
    const body = request.body
    const { detail, row } = await request.scoped(async tx => {
      const repository = incidentRepository(tx)
      const current = await repository.lockForChange(request.params.id)
      if (!current) throw errors.notFound(`incident ${request.params.id}`)
      if (!canMove(current.status, body.status)) throw errors.illegalTransition(current.status, body.status, TRANSITIONS[current.status])
      checkDetails(current.category, body)
      if (body.team_id && !(await repository.teamInCommune(body.team_id, current.commune_code))) {
        throw errors.invalidField('team_id', `team ${body.team_id} is not a team of commune ${current.commune_code}`)
      }
      const changed = await repository.changeStatus(current, { to: body.status, teamId: body.team_id ?? null, note: body.note ?? null, userId: user.id, username: user.username })
      if (body.fire) await repository.setFireDetails(changed, body.fire)
      if (body.rescue) await repository.setRescueDetails(changed, body.rescue)
      const detail = await incidentDetail(tx, changed)
      await recordAudit(tx, request, user, {
        action: 'incident.status_change', entity: 'incident', entity_id: String(changed.id),
        province_code: changed.province_code, commune_code: changed.commune_code,
        before: { status: current.status }, after: { status: changed.status, team_id: body.team_id ?? null, note: body.note ?? null, fire: body.fire ?? null, rescue: body.rescue ?? null }
      })
      return { detail, row: changed }
    })
    app.incidentEvents.publish('incident.updated', toSnapshot(row))
    return detail
  })

  app.post<{ Body: NewIncidentBodyType }>('/api/incidents', {
    schema: { body: NewIncidentBody, response: { 201: IncidentFeature, ...errorResponses } }
  }, async (request, reply) => {
    const user = request.user!
    if (!roleMay(user.role, 'incidents:write')) throw errors.forbidden(null, `the role ${user.role} may not report incidents`)
    const body = request.body
    const occurredAt = parseTime('occurred_at', body.occurred_at)
    if (occurredAt.getTime() > Date.now() + FUTURE_TOLERANCE_MS) throw errors.futureTime('occurred_at', body.occurred_at)
    const place = await app.geography.locate(body.lon, body.lat)
    if (!place) throw errors.outsideCommunes(body.lon, body.lat)
    if (!scopeCoversPlace(user, place)) throw errors.forbidden('lon,lat', `the point lies in commune ${place.commune_code}, outside your jurisdiction`)
    checkDetails(body.category, body)
    const row = await request.scoped(async tx => {
      const repository = incidentRepository(tx)
      const stored = await repository.insert({
        lon: body.lon, lat: body.lat, category: body.category, severity: body.severity,
        occurred_at: occurredAt, description: body.description
      }, place)
      await repository.appendEvent(stored, null, { to: 'reported', teamId: null, note: null, userId: user.id, username: user.username })
      if (body.fire) await repository.setFireDetails(stored, body.fire)
      if (body.rescue) await repository.setRescueDetails(stored, body.rescue)
      await recordAudit(tx, request, user, {
        action: 'incident.create', entity: 'incident', entity_id: String(stored.id),
        province_code: stored.province_code, commune_code: stored.commune_code, before: null, after: toFeature(stored).properties
      })
      return stored
    })
    // Published after the commit, so the feed never shows what was rolled back.
    app.incidentEvents.publish('incident.created', toSnapshot(row))
    return reply.status(201).header('location', `/api/incidents/${row.id}`).send(toFeature(row))
  })
}
