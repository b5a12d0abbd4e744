/**
 * Typed client for the dashboard API (server/**). Every call takes an optional AbortSignal;
 * `latest()` wraps a loader so that starting a new request cancels the stale one.
 */
import type { FeatureCollection, MultiPolygon, Point } from 'geojson'
import type { User } from '../auth/capabilities.ts'

export const CATEGORIES = ['security', 'social_order', 'traffic', 'fire', 'rescue', 'flood', 'other'] as const
export type Category = typeof CATEGORIES[number]

export function isCategory (value: string): value is Category {
  return (CATEGORIES as readonly string[]).includes(value)
}

export interface Health {
  status: 'ok'
  postgis: string
  database: 'embedded' | 'server'
}

export interface Province {
  code: string
  name: string
  name_en: string
  commune_count: number
  population: number
  /** [minLon, minLat, maxLon, maxLat] */
  bbox: [number, number, number, number]
}

export interface CommuneProperties {
  code: string
  /** Vietnamese full name, e.g. "Phường Hải Dương". */
  name: string
  name_en: string
  province_code: string
  population: number | null
  area_km2: number | null
}
export type CommuneCollection = FeatureCollection<MultiPolygon, CommuneProperties>

export interface IncidentProperties {
  id: string | number
  category: Category
  severity: number | string
  status: string
  occurred_at: string
  commune_code: string
  h3: string
  description: string
}
export type IncidentCollection = FeatureCollection<Point, IncidentProperties> & { next_cursor: string | null }

export const STATUSES = ['reported', 'dispatched', 'on_scene', 'resolved', 'closed', 'cancelled'] as const
export type IncidentStatus = typeof STATUSES[number]

/** Legal status moves (PATCH /api/incidents/:id answers 409 to anything else). */
export const NEXT_STATUSES: Record<string, readonly IncidentStatus[]> = {
  reported: ['dispatched', 'cancelled'],
  dispatched: ['on_scene', 'cancelled'],
  on_scene: ['resolved', 'cancelled'],
  resolved: ['closed'],
  closed: [],
  cancelled: []
}

export interface HistoryEntry {
  at: string
  username: string | null
  from_status: string | null
  to_status: string
  team_id: string | null
  note: string | null
}

export interface IncidentDetails extends IncidentProperties {
  reported_at?: string
  province_code?: string
  team_id?: string | null
  dispatched_at?: string | null
  on_scene_at?: string | null
  resolved_at?: string | null
  closed_at?: string | null
  cancelled_at?: string | null
  response_seconds?: number | null
  handling_seconds?: number | null
  fire?: { cause?: string | null, area_m2?: number | null, people_injured?: number | null } | null
  rescue?: { people_rescued?: number | null, people_missing?: number | null } | null
  history?: HistoryEntry[]
}

/** The incident of a live-feed event (GET /api/stream). */
export interface StreamIncident {
  id: string | number
  category: Category
  severity: number | string
  status: string
  occurred_at: string
  lon: number
  lat: number
  commune_code: string
  province_code: string
}
export interface StreamEvent {
  id: string | number
  type: 'incident.created' | 'incident.updated'
  at: string
  incident: StreamIncident
}

export interface CommuneSummary {
  code: string
  name: string
  name_en: string
  population: number | null
  total: number
  previous_total: number
  by_category: Record<string, number>
  by_status: Record<string, number>
  median_response_seconds: number | null
  median_handling_seconds: number | null
  resolved_share: number | null
  per_1000_residents: number | null
  change: number | null
  change_pct: number | null
}

export interface HexCell {
  /** Standard H3 string index. */
  h3: string
  count: number
}
export interface HexResponse {
  res: number
  cells: HexCell[]
}

/** Hot/cold-spot classes of GET /api/hotspots (Gi* z sign, Benjamini–Hochberg adjusted p ≤ 0.01/0.05/0.10). */
export const HOTSPOT_CLASSES = ['hot_99', 'hot_95', 'hot_90', 'cold_99', 'cold_95', 'cold_90', 'not_significant'] as const
export type HotspotClass = typeof HOTSPOT_CLASSES[number]

export interface HotspotCell {
  h3: string
  /** Incidents in the cell (0 for study-area cells without any). */
  count: number
  /** Getis-Ord Gi* z-score. */
  z: number
  /** Two-sided p-value of z. */
  p: number
  /** Benjamini–Hochberg adjusted p-value over every cell of the study area. */
  p_adjusted: number
  class: HotspotClass
}
export interface HotspotResponse {
  res: number
  k: number
  from: string | null
  to: string | null
  n_cells: number
  cells: HotspotCell[]
}

