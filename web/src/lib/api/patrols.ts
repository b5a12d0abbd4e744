/**
 * Typed client for the patrol, coverage and route-planning API (server/patrols, server/coverage).
 * Errors are the same ApiError / NetworkError as the main client's.
 */
import type { LineString, MultiLineString } from 'geojson'
import { buildUrl, request } from './client.ts'
import type { Body, GeoFeature, Json, Path, Query } from './types.ts'

export type { TravelMode } from './vocabulary.ts'

// The answers of the patrol routes, as the generated contract (schema.d.ts) gives them.
export type Team = Json<'/api/teams', 'get'>['teams'][number]
export type PatrolSummary = Json<'/api/patrols', 'get'>['patrols'][number]
export type PatrolCleaning = NonNullable<PatrolSummary['cleaning']>

type PatrolAnswer = Json<'/api/patrols/{id}', 'get'>
/** A patrol with its cleaned track (one line per recorded segment; null before the first fix) and
 * the epoch seconds of every coordinate, parallel to `track.coordinates`. */
export type PatrolDetail = Omit<PatrolAnswer, 'track'> & { track: MultiLineString | null }

export type CoverageResponse = Json<'/api/coverage', 'get'>
export type CoverageCell = CoverageResponse['cells'][number]
export type CommuneCoverageKpi = CoverageResponse['kpis']['communes'][number]
export type TeamCoverageKpi = CoverageResponse['kpis']['teams'][number]
/** A high-priority cell with little patrol time. */
export type CoverageGap = CoverageResponse['gaps'][number]

/** A planned route: the line start → waypoints → start, and its figures. */
export type PatrolPlan = GeoFeature<Json<'/api/patrol-plans', 'post', 201>, LineString>
export type PlanProperties = PatrolPlan['properties']
export type PlanWaypoint = PlanProperties['waypoints'][number]
export type PlanRequest = Body<'/api/patrol-plans', 'post'>
export type PlanComparison = Json<'/api/patrol-plans/{id}/comparison', 'get'>

export type AreaQuery = Query<'/api/teams', 'get'>
export type PatrolQuery = Query<'/api/patrols', 'get'>
export type CoverageQuery = Query<'/api/coverage', 'get'>
type PatrolId = Path<'/api/patrols/{id}', 'get'>['id']
type PlanId = Path<'/api/patrol-plans/{id}', 'get'>['id']

const id = (value: PatrolId | PlanId) => encodeURIComponent(String(value))

/** Where the GPX of a plan downloads from (a plain link: the browser saves the file). */
export function planGpxUrl (planId: PlanId): string {
  return `/api/patrol-plans/${id(planId)}.gpx`
}

export const patrolApi = {
  teams: async (q: AreaQuery, signal?: AbortSignal) =>
    (await request<Json<'/api/teams', 'get'>>(buildUrl('/api/teams', { commune: q.commune, province: q.province }), { signal })).teams,
  /** Newest first. */
  patrols: async (q: PatrolQuery, signal?: AbortSignal) =>
    (await request<Json<'/api/patrols', 'get'>>(buildUrl('/api/patrols', {
      commune: q.commune, province: q.province, team: q.team, from: q.from, to: q.to, limit: q.limit
    }), { signal })).patrols,
  patrol: (patrolId: PatrolId, signal?: AbortSignal) =>
    request<PatrolDetail>(`/api/patrols/${id(patrolId)}`, { signal }),
  coverage: (q: CoverageQuery, signal?: AbortSignal) =>
    request<CoverageResponse>(buildUrl('/api/coverage', {
      commune: q.commune, province: q.province, team: q.team, from: q.from, to: q.to, res: q.res
    }), { signal }),
  /** 201 with the route; 400 naming the field (e.g. `start` outside the team's commune). */
  plan: (body: PlanRequest, signal?: AbortSignal) =>
    request<PatrolPlan>('/api/patrol-plans', { method: 'POST', body, signal }),
  comparison: (planId: PlanId, patrolId: Query<'/api/patrol-plans/{id}/comparison', 'get'>['patrol'], signal?: AbortSignal) =>
    request<PlanComparison>(buildUrl(`/api/patrol-plans/${id(planId)}/comparison`, { patrol: String(patrolId) } satisfies Query<'/api/patrol-plans/{id}/comparison', 'get'>), { signal })
}
