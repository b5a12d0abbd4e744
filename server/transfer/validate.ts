import { ApiError } from '../errors.ts'
import { CATEGORIES, type Category } from '../domain/incident-status.ts'
import { FUTURE_TOLERANCE_MS, parseTime } from '../http/params.ts'
import type { NewIncident } from '../incidents/repository.ts'

export const MAX_DESCRIPTION = 4000

/** The import's exact header; an export adds the trailing columns below, which the import ignores. */
export const IMPORT_COLUMNS = ['lon', 'lat', 'category', 'severity', 'occurred_at', 'description'] as const
export const EXPORT_EXTRA_COLUMNS = ['id', 'status', 'commune_code', 'province_code', 'h3'] as const

/** A checked row: the fields of a new incident that a file can carry. */
export type ImportRow = Pick<NewIncident, 'lon' | 'lat' | 'category' | 'severity' | 'occurred_at' | 'description'>

export interface Rejection { field: string, reason: string, message: string }

export class RowRejected extends Error {
  constructor (readonly rejection: Rejection) { super(rejection.message) }
}

function reject (field: string, reason: string, problem: string): never {
  throw new RowRejected({ field, reason, message: `${field}: ${problem}` })
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/

/**
 * Longest text accepted in each CSV column, checked before any pattern runs, so a rejection message
 * (which quotes the value) stays short and no pattern sees a long input.
 */
export const FIELD_MAX_CHARS = { lon: 32, lat: 32, category: 32, severity: 8, occurred_at: 64 } as const

/** Checks the typed values like the POST /api/incidents schema and handler do. */
function checkRow (lon: number, lat: number, category: string, severity: number, occurredAt: string, description: string): ImportRow {
  if (lon < -180 || lon > 180) reject('lon', 'invalid_field', 'must lie in −180…180')
  if (lat < -90 || lat > 90) reject('lat', 'invalid_field', 'must lie in −90…90')
  if (!(CATEGORIES as readonly string[]).includes(category)) reject('category', 'invalid_field', `must be one of ${CATEGORIES.join(', ')}`)
  if (!Number.isInteger(severity) || severity < 1 || severity > 5) reject('severity', 'invalid_field', 'must be an integer from 1 to 5')
  if (occurredAt.trim() === '') reject('occurred_at', 'missing_field', 'is required')
  if (occurredAt.length > FIELD_MAX_CHARS.occurred_at) reject('occurred_at', 'invalid_field', `must be at most ${FIELD_MAX_CHARS.occurred_at} characters`)
  let time: Date
  try {
    time = parseTime('occurred_at', occurredAt)
  } catch (error) {
    if (error instanceof ApiError) reject('occurred_at', error.code, error.message.replace(/^occurred_at: /, ''))
    throw error
  }
  if (time.getTime() > Date.now() + FUTURE_TOLERANCE_MS) reject('occurred_at', 'time_in_future', `${occurredAt} is in the future`)
  if (description.length > MAX_DESCRIPTION) reject('description', 'invalid_field', `must be at most ${MAX_DESCRIPTION} characters`)
  return { lon, lat, category: category as Category, severity, occurred_at: time, description }
}

/** One CSV record (values as text, in IMPORT_COLUMNS order). Throws RowRejected. */
export function rowFromCsv (record: string[]): ImportRow {
  const [lonText = '', latText = '', category = '', severityText = '', occurredAt = '', description = ''] = record
  const required: [string, string][] = [['lon', lonText], ['lat', latText], ['category', category], ['severity', severityText], ['occurred_at', occurredAt]]
  for (const [field, value] of required) {
    const cap = FIELD_MAX_CHARS[field as keyof typeof FIELD_MAX_CHARS]
    if (value.length > cap) reject(field, 'invalid_field', `must be at most ${cap} characters`)
  }
  for (const [field, value] of required) if (value.trim() === '') reject(field, 'missing_field', 'is required')
  // One more than the limit: an exported description may carry the spreadsheet guard quote.
  if (description.length > MAX_DESCRIPTION + 1) reject('description', 'invalid_field', `must be at most ${MAX_DESCRIPTION} characters`)
  if (!NUMBER.test(lonText.trim())) reject('lon', 'invalid_field', `"${lonText}" is not a number`)
  if (!NUMBER.test(latText.trim())) reject('lat', 'invalid_field', `"${latText}" is not a number`)
  if (!/^[+-]?\d+$/.test(severityText.trim())) reject('severity', 'invalid_field', `"${severityText}" is not an integer`)
  return checkRow(Number(lonText), Number(latText), category.trim(), Number(severityText), occurredAt, fromSpreadsheetText(description))
}

const FEATURE_PROPERTIES = new Set(['category', 'severity', 'occurred_at', 'description', ...EXPORT_EXTRA_COLUMNS, 'reported_at', 'is_generated'])

/** One GeoJSON feature (a Point with the incident's properties). Throws RowRejected. */
export function rowFromFeature (feature: unknown): ImportRow {
  const f = feature as { type?: unknown, geometry?: { type?: unknown, coordinates?: unknown }, properties?: Record<string, unknown> | null } | null
  if (!f || typeof f !== 'object' || f.type !== 'Feature') reject('type', 'invalid_field', 'must be "Feature"')
  if (!f.geometry || f.geometry.type !== 'Point' || !Array.isArray(f.geometry.coordinates) || f.geometry.coordinates.length < 2) {
    reject('geometry', 'invalid_field', 'must be a Point with [lon, lat]')
  }
  const [lon, lat] = f.geometry.coordinates as unknown[]
  if (typeof lon !== 'number' || !Number.isFinite(lon)) reject('lon', 'invalid_field', 'must be of type number')
  if (typeof lat !== 'number' || !Number.isFinite(lat)) reject('lat', 'invalid_field', 'must be of type number')
  const p = f.properties ?? {}
  if (typeof p !== 'object') reject('properties', 'invalid_field', 'must be an object')
  for (const key of Object.keys(p)) if (!FEATURE_PROPERTIES.has(key)) reject(key, 'invalid_field', 'is not a known field')
  for (const field of ['category', 'severity', 'occurred_at']) if (p[field] === undefined || p[field] === null) reject(field, 'missing_field', 'is required')
  if (typeof p.category !== 'string') reject('category', 'invalid_field', 'must be of type string')
  if (p.category.length > FIELD_MAX_CHARS.category) reject('category', 'invalid_field', `must be at most ${FIELD_MAX_CHARS.category} characters`)
  if (typeof p.severity !== 'number') reject('severity', 'invalid_field', 'must be of type integer')
  if (typeof p.occurred_at !== 'string') reject('occurred_at', 'invalid_field', 'must be of type string')
  const description = p.description ?? ''
  if (typeof description !== 'string') reject('description', 'invalid_field', 'must be of type string')
  return checkRow(lon, lat, p.category, p.severity, p.occurred_at, description)
}

/** Quotes a CSV field when it holds the delimiter, a quote, or a line break. */
export function csvField (value: string | number, delimiter = ','): string {
  const text = String(value)
  if (text.includes(delimiter) || text.includes('"') || text.includes('\n') || text.includes('\r')) return `"${text.replaceAll('"', '""')}"`
  return text
}

/** Starts a formula in a spreadsheet (OWASP "CSV injection"), possibly after quotes already there. */
const FORMULA_START = /^'*[=+\-@\t\r]/
const GUARDED_FORMULA = /^'+[=+\-@\t\r]/

/**
 * A free-text CSV cell that a spreadsheet shows as text: one `'` is put before a value starting
 * with `=`, `+`, `-`, `@`, tab or CR — and before one that starts with quotes and then such a
 * character, so that fromSpreadsheetText gives back exactly the value.
 * @example spreadsheetText('=1+1') === "'=1+1"; spreadsheetText("'Tuấn") === "'Tuấn"
 */
export function spreadsheetText (text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text
}

/**
 * Undoes spreadsheetText on import: removes one leading `'` only when (more quotes and then) a
 * formula character follows; any other leading `'` is the author's and stays.
 * @example fromSpreadsheetText("'=1+1") === '=1+1'; fromSpreadsheetText("'Tuấn") === "'Tuấn"
 */
export function fromSpreadsheetText (text: string): string {
  return GUARDED_FORMULA.test(text) ? text.slice(1) : text
}
