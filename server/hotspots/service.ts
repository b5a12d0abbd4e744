import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { FromSchema } from 'json-schema-to-ts'
import type { Database, Sql } from '../db/connection.ts'
import { errors } from '../errors.ts'
import { localDay, startOfLocalDay } from '../domain/vn-time.ts'
import { scopeOf } from '../domain/roles.ts'
import type { IncidentFilter } from '../domain/area.ts'
import { bigintToH3, MIN_QUERY_RESOLUTION } from '../h3/cells.ts'
import { parseArea, parseCategories, parseTime, parseTimeWindow } from '../http/params.ts'
import { assertAreaVisible } from '../auth/area-scope.ts'
import { incidentRepository } from '../incidents/repository.ts'
import { studyAreaCells } from '../analysis/study-area.ts'
import { hotspotAnalysis } from '../analysis/hotspots.ts'
import { emergingHotspots, EMERGING_PATTERNS } from '../analysis/emerging.ts'
import { checkWorkBudget, type BudgetParameter } from '../analysis/work-budget.ts'
import { areaKm2, areaPolygons } from './repository.ts'
import { periodIndex, periodsEndingAt } from './periods.ts'
import type { EmergingQuery, HotspotQuery } from './schemas.ts'

/** A province or a commune: the study area of a cell statistic. */
export type StudyArea = { kind: 'province' | 'commune', code: string }

/** Study-area cells and km² per area and resolution: boundaries change only on import, so keep them a while. */
const STUDY_AREA_TTL_MS = 10 * 60_000

/** The caches of one database (an app, or the tests' several apps on one database, share them). */
const cachesByDatabase = new WeakMap<Database, { cells: Map<string, { cells: string[], at: number }>, km2: Map<string, { km2: number, at: number }> }>()
function cachesOf (app: FastifyInstance) {
  let caches = cachesByDatabase.get(app.db)
  if (!caches) cachesByDatabase.set(app.db, caches = { cells: new Map(), km2: new Map() })
  return caches
}

/**
 * The H3 cells of a study area at a resolution (cached). `sql`: the caller's transaction when there
 * is one — the embedded database has one connection, so a query on another connection would wait
 * for the transaction that waits for it.
 */
export async function polygonCells (app: FastifyInstance, area: StudyArea, res: number, sql: Sql = app.db.sql): Promise<string[]> {
  const cache = cachesOf(app).cells
  const key = `${area.kind}:${area.code}:${res}`
  const cached = cache.get(key)
  if (cached && Date.now() - cached.at < STUDY_AREA_TTL_MS) return cached.cells
  const cells = studyAreaCells(await areaPolygons(sql, area), res)
  cache.set(key, { cells, at: Date.now() })
  return cells
}

/** km² of a study area (cached like its cells: boundaries change only on import). */
export async function studyAreaKm2 (app: FastifyInstance, area: StudyArea, sql: Sql = app.db.sql): Promise<number> {
  const cache = cachesOf(app).km2
  const key = `${area.kind}:${area.code}`
  let cached = cache.get(key)
  if (!cached || Date.now() - cached.at >= STUDY_AREA_TTL_MS) {
    cached = { km2: await areaKm2(sql, area), at: Date.now() }
    cache.set(key, cached)
  }
  return cached.km2
}

/**
 * Refuses (400 over_budget) a cell statistic whose estimated work is over the budget of
 * server/analysis/work-budget.ts: priced from the area's km², before any cell is computed.
 */
export async function assertWithinWorkBudget (
  app: FastifyInstance,
  area: StudyArea,
  request: { res: number, k: number, steps: number, parameters: readonly BudgetParameter[], minRes: number },
  sql: Sql = app.db.sql
): Promise<void> {
  const verdict = checkWorkBudget({ area, areaKm2: await studyAreaKm2(app, area, sql), ...request })
  if (!verdict.ok) throw errors.overBudget(verdict.field, verdict.message)
}

const round = (value: number, digits: number) => Number(value.toFixed(digits))

/** Hot and cold spots (Gi*) and emerging hotspots (Gi* per period + Mann–Kendall) of a study area. */
export function hotspotService (app: FastifyInstance) {
  /**
   * The study area must be a province or a commune the user may see entirely: a commune account
   * asking for its province would get a province-wide statistic computed from one commune's data.
   */
  async function studyArea (request: FastifyRequest, query: { province?: string, commune?: string }): Promise<StudyArea> {
    const area = parseArea(query)
    if (area.kind === 'bbox' || area.kind === 'all') throw errors.missingField('province')
    await assertAreaVisible(app, request.user!, area)
    if (area.kind === 'province' && scopeOf(request.user!).kind === 'commune') throw errors.notFound(`province ${area.code}`)
    return area
  }

  return {
    async hotspots (request: FastifyRequest, query: FromSchema<typeof HotspotQuery>) {
      const { res, k } = query
      const area = await studyArea(request, query)
      const filter: IncidentFilter = { area, categories: parseCategories(query.category), ...parseTimeWindow(query) }
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
    },

    async emerging (request: FastifyRequest, query: FromSchema<typeof EmergingQuery>) {
      const { res, k, step, steps } = query
      const area = await studyArea(request, query)
      if (query.to && !/^\d{4}-\d{2}-\d{2}$/.test(query.to)) throw errors.invalidField('to', 'must be a day, YYYY-MM-DD')
      const to = query.to ? parseTime('to', query.to) : startOfLocalDay()
      const periods = periodsEndingAt(localDay(to), step, steps)
      await assertWithinWorkBudget(app, area, { res, k, steps, parameters: ['res', 'k', 'steps'], minRes: MIN_QUERY_RESOLUTION })
      const filter: IncidentFilter = { area, categories: parseCategories(query.category), from: parseTime('from', periods[0]!.from), to }
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
    }
  }
}
