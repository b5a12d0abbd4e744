/**
 * Typed client for the evacuation API (server/evacuation/routes.ts): zones and their status
 * workflow, progress reports, shelters, teams, rescue requests and the timeline of people moved.
 */
import type { Feature, FeatureCollection, MultiPolygon, Point, Polygon } from 'geojson'
import { buildUrl, request } from './client.ts'

export const ZONE_STATUSES = ['normal', 'watch', 'warning', 'evacuate_now', 'evacuating', 'evacuated', 'all_clear'] as const
export type ZoneStatus = typeof ZONE_STATUSES[number]

export function isZoneStatus (value: unknown): value is ZoneStatus {
  return typeof value === 'string' && (ZONE_STATUSES as readonly string[]).includes(value)
}

export const URGENCIES = ['low', 'high', 'critical'] as const
export type Urgency = typeof URGENCIES[number]

export interface Moved { households: number, people: number, vulnerable: number }

export interface ZoneProperties {
  id: string
  name: string
  commune_code: string
  commune_name: string
  province_code: string
  /** 1 (low) … 3 (high). */
  risk_level: number
  status: ZoneStatus
  status_changed_at: string
  evacuate_ordered_at: string | null
  seconds_since_evacuate_order: number | null
  households: number
  population: number
  elderly: number
  disabled: number
  children: number
  vulnerable: number
  /** Figures estimated from the commune's density, not counted. */
  is_estimated: boolean
  moved: Moved
  remaining: Moved
  /** People moved / people at risk, 0..1. */
  share_done: number
  team_ids: string[]
  open_rescue_requests: number
  is_generated: boolean
  allowed_next: ZoneStatus[]
}
export type ZoneFeature = Feature<Polygon | MultiPolygon, ZoneProperties>
export type ZoneCollection = FeatureCollection<Polygon | MultiPolygon, ZoneProperties>

export interface ShelterProperties {
  id: string
  name: string
  capacity: number
  occupancy: number
  free: number
  is_open: boolean
  commune_code: string
  is_generated: boolean
  /** Only in the answer of GET /api/evacuation/zones/:id/shelters. */
  distance_m?: number
}
export type ShelterCollection = FeatureCollection<Point, ShelterProperties>

export interface Team {
  id: string
  name: string
  zone_ids: string[]
  reports: number
  people_moved: number
}

export interface RescueRequest {
  incident_id: string
  zone_id: string | null
  lon: number
  lat: number
  people: number
  urgency: Urgency
  status: string
  reported_at: string
}

export interface CommuneEvacuation {
  commune: { code: string, name: string, population: number | null }
  totals: {
    households: number
    population: number
    vulnerable: number
    moved: Moved
    remaining: Moved
    share_done: number
    zones_by_status: Partial<Record<ZoneStatus, number>>
  }
  zones: ZoneCollection
  shelters: ShelterCollection
  teams: Team[]
  rescue_requests: RescueRequest[]
}

export type TimelineStep = 'hour' | 'day'
export interface TimelinePoint {
  at: string
  /** Cumulative. */
  people_moved: number
  households_moved: number
  vulnerable_moved: number
  people_at_risk: number
}
export interface Timeline {
  step: TimelineStep
  points: TimelinePoint[]
}

export interface ProgressReport {
  team_id?: string
  households: number
  people: number
  elderly?: number
  disabled?: number
  children?: number
  shelter_id?: string
  /** Accept a shelter over capacity; needs a reason. */
  force?: boolean
  reason?: string
}

export type EvacuationArea = { province: string } | { commune: string }



const id = (value: string) => encodeURIComponent(value)

export const evacuationApi = {
  zones: (area: EvacuationArea, signal?: AbortSignal) =>
    request<ZoneCollection>(buildUrl('/api/evacuation/zones', area), { signal }),
  /** 409 with a message when the move is not allowed from the current status. */
  setStatus: (zoneId: string, status: ZoneStatus, note?: string, signal?: AbortSignal) =>
    request<ZoneFeature>(`/api/evacuation/zones/${id(zoneId)}/status`, { method: 'PATCH', body: note ? { status, note } : { status }, signal }),
  /** 400 when moved would exceed at risk; 409 over a shelter's capacity (unless forced) or in the wrong status. */
  reportProgress: (zoneId: string, report: ProgressReport, signal?: AbortSignal) =>
    request<{ report: unknown, zone: ZoneFeature }>(`/api/evacuation/zones/${id(zoneId)}/progress`, { method: 'POST', body: report, signal }),
  commune: (code: string, signal?: AbortSignal) =>
    request<CommuneEvacuation>(`/api/evacuation/communes/${id(code)}`, { signal }),
  shelters: (area: EvacuationArea, signal?: AbortSignal) =>
    request<ShelterCollection>(buildUrl('/api/evacuation/shelters', area), { signal }),
  /** Nearest open shelters with space, nearest first. */
  nearestShelters: (zoneId: string, limit = 5, signal?: AbortSignal) =>
    request<ShelterCollection>(buildUrl(`/api/evacuation/zones/${id(zoneId)}/shelters`, { limit }), { signal }),
  timeline: (area: EvacuationArea, step: TimelineStep, signal?: AbortSignal) =>
    request<Timeline>(buildUrl('/api/evacuation/timeline', { ...area, step }), { signal }),
  setTeams: (zoneId: string, teamIds: string[], signal?: AbortSignal) =>
    request<unknown>(`/api/evacuation/zones/${id(zoneId)}/teams`, { method: 'PUT', body: { team_ids: teamIds }, signal }),
  rescueRequest: (zoneId: string, body: { lon: number, lat: number, people: number, urgency: Urgency, description?: string }, signal?: AbortSignal) =>
    request<unknown>(`/api/evacuation/zones/${id(zoneId)}/rescue-requests`, { method: 'POST', body, signal })
}

/** The stream URL for evacuation events of an area (incident categories narrowed to few). */
export function evacuationStreamUrl (area: EvacuationArea): string {
  return buildUrl('/api/stream', { ...area, category: 'flood,rescue' })
}

export const EVACUATION_EVENT_TYPES = ['evacuation.zone', 'evacuation.progress', 'evacuation.shelter', 'evacuation.rescue_request'] as const
