import type { FastifyInstance, FastifyRequest } from 'fastify'
import { bigintToH3, MAX_QUERY_RESOLUTION, MIN_QUERY_RESOLUTION } from '../h3/cells.ts'
import { localDay, parseArea, parseCategories, parseTime, parseTimeWindow, type Category } from '../http/params.ts'
import { areaAndWindowQuery, errorResponses } from '../http/schemas.ts'
import { errors } from '../errors.ts'
import { assertAreaVisible } from '../auth/area-scope.ts'
import { scopeOf } from '../auth/roles.ts'
import { incidentRepository, type IncidentFilter } from '../incidents/repository.ts'
import { studyAreaCells } from '../analysis/study-area.ts'
import { hotspotAnalysis } from '../analysis/hotspots.ts'
import { emergingHotspots, EMERGING_PATTERNS } from '../analysis/emerging.ts'
import { areaKm2, areaPolygons } from './repository.ts'
import { checkWorkBudget, type BudgetParameter } from '../analysis/work-budget.ts'
import type { Sql } from '../db/connection.ts'
import { periodIndex, periodsEndingAt, type Step } from './periods.ts'
import { startOfLocalDay } from '../demo/load-demo.ts'

/** Study-area cells per area and resolution: boundaries change only on import, so keep them a while. */
const STUDY_AREA_TTL_MS = 10 * 60_000
const studyAreaCache = new Map<string, { cells: string[], at: number }>()

/**
 * `sql`: the caller's transaction when there is one — the embedded database has one connection,
 * so a query on another connection would wait for the transaction that waits for it.
 */
export async function polygonCells (app: FastifyInstance, area: { kind: 'province' | 'commune', code: string }, res: number, sql: Sql = app.db.sql): Promise<string[]> {
  const key = `${area.kind}:${area.code}:${res}`
  const cached = studyAreaCache.get(key)
  if (cached && Date.now() - cached.at < STUDY_AREA_TTL_MS) return cached.cells
  const cells = studyAreaCells(await areaPolygons(sql, area), res)
  studyAreaCache.set(key, { cells, at: Date.now() })
  return cells
}

const areaCache = new Map<string, { km2: number, at: number }>()

/**
 * Refuses (400 over_budget) a cell statistic whose estimated work is over the budget of
 * server/analysis/work-budget.ts: priced from the area's km², before any cell is computed.
 */
export async function assertWithinWorkBudget (
  app: FastifyInstance,
  area: { kind: 'province' | 'commune', code: string },
  request: { res: number, k: number, steps: number, parameters: readonly BudgetParameter[], minRes: number },
  sql: Sql = app.db.sql
): Promise<void> {
  const verdict = checkWorkBudget({ area, areaKm2: await studyAreaKm2(app, area, sql), ...request })
  if (!verdict.ok) throw errors.overBudget(verdict.field, verdict.message)
}

/** km² of a study area (cached like its cells: boundaries change only on import). */
export async function studyAreaKm2 (app: FastifyInstance, area: { kind: 'province' | 'commune', code: string }, sql: Sql = app.db.sql): Promise<number> {
  const key = `${area.kind}:${area.code}`
  let cached = areaCache.get(key)
  if (!cached || Date.now() - cached.at >= STUDY_AREA_TTL_MS) {
    cached = { km2: await areaKm2(sql, area), at: Date.now() }
    areaCache.set(key, cached)
  }
  return cached.km2
}

const round = (value: number, digits: number) => Number(value.toFixed(digits))

interface HotspotQuery { res: number, k: number, province?: string, commune?: string, from?: string, to?: string, category?: string }
interface EmergingQuery { res: number, k: number, province?: string, commune?: string, to?: string, category?: string, step: Step, steps: number }

/**
 * The study area must be a province or a commune the user may see entirely: a commune account
 * asking for its province would get a province-wide statistic computed from one commune's data.
 */
async function studyArea (app: FastifyInstance, request: FastifyRequest, query: { province?: string, commune?: string }) {
  const area = parseArea(query)
  if (area.kind === 'bbox' || area.kind === 'all') throw errors.missingField('province')
  await assertAreaVisible(app, request.user!, area)
  if (area.kind === 'province' && scopeOf(request.user!).kind === 'commune') throw errors.notFound(`province ${area.code}`)
  return area
}

const commonQuery = {
  res: { type: 'integer', minimum: MIN_QUERY_RESOLUTION, maximum: MAX_QUERY_RESOLUTION, default: 8 },
  k: { type: 'integer', minimum: 1, maximum: 3, default: 1, description: 'k-ring radius of the Gi* neighbourhood' },
  province: areaAndWindowQuery.province,
  commune: areaAndWindowQuery.commune,
  category: areaAndWindowQuery.category
} as const

const TrendSchema = { type: 'object', properties: { tau: { type: 'number' }, p: { type: 'number' }, s: { type: 'number' }, z: { type: 'number' } } } as const

