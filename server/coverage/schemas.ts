import { areaAndWindowQuery, idInput } from '../http/schemas.ts'

/**
 * The contract of /api/coverage: written once; handler types are derived from it
 * (json-schema-to-ts). Response objects are closed and list what they always carry.
 */

/** Coarsest resolution coverage is served at (the query schema's minimum). */
export const COVERAGE_MIN_RES = 7

const integer = { type: 'integer' } as const
const number = { type: 'number' } as const
const text = { type: 'string' } as const

/** A closed object whose every property is always present. */
function closed<const P extends Record<string, unknown>> (properties: P) {
  return { type: 'object', additionalProperties: false, properties, required: Object.keys(properties) as (keyof P & string)[] } as const
}

export const CoverageQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    province: areaAndWindowQuery.province, commune: areaAndWindowQuery.commune,
    team: idInput,
    from: areaAndWindowQuery.from, to: areaAndWindowQuery.to,
    res: { type: 'integer', minimum: COVERAGE_MIN_RES, maximum: 10, description: 'default 10 for a commune, 9 for a province (coarser when that is over the work budget: at most 50,000 cells; an explicit res over it is a 400 over_budget)' }
  }
} as const

const CoverageCell = closed({ h3: text, visits: integer, dwell_seconds: number, last_visit: text })
const CommuneKpis = closed({
  commune_code: text, cells_total: integer, cells_visited: integer, share_visited: number, priority_cells: integer, priority_minutes_per_week: number
})
const TeamKpis = closed({
  team_id: text, team_name: text, commune_code: text, patrols: integer, patrol_minutes: number,
  cells_visited: integer, share_visited: number, priority_minutes_per_week: number
})
const Gap = closed({
  h3: text, rank: integer, priority: number, intensity: number, incidents: integer,
  hotspot_z: { type: ['number', 'null'] }, dwell_seconds: number, gap_score: number
})

export const Coverage = closed({
  res: integer,
  from: { type: 'string', description: 'first local day (YYYY-MM-DD)' },
  to: { type: 'string', description: 'local day after the last (YYYY-MM-DD)' },
  weeks: number,
  cells: { type: 'array', items: CoverageCell },
  kpis: closed({ communes: { type: 'array', items: CommuneKpis }, teams: { type: 'array', items: TeamKpis } }),
  gaps: { type: 'array', items: Gap }
})
