import type { FastifyInstance } from 'fastify'
import { errors } from '../errors.ts'
import { localDay, parseArea, parseTime } from '../http/params.ts'
import { areaAndWindowQuery, errorResponses } from '../http/schemas.ts'
import { assertAreaVisible } from '../auth/area-scope.ts'
import { startOfLocalDay } from '../demo/load-demo.ts'
import { coverageOf } from './service.ts'
import { assertWithinWorkBudget, studyAreaKm2 } from '../hotspots/routes.ts'
import { estimateWork, withinBudget } from '../analysis/work-budget.ts'

interface CoverageQuery { province?: string, commune?: string, team?: string, from?: string, to?: string, res?: number }

/** Default coverage window: the last 14 days up to the end of today (Vietnam). */
export const DEFAULT_COVERAGE_DAYS = 14
const MAX_COVERAGE_DAYS = 366
/** Coarsest resolution coverage is served at (the query schema's minimum). */
const COVERAGE_MIN_RES = 7
const DAY_MS = 86_400_000

/** The coverage window as whole local days (a time within a day counts as that whole day). */
export function coverageWindow (query: { from?: string, to?: string }, now = new Date()): { fromDay: string, toDay: string } {
  const to = query.to ? parseTime('to', query.to) : new Date(startOfLocalDay(now).getTime() + DAY_MS)
  const toDay = localDay(new Date(to.getTime() - 1 + DAY_MS)) // round an inner time up to the next midnight
  const from = query.from ? parseTime('from', query.from) : new Date(to.getTime() - DEFAULT_COVERAGE_DAYS * DAY_MS)
  const fromDay = localDay(from)
  const days = (Date.parse(toDay) - Date.parse(fromDay)) / DAY_MS
  if (days <= 0) throw errors.invalidField('to', 'must be later than from')
  if (days > MAX_COVERAGE_DAYS) throw errors.invalidField('from', `the window may be at most ${MAX_COVERAGE_DAYS} days, got ${days}`)
  return { fromDay, toDay }
}

/**
 * The resolution when none is asked for: 10 for a commune, 9 for a province, or the finest
 * coarser one within the work budget (a very large commune); an explicit res over it gets a 400.
 */
async function defaultRes (app: FastifyInstance, area: { kind: 'province' | 'commune', code: string }): Promise<number> {
  const km2 = await studyAreaKm2(app, area)
  let res = area.kind === 'commune' ? 10 : 9
  while (res > COVERAGE_MIN_RES && !withinBudget(estimateWork(km2, res, 1, 1))) res--
  return res
}

export default async function coverageRoutes (app: FastifyInstance) {
  app.get<{ Querystring: CoverageQuery }>('/api/coverage', {
    schema: {
      description: 'Patrol coverage of a commune (or a province): per cell visits, dwell seconds and last visit; KPIs per commune and team (share of the commune\'s cells visited, patrol minutes per week in the top-priority cells); the gap list (incident intensity × lack of coverage). Whole local days; default the last 14.',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          province: areaAndWindowQuery.province, commune: areaAndWindowQuery.commune,
          team: { type: 'string', pattern: '^\\d{1,18}$' },
          from: areaAndWindowQuery.from, to: areaAndWindowQuery.to,
          res: { type: 'integer', minimum: COVERAGE_MIN_RES, maximum: 10, description: 'default 10 for a commune, 9 for a province (coarser when that is over the work budget: at most 50,000 cells; an explicit res over it is a 400 over_budget)' }
        }
      },
      response: {
        200: {
          type: 'object',
          properties: {
            res: { type: 'integer' }, from: { type: 'string' }, to: { type: 'string' }, weeks: { type: 'number' },
            cells: { type: 'array', items: { type: 'object', properties: { h3: { type: 'string' }, visits: { type: 'integer' }, dwell_seconds: { type: 'number' }, last_visit: { type: 'string' } } } },
            kpis: {
              type: 'object',
              properties: {
                communes: { type: 'array', items: { type: 'object', properties: { commune_code: { type: 'string' }, cells_total: { type: 'integer' }, cells_visited: { type: 'integer' }, share_visited: { type: 'number' }, priority_cells: { type: 'integer' }, priority_minutes_per_week: { type: 'number' } } } },
                teams: { type: 'array', items: { type: 'object', properties: { team_id: { type: 'string' }, team_name: { type: 'string' }, commune_code: { type: 'string' }, patrols: { type: 'integer' }, patrol_minutes: { type: 'number' }, cells_visited: { type: 'integer' }, share_visited: { type: 'number' }, priority_minutes_per_week: { type: 'number' } } } }
              }
            },
            gaps: { type: 'array', items: { type: 'object', properties: { h3: { type: 'string' }, rank: { type: 'integer' }, priority: { type: 'number' }, intensity: { type: 'number' }, incidents: { type: 'integer' }, hotspot_z: { type: ['number', 'null'] }, dwell_seconds: { type: 'number' }, gap_score: { type: 'number' } } } }
          }
        },
        ...errorResponses
      }
    }
  }, async (request) => {
    const area = parseArea(request.query)
    if (area.kind !== 'province' && area.kind !== 'commune') throw errors.missingField('commune')
    await assertAreaVisible(app, request.user!, area)
    const window = coverageWindow(request.query)
    const res = request.query.res ?? await defaultRes(app, area)
    // Every cell of the area gets a priority (Gi*, k = 1): the same budget as the hotspot maps.
    await assertWithinWorkBudget(app, area, { res, k: 1, steps: 1, parameters: ['res'], minRes: COVERAGE_MIN_RES })
    const { priorities: _priorities, ...coverage } = await request.scoped(tx => coverageOf(app, tx, { area, team: request.query.team ?? null, res, ...window }))
    return coverage
  })
}
