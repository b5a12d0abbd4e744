import { TRAVEL_MODE_NAMES } from '../domain/travel-modes.ts'
import { areaAndWindowQuery, idInput } from '../http/schemas.ts'

/**
 * The contract of /api/patrol-plans*: written once; handler types are derived from it
 * (json-schema-to-ts). Response objects are closed and list what they always carry.
 */

const integer = { type: 'integer' } as const
const number = { type: 'number' } as const
const text = { type: 'string' } as const
const position = { type: 'array', items: number } as const

/** A closed object whose every property is always present. */
function closed<const P extends Record<string, unknown>> (properties: P) {
  return { type: 'object', additionalProperties: false, properties, required: Object.keys(properties) as (keyof P & string)[] } as const
}

export const PlanParams = { type: 'object', additionalProperties: false, required: ['id'], properties: { id: idInput } } as const

export const PlanBody = {
  type: 'object', additionalProperties: false, required: ['team_id', 'start', 'minutes', 'mode'],
  properties: {
    team_id: idInput,
    start: { type: 'array', minItems: 2, maxItems: 2, items: { type: 'number' }, description: '[lon, lat] inside the team\'s commune' },
    minutes: { type: 'integer', minimum: 10, maximum: 480 },
    mode: { type: 'string', enum: TRAVEL_MODE_NAMES },
    from: { ...areaAndWindowQuery.from, description: 'coverage window start (default: 14 days before to)' },
    to: { ...areaAndWindowQuery.to, description: 'coverage window end (default: the end of today)' }
  }
} as const

export const ComparisonQuery = {
  type: 'object', additionalProperties: false, required: ['patrol'], properties: { patrol: idInput }
} as const

const Waypoint = closed({ order: integer, h3: text, lon: number, lat: number, priority: number, arrival_minute: number })

/** What a plan promises (stored with it as `figures`). */
export const planFigures = {
  budget_minutes: number, duration_minutes: number, distance_m: number,
  collected_priority: number, baseline_priority: number, baseline_distance_m: number,
  expected_coverage_gain: closed({ cells: integer, priority_share: number }),
  candidates: integer
} as const

/** A stored plan as a GeoJSON Feature: the route start → waypoints → start. */
export const PlanFeature = closed({
  type: { type: 'string', enum: ['Feature'] },
  geometry: closed({ type: { type: 'string', enum: ['LineString'] }, coordinates: { type: 'array', items: position } }),
  properties: closed({
    id: text, team_id: text, commune_code: text, mode: { type: 'string', enum: TRAVEL_MODE_NAMES },
    start: position,
    ...planFigures,
    waypoints: { type: 'array', items: Waypoint },
    window_from: text, window_to: text, legs_note: text, created_at: text
  })
})

/** A plan against what a patrol did. */
export const Comparison = closed({
  plan_id: text, patrol_id: text, plan_cells: integer, visited_plan_cells: integer,
  share_visited: number, planned_priority: number, collected_priority: number,
  actual_cells: integer, off_plan_cells: integer,
  missed: { type: 'array', items: text }
})
