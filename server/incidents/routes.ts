import type { FastifyInstance } from 'fastify'
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts'
import { parseIncidentFilter } from '../http/params.ts'
import { errorResponses } from '../http/schemas.ts'
import { IncidentDetail, IncidentFeature, IncidentIdParams, IncidentList, IncidentListQuery, NewIncidentBody, StatusChangeBody } from './schemas.ts'
import { incidentService } from './service.ts'

/** Incidents: list, read, report and move through their statuses. */
export default async function incidentRoutes (fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>()
  const incidents = incidentService(fastify)

  app.get('/api/incidents', {
    schema: { querystring: IncidentListQuery, response: { 200: IncidentList, ...errorResponses } }
  }, async (request) => incidents.list(request, parseIncidentFilter(request.query), request.query.limit, request.query.cursor))

  app.get('/api/incidents/:id', {
    schema: { params: IncidentIdParams, response: { 200: IncidentDetail, ...errorResponses } }
  }, async (request) => incidents.detail(request, String(request.params.id)))

  app.patch('/api/incidents/:id', {
    schema: { params: IncidentIdParams, body: StatusChangeBody, response: { 200: IncidentDetail, ...errorResponses } }
  }, async (request) => incidents.changeStatus(request, String(request.params.id), request.body))

  app.post('/api/incidents', {
    schema: { body: NewIncidentBody, response: { 201: IncidentFeature, ...errorResponses } }
  }, async (request, reply) => {
    const feature = await incidents.report(request, request.body)
    return reply.status(201).header('location', `/api/incidents/${feature.properties.id}`).send(feature)
  })
}
