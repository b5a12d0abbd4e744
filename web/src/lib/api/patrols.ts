/**
 * Typed client for the patrol, coverage and route-planning API (server/patrols, server/coverage).
 * Errors are the same ApiError / NetworkError as the main client's.
 */
import type { Feature, LineString, MultiLineString } from 'geojson'
import { buildUrl, request } from './client.ts'

export interface Team {
  id: string | number
  name: string
  commune_code: string
  province_code: string
  members: number
  is_generated: boolean
}

export interface PatrolSummary {
  id: string | number
  team_id: string | number
  team_name: string
  commune_code: string
  /** Null for a live patrol without fixes yet. */
  started_at: string | null
  ended_at: string | null
  status: 'live' | 'ended'
  fixes: number
  distance_m: number
  duration_s: number | null
  is_generated: boolean
}

export interface PatrolCleaning {
  input: number
  kept: number
  duplicate: number
  out_of_order: number
  too_fast: number
  jump: number
  segments: number
}

export interface PatrolDetail {
  id: string | number
  team_id: string | number
  team_name: string
  commune_code: string
  started_at: string | null
  ended_at: string | null
  is_generated: boolean
  cleaning?: PatrolCleaning | null
  /** Cleaned fixes, one line per recorded segment; null before the first fix. */
  track: MultiLineString | null
  /** Epoch seconds per coordinate, parallel to `track.coordinates`. */
  times: number[][]
}

export interface CoverageCell {
  h3: string
  visits: number
  dwell_seconds: number
  last_visit: string | null
}

export interface CommuneCoverageKpi {
  commune_code: string
  cells_total: number
  cells_visited: number
  share_visited: number | null
  priority_cells: number
  priority_minutes_per_week: number | null
}

export interface TeamCoverageKpi {
  team_id: string | number
  team_name: string
  commune_code: string
  patrols: number
  patrol_minutes: number
  cells_visited: number
  share_visited: number | null
  priority_minutes_per_week: number | null
}

/** A high-priority cell with little patrol time. */
export interface CoverageGap {
  h3: string
  rank: number
  priority: number
  intensity: number
  hotspot_z: number | null
  dwell_seconds: number
  gap_score: number
}

export interface CoverageResponse {
  res: number
  from: string | null
  to: string | null
  cells: CoverageCell[]
  kpis: { communes: CommuneCoverageKpi[], teams: TeamCoverageKpi[] }
  gaps: CoverageGap[]
}

export type TravelMode = 'foot' | 'motorbike'

export interface PlanWaypoint {
  order: number
  h3: string
  lon: number
  lat: number
  priority: number
  arrival_minute: number
}

export interface PlanProperties {
  id: string | number
  team_id: string | number
  commune_code: string
  mode: TravelMode
  budget_minutes: number
  duration_minutes: number
  distance_m: number
  collected_priority: number
  baseline_priority: number
  waypoints: PlanWaypoint[]
  expected_coverage_gain: { cells: number, priority_share: number | null }
  baseline_distance_m?: number
  legs_note?: string
  created_at?: string
}
export type PatrolPlan = Feature<LineString, PlanProperties>

export interface PlanRequest {
  team_id: string | number
  start: [number, number]
  minutes: number
  mode: TravelMode
  from?: string
  to?: string
}

export interface PlanComparison {
  plan_cells: number
  visited_plan_cells: number
  share_visited: number | null
  [more: string]: unknown
}

export interface AreaQuery {
  commune?: string
  province?: string
}
export interface PatrolQuery extends AreaQuery {
  team?: string | number
  from?: string
  to?: string
  limit?: number
}
export interface CoverageQuery extends AreaQuery {
  team?: string | number
  from?: string
  to?: string
  res?: number
}


const id = (value: string | number) => encodeURIComponent(String(value))

/** Where the GPX of a plan downloads from (a plain link: the browser saves the file). */
export function planGpxUrl (planId: string | number): string {
  return `/api/patrol-plans/${id(planId)}.gpx`
}

export const patrolApi = {
  teams: async (q: AreaQuery, signal?: AbortSignal) =>
    (await request<{ teams: Team[] }>(buildUrl('/api/teams', { commune: q.commune, province: q.province }), { signal })).teams,
  /** Newest first. */
  patrols: async (q: PatrolQuery, signal?: AbortSignal) =>
    (await request<{ patrols: PatrolSummary[] }>(buildUrl('/api/patrols', {
      commune: q.commune, province: q.province, team: q.team, from: q.from, to: q.to, limit: q.limit
    }), { signal })).patrols,
  patrol: (patrolId: string | number, signal?: AbortSignal) =>
    request<PatrolDetail>(`/api/patrols/${id(patrolId)}`, { signal }),
  coverage: (q: CoverageQuery, signal?: AbortSignal) =>
    request<CoverageResponse>(buildUrl('/api/coverage', {
      commune: q.commune, province: q.province, team: q.team, from: q.from, to: q.to, res: q.res
    }), { signal }),
  /** 201 with the route; 400 naming the field (e.g. `start` outside the team's commune). */
  plan: (body: PlanRequest, signal?: AbortSignal) =>
    request<PatrolPlan>('/api/patrol-plans', { method: 'POST', body, signal }),
  comparison: (planId: string | number, patrolId: string | number, signal?: AbortSignal) =>
    request<PlanComparison>(buildUrl(`/api/patrol-plans/${id(planId)}/comparison`, { patrol: String(patrolId) }), { signal })
}
