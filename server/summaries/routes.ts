import type { FastifyInstance } from 'fastify'
import { errors } from '../errors.ts'
import { parseTimeWindow } from '../http/params.ts'
import { communeCode, errorResponses, provinceCode } from '../http/schemas.ts'
import { assertAreaVisible } from '../auth/area-scope.ts'
import { scopeOf } from '../auth/roles.ts'
import { startOfLocalDay } from '../demo/load-demo.ts'
import { communeSummaries, summaryFigures } from './repository.ts'

const DEFAULT_WINDOW_DAYS = 30

const CommuneSummary = {
  type: 'object',
  properties: {
    code: { type: 'string' }, name: { type: 'string' }, name_en: { type: 'string' }, population: { type: ['integer', 'null'] },
    total: { type: 'integer' }, previous_total: { type: 'integer' },
    by_category: { type: 'object', additionalProperties: { type: 'integer' } },
    by_status: { type: 'object', additionalProperties: { type: 'integer' } },
    median_response_seconds: { type: ['number', 'null'], description: 'median of dispatched − reported' },
    median_handling_seconds: { type: ['number', 'null'], description: 'median of resolved − reported' },
    resolved_share: { type: ['number', 'null'], description: '(resolved + closed) / (all − cancelled)' },
    per_1000_residents: { type: ['number', 'null'] },
    change: { type: 'integer', description: 'total − previous_total' },
    change_pct: { type: ['number', 'null'] }
  }
} as const

const windowQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    from: { type: 'string', description: 'ISO 8601, inclusive; default: 30 days before to' },
    to: { type: 'string', description: 'ISO 8601, exclusive; default: the start of today in Vietnam' }
  }
} as const

function window (query: { from?: string, to?: string }) {
  const parsed = parseTimeWindow(query)
  const to = parsed.to ?? startOfLocalDay()
  const from = parsed.from ?? new Date(to.getTime() - DEFAULT_WINDOW_DAYS * 86_400_000)
  if (from >= to) throw errors.invalidField('from', 'must be earlier than to')
  return { from, to, previous_from: new Date(from.getTime() - (to.getTime() - from.getTime())) }
}

/** Figures per commune for a time window, against the window of the same length before it. */
export default async function summaryRoutes (app: FastifyInstance) {
  app.get<{ Params: { code: string }, Querystring: { from?: string, to?: string } }>('/api/communes/:code/summary', {
    schema: {
      params: { type: 'object', properties: { code: communeCode } },
      querystring: windowQuery,
      response: { 200: { type: 'object', properties: { from: { type: 'string' }, to: { type: 'string' }, previous_from: { type: 'string' }, commune: CommuneSummary } }, ...errorResponses }
    }
  }, async (request) => {
    await assertAreaVisible(app, request.user!, { kind: 'commune', code: request.params.code })
    const w = window(request.query)
    const [row] = await request.scoped(tx => communeSummaries(tx, { commune: request.params.code }, w.from, w.to))
    return { from: w.from.toISOString(), to: w.to.toISOString(), previous_from: w.previous_from.toISOString(), commune: summaryFigures(row!) }
  })

  app.get<{ Params: { code: string }, Querystring: { from?: string, to?: string } }>('/api/provinces/:code/summary', {
    schema: {
      params: { type: 'object', properties: { code: provinceCode } },
      querystring: windowQuery,
      response: { 200: { type: 'object', properties: { from: { type: 'string' }, to: { type: 'string' }, previous_from: { type: 'string' }, communes: { type: 'array', items: CommuneSummary } } }, ...errorResponses }
    }
  }, async (request) => {
    await assertAreaVisible(app, request.user!, { kind: 'province', code: request.params.code })
    // A commune account would see one commune's figures beside zeros for the rest: not a province view.
    if (scopeOf(request.user!).kind === 'commune') throw errors.notFound(`province ${request.params.code}`)
    const w = window(request.query)
    const rows = await request.scoped(tx => communeSummaries(tx, { province: request.params.code }, w.from, w.to))
    return { from: w.from.toISOString(), to: w.to.toISOString(), previous_from: w.previous_from.toISOString(), communes: rows.map(summaryFigures) }
  })
}
