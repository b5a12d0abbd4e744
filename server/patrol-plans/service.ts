import type { FastifyInstance, FastifyRequest } from 'fastify'
import { cellToLatLng, cellToParent } from 'h3-js'
import { TRAVEL_MODES, type TravelMode } from '../domain/travel-modes.ts'
import { roleMay } from '../domain/roles.ts'
import { localMidnight } from '../domain/vn-time.ts'
import { errors } from '../errors.ts'
import type { Sql } from '../db/connection.ts'
import { recordAudit } from '../audit/record.ts'
import { bigintToH3 } from '../h3/cells.ts'
import { areaPolygons } from '../hotspots/repository.ts'
import { legInsidePolygon, nearestNeighbourRoute, planPatrolRoute, type Plan, type PlanCandidate, type PlanInput } from '../analysis/route-planning.ts'
import { insidePaths } from '../analysis/inside-paths.ts'
import type { MultiPolygonGeometry } from '../analysis/study-area.ts'
import { planToGpx } from '../analysis/gpx-route.ts'
import type { CellPriority } from '../coverage/priority.ts'
import { coverageOf, coverageWindow } from '../coverage/service.ts'
import { patrolRepository } from '../patrols/repository.ts'
import { teamRepository } from '../teams/repository.ts'
import { planRepository, type Figures, type PlanRow, type Waypoint } from './repository.ts'

/** Planning works on res-9 cells (~0.1 km², edge ~175 m): a place to check, not a house. */
export const PLAN_RESOLUTION = 9
/**
 * A plan request offers the planner the commune's cells with the highest gap scores, at most this
 * many: the inside-commune ways between them and the local search grow with the count, and 400
 * keeps the largest commune's 2-hour plan near 250 ms (README, bench section 4) while a patrol
 * visits a few dozen. (The planner's own cap, MAX_TRAVEL_MATRIX_CANDIDATES, guards its memory.)
 */
export const COMMUNE_PLAN_CANDIDATES = 400
export const LEGS_NOTE = 'Legs are straight lines between cell centres (bending through neighbouring cells to stay inside the commune): no road network is available, so follow streets and lanes between waypoints (times use effective straight-line speeds).'

const round = (value: number, digits = 2) => Number(value.toFixed(digits))
const centre = (h3: string) => { const [lat, lon] = cellToLatLng(h3); return { id: h3, lon, lat } }

/** A stored plan as the API gives it (PlanFeature in schemas.ts). */
export function planFeature (row: PlanRow) {
  return {
    type: 'Feature' as const,
    geometry: JSON.parse(row.route) as { type: 'LineString', coordinates: number[][] },
    properties: {
      id: row.id, team_id: row.team_id, commune_code: row.commune_code, mode: row.mode, start: JSON.parse(row.start).coordinates as number[],
      ...row.figures, waypoints: row.waypoints,
      window_from: row.window_from.toISOString(), window_to: row.window_to.toISOString(),
      legs_note: LEGS_NOTE, created_at: row.created_at.toISOString()
    }
  }
}

async function readPlan (tx: Sql, id: string): Promise<PlanRow> {
  const row = await planRepository(tx).findById(id)
  if (!row) throw errors.notFound(`patrol plan ${id}`)
  return row
}

/** The cells worth visiting, highest gap score first (ties by index), at most COMMUNE_PLAN_CANDIDATES. */
function planCandidates (priorities: readonly CellPriority[]): PlanCandidate[] {
  return priorities
    .filter(c => c.gap_score > 0)
    .sort((a, b) => b.gap_score - a.gap_score || (a.h3 < b.h3 ? -1 : 1))
    .slice(0, COMMUNE_PLAN_CANDIDATES)
    .map(c => ({ ...centre(c.h3), priority: c.gap_score }))
}

/** What the plan promises, against the baseline and the commune's whole priority. */
function planFigures (plan: Plan, baseline: Plan, input: { minutes: number, priorities: readonly CellPriority[], candidates: number }): Figures {
  const totalPriority = input.priorities.reduce((sum, c) => sum + c.gap_score, 0)
  const unvisited = new Set(input.priorities.filter(c => c.dwell_seconds === 0).map(c => c.h3))
  return {
    budget_minutes: input.minutes,
    duration_minutes: round(plan.durationSeconds / 60, 1),
    distance_m: round(plan.distanceMeters, 1),
    collected_priority: round(plan.collectedPriority, 4),
    baseline_priority: round(baseline.collectedPriority, 4),
    baseline_distance_m: round(baseline.distanceMeters, 1),
    expected_coverage_gain: {
      cells: plan.stops.filter(s => unvisited.has(s.id)).length,
      priority_share: totalPriority > 0 ? round(plan.collectedPriority / totalPriority, 4) : 0
    },
    candidates: input.candidates
  }
}

/**
 * Plans a tour through the commune's candidate cells, with ways between places that bend
 * through neighbouring cell centres to stay inside the commune; returns the plan, the
 * nearest-neighbour baseline and the drawn route (start → stops → start through the cells between).
 */
