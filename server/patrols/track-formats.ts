import { SaxesParser } from 'saxes'
import { ApiError, errors } from '../errors.ts'
import { FUTURE_TOLERANCE_MS } from '../http/params.ts'
import type { Fix } from '../domain/fix.ts'

/** Parsers produce fixes (the type lives in server/domain/, shared with the pure binning). */
export type { Fix }
export const TRACK_FORMATS = ['gpx', 'geojson', 'csv'] as const
export type TrackFormat = typeof TRACK_FORMATS[number]
export interface ParsedTrack {
  /** Recorded pieces in file order (GPX trkseg, GeoJSON line, CSV file); only timed fixes, never empty. */
  segments: Fix[][]
  name: string | null
  /** Fixes that had no time and were left out. */
  untimedDropped: number
}
export interface ParseOptions {
  /** Fixes later than this (epoch ms) are refused as in the future. Default: now + FUTURE_TOLERANCE_MS. */
  latest?: number
}

// Length caps, checked before any pattern or number conversion runs on a value: every reading
// below is linear in its input, and a value past its cap is a 400 naming it, not work.
/** Longest coordinate text: `-179.123456789012345678` is 23 characters; 32 leaves room for an exponent. */
export const MAX_NUMBER_CHARS = 32
/** Longest time text: `2025-06-01T01:00:00.123456789+07:00` is 35 characters. */
export const MAX_TIME_CHARS = 40
/** Longest CSV line: a fix with a dozen extra columns fits in a few hundred characters. */
export const MAX_CSV_LINE_CHARS = 4096
/** Deepest GPX element nesting: gpx/trk/trkseg/trkpt/extensions/… needs 7 or 8. */
export const MAX_XML_DEPTH = 64
/** Longest track or metadata name. */
export const MAX_NAME_CHARS = 1000
/** Times before this (1970-01-01) are not GPS fixes (and some lie outside what the database stores). */
const EARLIEST_FIX_MS = 0

/**
 * Reads a patrol track recorded by a GPS device or app.
 *
 * - GPX 1.0/1.1: each `<trk>/<trkseg>` is a segment; `<extensions>` of any namespace are ignored; a
 *   BOM, no XML declaration or no namespace are fine; a `<time>` without a zone is UTC.
 * - GeoJSON: a Feature or FeatureCollection of LineString/MultiLineString with times in
 *   `properties.coordTimes` (togeojson's convention; ISO strings or epoch ms).
 * - CSV: a header naming `lon`/`longitude`, `lat`/`latitude` and `time` in any order, comma- or
 *   semicolon-delimited, ISO 8601 times (no zone = UTC); one segment.
 *
 * Fixes without a time are dropped and counted. An invalid coordinate or time is a 400, never a
 * silent drop: a track with a wrong point is better re-exported than half-read. So is a time in
 * the future (after `options.latest`) or before 1970, and a value longer than its cap
 * (MAX_NUMBER_CHARS, MAX_TIME_CHARS, MAX_CSV_LINE_CHARS, MAX_NAME_CHARS; MAX_XML_DEPTH levels).
 * Every format is read in time linear in the file: a streaming XML parser, JSON.parse, a line
 * scan, and patterns only on values already within their caps.
 *
 * Throws errors.invalidField(field, problem): `body` (not well-formed), `trk` (routes or waypoints
 * only), `trk[0].trkseg[0].trkpt[1].lat`, `features[0].properties.coordTimes`, `line 3: time`,
 * `time` (no fix has a time), `fixes` (fewer than 2 timed fixes); errors.futureTime(field, value).
 *
 * @example
 * parseTrack('lon,lat,time\n106.3313,20.9409,2025-06-01T01:00:00Z\n106.3320,20.9410,2025-06-01T01:00:10Z', 'csv')
 * // → { segments: [[{ lon: 106.3313, lat: 20.9409, time: 1748739600000 }, …]], name: null, untimedDropped: 0 }
 */
