import type { FastifyInstance, FastifyRequest } from 'fastify'
import { cellToLatLng, cellToParent } from 'h3-js'
import { errors } from '../errors.ts'
import { errorResponses, areaAndWindowQuery } from '../http/schemas.ts'
import { roleMay } from '../auth/roles.ts'
import { recordAudit } from '../audit/record.ts'
import type { Sql } from '../db/connection.ts'
import { bigintToH3 } from '../h3/cells.ts'
import { areaPolygons } from '../hotspots/repository.ts'
import { legInsidePolygon, nearestNeighbourRoute, planPatrolRoute, TRAVEL_MODES, type PlanCandidate, type PlanInput, type TravelMode } from '../analysis/route-planning.ts'
import { planToGpx } from '../analysis/gpx-route.ts'
import { coverageOf } from '../coverage/service.ts'
import { coverageWindow } from '../coverage/routes.ts'
import { insidePaths } from '../analysis/inside-paths.ts'
import { patrolRepository } from './repository.ts'

/** Planning works on res-9 cells (~0.1 km², edge ~175 m): a place to check, not a house. */
export const PLAN_RESOLUTION = 9
/** The planner sees the cells with the highest gap scores, at most this many. */
export const MAX_PLAN_CANDIDATES = 400
export const LEGS_NOTE = 'Legs are straight lines between cell centres (bending through neighbouring cells to stay inside the commune): no road network is available, so follow streets and lanes between waypoints (times use effective straight-line speeds).'

interface PlanBody { team_id: string, start: [number, number], minutes: number, mode: TravelMode, from?: string, to?: string }

interface Waypoint { order: number, h3: string, lon: number, lat: number, priority: number, arrival_minute: number }
interface Figures {
  budget_minutes: number, duration_minutes: number, distance_m: number, collected_priority: number, baseline_priority: number,
  baseline_distance_m: number, expected_coverage_gain: { cells: number, priority_share: number }, candidates: number
}
interface PlanRow {
  id: string, team_id: string, commune_code: string, province_code: string, mode: TravelMode, budget_minutes: number,
  start: string, route: string, waypoints: Waypoint[], figures: Figures, window_from: Date, window_to: Date, created_at: Date
}

const PlanFeature = {
  type: 'object',
  properties: {
    type: { type: 'string' },
    geometry: { type: 'object', properties: { type: { type: 'string' }, coordinates: { type: 'array', items: { type: 'array', items: { type: 'number' } } } } },
    properties: {
      type: 'object',
      properties: {
        id: { type: 'string' }, team_id: { type: 'string' }, commune_code: { type: 'string' }, mode: { type: 'string' },
        start: { type: 'array', items: { type: 'number' } },
        budget_minutes: { type: 'number' }, duration_minutes: { type: 'number' }, distance_m: { type: 'number' },
        collected_priority: { type: 'number' }, baseline_priority: { type: 'number' }, baseline_distance_m: { type: 'number' }, candidates: { type: 'integer' },
        expected_coverage_gain: { type: 'object', properties: { cells: { type: 'integer' }, priority_share: { type: 'number' } } },
        waypoints: {
          type: 'array',
          items: { type: 'object', properties: { order: { type: 'integer' }, h3: { type: 'string' }, lon: { type: 'number' }, lat: { type: 'number' }, priority: { type: 'number' }, arrival_minute: { type: 'number' } } }
        },
        window_from: { type: 'string' }, window_to: { type: 'string' }, legs_note: { type: 'string' }, created_at: { type: 'string' }
      }
    }
  }
} as const

const round = (value: number, digits = 2) => Number(value.toFixed(digits))

function toFeature (row: PlanRow) {
  const route = JSON.parse(row.route) as { type: 'LineString', coordinates: number[][] }
  return {
    type: 'Feature',
    geometry: route,
    properties: {
      id: row.id, team_id: row.team_id, commune_code: row.commune_code, mode: row.mode, start: JSON.parse(row.start).coordinates,
      ...row.figures, waypoints: row.waypoints,
      window_from: row.window_from.toISOString(), window_to: row.window_to.toISOString(),
      legs_note: LEGS_NOTE, created_at: row.created_at.toISOString()
    }
  }
}

