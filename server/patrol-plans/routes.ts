import type { FastifyInstance } from 'fastify'
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts'
import { errorResponses } from '../http/schemas.ts'
import { Comparison, ComparisonQuery, PlanBody, PlanFeature, PlanParams } from './schemas.ts'
import { LEGS_NOTE, PLAN_RESOLUTION, planService } from './service.ts'

/** Patrol route plans: made from coverage gaps, read as GeoJSON or GPX, compared with what a patrol did. */
export default async function planRoutes (fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>()
  const plans = planService(fastify)

  app.post('/api/patrol-plans', {
    schema: {
      description: `Plans a patrol route for a team: from the start point, within the time budget, through the res-${PLAN_RESOLUTION} cells of the team's commune with the highest gap scores (incident intensity × lack of coverage in the window), back to the start. An orienteering tour: greedy insertion improved by local search; compared with a nearest-neighbour baseline. ${LEGS_NOTE}`,
      body: PlanBody,
      response: { 201: PlanFeature, ...errorResponses }
    }
  }, async (request, reply) => {
    const { team_id: teamId, start, minutes, mode, from, to } = request.body
    const plan = await plans.create(request, { teamId: String(teamId), start: [start[0]!, start[1]!], minutes, mode, from, to })
    reply.code(201)
    return plan
  })

  app.get('/api/patrol-plans/:id', {
    schema: { description: 'A stored patrol plan as a GeoJSON Feature.', params: PlanParams, response: { 200: PlanFeature, ...errorResponses } }
  }, async (request) => plans.get(request, String(request.params.id)))

  app.get('/api/patrol-plans/:id.gpx', {
    schema: {
      description: 'The plan as GPX 1.1 for phones: a route (rte) through the numbered waypoints, back to the start, and the waypoints (wpt).',
      params: PlanParams,
      response: { 200: { type: 'string' }, ...errorResponses }
    }
  }, async (request, reply) => {
    const { gpx, filename } = await plans.gpx(request, String(request.params.id))
    reply.header('content-type', 'application/gpx+xml; charset=utf-8')
    reply.header('content-disposition', `attachment; filename="${filename}"`)
    return gpx
  })

  app.get('/api/patrol-plans/:id/comparison', {
    schema: {
      description: `Plan against what was done: which planned res-${PLAN_RESOLUTION} waypoint cells the patrol's track entered, the priority that collected, and the cells it covered off the plan.`,
      params: PlanParams,
      querystring: ComparisonQuery,
      response: { 200: Comparison, ...errorResponses }
    }
  }, async (request) => plans.comparison(request, String(request.params.id), String(request.query.patrol)))
}
