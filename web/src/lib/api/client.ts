/**
 * Typed client for the dashboard API (server/**). Every call takes an optional AbortSignal;
 * `latest()` wraps a loader so that starting a new request cancels the stale one.
 */
import type { MultiPolygon, Point } from 'geojson'
import type { IncidentEvent } from '../../../../server/events/bus.ts'
import type { User } from '../auth/capabilities.ts'
import type { Body, GeoCollection, Json, Path, Query } from './types.ts'
import type { Category, EmergingDirection, EmergingStep, HotspotClass, IncidentStatus } from './vocabulary.ts'

export {
  CATEGORIES, EMERGING_PATTERNS, EMERGING_STEPS, HOTSPOT_CLASSES, NEXT_STATUSES, STATUSES, isCategory,
  type Category, type EmergingDirection, type EmergingPattern, type EmergingStep, type HotspotClass, type IncidentStatus
} from './vocabulary.ts'

// The answers of the map's routes, as the generated contract (schema.d.ts) gives them.
export type Health = Json<'/api/health', 'get'>
export type Province = Json<'/api/provinces', 'get'>[number]

export type CommuneCollection = GeoCollection<Json<'/api/communes', 'get'>, MultiPolygon>
export type CommuneProperties = CommuneCollection['features'][number]['properties']

type IncidentList = Json<'/api/incidents', 'get'>
export type IncidentCollection = GeoCollection<IncidentList, Point> & Pick<IncidentList, 'next_cursor'>
export type IncidentProperties = IncidentCollection['features'][number]['properties']
/** GET /api/incidents/:id: the incident with its times, details and status history. */
export type IncidentDetails = Json<'/api/incidents/{id}', 'get'>['properties']
export type HistoryEntry = IncidentDetails['history'][number]

/** An event of the live feed (GET /api/stream, Server-Sent Events: outside the OpenAPI document). */
// server/events/bus.ts types category and status as plain strings; the bus carries the incident's own values.
export type StreamIncident = Omit<IncidentEvent['incident'], 'category' | 'status'> & Pick<IncidentProperties, 'category' | 'status'>
export type StreamEvent = Omit<IncidentEvent, 'incident'> & { incident: StreamIncident }

export type CommuneSummary = Json<'/api/communes/{code}/summary', 'get'>['commune']

export type HexResponse = Json<'/api/hexes', 'get'>
export type HexCell = HexResponse['cells'][number]

// The hotspot schemas give `class` and `direction` as open strings (a gap reported to the lead);
// the server only classifies into HOTSPOT_CLASSES and hot | cold | null, so the page narrows them.
type HotspotAnswer = Json<'/api/hotspots', 'get'>
type EmergingAnswer = Json<'/api/hotspots/emerging', 'get'>

/** Gi* hot and cold spots (z sign, Benjamini–Hochberg adjusted p ≤ 0.01/0.05/0.10). */
export type HotspotCell = Omit<HotspotAnswer['cells'][number], 'class'> & { class: HotspotClass }
export type HotspotResponse = Omit<HotspotAnswer, 'cells'> & { cells: HotspotCell[] }

/** Emerging hot-spot patterns per cell over consecutive periods. */
export type EmergingCell = Omit<EmergingAnswer['cells'][number], 'direction'> & { direction: EmergingDirection }
export type EmergingResponse = Omit<EmergingAnswer, 'cells'> & { cells: EmergingCell[] }

/** `from` inclusive, `to` exclusive (ISO 8601); the server defaults to the 30 days before today. */
export type SummaryWindow = Query<'/api/provinces/{code}/summary', 'get'>

/**
 * Area and filters of a hex or incident query, as the page holds them (a bbox tuple, a list of
 * categories); `filterParams` writes them as the query parameters the contract names. Times are
 * ISO 8601; `from` inclusive, `to` exclusive.
 */
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
    /** Seconds from a `Retry-After` header (429, 503), when the server sent one. */
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

/**
 * Ends a live stream when the server says its session ended (`event: session_ended`: logout
 * elsewhere, expiry, a password or role change, a disabled account) instead of letting EventSource
 * reconnect; the app then asks to sign in again. `too_many_streams` (another tab of this user took
 * its place) only closes this stream.
 */
export function closeOnSessionEnd (source: EventSource, onClosed: (reason: string) => void): void {
  source.addEventListener('session_ended', (message) => {
    source.close()
    let reason = ''
    try { reason = String((JSON.parse((message as MessageEvent<string>).data) as { reason?: unknown }).reason ?? '') } catch { /* no reason given */ }
    onClosed(reason)
    if (reason !== 'too_many_streams') unauthenticatedHandler?.(new ApiError(401, 'unauthenticated', `the session ended (${reason || 'no reason given'})`))
  })
}

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

