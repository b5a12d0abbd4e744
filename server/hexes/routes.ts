import type { FastifyInstance } from 'fastify'
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts'
import { parseIncidentFilter } from '../http/params.ts'
import { errorResponses } from '../http/schemas.ts'
import { HexCounts, HexQuery } from './schemas.ts'
import { hexService } from './service.ts'

/** Incident counts per H3 cell; coarser cells are parents of each incident's stored res-10 cell. */
export default async function hexRoutes (fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>()
  const hexes = hexService(fastify)
  app.get('/api/hexes', {
    schema: { querystring: HexQuery, response: { 200: HexCounts, ...errorResponses } }
  }, async (request) => hexes.counts(request, parseIncidentFilter(request.query), request.query.res))
}
