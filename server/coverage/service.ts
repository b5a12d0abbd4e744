import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Sql } from '../db/connection.ts'
import { addLocalDays, DAY_MS, localDay, localMidnight, startOfLocalDay } from '../domain/vn-time.ts'
import { errors } from '../errors.ts'
import { parseTime } from '../http/params.ts'
import { assertAreaVisible } from '../auth/area-scope.ts'
import { bigintToH3 } from '../h3/cells.ts'
import { incidentRepository } from '../incidents/repository.ts'
import { assertWithinWorkBudget, polygonCells, studyAreaKm2 } from '../hotspots/service.ts'
import { estimateWork, withinBudget } from '../analysis/work-budget.ts'
import { cellPriorities, coverageKpis, type CellPriority } from './priority.ts'
import { coverageRepository, type CoverageFilter } from './repository.ts'
import { COVERAGE_MIN_RES } from './schemas.ts'

/** Incidents of this many days before the window's end make a cell's intensity (patrol windows are short). */
export const INTENSITY_DAYS = 90
/** Default coverage window: the last 14 days up to the end of today (Vietnam). */
export const DEFAULT_COVERAGE_DAYS = 14
const MAX_COVERAGE_DAYS = 366
/** Cells listed as gaps (highest gap score first). */
export const GAP_LIST_LENGTH = 50
export interface CoverageRequest {
  area: { kind: 'province' | 'commune', code: string }
  team: string | null
  res: number
  /** Local days: from inclusive, to exclusive. */
  fromDay: string
  toDay: string
}

/** The coverage window as whole local days (a time within a day counts as that whole day). */
export function coverageWindow (query: { from?: string, to?: string }, now = new Date()): { fromDay: string, toDay: string } {
  const to = query.to ? parseTime('to', query.to) : addLocalDays(startOfLocalDay(now), 1)
  const toDay = localDay(addLocalDays(new Date(to.getTime() - 1), 1)) // round an inner time up to the next midnight
  const from = query.from ? parseTime('from', query.from) : addLocalDays(to, -DEFAULT_COVERAGE_DAYS)
  const fromDay = localDay(from)
  const days = (localMidnight(toDay).getTime() - localMidnight(fromDay).getTime()) / DAY_MS
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

/** GET /api/coverage: the area must lie in the user's jurisdiction and its cells within the work budget. */
export async function coverageForRequest (app: FastifyInstance, request: FastifyRequest, query: {
  area: { kind: 'province' | 'commune', code: string }, team: string | null, res: number | null, from?: string, to?: string
}) {
  const { area } = query
  await assertAreaVisible(app, request.user!, area)
  const window = coverageWindow(query)
  const res = query.res ?? await defaultRes(app, area)
  // Every cell of the area gets a priority (Gi*, k = 1): the same budget as the hotspot maps.
  await assertWithinWorkBudget(app, area, { res, k: 1, steps: 1, parameters: ['res'], minRes: COVERAGE_MIN_RES })
  const { priorities: _priorities, ...coverage } = await request.scoped(tx => coverageOf(app, tx, { area, team: query.team, res, ...window }))
  return coverage
}

/**
 * Coverage of an area: cells visited, priorities per commune (see `cellPriorities`), KPIs per
 * commune and team, and the gap list. Reads the coverage rollup and the incident rollup.
 */
export async function coverageOf (app: FastifyInstance, tx: Sql, request: CoverageRequest) {
  const filter: CoverageFilter = { area: request.area, team: request.team, fromDay: request.fromDay, toDay: request.toDay }
  const to = localMidnight(request.toDay)
  const weeks = (to.getTime() - localMidnight(request.fromDay).getTime()) / DAY_MS / 7
  const repository = coverageRepository(tx)
  const [rows, totals, communes] = await Promise.all([
    repository.cellsByTeam(filter, request.res),
    repository.teamTotals(filter),
    request.area.kind === 'commune'
      ? Promise.resolve([request.area.code])
      : repository.communeCodes(request.area.code)
  ])
  const { rows: incidentRows } = await incidentRepository(tx).hexCounts({
    area: request.area, categories: null, from: addLocalDays(to, -INTENSITY_DAYS), to
  }, request.res)
  const incidents = new Map(incidentRows.map(r => [bigintToH3(r.h3), r.count]))

  // Dwell per cell for the whole area and per team.
  const cells = new Map<string, { h3: string, visits: number, dwell_seconds: number, last_visit: Date }>()
  const dwellByTeam = new Map<string, Map<string, number>>()
  for (const row of rows) {
    const h3 = bigintToH3(row.h3)
    const cell = cells.get(h3) ?? { h3, visits: 0, dwell_seconds: 0, last_visit: row.last_visit }
    cell.visits += row.visits
    cell.dwell_seconds += row.dwell_seconds
    if (row.last_visit > cell.last_visit) cell.last_visit = row.last_visit
    cells.set(h3, cell)
    const team = dwellByTeam.get(row.team_id) ?? new Map<string, number>()
    team.set(h3, (team.get(h3) ?? 0) + row.dwell_seconds)
    dwellByTeam.set(row.team_id, team)
  }
  const dwell = new Map([...cells.values()].map(c => [c.h3, c.dwell_seconds]))

  const priorities = new Map<string, CellPriority[]>()
  const communeKpis = []
  for (const code of communes) {
    const areaCells = await polygonCells(app, { kind: 'commune', code }, request.res, tx)
    const list = cellPriorities({ cells: areaCells, incidents, dwellSeconds: dwell, weeks })
    priorities.set(code, list)
    communeKpis.push({ commune_code: code, ...coverageKpis(list, dwell, weeks) })
  }
  const teamKpis = totals.map(team => {
    const list = priorities.get(team.commune_code) ?? []
    const kpis = coverageKpis(list, dwellByTeam.get(team.team_id) ?? new Map(), weeks)
    return {
      team_id: team.team_id, team_name: team.team_name, commune_code: team.commune_code, patrols: team.patrols,
      patrol_minutes: Math.round(team.patrol_minutes * 10) / 10,
      cells_visited: kpis.cells_visited, share_visited: kpis.share_visited, priority_minutes_per_week: kpis.priority_minutes_per_week
    }
  })
  const gaps = [...priorities.values()].flat()
    .filter(c => c.gap_score > 0)
    .sort((a, b) => b.gap_score - a.gap_score || (a.h3 < b.h3 ? -1 : 1))
    .slice(0, GAP_LIST_LENGTH)
    .map((c, i) => ({ h3: c.h3, rank: i + 1, priority: c.gap_score, intensity: c.intensity, incidents: c.incidents, hotspot_z: c.z, dwell_seconds: c.dwell_seconds, gap_score: c.gap_score }))
  return {
    res: request.res,
    from: request.fromDay,
    to: request.toDay,
    weeks,
    cells: [...cells.values()].map(c => ({ ...c, last_visit: c.last_visit.toISOString() })),
    kpis: { communes: communeKpis, teams: teamKpis },
    gaps,
    priorities
  }
}
