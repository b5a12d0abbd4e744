import type { FastifyInstance } from 'fastify'
import type { Sql } from '../db/connection.ts'
import { bigintToH3 } from '../h3/cells.ts'
import { incidentRepository } from '../incidents/repository.ts'
import { polygonCells } from '../hotspots/routes.ts'
import { cellPriorities, coverageKpis, type CellPriority } from './priority.ts'
import { coverageRepository, type CoverageFilter } from './repository.ts'

/** Incidents of this many days before the window's end make a cell's intensity (patrol windows are short). */
export const INTENSITY_DAYS = 90
const DAY_MS = 86_400_000

export interface CoverageRequest {
  area: { kind: 'province' | 'commune', code: string }
  team: string | null
  res: number
  /** Local days: from inclusive, to exclusive. */
  fromDay: string
  toDay: string
}

const dayStart = (day: string) => new Date(`${day}T00:00:00+07:00`)

/**
 * Coverage of an area: cells visited, priorities per commune (see `cellPriorities`), KPIs per
 * commune and team, and the gap list. Reads the coverage rollup and the incident rollup.
 */
export async function coverageOf (app: FastifyInstance, tx: Sql, request: CoverageRequest) {
  const filter: CoverageFilter = { area: request.area, team: request.team, fromDay: request.fromDay, toDay: request.toDay }
  const weeks = (dayStart(request.toDay).getTime() - dayStart(request.fromDay).getTime()) / DAY_MS / 7
  const repository = coverageRepository(tx)
  const [rows, totals, communes] = await Promise.all([
    repository.cellsByTeam(filter, request.res),
    repository.teamTotals(filter),
    request.area.kind === 'commune'
      ? Promise.resolve([request.area.code])
      : tx<{ code: string }[]>`select code from communes where province_code = ${request.area.code} order by code`.then(r => r.map(c => c.code))
  ])
  const to = dayStart(request.toDay)
  const { rows: incidentRows } = await incidentRepository(tx).hexCounts({
    area: request.area, categories: null, from: new Date(to.getTime() - INTENSITY_DAYS * DAY_MS), to
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

/** Cells listed as gaps (highest gap score first). */
export const GAP_LIST_LENGTH = 50
