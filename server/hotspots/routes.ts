import type { FastifyInstance } from 'fastify'
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts'
import { errorResponses } from '../http/schemas.ts'
import { EmergingHotspots, EmergingQuery, HotspotQuery, Hotspots } from './schemas.ts'
import { hotspotService } from './service.ts'

/** Hot and cold spots of a province or commune, and emerging hotspots over a run of periods. */
export default async function hotspotRoutes (fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>()
  const hotspots = hotspotService(fastify)

  app.get('/api/hotspots', {
    schema: { querystring: HotspotQuery, response: { 200: Hotspots, ...errorResponses } }
  }, async (request) => hotspots.hotspots(request, request.query))

  app.get('/api/hotspots/emerging', {
    schema: { querystring: EmergingQuery, response: { 200: EmergingHotspots, ...errorResponses } }
  }, async (request) => hotspots.emerging(request, request.query))
}
