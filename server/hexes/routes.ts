import type { FastifyInstance } from 'fastify'
import { bigintToH3, MAX_QUERY_RESOLUTION, MIN_QUERY_RESOLUTION } from '../h3/cells.ts'
import { areaAndWindowQuery, errorResponses } from '../http/schemas.ts'
import { parseIncidentFilter } from '../incidents/routes.ts'
import { incidentRepository } from '../incidents/repository.ts'
import { assertAreaVisible } from '../auth/area-scope.ts'

interface HexQuery { res: number, province?: string, commune?: string, bbox?: string, from?: string, to?: string, category?: string }

/** Incident counts per H3 cell; coarser cells are parents of each incident's stored res-10 cell. */
export default async function hexRoutes (app: FastifyInstance) {
  app.get<{ Querystring: HexQuery }>('/api/hexes', {
    schema: {
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          res: { type: 'integer', minimum: MIN_QUERY_RESOLUTION, maximum: MAX_QUERY_RESOLUTION, default: 8 },
          ...areaAndWindowQuery
        }
      },
      response: {
        200: {
          type: 'object',
          properties: {
            res: { type: 'integer' },
            source: { type: 'string', enum: ['rollup', 'raw'] },
            total: { type: 'integer' },
            cells: { type: 'array', items: { type: 'object', properties: { h3: { type: 'string' }, count: { type: 'integer' } } } }
          }
        },
        ...errorResponses
      }
    }
  }, async (request) => {
    const { res } = request.query
    const filter = parseIncidentFilter(request.query)
    await assertAreaVisible(app, request.user!, filter.area)
    const { source, rows } = await request.scoped(tx => incidentRepository(tx).hexCounts(filter, res))
    let total = 0
    const cells = rows.map(row => {
      total += row.count
      return { h3: bigintToH3(row.h3), count: row.count }
    })
    return { res, source, total, cells }
  })
}
