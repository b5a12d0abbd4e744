import { errors } from '../errors.ts'
import { CATEGORIES, type Category } from '../domain/incident-status.ts'
import { VN_OFFSET } from '../domain/vn-time.ts'
import type { Area, BBox, IncidentFilter, TimeWindow } from '../domain/area.ts'

export type { Area, BBox, TimeWindow } from '../domain/area.ts'


/** Reports may carry a clock a little ahead of the server's: times up to this far ahead are accepted. */
export const FUTURE_TOLERANCE_MS = 5 * 60_000


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

export function parseTimeWindow (query: { from?: string, to?: string }): TimeWindow {
  const from = query.from ? parseTime('from', query.from) : null
  const to = query.to ? parseTime('to', query.to) : null
  if (from && to && from >= to) throw errors.invalidField('to', 'must be later than from')
  return { from, to }
}


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

/** The area a query covers (see domain/area.ts): at most one of province, commune or bbox. */
export function parseArea (query: { province?: string, commune?: string, bbox?: string }): Area {
  const given = (['province', 'commune', 'bbox'] as const).filter(key => query[key] !== undefined)
  if (given.length > 1) throw errors.invalidField(given[1]!, `give only one of province, commune or bbox (got ${given.join(' and ')})`)
  if (query.province !== undefined) return { kind: 'province', code: query.province }
  if (query.commune !== undefined) return { kind: 'commune', code: query.commune }
  if (query.bbox !== undefined) return { kind: 'bbox', bbox: parseBBox(query.bbox) }
  return { kind: 'all' }
}

/** The area, categories and time window of a query with `areaAndWindowQuery` (lists, exports, counts). */
export function parseIncidentFilter (query: { province?: string, commune?: string, bbox?: string, from?: string, to?: string, category?: string }): IncidentFilter {
  return { area: parseArea(query), categories: parseCategories(query.category), ...parseTimeWindow(query) }
}
