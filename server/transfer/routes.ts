import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts'
import type { Readable } from 'node:stream'
import { parseIncidentFilter } from '../http/params.ts'
import { errorResponses } from '../http/schemas.ts'
import { ExportQuery, ImportJobParams, ImportJobStatus, ImportQuery, importResponses } from './schemas.ts'
import { IMPORT_BODY_LIMIT, transferService } from './service.ts'

/**
 * Bulk import (CSV or GeoJSON) and streamed export (CSV or GeoJSON) of incidents. Registered without
 * fastify-plugin, so its content-type parsers (raw streams) stay inside this plugin.
 * `idleTimeoutMs`: an upload that sends nothing, or an export reader that takes nothing, for this long is cut.
 */
export default async function transferRoutes (fastify: FastifyInstance, options: { idleTimeoutMs?: number }) {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>()
  const transfer = transferService(fastify, { idleMs: options.idleTimeoutMs ?? 30_000 })

  const raw = (_request: FastifyRequest, payload: unknown, done: (error: Error | null, body?: unknown) => void) => { done(null, payload) }
  app.addContentTypeParser('text/csv', raw)
  app.addContentTypeParser('application/geo+json', raw)
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', raw)

  app.post('/api/incidents/import', {
    bodyLimit: IMPORT_BODY_LIMIT,
    schema: { querystring: ImportQuery, response: importResponses }
  }, async (request, reply) => {
    const result = await transfer.importIncidents(request, {
      mode: request.query.mode,
      type: String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase(),
      body: request.body as Readable | undefined,
      declaredLength: Number(request.headers['content-length']),
      jobId: request.query.job
    }, () => { reply.header('connection', 'close') })
    return result.refused ? reply.status(400).send(result.refused) : result.answer
  })

  app.get('/api/incidents/import/jobs/:job', {
    schema: { params: ImportJobParams, response: { 200: ImportJobStatus, ...errorResponses } }
  }, async (request) => transfer.job(request, request.params.job))

  const exportSchema = { querystring: ExportQuery, response: { ...errorResponses } }
  app.get('/api/incidents/export.csv', { schema: exportSchema }, async (request, reply) => {
    await transfer.exportIncidents(request, parseIncidentFilter(request.query), reply, 'csv')
  })
  app.get('/api/incidents/export.geojson', { schema: exportSchema }, async (request, reply) => {
    await transfer.exportIncidents(request, parseIncidentFilter(request.query), reply, 'geojson')
  })
}