export function parseTrack (text: string, format: TrackFormat, options: ParseOptions = {}): ParsedTrack {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  if (body.trim() === '') throw errors.invalidField('body', 'the file is empty')
  const latest = options.latest ?? Date.now() + FUTURE_TOLERANCE_MS
  switch (format) {
    case 'gpx': return parseGpx(body, latest)
    case 'geojson': return parseGeoJson(body, latest)
    case 'csv': return parseCsvTrack(body, latest)
    default: throw errors.invalidField('format', `unknown track format ${preview(format)} (gpx, geojson or csv)`)
  }
}

const CONTENT_TYPES: Record<string, TrackFormat> = {
  'application/gpx+xml': 'gpx',
  'application/xml': 'gpx',
  'text/xml': 'gpx',
  'application/geo+json': 'geojson',
  'application/json': 'geojson',
  'text/csv': 'csv'
}
// Types that say nothing about the content (browsers and curl send these for any file).
const GENERIC_TYPES = new Set(['', 'text/plain', 'application/octet-stream', 'multipart/form-data', 'application/x-www-form-urlencoded'])

/**
 * From a Content-Type (application/gpx+xml, application/xml, text/xml → gpx; application/geo+json,
 * application/json → geojson; text/csv → csv) or, when absent/generic, by sniffing the text. null if unknown.
 */
export function detectTrackFormat (contentType: string | undefined, text: string): TrackFormat | null {
  const type = (contentType ?? '').slice(0, 200).split(';')[0].trim().toLowerCase()
  if (CONTENT_TYPES[type]) return CONTENT_TYPES[type]
  if (!GENERIC_TYPES.has(type)) return null
  // Only the first few kB are looked at, whatever the size of the upload.
  const head = text.slice(0, 4096).replace(/^\uFEFF/, '').trimStart()
  if (head.startsWith('<')) return 'gpx'
  if (head.startsWith('{')) return 'geojson'
  const firstLine = head.split(/\r?\n/, 1)[0].toLowerCase()
  const names = firstLine.split(/[,;]/).map(name => name.trim().replace(/^"|"$/g, ''))
  if (names.some(n => LON_NAMES.has(n)) && names.some(n => LAT_NAMES.has(n)) && names.includes('time')) return 'csv'
  return null
}

// ---------------------------------------------------------------------------------------------
// Values: caps, times and coordinates

