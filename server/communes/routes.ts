import type { FastifyInstance } from 'fastify'
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts'
import { errorResponses } from '../http/schemas.ts'
import { CommuneCollection, CommunesQuery, ProvinceList } from './schemas.ts'
import { geographyService } from './service.ts'

/** Provinces and communes of the user's jurisdiction. */
export default async function geographyRoutes (fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>()
  const geography = geographyService(fastify)

  app.get('/api/provinces', {
    schema: { response: { 200: ProvinceList, ...errorResponses } }
  }, async (request) => geography.provinces(request.user!))

  app.get('/api/communes', {
    schema: { querystring: CommunesQuery, response: { 200: CommuneCollection, ...errorResponses } }
  }, async (request, reply) => {
    const collection = await geography.communesGeoJson(request.user!, request.query.province, request.query.simplify ?? 0.00005)
    return reply.type('application/geo+json; charset=utf-8').send(collection as never)
  })
}
