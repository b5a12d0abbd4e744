/**
 * Typed client for the evacuation API (server/evacuation/routes.ts): zones and their status
 * workflow, progress reports, shelters, teams, rescue requests and the timeline of people moved.
 */
import type { MultiPolygon, Point, Polygon } from 'geojson'
import { buildUrl, request } from './client.ts'
import type { Body, GeoCollection, GeoFeature, Json, Query } from './types.ts'
import type { ZoneStatus } from './vocabulary.ts'

export { EVACUATION_EVENT_TYPES, URGENCIES, ZONE_STATUSES, isZoneStatus, type Urgency, type ZoneStatus } from './vocabulary.ts'

// The answers of the evacuation routes, as the generated contract (schema.d.ts) gives them.
type ZoneGeometry = Polygon | MultiPolygon
export type ZoneCollection = GeoCollection<Json<'/api/evacuation/zones', 'get'>, ZoneGeometry>
export type ZoneProperties = ZoneCollection['features'][number]['properties']
export type ZoneFeature = GeoFeature<Json<'/api/evacuation/zones/{id}/status', 'patch'>, ZoneGeometry>
export type Moved = ZoneProperties['moved']

export type ShelterCollection = GeoCollection<Json<'/api/evacuation/shelters', 'get'>, Point>
export type ShelterProperties = ShelterCollection['features'][number]['properties']
/** GET /api/evacuation/zones/:id/shelters: open shelters with space, with their distance. */
export type NearShelterCollection = GeoCollection<Json<'/api/evacuation/zones/{id}/shelters', 'get'>, Point>

type CommuneAnswer = Json<'/api/evacuation/communes/{code}', 'get'>
export type CommuneEvacuation = Omit<CommuneAnswer, 'zones' | 'shelters'> & {
  zones: GeoCollection<CommuneAnswer['zones'], ZoneGeometry>
  shelters: GeoCollection<CommuneAnswer['shelters'], Point>
}
export type Team = CommuneAnswer['teams'][number]
export type RescueRequest = CommuneAnswer['rescue_requests'][number]

export type Timeline = Json<'/api/evacuation/timeline', 'get'>
export type TimelineStep = Timeline['step']
export type TimelinePoint = Timeline['points'][number]

type ProgressAnswer = Json<'/api/evacuation/zones/{id}/progress', 'post', 201>
/** POST /api/evacuation/zones/:id/progress: the report written and the zone after it. */
export type ProgressResult = Omit<ProgressAnswer, 'zone'> & { zone: ZoneFeature }

export type ProgressReport = Body<'/api/evacuation/zones/{id}/progress', 'post'>
export type RescueRequestBody = Body<'/api/evacuation/zones/{id}/rescue-requests', 'post'>

export type EvacuationArea = { province: string } | { commune: string }

const id = (value: string) => encodeURIComponent(value)

export const evacuationApi = {
  zones: (area: EvacuationArea, signal?: AbortSignal) =>
    request<ZoneCollection>(buildUrl('/api/evacuation/zones', area), { signal }),
  /** 409 with a message when the move is not allowed from the current status. */
  setStatus: (zoneId: string, status: ZoneStatus, note?: string, signal?: AbortSignal) =>
    request<ZoneFeature>(`/api/evacuation/zones/${id(zoneId)}/status`, { method: 'PATCH', body: (note ? { status, note } : { status }) satisfies Body<'/api/evacuation/zones/{id}/status', 'patch'>, signal }),
  /** 400 when moved would exceed at risk; 409 over a shelter's capacity (unless forced) or in the wrong status. */
  reportProgress: (zoneId: string, report: ProgressReport, signal?: AbortSignal) =>
    request<ProgressResult>(`/api/evacuation/zones/${id(zoneId)}/progress`, { method: 'POST', body: report, signal }),
  commune: (code: string, signal?: AbortSignal) =>
    request<CommuneEvacuation>(`/api/evacuation/communes/${id(code)}`, { signal }),
  shelters: (area: EvacuationArea, signal?: AbortSignal) =>
    request<ShelterCollection>(buildUrl('/api/evacuation/shelters', area), { signal }),
  /** Nearest open shelters with space, nearest first. */
  nearestShelters: (zoneId: string, limit = 5, signal?: AbortSignal) =>
    request<NearShelterCollection>(buildUrl(`/api/evacuation/zones/${id(zoneId)}/shelters`, { limit } satisfies Query<'/api/evacuation/zones/{id}/shelters', 'get'>), { signal }),
  timeline: (area: EvacuationArea, step: TimelineStep, signal?: AbortSignal) =>
    request<Timeline>(buildUrl('/api/evacuation/timeline', { ...area, step } satisfies Query<'/api/evacuation/timeline', 'get'>), { signal }),
  setTeams: (zoneId: string, teamIds: string[], signal?: AbortSignal) =>
    request<Json<'/api/evacuation/zones/{id}/teams', 'put'>>(`/api/evacuation/zones/${id(zoneId)}/teams`, {
      method: 'PUT', body: { team_ids: teamIds } satisfies Body<'/api/evacuation/zones/{id}/teams', 'put'>, signal
    }),
  rescueRequest: (zoneId: string, body: RescueRequestBody, signal?: AbortSignal) =>
    request<Json<'/api/evacuation/zones/{id}/rescue-requests', 'post', 201>>(`/api/evacuation/zones/${id(zoneId)}/rescue-requests`, { method: 'POST', body, signal })
}

/** The stream URL for evacuation events of an area (incident categories narrowed to few). */
export function evacuationStreamUrl (area: EvacuationArea): string {
  return buildUrl('/api/stream', { ...area, category: 'flood,rescue' } satisfies Query<'/api/stream', 'get'>)
}
