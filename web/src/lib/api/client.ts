/**
 * Typed client for the dashboard API (server/**). Every call takes an optional AbortSignal;
 * `latest()` wraps a loader so that starting a new request cancels the stale one.
 */
import type { FeatureCollection, MultiPolygon, Point } from 'geojson'

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

export interface HexCell {
  /** Standard H3 string index. */
  h3: string
  count: number
}
export interface HexResponse {
  res: number
  cells: HexCell[]
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
    readonly field?: string
  ) {
    super(message)
    this.name = 'ApiError'
  }
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

function filterParams (q: AreaFilter & TimeFilter): Params {
  return {
    province: q.province,
    commune: q.commune,
    bbox: q.bbox?.map(n => Number(n.toFixed(6))).join(','),
    from: q.from,
    to: q.to,
    category: q.categories && q.categories.length > 0 ? q.categories.join(',') : undefined
  }
}

async function getJson<T> (url: string, signal?: AbortSignal): Promise<T> {
  let response: Response
  try {
    response = await fetch(url, { signal, headers: { accept: 'application/json' } })
  } catch (err) {
    if (isAbortError(err)) throw err
    throw new NetworkError(`cannot reach ${url}`, { cause: err })
  }
  if (!response.ok) {
    // A proxy with no server behind it answers 502/503/504 with no JSON body.
    const body = await response.json().catch(() => undefined) as
      { error?: string, message?: string, field?: string } | undefined
    if (!body?.message && response.status >= 500) {
      throw new NetworkError(`${url} answered ${response.status}`)
    }
    throw new ApiError(response.status, body?.error ?? String(response.status),
      body?.message ?? response.statusText, body?.field)
  }
  return await response.json() as T
}

export const api = {
  health: (signal?: AbortSignal) => getJson<Health>('/api/health', signal),
  provinces: (signal?: AbortSignal) => getJson<Province[]>('/api/provinces', signal),
  communes: (province: string, signal?: AbortSignal) =>
    getJson<CommuneCollection>(buildUrl('/api/communes', { province }), signal),
  incidents: (q: IncidentQuery, signal?: AbortSignal) =>
    getJson<IncidentCollection>(buildUrl('/api/incidents', { ...filterParams(q), limit: q.limit, cursor: q.cursor }), signal),
  hexes: (q: HexQuery, signal?: AbortSignal) =>
    getJson<HexResponse>(buildUrl('/api/hexes', { res: q.res, ...filterParams(q) }), signal)
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
