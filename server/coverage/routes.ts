import type { FastifyInstance } from 'fastify'
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts'
import { errors } from '../errors.ts'
import { parseArea } from '../http/params.ts'
import { errorResponses } from '../http/schemas.ts'
import { Coverage, CoverageQuery } from './schemas.ts'
import { coverageForRequest } from './service.ts'

export default async function coverageRoutes (fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>()
  app.get('/api/coverage', {
    schema: {
      description: 'Patrol coverage of a commune (or a province): per cell visits, dwell seconds and last visit; KPIs per commune and team (share of the commune\'s cells visited, patrol minutes per week in the top-priority cells); the gap list (incident intensity × lack of coverage). Whole local days; default the last 14.',
      querystring: CoverageQuery,
      response: { 200: Coverage, ...errorResponses }
    }
  }, async (request) => {
    const area = parseArea(request.query)
    if (area.kind !== 'province' && area.kind !== 'commune') throw errors.missingField('commune')
    const { team, res, from, to } = request.query
    return coverageForRequest(fastify, request, { area, team: team === undefined ? null : String(team), res: res ?? null, from, to })
  })
}
