import type { FastifyInstance } from 'fastify'
import { assertAreaVisible } from '../auth/area-scope.ts'
import { scopeOf } from '../auth/roles.ts'
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
  }, async (request) => {
    // Everyone sees the provinces their jurisdiction touches (a commune user: their own province).
    const user = request.user!
    const scope = scopeOf(user)
    const provinces = await app.geography.provinces()
    if (scope.kind === 'national') return provinces
    const own = scope.kind === 'province' ? scope.province : await app.geography.provinceOfCommune(scope.commune)
    return provinces.filter(p => p.code === own)
  })

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
    const user = request.user!
    let provinceCode = province ?? null
    if (provinceCode) await assertAreaVisible(app, user, { kind: 'province', code: provinceCode })
    else if (scopeOf(user).kind !== 'national') {
      // Without a province, a non-national user gets their own province's communes.
      const scope = scopeOf(user)
      provinceCode = scope.kind === 'province' ? scope.province : await app.geography.provinceOfCommune((scope as { commune: string }).commune)
    }
    const collection = await app.geography.communesGeoJson(provinceCode, simplify)
    return reply.type('application/geo+json; charset=utf-8').send(collection)
  })
}