/** Patterns of GET /api/hotspots/emerging (ArcGIS emerging hot-spot definitions). */
export const EMERGING_PATTERNS = [
  'new', 'consecutive', 'intensifying', 'persistent', 'diminishing', 'sporadic', 'oscillating', 'historical', 'no_pattern'
] as const
export type EmergingPattern = typeof EMERGING_PATTERNS[number]
export type EmergingDirection = 'hot' | 'cold' | null
export const EMERGING_STEPS = ['day', 'week', 'month'] as const
export type EmergingStep = typeof EMERGING_STEPS[number]

export interface EmergingCell {
  h3: string
  /** Incidents per period, oldest first. */
  counts: number[]
  /** Gi* z-score per period, oldest first. */
  z: number[]
  /** Mann–Kendall trend of the z series. */
  trend: { tau: number, p: number, s: number, z: number }
  pattern: EmergingPattern
  direction: EmergingDirection
}
export interface EmergingResponse {
  res: number
  k: number
  step: EmergingStep
  steps: number
  /** Local days, `from` inclusive, `to` exclusive, oldest first. */
  periods: Array<{ from: string, to: string }>
  cells: EmergingCell[]
  summary: Record<string, number>
}

/** Area and filters of a hex or incident query. Times are ISO 8601; `from` inclusive, `to` exclusive. */
export interface AreaFilter {
  province?: string
  commune?: string
  bbox?: [number, number, number, number]
}
export interface TimeFilter {
  from?: string
  to?: string
  /** Absent or empty means every category. */
  categories?: readonly Category[]
}
export interface HexQuery extends AreaFilter, TimeFilter {
  res: number
}
export interface HotspotQuery extends HexQuery {
  /** k-ring radius of the Gi* neighbourhood (1–3). */
  k: number
}
export interface EmergingQuery extends AreaFilter {
  res: number
  k: number
  /** Exclusive end day (YYYY-MM-DD) of the last period. */
  to: string
  step: EmergingStep
  steps: number
  categories?: readonly Category[]
}
export interface IncidentQuery extends AreaFilter, TimeFilter {
  limit?: number
  cursor?: string
}

/** A 4xx/5xx answer: the API's `{ error, message, field }` body when it sent one. */
export class ApiError extends Error {
  constructor (
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** Seconds from a `Retry-After` header (429, 423), when the server sent one. */
    readonly retryAfter?: number
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

/** True for the API's "no (valid) session" answer. */
export function isUnauthenticated (err: unknown): boolean {
  return err instanceof ApiError && err.status === 401 && err.code !== 'invalid_credentials'
}

/**
 * `Retry-After` in whole seconds: either delay-seconds or an HTTP date (RFC 9110 §10.2.3).
 * Undefined when absent or unreadable.
 */
export function parseRetryAfter (value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text)
  const at = Date.parse(text)
  if (Number.isNaN(at)) return undefined
  return Math.max(0, Math.ceil((at - now) / 1000))
}

/**
 * Called when a call answers 401 `unauthenticated` (the session expired or was revoked), except
 * for the auth routes that answer 401 as part of their own contract (login, me).
 */
let unauthenticatedHandler: ((err: ApiError) => void) | undefined
export function onUnauthenticated (handler: ((err: ApiError) => void) | undefined): void {
  unauthenticatedHandler = handler
}
const NO_SESSION_HOOK = new Set(['/api/auth/login', '/api/auth/me', '/api/auth/logout'])

/** The server could not be reached at all (down, proxy error, network). */
export class NetworkError extends Error {
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'NetworkError'
  }
}

export function isAbortError (err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError'
}

type Params = Record<string, string | number | undefined>

/** Builds `path?query`, leaving out undefined and empty values. */
export function buildUrl (path: string, params: Params = {}): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === '') continue
    search.set(key, String(value))
  }
  const query = search.toString()
  return query ? `${path}?${query}` : path
}

