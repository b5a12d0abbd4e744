import type { FastifyRequest } from 'fastify'
import type { FromSchema } from 'json-schema-to-ts'
import { errors } from '../errors.ts'
import { roleMay } from '../domain/roles.ts'
import { auditRepository } from './repository.ts'
import type { AuditQuery } from './schemas.ts'

/** Reading the audit trail: administrators and province commands only; row-level security limits a province command to its own province's entries. */
export function auditService () {
  return {
    async list (request: FastifyRequest, query: FromSchema<typeof AuditQuery>) {
      if (!roleMay(request.user!.role, 'audit:read')) throw errors.forbidden(null, 'only administrators and province commands read the audit trail')
      const entries = await request.scoped(tx => auditRepository(tx).list({ limit: query.limit, beforeId: query.before_id, action: query.action, entity: query.entity }))
      return { entries: entries.map(e => ({ ...e, at: e.at.toISOString() })) }
    }
  }
}