/** The area and window parameters shared by the incident, hex and hotspot routes. */
export type FilterParams = Pick<Query<'/api/hexes', 'get'>, 'province' | 'commune' | 'bbox' | 'from' | 'to' | 'category'>

export function filterParams (q: AreaFilter & TimeFilter): FilterParams {
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

type IncidentId = Path<'/api/incidents/{id}', 'get'>['id']

export const api = {
  /** 200 `{ user }` and a session cookie; 401 invalid_credentials, 403 account_disabled, 429 (Retry-After). */
  login: async (username: string, password: string, signal?: AbortSignal) =>
    (await request<Json<'/api/auth/login', 'post'>>('/api/auth/login', {
      method: 'POST', body: { username, password } satisfies Body<'/api/auth/login', 'post'>, signal
    })).user,
  logout: (signal?: AbortSignal) => request<void>('/api/auth/logout', { method: 'POST', signal }),
  /** The signed-in user; 401 unauthenticated without a session. */
  me: async (signal?: AbortSignal) => (await getJson<Json<'/api/auth/me', 'get'>>('/api/auth/me', signal)).user,
  /** 204; 400 naming the field; 401 invalid_credentials when the current password is wrong. */
  changePassword: (currentPassword: string, newPassword: string, signal?: AbortSignal) =>
    request<void>('/api/auth/password', {
      method: 'POST',
      body: { current_password: currentPassword, new_password: newPassword } satisfies Body<'/api/auth/password', 'post'>,
      signal
    }),
  health: (signal?: AbortSignal) => getJson<Health>('/api/health', signal),
  provinces: (signal?: AbortSignal) => getJson<Province[]>('/api/provinces', signal),
  communes: (province: string, signal?: AbortSignal) =>
    getJson<CommuneCollection>(buildUrl('/api/communes', { province }), signal),
  incidents: (q: IncidentQuery, signal?: AbortSignal) =>
    getJson<IncidentCollection>(buildUrl('/api/incidents', { ...filterParams(q), limit: q.limit, cursor: q.cursor } satisfies Query<'/api/incidents', 'get'>), signal),
  incident: async (id: IncidentId, signal?: AbortSignal): Promise<IncidentDetails> =>
    (await getJson<Json<'/api/incidents/{id}', 'get'>>(`/api/incidents/${encodeURIComponent(String(id))}`, signal)).properties,
  /** 409 illegal_transition for a move the current status does not allow. */
  setStatus: (id: IncidentId, status: IncidentStatus, note?: string, signal?: AbortSignal) =>
    request<Json<'/api/incidents/{id}', 'patch'>>(`/api/incidents/${encodeURIComponent(String(id))}`, {
      method: 'PATCH', body: (note ? { status, note } : { status }) satisfies Body<'/api/incidents/{id}', 'patch'>, signal
    }),
  provinceSummary: async (code: string, q: SummaryWindow, signal?: AbortSignal) =>
    (await getJson<Json<'/api/provinces/{code}/summary', 'get'>>(buildUrl(`/api/provinces/${code}/summary`, q), signal)).communes,
  communeSummary: async (code: string, q: SummaryWindow, signal?: AbortSignal) =>
    (await getJson<Json<'/api/communes/{code}/summary', 'get'>>(buildUrl(`/api/communes/${code}/summary`, q), signal)).commune,
  hexes: (q: HexQuery, signal?: AbortSignal) =>
    getJson<HexResponse>(buildUrl('/api/hexes', { res: q.res, ...filterParams(q) } satisfies Query<'/api/hexes', 'get'>), signal),
  /** Gi* hot and cold spots of a province or commune (a study area is required). */
  hotspots: (q: HotspotQuery, signal?: AbortSignal) =>
    getJson<HotspotResponse>(buildUrl('/api/hotspots', { res: q.res, k: q.k, ...filterParams(q) } satisfies Query<'/api/hotspots', 'get'>), signal),
  /** Emerging hot-spot patterns over `steps` periods ending at `to`. */
  emerging: (q: EmergingQuery, signal?: AbortSignal) =>
    getJson<EmergingResponse>(buildUrl('/api/hotspots/emerging', {
      res: q.res, k: q.k, ...filterParams({ province: q.province, commune: q.commune, categories: q.categories }),
      to: q.to, step: q.step, steps: q.steps
    } satisfies Query<'/api/hotspots/emerging', 'get'>), signal)
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