export default async function hotspotRoutes (app: FastifyInstance) {
  app.get<{ Querystring: HotspotQuery }>('/api/hotspots', {
    schema: {
      querystring: {
        type: 'object', additionalProperties: false,
        properties: { ...commonQuery, from: areaAndWindowQuery.from, to: areaAndWindowQuery.to }
      },
      response: {
        200: {
          type: 'object',
          properties: {
            res: { type: 'integer' }, k: { type: 'integer' }, from: { type: ['string', 'null'] }, to: { type: ['string', 'null'] },
            source: { type: 'string' }, n_cells: { type: 'integer' }, total: { type: 'integer' },
            cells: {
              type: 'array',
              items: {
                type: 'object',
                properties: { h3: { type: 'string' }, count: { type: 'integer' }, z: { type: 'number' }, p: { type: 'number' }, p_adjusted: { type: 'number' }, class: { type: 'string' } }
              }
            }
          }
        },
        ...errorResponses
      }
    }
  }, async (request) => {
    const { res, k } = request.query
    const area = await studyArea(app, request, request.query)
    const filter: IncidentFilter = { area, categories: parseCategories(request.query.category), ...parseTimeWindow(request.query) }
    await assertWithinWorkBudget(app, area, { res, k, steps: 1, parameters: ['res', 'k'], minRes: MIN_QUERY_RESOLUTION })
    const { source, rows } = await request.scoped(tx => incidentRepository(tx).hexCounts(filter, res))
    const counts = new Map(rows.map(row => [bigintToH3(row.h3), row.count]))
    const cells = studyAreaCells([], res, [...new Set([...await polygonCells(app, area, res), ...counts.keys()])])
    const result = hotspotAnalysis({ cells, counts, k })
    return {
      res, k, from: filter.from?.toISOString() ?? null, to: filter.to?.toISOString() ?? null,
      source, n_cells: result.length, total: rows.reduce((sum, row) => sum + row.count, 0),
      cells: result
    }
  })

  app.get<{ Querystring: EmergingQuery }>('/api/hotspots/emerging', {
    schema: {
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          ...commonQuery,
          to: { type: 'string', description: 'exclusive end (local day, YYYY-MM-DD); default: the start of today in Vietnam' },
          step: { type: 'string', enum: ['day', 'week', 'month'], default: 'week' },
          steps: { type: 'integer', minimum: 2, maximum: 52, default: 12 }
        }
      },
      response: {
        200: {
          type: 'object',
          properties: {
            res: { type: 'integer' }, k: { type: 'integer' }, step: { type: 'string' }, steps: { type: 'integer' },
            periods: { type: 'array', items: { type: 'object', properties: { from: { type: 'string' }, to: { type: 'string' } } } },
            summary: { type: 'object', additionalProperties: { type: 'integer' } },
            cells: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  h3: { type: 'string' }, counts: { type: 'array', items: { type: 'integer' } }, z: { type: 'array', items: { type: 'number' } },
                  trend: TrendSchema, pattern: { type: 'string' }, direction: { type: ['string', 'null'] }
                }
              }
            }
          }
        },
        ...errorResponses
      }
    }
  }, async (request) => {
    const { res, k, step, steps } = request.query
    const area = await studyArea(app, request, request.query)
    if (request.query.to && !/^\d{4}-\d{2}-\d{2}$/.test(request.query.to)) throw errors.invalidField('to', 'must be a day, YYYY-MM-DD')
    const to = request.query.to ? parseTime('to', request.query.to) : startOfLocalDay()
    const periods = periodsEndingAt(localDay(to), step, steps)
    await assertWithinWorkBudget(app, area, { res, k, steps, parameters: ['res', 'k', 'steps'], minRes: MIN_QUERY_RESOLUTION })
    const categories: Category[] | null = parseCategories(request.query.category)
    const filter: IncidentFilter = { area, categories, from: parseTime('from', periods[0]!.from), to }
    const rows = await request.scoped(tx => incidentRepository(tx).hexDailyCounts(filter, res, periods[0]!.from, localDay(to)))
    const perCell = new Map<string, number[]>()
    for (const row of rows) {
      const index = periodIndex(periods, row.day)
      if (index < 0) continue
      const h3 = bigintToH3(row.h3)
      const series = perCell.get(h3) ?? new Array<number>(steps).fill(0)
      series[index]! += row.count
      perCell.set(h3, series)
    }
    const cells = studyAreaCells([], res, [...new Set([...await polygonCells(app, area, res), ...perCell.keys()])])
    const countsPerStep = periods.map((_, t) => cells.map(cell => perCell.get(cell)?.[t] ?? 0))
    const result = emergingHotspots({ cells, countsPerStep, k })
    // Hot patterns count under their names, cold ones under cold_<name>.
    const summary: Record<string, number> = Object.fromEntries(EMERGING_PATTERNS.map(p => [p, 0]))
    for (const cell of result) {
      const key = cell.direction === 'cold' ? `cold_${cell.pattern}` : cell.pattern
      summary[key] = (summary[key] ?? 0) + 1
    }
    return {
      res, k, step, steps, periods, summary,
      cells: result.map((c, i) => ({
        h3: c.h3, counts: countsPerStep.map(step => step[i]!), z: c.z.map(z => round(z, 3)),
        trend: { tau: round(c.trend.tau, 4), p: Number(c.trend.p.toPrecision(4)), s: c.trend.s, z: round(c.trend.z, 4) },
        pattern: c.pattern, direction: c.direction
      }))
    }
  })
}