/** A short, safe rendering of any value for a message (never the whole of a long or nested one). */
function preview (value: unknown): string {
  if (typeof value === 'string') return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}… (${value.length} characters)` : JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value)
  if (value === undefined) return 'undefined'
  if (Array.isArray(value)) {
    return value.length <= 4 && value.every(v => typeof v === 'number' || typeof v === 'string' || v === null)
      ? `[${value.map(v => typeof v === 'string' ? preview(v) : String(v)).join(',')}]`
      : `an array of ${value.length} items`
  }
  return `a ${typeof value}`
}

/** Refuses a value longer than its cap, before anything else reads it. */
function capped (field: string, value: string, max: number): string {
  if (value.length > max) throw errors.invalidField(field, `longer than ${max} characters (${value.length})`)
  return value
}

// ISO 8601 date-time; seconds optional, any fraction, zone optional (GPX and our CSV say: UTC).
// Anchored, and no two quantifiers can share a character: linear (and it only runs on ≤ 40 characters).
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i

/** Epoch ms of an ISO 8601 time, or null when it is not one (or names an impossible date, or is longer than MAX_TIME_CHARS). */
export function parseIsoTime (value: string): number | null {
  const text = value.trim()
  if (text.length > MAX_TIME_CHARS) return null
  const m = ISO_TIME.exec(text)
  if (!m) return null
  const [, y, mo, d, h, mi, s = '0', frac = '', zone = 'Z'] = m
  const year = +y; const month = +mo; const day = +d; const hour = +h; const minute = +mi; const second = +s
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 60) return null
  const ms = frac ? Math.round(Number(frac) * 1000) : 0
  // setUTCFullYear, unlike Date.UTC, keeps years 0–99 as they are.
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  // It rolls Feb 30 over into March; that is a wrong date, not a time.
  if (date.getUTCDate() !== day) return null
  const base = date.getTime() + ((hour * 60 + minute) * 60 + Math.min(second, 59)) * 1000 + ms
  let offsetMinutes = 0
  if (zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '')
    const oh = Number(digits.slice(0, 2)); const om = digits.length > 2 ? Number(digits.slice(2)) : 0
    if (oh > 14 || om > 59) return null
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om)
  }
  return base - offsetMinutes * 60_000 + (second === 60 ? 1000 : 0)
}

// Decimal notation only (Number('') is 0 and Number('0x10') is 16); unambiguous, so linear.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/

/** A longitude or latitude from text (capped at MAX_NUMBER_CHARS) or a JSON number; null if invalid or out of range. */
function coordinate (field: string, raw: unknown, axis: 'lon' | 'lat'): number | null {
  let value: number
  if (typeof raw === 'number') {
    value = raw
  } else if (typeof raw === 'string') {
    const text = capped(field, raw, MAX_NUMBER_CHARS).trim()
    if (!DECIMAL.test(text)) return null
    value = Number(text)
  } else {
    return null
  }
  const limit = axis === 'lon' ? 180 : 90
  return Number.isFinite(value) && value >= -limit && value <= limit ? value : null
}

function describe (raw: unknown): string {
  return raw === undefined ? 'is missing' : `${preview(raw)} is not a valid coordinate`
}

/** A fix's time from ISO text (capped at MAX_TIME_CHARS), refused when in the future or before 1970. */
function isoTime (field: string, raw: string, latest: number): number {
  const time = parseIsoTime(capped(field, raw.trim(), MAX_TIME_CHARS))
  if (time === null) throw errors.invalidField(field, `${preview(raw)} is not an ISO 8601 time`)
  return checkedTime(field, raw, time, latest)
}

function checkedTime (field: string, raw: string, time: number, latest: number): number {
  if (time > latest) throw errors.futureTime(field, raw)
  if (time < EARLIEST_FIX_MS) throw errors.invalidField(field, `${raw} is before 1970`)
  return time
}

/** Throws the shared "no times" / "too few fixes" errors for a finished parse. */
function finish (segments: Fix[][], name: string | null, untimedDropped: number, untimedHint: string): ParsedTrack {
  const timed = segments.reduce((n, s) => n + s.length, 0)
  const total = timed + untimedDropped
  if (total > 0 && timed === 0) {
    throw errors.invalidField('time', `the track has no times (${total} fixes, none with ${untimedHint})`)
  }
  if (timed < 2) throw errors.invalidField('fixes', `needs at least 2 timed fixes, found ${timed}`)
  return { segments: segments.filter(s => s.length > 0), name, untimedDropped }
}

// ---------------------------------------------------------------------------------------------
// GPX

/** The element's name without its namespace prefix: gpxtpx:, gpxx:, ogr: and a prefixed gpx: read alike. */
const localName = (name: string) => name.slice(name.indexOf(':') + 1)

/** An attribute's value by its local name (the parser runs without namespaces: values are strings). */
function attribute (tag: { attributes: object }, name: string): string | undefined {
  const attributes = tag.attributes as Record<string, string>
  if (name in attributes) return attributes[name]
  for (const key in attributes) if (localName(key) === name && !key.startsWith('xmlns')) return attributes[key]
  return undefined
}

/**
 * GPX with a streaming (SAX) parser that checks well-formedness (saxes): one pass, no tree, only
 * the paths gpx/trk/trkseg/trkpt(@lat, @lon, time), gpx/trk/name, gpx/metadata/name, gpx/rte and
 * gpx/wpt are looked at; everything else (extensions of any namespace) is skipped as it streams by.
 * Entities are the predefined and numeric ones; a DOCTYPE's own entities are never expanded.
 */
function parseGpx (text: string, latest: number): ParsedTrack {
  const parser = new SaxesParser({ position: true })
  const stack: string[] = []
  const segments: Fix[][] = []
  let untimed = 0
  let tracks = -1; let segment = -1; let point = -1
  let routes = 0; let waypoints = 0
  // Depth (stack length) of the open gpx/trk/trkseg and of its open trkpt; 0 when none is open.
  let segmentDepth = 0; let pointDepth = 0
  let fixes: Fix[] = []
  let lat = 0; let lon = 0
  // The text being collected (a fix's first <time>, a name), its element's depth and the text so far.
  let collecting: 'time' | 'trkName' | 'metaName' | null = null
  let collectDepth = 0
  let collected = ''
  let pointTime: string | null = null
  let pointHasTime = false
  let trkName: string | null = null; let trkNameSeen = false
  let metaName: string | null = null; let metaNameSeen = false
  const path = () => `trk[${tracks}].trkseg[${segment}].trkpt[${point}]`
  const limitOf = () => collecting === 'time' ? MAX_TIME_CHARS : MAX_NAME_CHARS
  const fieldOf = () => collecting === 'time' ? `${path()}.time` : collecting === 'trkName' ? 'trk[0].name' : 'metadata.name'

  const onText = (chunk: string) => {
    if (collecting === null || stack.length !== collectDepth) return
    collected += chunk
    // Surrounding white space is allowed (pretty-printed files), but not without end.
    if (collected.length > limitOf() + 1024) capped(fieldOf(), collected.trim(), limitOf())
  }
  parser.on('text', onText)
  parser.on('cdata', onText)
  parser.on('opentag', (tag) => {
    const depth = stack.length
    if (depth >= MAX_XML_DEPTH) throw errors.invalidField('body', `elements nested deeper than ${MAX_XML_DEPTH} levels`)
    const name = localName(tag.name)
    const parent = stack[depth - 1]
    if (depth === 0 && name !== 'gpx') throw errors.invalidField('body', `not a GPX file (root element <${tag.name.slice(0, 100)}> instead of <gpx>)`)
    if (depth === 1) {
      if (name === 'trk') { tracks++; segment = -1 }
      if (name === 'rte') routes++
      if (name === 'wpt') waypoints++
    } else if (depth === 2 && parent === 'trk') {
      if (name === 'trkseg') { segment++; point = -1; fixes = []; segmentDepth = depth + 1 }
      if (name === 'name' && tracks === 0 && !trkNameSeen) { trkNameSeen = true; collecting = 'trkName' }
    } else if (depth === 2 && parent === 'metadata' && name === 'name' && !metaNameSeen) {
      metaNameSeen = true
      collecting = 'metaName'
    } else if (segmentDepth > 0 && depth === segmentDepth && name === 'trkpt') {
      point++
      pointDepth = depth + 1
      const rawLat = attribute(tag, 'lat')
      const parsedLat = coordinate(`${path()}.lat`, rawLat, 'lat')
      if (parsedLat === null) throw errors.invalidField(`${path()}.lat`, describe(rawLat))
      const rawLon = attribute(tag, 'lon')
      const parsedLon = coordinate(`${path()}.lon`, rawLon, 'lon')
      if (parsedLon === null) throw errors.invalidField(`${path()}.lon`, describe(rawLon))
      lat = parsedLat; lon = parsedLon
      pointTime = null; pointHasTime = false
    } else if (pointDepth > 0 && depth === pointDepth && name === 'time' && !pointHasTime) {
      // A repeated element (two <time>s, schema-invalid but seen) counts by its first occurrence.
      pointHasTime = true
      collecting = 'time'
    }
    stack.push(name)
    if (collecting !== null && collectDepth === 0) { collectDepth = stack.length; collected = '' }
  })
  parser.on('closetag', () => {
    const depth = stack.length
    stack.pop()
    if (collecting !== null && depth === collectDepth) {
      const value = collected.trim()
      capped(fieldOf(), value, limitOf())
      if (collecting === 'time') pointTime = value === '' ? null : value
      else if (collecting === 'trkName') trkName = value === '' ? null : value
      else metaName = value === '' ? null : value
      collecting = null; collectDepth = 0; collected = ''
    }
    if (depth === pointDepth) {
      pointDepth = 0
      if (pointTime === null) untimed++
      else fixes.push({ lon, lat, time: isoTime(`${path()}.time`, pointTime, latest) })
    } else if (depth === segmentDepth) {
      segmentDepth = 0
      if (fixes.length > 0) segments.push(fixes)
      fixes = []
    }
  })

  try {
    parser.write(text).close()
  } catch (error) {
    if (error instanceof ApiError) throw error
    // saxes says "line:column: problem"; the problem may quote a name of any length.
    const problem = String((error as Error).message).slice(0, 200).replace(/^\d+:\d+: /, '')
    throw errors.invalidField('body', `not well-formed XML (line ${parser.line}: ${problem})`)
  }

  if (tracks < 0) {
    if (routes > 0 || waypoints > 0) {
      const what = [routes ? `${routes} route(s) (<rte>)` : '', waypoints ? `${waypoints} waypoint(s) (<wpt>)` : ''].filter(Boolean).join(' and ')
      throw errors.invalidField('trk', `the file has no track, only ${what}: routes and waypoints are plans, not recorded patrols`)
    }
    throw errors.invalidField('trk', 'the file has no track (<trk>)')
  }
  return finish(segments, trkName ?? metaName, untimed, '<time>')
}

// ---------------------------------------------------------------------------------------------
// GeoJSON

function parseGeoJson (text: string, latest: number): ParsedTrack {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (error) {
    // A syntax error, or a RangeError for nesting deeper than the parser's stack.
    throw errors.invalidField('body', `malformed JSON (${String((error as Error).message).slice(0, 200)})`)
  }
  if (!doc || typeof doc !== 'object') throw errors.invalidField('type', 'expected a GeoJSON Feature or FeatureCollection')
  const root = doc as Record<string, unknown>
  let features: unknown[]
  if (root.type === 'FeatureCollection') {
    if (!Array.isArray(root.features)) throw errors.invalidField('features', 'must be an array')
    features = root.features
  } else if (root.type === 'Feature') {
    features = [root]
  } else {
    throw errors.invalidField('type', `expected a GeoJSON Feature or FeatureCollection, not ${preview(root.type)}`)
  }
  const single = root.type === 'Feature'

  const segments: Fix[][] = []
  let untimed = 0
  let lines = 0
  let name: string | null = null
  features.forEach((raw, i) => {
    const at = single ? '' : `features[${i}].`
    if (!raw || typeof raw !== 'object') throw errors.invalidField(`features[${i}]`, 'must be a Feature object')
    const feature = raw as { geometry?: { type?: unknown, coordinates?: unknown }, properties?: unknown }
    const geometry = feature.geometry
    // Waypoints (Point features) sit beside tracks in togeojson output: not part of the track.
    if (!geometry || typeof geometry !== 'object' || (geometry.type !== 'LineString' && geometry.type !== 'MultiLineString')) return
    lines++
    if (!Array.isArray(geometry.coordinates)) throw errors.invalidField(`${at}geometry.coordinates`, 'must be an array')
    const parts = (geometry.type === 'LineString' ? [geometry.coordinates] : geometry.coordinates) as unknown[]
    parts.forEach((part, k) => {
      if (!Array.isArray(part)) throw errors.invalidField(`${at}geometry.coordinates[${k}]`, 'must be an array of positions')
    })
    const lineParts = parts as unknown[][]
    const properties = (feature.properties && typeof feature.properties === 'object' ? feature.properties : {}) as Record<string, unknown>
    name ??= typeof properties.name === 'string' ? capped(`${at}properties.name`, properties.name, MAX_NAME_CHARS) : null
    const coordinateProperties = properties.coordinateProperties
    const times = (properties.coordTimes ?? (coordinateProperties && typeof coordinateProperties === 'object'
      ? (coordinateProperties as Record<string, unknown>).times
      : undefined)) as unknown
    const count = lineParts.reduce((n, p) => n + p.length, 0)
    if (times === undefined || times === null) { untimed += count; return }
    const timeField = `${at}properties.coordTimes`
    if (!Array.isArray(times)) throw errors.invalidField(timeField, 'must be an array of times')
    // MultiLineString: an array per line (togeojson), or one flat array over all lines.
    let timeParts: unknown[][]
    const perLine = geometry.type === 'MultiLineString' && times.every(Array.isArray)
    if (perLine) {
      timeParts = times as unknown[][]
      if (timeParts.length !== lineParts.length) {
        throw errors.invalidField(timeField, `has ${timeParts.length} arrays for ${lineParts.length} lines`)
      }
    } else {
      if (times.length !== count) throw errors.invalidField(timeField, `has ${times.length} times for ${count} coordinates`)
      let offset = 0
      timeParts = lineParts.map(p => { const slice = times.slice(offset, offset + p.length); offset += p.length; return slice })
    }
    lineParts.forEach((part, k) => {
      const partTimes = timeParts[k]
      const multi = geometry.type === 'MultiLineString'
      const timePath = perLine ? `${timeField}[${k}]` : timeField
      if (partTimes.length !== part.length) {
        throw errors.invalidField(timePath, `has ${partTimes.length} times for ${part.length} coordinates`)
      }
      const fixes: Fix[] = []
      part.forEach((position, j) => {
        const posPath = `${at}geometry.coordinates${multi ? `[${k}]` : ''}[${j}]`
        if (!Array.isArray(position)) throw errors.invalidField(posPath, 'must be a [lon, lat] position')
        const lon = typeof position[0] === 'number' ? coordinate(posPath, position[0], 'lon') : null
        const lat = typeof position[1] === 'number' ? coordinate(posPath, position[1], 'lat') : null
        if (lon === null || lat === null) throw errors.invalidField(posPath, `${preview(position)} is not a valid [lon, lat] position`)
        const rawTime = partTimes[j]
        if (rawTime === null || rawTime === undefined || rawTime === '') { untimed++; return }
        const field = `${timePath}[${j}]`
        let time: number
        if (typeof rawTime === 'number' && Number.isFinite(rawTime)) time = checkedTime(field, String(rawTime), rawTime, latest)
        else if (typeof rawTime === 'string') time = isoTimeOrEpoch(field, rawTime, latest)
        else throw errors.invalidField(field, `${preview(rawTime)} is not an ISO 8601 time or epoch milliseconds`)
        fixes.push({ lon, lat, time })
      })
      if (fixes.length > 0) segments.push(fixes)
    })
  })
  if (lines === 0) throw errors.invalidField(single ? 'geometry' : 'features', 'no LineString or MultiLineString: a patrol track is a line')
  return finish(segments, name, untimed, 'properties.coordTimes')
}

function isoTimeOrEpoch (field: string, raw: string, latest: number): number {
  const time = parseIsoTime(capped(field, raw.trim(), MAX_TIME_CHARS))
  if (time === null) throw errors.invalidField(field, `${preview(raw)} is not an ISO 8601 time or epoch milliseconds`)
  return checkedTime(field, raw, time, latest)
}

// ---------------------------------------------------------------------------------------------
// CSV

const LON_NAMES = new Set(['lon', 'lng', 'longitude'])
const LAT_NAMES = new Set(['lat', 'latitude'])

/**
 * One CSV line's values, trimmed: split at the delimiter, or, when the line has a quote, read
 * value by value (a quoted value may hold the delimiter and "" for a quote; it may not run over
 * lines: track files never do). Each character is looked at a bounded number of times.
 */
function csvValues (line: string, delimiter: string, field: string): string[] {
  if (!line.includes('"')) return line.split(delimiter).map(value => value.trim())
  const values: string[] = []
  const blank = (c: string | undefined) => c === ' ' || c === '\t'
  let i = 0
  for (;;) {
    while (blank(line[i])) i++
    if (line[i] === '"') {
      let value = ''
      let from = ++i
      for (;;) {
        const quote = line.indexOf('"', i)
        if (quote < 0) throw errors.invalidField(field, `value ${values.length + 1} has no closing quote`)
        if (line[quote + 1] === '"') { value += line.slice(from, quote + 1); i = from = quote + 2; continue }
        value += line.slice(from, quote)
        i = quote + 1
        break
      }
      while (blank(line[i])) i++
      if (i < line.length && line[i] !== delimiter) throw errors.invalidField(field, `value ${values.length + 1} has text after its closing quote`)
      values.push(value)
    } else {
      const end = line.indexOf(delimiter, i)
      values.push(line.slice(i, end < 0 ? line.length : end).trim())
      i = end < 0 ? line.length : end
    }
    if (i >= line.length) return values
    i++ // past the delimiter
    if (i === line.length) { values.push(''); return values }
  }
}

/**
 * The CSV read line by line (one indexOf scan of the text; no CSV library: csv-parse took about
 * 150 µs per row of a file of empty lines with relax_column_count, minutes for a few MB). A line
 * longer than MAX_CSV_LINE_CHARS is refused before it is split, naming its over-long column when
 * it has one.
 */
function parseCsvTrack (text: string, latest: number): ParsedTrack {
  let header: string[] = []
  let delimiter = ','
  let lonAt = -1; let latAt = -1; let timeAt = -1
  const fixes: Fix[] = []
  let untimed = 0
  let start = 0
  for (let line = 1; start <= text.length; line++) {
    const newline = text.indexOf('\n', start)
    const end = newline < 0 ? text.length : newline
    const length = end - start - (text.charCodeAt(end - 1) === 13 ? 1 : 0)
    if (length > MAX_CSV_LINE_CHARS) {
      if (line === 1) throw errors.invalidField('header', `longer than ${MAX_CSV_LINE_CHARS} characters (${length})`)
      tooLong(text.slice(start, start + length), delimiter, header, line)
    }
    const raw = text.slice(start, start + length)
    start = newline < 0 ? text.length + 1 : newline + 1
    if (line === 1) {
      // The header picks the delimiter: the one it uses more of.
      delimiter = raw.split(';').length > raw.split(',').length ? ';' : ','
      header = csvValues(raw, delimiter, 'header').map(name => name.toLowerCase())
      lonAt = header.findIndex(name => LON_NAMES.has(name))
      latAt = header.findIndex(name => LAT_NAMES.has(name))
      timeAt = header.indexOf('time')
      if (lonAt < 0 || latAt < 0 || timeAt < 0) {
        throw errors.invalidField('header', `needs columns lon, lat and time (found: ${header.join(delimiter).slice(0, 200) || 'nothing'})`)
      }
      continue
    }
    if (raw.trim() === '') continue
    const row = csvValues(raw, delimiter, `line ${line}`)
    if (row.length !== header.length) {
      throw errors.invalidField(`line ${line}: row`, `has ${row.length} fields, the header has ${header.length}`)
    }
    const lon = coordinate(`line ${line}: ${header[lonAt]}`, row[lonAt], 'lon')
    if (lon === null) throw errors.invalidField(`line ${line}: ${header[lonAt]}`, describe(row[lonAt]))
    const lat = coordinate(`line ${line}: ${header[latAt]}`, row[latAt], 'lat')
    if (lat === null) throw errors.invalidField(`line ${line}: ${header[latAt]}`, describe(row[latAt]))
    if (row[timeAt] === '') { untimed++; continue }
    fixes.push({ lon, lat, time: isoTime(`line ${line}: time`, row[timeAt], latest) })
  }
  if (header.length === 0) throw errors.invalidField('header', 'needs columns lon, lat and time (found: nothing)')
  return finish([fixes], null, untimed, 'a time')
}

/** Refuses an over-long line, naming its first value past its column's cap when there is one. */
function tooLong (line: string, delimiter: string, header: string[], lineNumber: number): never {
  line.split(delimiter).forEach((value, i) => {
    const column = header[i] ?? `column ${i + 1}`
    const cap = LON_NAMES.has(column) || LAT_NAMES.has(column) ? MAX_NUMBER_CHARS : column === 'time' ? MAX_TIME_CHARS : MAX_CSV_LINE_CHARS
    capped(`line ${lineNumber}: ${column}`, value.trim(), cap)
  })
  throw errors.invalidField(`line ${lineNumber}`, `longer than ${MAX_CSV_LINE_CHARS} characters (${line.length})`)
}
