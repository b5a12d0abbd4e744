import { errors } from '../errors.ts'

export const CATEGORIES = ['security', 'social_order', 'traffic', 'fire', 'rescue', 'flood', 'other'] as const
export type Category = typeof CATEGORIES[number]

export const STATUSES = ['reported', 'dispatched', 'on_scene', 'resolved', 'closed', 'cancelled'] as const
export type IncidentStatus = typeof STATUSES[number]

/** Reports may carry a clock a little ahead of the server's: times up to this far ahead are accepted. */
export const FUTURE_TOLERANCE_MS = 5 * 60_000

/** Vietnam's offset from UTC (no daylight saving). Dates and offset-less times are read in it. */
export const VN_OFFSET = '+07:00'
const VN_OFFSET_MS = 7 * 3600_000

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$/

/**
 * ISO 8601 date or date-time. A bare date is local midnight in Vietnam; a date-time without
 * an offset is Vietnam local time.
 */
export function parseTime (field: string, value: string): Date {
  let text = value.trim()
  if (DATE_ONLY.test(text)) text = `${text}T00:00:00${VN_OFFSET}`
  else if (!DATE_TIME.test(text)) throw errors.invalidField(field, `"${value}" is not an ISO 8601 date or date-time`)
  else if (!/(Z|[+-]\d{2}:\d{2})$/.test(text)) text += VN_OFFSET
  const time = new Date(text)
  if (Number.isNaN(time.getTime()) || !calendarFieldsValid(text)) throw errors.invalidField(field, `"${value}" is not a valid date`)
  return time
}

/** Rejects dates that JavaScript would roll over (Feb 30 → Mar 2) and hours past 23. */
function calendarFieldsValid (text: string): boolean {
  const [, y, m, d, hh, mm, ss] = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(text) ?? []
  const year = Number(y); const month = Number(m); const day = Number(d)
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate()
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth &&
    Number(hh) <= 23 && Number(mm) <= 59 && Number(ss ?? 0) <= 59
}

export interface TimeWindow { from: Date | null, to: Date | null }

export function parseTimeWindow (query: { from?: string, to?: string }): TimeWindow {
  const from = query.from ? parseTime('from', query.from) : null
  const to = query.to ? parseTime('to', query.to) : null
  if (from && to && from >= to) throw errors.invalidField('to', 'must be later than from')
  return { from, to }
}

/** True when the instant is a local (UTC+7) midnight, so a daily rollup answers exactly. */
export function isLocalMidnight (time: Date): boolean {
  return (time.getTime() + VN_OFFSET_MS) % 86_400_000 === 0
}

/** Local calendar day (YYYY-MM-DD) of an instant in Vietnam. */
export function localDay (time: Date): string {
  return new Date(time.getTime() + VN_OFFSET_MS).toISOString().slice(0, 10)
}

export type BBox = [number, number, number, number]

export function parseBBox (value: string): BBox {
  const parts = value.split(',').map(part => Number(part.trim()))
  if (parts.length !== 4 || parts.some(n => !Number.isFinite(n))) {
    throw errors.invalidField('bbox', 'must be four numbers: minLon,minLat,maxLon,maxLat')
  }
  const [minLon, minLat, maxLon, maxLat] = parts as BBox
  if (minLon < -180 || maxLon > 180 || minLat < -90 || maxLat > 90) {
    throw errors.invalidField('bbox', 'longitudes must lie in −180…180 and latitudes in −90…90')
  }
  if (minLon >= maxLon || minLat >= maxLat) throw errors.invalidField('bbox', 'min must be less than max')
  return [minLon, minLat, maxLon, maxLat]
}

export function parseCategories (value: string | undefined): Category[] | null {
  if (value === undefined || value.trim() === '') return null
  const list = [...new Set(value.split(',').map(item => item.trim()).filter(Boolean))]
  for (const item of list) {
    if (!(CATEGORIES as readonly string[]).includes(item)) {
      throw errors.invalidField('category', `unknown category "${item}" (known: ${CATEGORIES.join(', ')})`)
    }
  }
  return list as Category[]
}

/** The area a query covers: a province, a commune, a bbox, or everything. At most one. */
export type Area =
  | { kind: 'province', code: string }
  | { kind: 'commune', code: string }
  | { kind: 'bbox', bbox: BBox }
  | { kind: 'all' }

export function parseArea (query: { province?: string, commune?: string, bbox?: string }): Area {
  const given = (['province', 'commune', 'bbox'] as const).filter(key => query[key] !== undefined)
  if (given.length > 1) throw errors.invalidField(given[1]!, `give only one of province, commune or bbox (got ${given.join(' and ')})`)
  if (query.province !== undefined) return { kind: 'province', code: query.province }
  if (query.commune !== undefined) return { kind: 'commune', code: query.commune }
  if (query.bbox !== undefined) return { kind: 'bbox', bbox: parseBBox(query.bbox) }
  return { kind: 'all' }
}
