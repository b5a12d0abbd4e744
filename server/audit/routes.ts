import type { FastifyInstance } from 'fastify'
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts'
import { errorResponses } from '../http/schemas.ts'
import { AuditLog, AuditQuery } from './schemas.ts'
import { auditService } from './service.ts'

/** The audit trail, newest first. */
export default async function auditRoutes (fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>()
  const audit = auditService()
  app.get('/api/audit', {
    schema: { querystring: AuditQuery, response: { 200: AuditLog, ...errorResponses } }
  }, async (request) => audit.list(request, request.query))
}
