import type { FastifyInstance } from 'fastify'
import { parseArea } from '../http/params.ts'
import { communeCode, errorResponses, provinceCode } from '../http/schemas.ts'
import { assertAreaVisible } from '../auth/area-scope.ts'
import { patrolRepository } from '../patrols/repository.ts'

interface TeamsQuery { province?: string, commune?: string }

/** Teams of a province or commune (within the user's jurisdiction), for patrol and evacuation work. */
export default async function teamRoutes (app: FastifyInstance) {
  app.get<{ Querystring: TeamsQuery }>('/api/teams', {
    schema: {
      description: 'Security and Order Protection Teams of an area, with their member counts.',
      querystring: { type: 'object', additionalProperties: false, properties: { province: provinceCode, commune: communeCode } },
      response: {
        200: {
          type: 'object',
          properties: {
            teams: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  id: { type: 'string' }, name: { type: 'string' }, commune_code: { type: 'string' }, province_code: { type: 'string' },
                  members: { type: 'integer' }, is_generated: { type: 'boolean' }
                }
              }
            }
          }
        },
        ...errorResponses
      }
    }
  }, async (request) => {
    const area = parseArea(request.query)
    await assertAreaVisible(app, request.user!, area)
    const teams = await request.scoped(tx => patrolRepository(tx).teams(area.kind === 'province' || area.kind === 'commune' ? area : null))
    return { teams }
  })
}
