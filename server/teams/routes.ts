import type { FastifyInstance } from 'fastify'
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts'
import { parseArea } from '../http/params.ts'
import { errorResponses } from '../http/schemas.ts'
import { TeamList, TeamsQuery } from './schemas.ts'
import { teamService } from './service.ts'

/** Teams of a province or commune (within the user's jurisdiction), for patrol and evacuation work. */
export default async function teamRoutes (fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>()
  const teams = teamService(fastify)
  app.get('/api/teams', {
    schema: {
      description: 'Security and Order Protection Teams of an area, with their member counts.',
      querystring: TeamsQuery,
      response: { 200: TeamList, ...errorResponses }
    }
  }, async (request) => ({ teams: await teams.list(request, parseArea(request.query)) }))
}
