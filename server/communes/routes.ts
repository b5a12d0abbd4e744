import type { FastifyInstance } from 'fastify'
import { errors } from '../errors.ts'
import { errorResponses, provinceCode } from '../http/schemas.ts'

export default async function geographyRoutes (app: FastifyInstance) {
  app.get('/api/provinces', {
    schema: {
      response: {
        200: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              code: { type: 'string' }, name: { type: 'string' }, name_en: { type: 'string' },
              commune_count: { type: 'integer' }, population: { type: ['integer', 'null'] },
              bbox: { type: ['array', 'null'], items: { type: 'number' } }
            }
          }
        }
      }
    }
  }, async () => app.geography.provinces())

  app.get<{ Querystring: { province?: string, simplify: number } }>('/api/communes', {
    schema: {
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          province: provinceCode,
          simplify: { type: 'number', minimum: 0, maximum: 0.01, default: 0.00005, description: 'tolerance in degrees; 0 for full detail' }
        }
      },
      response: { ...errorResponses }
    }
  }, async (request, reply) => {
    const { province, simplify } = request.query
    if (province && !(await app.geography.provinceExists(province))) throw errors.notFound(`province ${province}`)
    const collection = await app.geography.communesGeoJson(province ?? null, simplify)
    return reply.type('application/geo+json; charset=utf-8').send(collection)
  })
}
