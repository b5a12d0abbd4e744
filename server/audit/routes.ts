import type { FastifyInstance } from 'fastify'
import { errors } from '../errors.ts'
import { errorResponses } from '../http/schemas.ts'
import { roleMay } from '../auth/roles.ts'

interface AuditQuery { limit: number, before_id?: number, action?: string, entity?: string }

export default async function auditRoutes (app: FastifyInstance) {
  app.get<{ Querystring: AuditQuery }>('/api/audit', {
    schema: {
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          before_id: { type: 'integer', minimum: 1, description: 'page backwards: rows with a smaller id' },
          action: { type: 'string', maxLength: 100 },
          entity: { type: 'string', maxLength: 100 }
        }
      },
      response: {
        200: {
          type: 'object',
          properties: {
            entries: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  id: { type: 'integer' }, at: { type: 'string' }, user_id: { type: ['string', 'null'] }, username: { type: ['string', 'null'] },
                  role: { type: ['string', 'null'] }, action: { type: 'string' }, entity: { type: 'string' }, entity_id: { type: ['string', 'null'] },
                  province_code: { type: ['string', 'null'] }, commune_code: { type: ['string', 'null'] },
                  before: {}, after: {}, request_id: { type: ['string', 'null'] }, client_address: { type: ['string', 'null'] }
                }
              }
            }
          }
        },
        ...errorResponses
      }
    }
  }, async (request) => {
    if (!roleMay(request.user!.role, 'audit:read')) throw errors.forbidden(null, 'only administrators and province commands read the audit trail')
    const { limit, before_id: beforeId, action, entity } = request.query
    // Row-level security limits a province command to its own province's entries.
    const entries = await request.scoped(tx => tx`
      select id::int as id, at, user_id::text as user_id, username, role, action, entity, entity_id, province_code, commune_code,
             before, after, request_id, client_address
      from audit_log
      where true
        ${beforeId ? tx`and id < ${beforeId}` : tx``}
        ${action ? tx`and action = ${action}` : tx``}
        ${entity ? tx`and entity = ${entity}` : tx``}
      order by id desc
      limit ${limit}`)
    return { entries: entries.map(e => ({ ...e, at: (e.at as Date).toISOString() })) }
  })
}
