import type { FastifyInstance } from 'fastify'
import { errors } from '../errors.ts'
import { CATEGORIES, parseArea, parseCategories, parseTime, parseTimeWindow, type Category } from '../http/params.ts'
import { areaAndWindowQuery, errorResponses } from '../http/schemas.ts'
import { incidentRepository, toFeature, toSnapshot, type IncidentFilter, type ListCursor } from './repository.ts'
import { assertAreaVisible, scopeCoversPlace } from '../auth/area-scope.ts'
import { roleMay } from '../auth/roles.ts'
import { recordAudit } from '../audit/record.ts'

/** Reports may carry a clock a little ahead of the server's. */
const FUTURE_TOLERANCE_MS = 5 * 60_000
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
    description: { type: 'string', maxLength: 4000, default: '' }
  }
} as const

interface NewIncidentBodyType { lon: number, lat: number, category: Category, severity: number, occurred_at: string, description: string }
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
      response: { 200: IncidentFeature, ...errorResponses }
    }
  }, async (request) => {
    // Outside the jurisdiction the row is invisible, so the answer is the same 404 as for no row.
    const row = await request.scoped(tx => incidentRepository(tx).findById(request.params.id))
    if (!row) throw errors.notFound(`incident ${request.params.id}`)
    return toFeature(row)
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
    const row = await request.scoped(async tx => {
      const stored = await incidentRepository(tx).insert({
        lon: body.lon, lat: body.lat, category: body.category, severity: body.severity,
        occurred_at: occurredAt, description: body.description
      }, place)
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