export function filterParams (q: AreaFilter & TimeFilter): Params {
  return {
    province: q.province,
    commune: q.commune,
    bbox: q.bbox?.map(n => Number(n.toFixed(6))).join(','),
    from: q.from,
    to: q.to,
    category: q.categories && q.categories.length > 0 ? q.categories.join(',') : undefined
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT'
  /** Sent as JSON; without it no body and no content type (Fastify rejects an empty JSON body). */
  body?: unknown
  signal?: AbortSignal
}

/**
 * One API call; the session cookie goes along (same origin). 204 resolves to undefined. Errors:
 * ApiError with the API's `{ error, message, field }` (a 401 also tells the sign-in handler),
 * NetworkError when the server cannot be reached. Shared by the workspaces' clients.
 */
export async function request<T> (url: string, { method = 'GET', body, signal }: RequestOptions = {}): Promise<T> {
  let response: Response
  const headers: Record<string, string> = { accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  try {
    response = await fetch(url, {
      method,
      signal,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body)
    })
  } catch (err) {
    if (isAbortError(err)) throw err
    throw new NetworkError(`cannot reach ${url}`, { cause: err })
  }
  if (!response.ok) {
    // A proxy with no server behind it answers 502/503/504 with no JSON body.
    const payload = await response.json().catch(() => undefined) as
      { error?: string, message?: string, field?: string | null } | undefined
    if (!payload?.message && response.status >= 500) {
      throw new NetworkError(`${url} answered ${response.status}`)
    }
    const error = new ApiError(response.status, payload?.error ?? String(response.status),
      payload?.message ?? response.statusText, payload?.field ?? undefined,
      parseRetryAfter(response.headers.get('retry-after')))
    if (isUnauthenticated(error) && !NO_SESSION_HOOK.has(url.split('?')[0])) unauthenticatedHandler?.(error)
    throw error
  }
  if (response.status === 204) return undefined as T
  return await response.json() as T
}

const getJson = <T>(url: string, signal?: AbortSignal) => request<T>(url, { signal })

export const api = {
  /** 200 `{ user }` and a session cookie; 401 invalid_credentials, 429 (Retry-After), 423 locked. */
  login: async (username: string, password: string, signal?: AbortSignal) =>
    (await request<{ user: User }>('/api/auth/login', { method: 'POST', body: { username, password }, signal })).user,
  logout: (signal?: AbortSignal) => request<void>('/api/auth/logout', { method: 'POST', signal }),
  /** The signed-in user; 401 unauthenticated without a session. */
  me: async (signal?: AbortSignal) => (await getJson<{ user: User }>('/api/auth/me', signal)).user,
  /** 204; 400 naming the field; 401 invalid_credentials when the current password is wrong. */
  changePassword: (currentPassword: string, newPassword: string, signal?: AbortSignal) =>
    request<void>('/api/auth/password', {
      method: 'POST', body: { current_password: currentPassword, new_password: newPassword }, signal
    }),
  health: (signal?: AbortSignal) => getJson<Health>('/api/health', signal),
  provinces: (signal?: AbortSignal) => getJson<Province[]>('/api/provinces', signal),
  communes: (province: string, signal?: AbortSignal) =>
    getJson<CommuneCollection>(buildUrl('/api/communes', { province }), signal),
  incidents: (q: IncidentQuery, signal?: AbortSignal) =>
    getJson<IncidentCollection>(buildUrl('/api/incidents', { ...filterParams(q), limit: q.limit, cursor: q.cursor }), signal),
  incident: async (id: string | number, signal?: AbortSignal) => {
    const answer = await getJson<{ properties?: IncidentDetails } & Partial<IncidentDetails>>(`/api/incidents/${encodeURIComponent(String(id))}`, signal)
    return (answer.properties ?? answer) as IncidentDetails
  },
  /** 409 illegal_transition for a move the current status does not allow. */
  setStatus: (id: string | number, status: IncidentStatus, note?: string, signal?: AbortSignal) =>
    request<unknown>(`/api/incidents/${encodeURIComponent(String(id))}`, {
      method: 'PATCH', body: note ? { status, note } : { status }, signal
    }),
  provinceSummary: async (code: string, q: { from?: string, to?: string }, signal?: AbortSignal) =>
    (await getJson<{ communes: CommuneSummary[] }>(buildUrl(`/api/provinces/${code}/summary`, q), signal)).communes,
  communeSummary: async (code: string, q: { from?: string, to?: string }, signal?: AbortSignal) =>
    (await getJson<{ commune: CommuneSummary }>(buildUrl(`/api/communes/${code}/summary`, q), signal)).commune,
  hexes: (q: HexQuery, signal?: AbortSignal) =>
    getJson<HexResponse>(buildUrl('/api/hexes', { res: q.res, ...filterParams(q) }), signal),
  /** Gi* hot and cold spots of a province or commune (a study area is required). */
  hotspots: (q: HotspotQuery, signal?: AbortSignal) =>
    getJson<HotspotResponse>(buildUrl('/api/hotspots', { res: q.res, k: q.k, ...filterParams(q) }), signal),
  /** Emerging hot-spot patterns over `steps` periods ending at `to`. */
  emerging: (q: EmergingQuery, signal?: AbortSignal) =>
    getJson<EmergingResponse>(buildUrl('/api/hotspots/emerging', {
      res: q.res, k: q.k, ...filterParams({ province: q.province, commune: q.commune, categories: q.categories }),
      to: q.to, step: q.step, steps: q.steps
    }), signal)
}

/**
 * Wraps a loader so that each call aborts the previous one still in flight.
 * A superseded call rejects with an AbortError (check with `isAbortError`).
 */
export function latest<A extends unknown[], R> (load: (signal: AbortSignal, ...args: A) => Promise<R>) {
  let controller: AbortController | undefined
  const run = (...args: A): Promise<R> => {
    controller?.abort()
    const mine = new AbortController()
    controller = mine
    return load(mine.signal, ...args).finally(() => {
      if (controller === mine) controller = undefined
    })
  }
  run.cancel = () => { controller?.abort(); controller = undefined }
  return run
}