function planInside (input: { start: [number, number], minutes: number, mode: TravelMode, priorities: readonly CellPriority[], candidates: PlanCandidate[], polygon: MultiPolygonGeometry | undefined }) {
  const [lon, lat] = input.start
  const travel = TRAVEL_MODES[input.mode]
  const communeCells = input.priorities.map(c => centre(c.h3))
  const nodes = [{ id: 'start', lon, lat }, ...communeCells]
  const nodeOf = new Map(communeCells.map((c, i) => [c.id, i + 1]))
  const candidateNodes = input.candidates.map(c => nodeOf.get(c.id)!)
  const paths = insidePaths(nodes, PLAN_RESOLUTION, input.polygon ? legInsidePolygon(input.polygon) : () => true, [0, ...candidateNodes])
  const toNode = (k: number) => k === 0 ? 0 : candidateNodes[k - 1]!
  const planInput: PlanInput = {
    start: input.start, candidates: input.candidates, budgetSeconds: input.minutes * 60,
    speedMetersPerSecond: travel.speedMetersPerSecond, visitSeconds: travel.visitSeconds,
    legMeters: (i, j) => paths.meters(toNode(i), toNode(j))
  }
  const plan = planPatrolRoute(planInput)
  const baseline = nearestNeighbourRoute(planInput)
  const order = [0, ...plan.stops.map(s => nodeOf.get(s.id)!), 0]
  const route: number[][] = [[lon, lat]]
  for (let k = 1; k < order.length; k++) {
    for (const node of paths.path(order[k - 1]!, order[k]!).slice(1)) route.push([nodes[node]!.lon, nodes[node]!.lat])
  }
  // An empty plan (nothing worth visiting fits the budget) is the start alone: a line needs two points.
  if (route.length < 2) route.push([lon, lat])
  return { plan, baseline, route }
}

/** Rules of patrol plans: who may plan, the team's commune, the coverage window, the audit row. */
export function planService (app: FastifyInstance) {
  return {
    async create (request: FastifyRequest, body: { teamId: string, start: [number, number], minutes: number, mode: TravelMode, from?: string, to?: string }) {
      const user = request.user!
      if (!roleMay(user.role, 'patrols:write')) throw errors.forbidden(null, `the role ${user.role} may not plan patrols`)
      const [lon, lat] = body.start
      if (!(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90)) throw errors.invalidField('start', 'must be [lon, lat] with lon in −180…180 and lat in −90…90')
      const window = coverageWindow(body)
      const row = await request.scoped(async tx => {
        const team = await teamRepository(tx).findById(body.teamId)
        if (!team) throw errors.notFound(`team ${body.teamId}`)
        if ((await patrolRepository(tx).countInside(team.commune_code, [{ lon, lat }])) === 0) {
          throw errors.invalidField('start', `(${lon}, ${lat}) lies outside the team's commune ${team.commune_name} (${team.commune_code})`)
        }
        const area = { kind: 'commune' as const, code: team.commune_code }
        const coverage = await coverageOf(app, tx, { area, team: null, res: PLAN_RESOLUTION, ...window })
        const priorities = coverage.priorities.get(team.commune_code) ?? []
        const candidates = planCandidates(priorities)
        const [polygon] = await areaPolygons(tx, area)
        const { plan, baseline, route } = planInside({ start: [lon, lat], minutes: body.minutes, mode: body.mode, priorities, candidates, polygon })
        const waypoints: Waypoint[] = plan.stops.map((stop, i) => ({
          order: i + 1, h3: stop.id, lon: stop.lon, lat: stop.lat, priority: round(stop.priority, 4), arrival_minute: round(stop.arrivalSeconds / 60, 1)
        }))
        const id = await planRepository(tx).insert({
          team, mode: body.mode, budgetMinutes: body.minutes, start: [lon, lat], route, waypoints,
          figures: planFigures(plan, baseline, { minutes: body.minutes, priorities, candidates: candidates.length }),
          windowFrom: localMidnight(window.fromDay), windowTo: localMidnight(window.toDay), createdBy: user.id
        })
        await recordAudit(tx, request, user, {
          action: 'patrol_plan.create', entity: 'patrol_plan', entity_id: id, province_code: team.province_code, commune_code: team.commune_code,
          before: null, after: { team_id: team.id, mode: body.mode, minutes: body.minutes, stops: waypoints.length }
        })
        return readPlan(tx, id)
      })
      return planFeature(row)
    },

    async get (request: FastifyRequest, id: string) {
      return planFeature(await request.scoped(tx => readPlan(tx, id)))
    },

    /** The plan as GPX 1.1 for phones, with its file name. */
    async gpx (request: FastifyRequest, id: string) {
      const row = await request.scoped(tx => readPlan(tx, id))
      const gpx = planToGpx({
        name: `Kế hoạch tuần tra ${row.id} — tổ ${row.team_id} (${row.mode === 'foot' ? 'đi bộ' : 'xe máy'}, ${row.budget_minutes} phút)`,
        start: planFeature(row).properties.start as [number, number],
        stops: row.waypoints.map(w => ({ id: w.h3, lon: w.lon, lat: w.lat, priority: w.priority, arrivalSeconds: w.arrival_minute * 60 })),
        createdAt: row.created_at,
        durationSeconds: row.figures.duration_minutes * 60
      })
      return { gpx, filename: `patrol-plan-${row.id}.gpx` }
    },

    /** Which planned waypoint cells the patrol's track entered, what that collected, and its cells off the plan. */
    async comparison (request: FastifyRequest, id: string, patrolId: string) {
      return request.scoped(async tx => {
        const plan = await readPlan(tx, id)
        const patrols = patrolRepository(tx)
        const patrol = await patrols.get(patrolId)
        if (!patrol) throw errors.notFound(`patrol ${patrolId}`)
        if (patrol.commune_code !== plan.commune_code) throw errors.invalidField('patrol', `patrol ${patrol.id} is in commune ${patrol.commune_code}, the plan in ${plan.commune_code}`)
        const actual = new Set((await patrols.cells(patrol.id)).map(h3 => cellToParent(bigintToH3(h3), PLAN_RESOLUTION)))
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
    }
  }
}