async function readPlan (tx: Sql, id: string): Promise<PlanRow> {
  const [row] = await tx<PlanRow[]>`
    select id::text as id, team_id::text as team_id, commune_code, province_code, mode, budget_minutes,
           st_asgeojson(start) as start, st_asgeojson(route) as route, waypoints, figures, window_from, window_to, created_at
    from patrol_plans where id = ${id}`
  if (!row) throw errors.notFound(`patrol plan ${id}`)
  return row
}

function assertMayPlan (request: FastifyRequest) {
  const user = request.user!
  if (!roleMay(user.role, 'patrols:write')) throw errors.forbidden(null, `the role ${user.role} may not plan patrols`)
}

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^\\d{1,18}$' } } } as const

export default async function planRoutes (app: FastifyInstance) {
  app.post<{ Body: PlanBody }>('/api/patrol-plans', {
    schema: {
      description: `Plans a patrol route for a team: from the start point, within the time budget, through the res-${PLAN_RESOLUTION} cells of the team's commune with the highest gap scores (incident intensity × lack of coverage in the window), back to the start. An orienteering tour: greedy insertion improved by local search; compared with a nearest-neighbour baseline. ${LEGS_NOTE}`,
      body: {
        type: 'object', additionalProperties: false, required: ['team_id', 'start', 'minutes', 'mode'],
        properties: {
          team_id: { type: 'string', pattern: '^\\d{1,18}$' },
          start: { type: 'array', minItems: 2, maxItems: 2, items: { type: 'number' }, description: '[lon, lat] inside the team\'s commune' },
          minutes: { type: 'integer', minimum: 10, maximum: 480 },
          mode: { type: 'string', enum: ['foot', 'motorbike'] },
          from: { ...areaAndWindowQuery.from, description: 'coverage window start (default: 14 days before to)' },
          to: { ...areaAndWindowQuery.to, description: 'coverage window end (default: the end of today)' }
        }
      },
      response: { 201: PlanFeature, ...errorResponses }
    }
  }, async (request, reply) => {
    assertMayPlan(request)
    const body = request.body
    const [lon, lat] = body.start
    if (!(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90)) throw errors.invalidField('start', 'must be [lon, lat] with lon in −180…180 and lat in −90…90')
    const window = coverageWindow(body)
    const row = await request.scoped(async tx => {
      const repository = patrolRepository(tx)
      const team = await repository.team(body.team_id)
      if (!team) throw errors.notFound(`team ${body.team_id}`)
      if ((await repository.countInside(team.commune_code, [{ lon, lat }])) === 0) {
        throw errors.invalidField('start', `(${lon}, ${lat}) lies outside the team's commune ${team.commune_name} (${team.commune_code})`)
      }
      const area = { kind: 'commune' as const, code: team.commune_code }
      const coverage = await coverageOf(app, tx, { area, team: null, res: PLAN_RESOLUTION, ...window })
      const priorities = coverage.priorities.get(team.commune_code) ?? []
      const totalPriority = priorities.reduce((sum, c) => sum + c.gap_score, 0)
      const candidates: PlanCandidate[] = priorities
        .filter(c => c.gap_score > 0)
        .sort((a, b) => b.gap_score - a.gap_score || (a.h3 < b.h3 ? -1 : 1))
        .slice(0, MAX_PLAN_CANDIDATES)
        .map(c => { const [clat, clon] = cellToLatLng(c.h3); return { id: c.h3, lon: clon, lat: clat, priority: c.gap_score } })
      const [polygon] = await areaPolygons(tx, area)
      const travel = TRAVEL_MODES[body.mode]
      // Ways between places bend through neighbouring cell centres to stay inside the commune.
      const communeCells = priorities.map(c => { const [clat, clon] = cellToLatLng(c.h3); return { id: c.h3, lon: clon, lat: clat } })
      const nodes = [{ id: 'start', lon, lat }, ...communeCells]
      const nodeOf = new Map(communeCells.map((c, i) => [c.id, i + 1]))
      const candidateNodes = candidates.map(c => nodeOf.get(c.id)!)
      const paths = insidePaths(nodes, PLAN_RESOLUTION, polygon ? legInsidePolygon(polygon) : () => true, [0, ...candidateNodes])
      const toNode = (k: number) => k === 0 ? 0 : candidateNodes[k - 1]!
      const input: PlanInput = {
        start: [lon, lat], candidates, budgetSeconds: body.minutes * 60,
        speedMetersPerSecond: travel.speedMetersPerSecond, visitSeconds: travel.visitSeconds,
        legMeters: (i, j) => paths.meters(toNode(i), toNode(j))
      }
      const plan = planPatrolRoute(input)
      const baseline = nearestNeighbourRoute(input)
      const unvisited = new Set(priorities.filter(c => c.dwell_seconds === 0).map(c => c.h3))
      const waypoints: Waypoint[] = plan.stops.map((stop, i) => ({
        order: i + 1, h3: stop.id, lon: stop.lon, lat: stop.lat, priority: round(stop.priority, 4), arrival_minute: round(stop.arrivalSeconds / 60, 1)
      }))
      const figures: Figures = {
        budget_minutes: body.minutes,
        duration_minutes: round(plan.durationSeconds / 60, 1),
        distance_m: round(plan.distanceMeters, 1),
        collected_priority: round(plan.collectedPriority, 4),
        baseline_priority: round(baseline.collectedPriority, 4),
        baseline_distance_m: round(baseline.distanceMeters, 1),
        expected_coverage_gain: {
          cells: plan.stops.filter(s => unvisited.has(s.id)).length,
          priority_share: totalPriority > 0 ? round(plan.collectedPriority / totalPriority, 4) : 0
        },
        candidates: candidates.length
      }
      // The drawn route follows the inside ways: start → stops → start through the cells between.
      const order = [0, ...plan.stops.map(s => nodeOf.get(s.id)!), 0]
      const coordinates: number[][] = [[lon, lat]]
      for (let k = 1; k < order.length; k++) {
        for (const node of paths.path(order[k - 1]!, order[k]!).slice(1)) coordinates.push([nodes[node]!.lon, nodes[node]!.lat])
      }
      // An empty plan (nothing worth visiting fits the budget) is the start alone: a line needs two points.
      if (coordinates.length < 2) coordinates.push([lon, lat])
      const routeEwkt = `SRID=4326;LINESTRING(${coordinates.map(c => `${c[0]} ${c[1]}`).join(', ')})`
      const [created] = await tx<{ id: string }[]>`
        insert into patrol_plans (province_code, commune_code, team_id, mode, budget_minutes, start, route, waypoints, figures, window_from, window_to, created_by)
        values (${team.province_code}, ${team.commune_code}, ${team.id}, ${body.mode}, ${body.minutes},
                st_setsrid(st_makepoint(${lon}, ${lat}), 4326), st_geomfromewkt(${routeEwkt}),
                ${tx.json(waypoints as never)}, ${tx.json(figures as never)},
                ${`${window.fromDay}T00:00:00+07:00`}, ${`${window.toDay}T00:00:00+07:00`}, ${request.user!.id})
        returning id::text as id`
      await recordAudit(tx, request, request.user!, {
        action: 'patrol_plan.create', entity: 'patrol_plan', entity_id: created!.id, province_code: team.province_code, commune_code: team.commune_code,
        before: null, after: { team_id: team.id, mode: body.mode, minutes: body.minutes, stops: waypoints.length }
      })
      return readPlan(tx, created!.id)
    })
    reply.code(201)
    return toFeature(row)
  })

  app.get<{ Params: { id: string } }>('/api/patrol-plans/:id', {
    schema: { description: 'A stored patrol plan as a GeoJSON Feature.', params: idParams, response: { 200: PlanFeature, ...errorResponses } }
  }, async (request) => toFeature(await request.scoped(tx => readPlan(tx, request.params.id))))

  app.get<{ Params: { id: string } }>('/api/patrol-plans/:id.gpx', {
    schema: {
      description: 'The plan as GPX 1.1 for phones: a route (rte) through the numbered waypoints, back to the start, and the waypoints (wpt).',
      params: idParams,
      response: { 200: { type: 'string' }, ...errorResponses }
    }
  }, async (request, reply) => {
    const row = await request.scoped(tx => readPlan(tx, request.params.id))
    const feature = toFeature(row)
    const gpx = planToGpx({
      name: `Kế hoạch tuần tra ${row.id} — tổ ${row.team_id} (${row.mode === 'foot' ? 'đi bộ' : 'xe máy'}, ${row.budget_minutes} phút)`,
      start: feature.properties.start as [number, number],
      stops: row.waypoints.map(w => ({ id: w.h3, lon: w.lon, lat: w.lat, priority: w.priority, arrivalSeconds: w.arrival_minute * 60 })),
      createdAt: row.created_at,
      durationSeconds: row.figures.duration_minutes * 60
    })
    reply.header('content-type', 'application/gpx+xml; charset=utf-8')
    reply.header('content-disposition', `attachment; filename="patrol-plan-${row.id}.gpx"`)
    return gpx
  })

  app.get<{ Params: { id: string }, Querystring: { patrol: string } }>('/api/patrol-plans/:id/comparison', {
    schema: {
      description: `Plan against what was done: which planned res-${PLAN_RESOLUTION} waypoint cells the patrol's track entered, the priority that collected, and the cells it covered off the plan.`,
      params: idParams,
      querystring: { type: 'object', additionalProperties: false, required: ['patrol'], properties: { patrol: { type: 'string', pattern: '^\\d{1,18}$' } } },
      response: {
        200: {
          type: 'object',
          properties: {
            plan_id: { type: 'string' }, patrol_id: { type: 'string' }, plan_cells: { type: 'integer' }, visited_plan_cells: { type: 'integer' },
            share_visited: { type: 'number' }, planned_priority: { type: 'number' }, collected_priority: { type: 'number' },
            actual_cells: { type: 'integer' }, off_plan_cells: { type: 'integer' },
            missed: { type: 'array', items: { type: 'string' } }
          }
        },
        ...errorResponses
      }
    }
  }, async (request) => {
    return request.scoped(async tx => {
      const plan = await readPlan(tx, request.params.id)
      const patrol = await patrolRepository(tx).get(request.query.patrol)
      if (!patrol) throw errors.notFound(`patrol ${request.query.patrol}`)
      if (patrol.commune_code !== plan.commune_code) throw errors.invalidField('patrol', `patrol ${patrol.id} is in commune ${patrol.commune_code}, the plan in ${plan.commune_code}`)
      const cells = await tx<{ h3: bigint }[]>`select h3 from patrol_cells where patrol_id = ${patrol.id}`
      const actual = new Set(cells.map(c => cellToParent(bigintToH3(c.h3), PLAN_RESOLUTION)))
      const planned = plan.waypoints
      const visited = planned.filter(w => actual.has(w.h3))
      const plannedSet = new Set(planned.map(w => w.h3))
      return {
        plan_id: plan.id, patrol_id: patrol.id, plan_cells: planned.length, visited_plan_cells: visited.length,
        share_visited: planned.length ? visited.length / planned.length : 0,
        planned_priority: round(planned.reduce((s, w) => s + w.priority, 0), 4),
        collected_priority: round(visited.reduce((s, w) => s + w.priority, 0), 4),
        actual_cells: actual.size, off_plan_cells: [...actual].filter(h => !plannedSet.has(h)).length,
        missed: planned.filter(w => !actual.has(w.h3)).map(w => w.h3)
      }
    })
  })
}
