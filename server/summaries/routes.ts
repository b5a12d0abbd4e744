import type { FastifyInstance } from 'fastify'
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts'
import { errorResponses } from '../http/schemas.ts'
import { CommuneCodeParams, CommuneSummaryAnswer, ProvinceCodeParams, ProvinceSummaryAnswer, SummaryWindowQuery } from './schemas.ts'
import { summaryService } from './service.ts'

/** Figures per commune for a time window, against the window of the same length before it. */
export default async function summaryRoutes (fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>()
  const summaries = summaryService(fastify)

  app.get('/api/communes/:code/summary', {
    schema: { params: CommuneCodeParams, querystring: SummaryWindowQuery, response: { 200: CommuneSummaryAnswer, ...errorResponses } }
  }, async (request) => summaries.commune(request, request.params.code, request.query))

  app.get('/api/provinces/:code/summary', {
    schema: { params: ProvinceCodeParams, querystring: SummaryWindowQuery, response: { 200: ProvinceSummaryAnswer, ...errorResponses } }
  }, async (request) => summaries.province(request, request.params.code, request.query))
}
