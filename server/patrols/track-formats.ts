import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { parse as parseCsv } from 'csv-parse/sync'
import { errors } from '../errors.ts'

/** One recorded GPS position. */
export interface Fix { lon: number, lat: number, time: number /* epoch ms UTC */ }
export type TrackFormat = 'gpx' | 'geojson' | 'csv'
export interface ParsedTrack {
  /** Recorded pieces in file order (GPX trkseg, GeoJSON line, CSV file); only timed fixes, never empty. */
  segments: Fix[][]
  name: string | null
  /** Fixes that had no time and were left out. */
  untimedDropped: number
}

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
 * silent drop: a track with a wrong point is better re-exported than half-read.
 *
 * Throws errors.invalidField(field, problem): `body` (not well-formed), `trk` (routes or waypoints
 * only), `trk[0].trkseg[0].trkpt[1].lat`, `features[0].properties.coordTimes`, `line 3: time`,
 * `time` (no fix has a time), `fixes` (fewer than 2 timed fixes).
 *
 * @example
 * parseTrack('lon,lat,time\n106.3313,20.9409,2025-06-01T01:00:00Z\n106.3320,20.9410,2025-06-01T01:00:10Z', 'csv')
 * // → { segments: [[{ lon: 106.3313, lat: 20.9409, time: 1748739600000 }, …]], name: null, untimedDropped: 0 }
 */
export function parseTrack (text: string, format: TrackFormat): ParsedTrack {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  if (body.trim() === '') throw errors.invalidField('body', 'the file is empty')
  switch (format) {
    case 'gpx': return parseGpx(body)
    case 'geojson': return parseGeoJson(body)
    case 'csv': return parseCsvTrack(body)
    default: throw errors.invalidField('format', `unknown track format ${JSON.stringify(format)} (gpx, geojson or csv)`)
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
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase()
  if (CONTENT_TYPES[type]) return CONTENT_TYPES[type]
  if (!GENERIC_TYPES.has(type)) return null
  const head = text.replace(/^\uFEFF/, '').trimStart().slice(0, 4096)
  if (head.startsWith('<')) return 'gpx'
  if (head.startsWith('{')) return 'geojson'
  const firstLine = head.split(/\r?\n/, 1)[0].toLowerCase()
  const names = firstLine.split(/[,;]/).map(name => name.trim().replace(/^"|"$/g, ''))
  if (names.some(n => LON_NAMES.has(n)) && names.some(n => LAT_NAMES.has(n)) && names.includes('time')) return 'csv'
  return null
}

// ---------------------------------------------------------------------------------------------
// Times and coordinates

// ISO 8601 date-time; seconds optional, any fraction, zone optional (GPX and our CSV say: UTC).
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i

/** Epoch ms of an ISO 8601 time, or null when it is not one (or names an impossible date). */
export function parseIsoTime (value: string): number | null {
  const m = ISO_TIME.exec(value.trim())
  if (!m) return null
  const [, y, mo, d, h, mi, s = '0', frac = '', zone = 'Z'] = m
  const year = +y; const month = +mo; const day = +d; const hour = +h; const minute = +mi; const second = +s
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 60) return null
  const ms = frac ? Math.round(Number(frac) * 1000) : 0
  const base = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59), ms)
  // Date.UTC rolls Feb 30 over into March; that is a wrong date, not a time.
  if (new Date(base).getUTCDate() !== day) return null
  let offsetMinutes = 0
  if (zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '')
    const oh = Number(digits.slice(0, 2)); const om = digits.length > 2 ? Number(digits.slice(2)) : 0
    if (oh > 14 || om > 59) return null
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om)
  }
  return base - offsetMinutes * 60_000 + (second === 60 ? 1000 : 0)
}

function coordinate (raw: unknown, axis: 'lon' | 'lat'): number | null {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : ''
  // Number('') is 0 and Number('0x10') is 16: accept only decimal notation.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return null
  const value = Number(text)
  const limit = axis === 'lon' ? 180 : 90
  return Number.isFinite(value) && value >= -limit && value <= limit ? value : null
}

function describe (raw: unknown): string {
  return raw === undefined ? 'is missing' : `${JSON.stringify(raw)} is not a valid coordinate`
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

const GPX_LISTS = new Set(['trk', 'trkseg', 'trkpt', 'rte', 'rtept', 'wpt'])
const gpxParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Drops every namespace prefix, so gpxtpx:, gpxx:, ogr: and a prefixed gpx: all read alike.
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  // No entity expansion (nothing in a fix needs it, and DOCTYPE entities are an XML bomb's door);
  // extensions are kept as raw text, unparsed: both make a 700 kB file parse about a quarter faster.
  processEntities: false,
  stopNodes: ['*.extensions'],
  isArray: (name: string) => GPX_LISTS.has(name)
})

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }
/** Decodes the predefined and numeric entities of a name (the parser leaves entities alone). */
function decodeEntities (text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (whole, ref: string) => {
    if (ref[0] !== '#') return XML_ENTITIES[ref.toLowerCase()] ?? whole
    const code = ref[1].toLowerCase() === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10)
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole
  })
}

type XmlNode = Record<string, unknown>

function textOf (node: unknown): string | null {
  // A repeated element (two <time>s, schema-invalid but seen) counts by its first occurrence.
  if (Array.isArray(node)) return textOf(node[0])
  if (typeof node === 'string') return node.trim() === '' ? null : node.trim()
  if (node && typeof node === 'object' && '#text' in node) return textOf((node as XmlNode)['#text'])
  return null
}

function list (node: unknown, key: string): XmlNode[] {
  if (!node || typeof node !== 'object') return []
  const value = (node as XmlNode)[key]
  if (!Array.isArray(value)) return []
  // An empty element (<trkseg/>) parses as '' rather than an object.
  return value.map(item => (item && typeof item === 'object' ? item as XmlNode : {}))
}

function parseGpx (text: string): ParsedTrack {
  const valid = XMLValidator.validate(text)
  if (valid !== true) {
    throw errors.invalidField('body', `not well-formed XML (line ${valid.err.line}: ${valid.err.msg})`)
  }
  const doc = gpxParser.parse(text) as XmlNode
  const root = Object.keys(doc).find(key => !key.startsWith('?') && key !== '#text' && key !== '#comment')
  if (root !== 'gpx') throw errors.invalidField('body', `not a GPX file (root element <${root ?? ''}> instead of <gpx>)`)
  const gpx = (doc.gpx && typeof doc.gpx === 'object' ? doc.gpx : {}) as XmlNode

  const tracks = list(gpx, 'trk')
  if (tracks.length === 0) {
    const routes = list(gpx, 'rte').length
    const waypoints = list(gpx, 'wpt').length
    if (routes > 0 || waypoints > 0) {
      const what = [routes ? `${routes} route(s) (<rte>)` : '', waypoints ? `${waypoints} waypoint(s) (<wpt>)` : ''].filter(Boolean).join(' and ')
      throw errors.invalidField('trk', `the file has no track, only ${what}: routes and waypoints are plans, not recorded patrols`)
    }
    throw errors.invalidField('trk', 'the file has no track (<trk>)')
  }

  const segments: Fix[][] = []
  let untimed = 0
  tracks.forEach((trk, t) => {
    list(trk, 'trkseg').forEach((seg, s) => {
      const fixes: Fix[] = []
      list(seg, 'trkpt').forEach((pt, p) => {
        const path = `trk[${t}].trkseg[${s}].trkpt[${p}]`
        const lat = coordinate(pt['@_lat'], 'lat')
        if (lat === null) throw errors.invalidField(`${path}.lat`, describe(pt['@_lat']))
        const lon = coordinate(pt['@_lon'], 'lon')
        if (lon === null) throw errors.invalidField(`${path}.lon`, describe(pt['@_lon']))
        const raw = textOf(pt.time)
        if (raw === null) { untimed++; return }
        const time = parseIsoTime(raw)
        if (time === null) throw errors.invalidField(`${path}.time`, `${JSON.stringify(raw)} is not an ISO 8601 time`)
        fixes.push({ lon, lat, time })
      })
      if (fixes.length > 0) segments.push(fixes)
    })
  })
  const name = textOf(tracks[0].name) ?? textOf((gpx.metadata as XmlNode | undefined)?.name)
  return finish(segments, name === null ? null : decodeEntities(name), untimed, '<time>')
}

// ---------------------------------------------------------------------------------------------
// GeoJSON

function parseGeoJson (text: string): ParsedTrack {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (error) {
    throw errors.invalidField('body', `malformed JSON (${(error as Error).message})`)
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
    throw errors.invalidField('type', `expected a GeoJSON Feature or FeatureCollection, not ${JSON.stringify(root.type)}`)
  }
  const single = root.type === 'Feature'

  const segments: Fix[][] = []
  let untimed = 0
  let lines = 0
  let name: string | null = null
  features.forEach((raw, i) => {
    const at = single ? '' : `features[${i}].`
    if (!raw || typeof raw !== 'object') throw errors.invalidField(`features[${i}]`, 'must be a Feature object')
    const feature = raw as { geometry?: { type?: unknown, coordinates?: unknown }, properties?: Record<string, unknown> | null }
    const geometry = feature.geometry
    // Waypoints (Point features) sit beside tracks in togeojson output: not part of the track.
    if (!geometry || (geometry.type !== 'LineString' && geometry.type !== 'MultiLineString')) return
    lines++
    if (!Array.isArray(geometry.coordinates)) throw errors.invalidField(`${at}geometry.coordinates`, 'must be an array')
    const parts = (geometry.type === 'LineString' ? [geometry.coordinates] : geometry.coordinates) as unknown[]
    parts.forEach((part, k) => {
      if (!Array.isArray(part)) throw errors.invalidField(`${at}geometry.coordinates[${k}]`, 'must be an array of positions')
    })
    const lineParts = parts as unknown[][]
    const properties = feature.properties ?? {}
    name ??= typeof properties.name === 'string' ? properties.name : null
    const times = (properties.coordTimes ?? (properties.coordinateProperties as Record<string, unknown> | undefined)?.times) as unknown
    const count = lineParts.reduce((n, p) => n + p.length, 0)
    if (times === undefined || times === null) { untimed += count; return }
    const timeField = `${at}properties.coordTimes`
    if (!Array.isArray(times)) throw errors.invalidField(timeField, 'must be an array of times')
    // MultiLineString: an array per line (togeojson), or one flat array over all lines.
    let timeParts: unknown[][]
    if (geometry.type === 'MultiLineString' && times.every(Array.isArray)) {
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
      const timePath = multi && times.every(Array.isArray) ? `${timeField}[${k}]` : timeField
      if (partTimes.length !== part.length) {
        throw errors.invalidField(timePath, `has ${partTimes.length} times for ${part.length} coordinates`)
      }
      const fixes: Fix[] = []
      part.forEach((position, j) => {
        const posPath = `${at}geometry.coordinates${multi ? `[${k}]` : ''}[${j}]`
        if (!Array.isArray(position)) throw errors.invalidField(posPath, 'must be a [lon, lat] position')
        const lon = typeof position[0] === 'number' ? coordinate(position[0], 'lon') : null
        const lat = typeof position[1] === 'number' ? coordinate(position[1], 'lat') : null
        if (lon === null || lat === null) throw errors.invalidField(posPath, `${JSON.stringify(position)} is not a valid [lon, lat] position`)
        const rawTime = partTimes[j]
        if (rawTime === null || rawTime === undefined || rawTime === '') { untimed++; return }
        const time = typeof rawTime === 'number'
          ? (Number.isFinite(rawTime) ? rawTime : null)
          : typeof rawTime === 'string' ? parseIsoTime(rawTime) : null
        if (time === null) throw errors.invalidField(`${timePath}[${j}]`, `${JSON.stringify(rawTime)} is not an ISO 8601 time or epoch milliseconds`)
        fixes.push({ lon, lat, time })
      })
      if (fixes.length > 0) segments.push(fixes)
    })
  })
  if (lines === 0) throw errors.invalidField(single ? 'geometry' : 'features', 'no LineString or MultiLineString: a patrol track is a line')
  return finish(segments, name, untimed, 'properties.coordTimes')
}

// ---------------------------------------------------------------------------------------------
// CSV

const LON_NAMES = new Set(['lon', 'lng', 'longitude'])
const LAT_NAMES = new Set(['lat', 'latitude'])

function parseCsvTrack (text: string): ParsedTrack {
  const headerLine = text.split(/\r?\n/, 1)[0]
  // The header picks the delimiter: the one it uses more of.
  const delimiter = (headerLine.split(';').length > headerLine.split(',').length) ? ';' : ','
  let rows: string[][]
  try {
    rows = parseCsv(text, { delimiter, relax_column_count: true, skip_empty_lines: false, trim: true }) as string[][]
  } catch (error) {
    throw errors.invalidField('body', `malformed CSV (${(error as Error).message})`)
  }
  const header = (rows[0] ?? []).map(name => name.toLowerCase())
  const lonAt = header.findIndex(name => LON_NAMES.has(name))
  const latAt = header.findIndex(name => LAT_NAMES.has(name))
  const timeAt = header.indexOf('time')
  if (lonAt < 0 || latAt < 0 || timeAt < 0) {
    throw errors.invalidField('header', `needs columns lon, lat and time (found: ${header.join(delimiter) || 'nothing'})`)
  }
  const fixes: Fix[] = []
  let untimed = 0
  // Row r is file line r + 1 when no quoted value spans lines; track CSVs have no such values.
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r]
    const line = r + 1
    if (row.length === 1 && row[0] === '') continue
    if (row.length !== header.length) {
      throw errors.invalidField(`line ${line}: row`, `has ${row.length} fields, the header has ${header.length}`)
    }
    const lon = coordinate(row[lonAt], 'lon')
    if (lon === null) throw errors.invalidField(`line ${line}: ${header[lonAt]}`, describe(row[lonAt]))
    const lat = coordinate(row[latAt], 'lat')
    if (lat === null) throw errors.invalidField(`line ${line}: ${header[latAt]}`, describe(row[latAt]))
    if (row[timeAt] === '') { untimed++; continue }
    const time = parseIsoTime(row[timeAt])
    if (time === null) throw errors.invalidField(`line ${line}: time`, `${JSON.stringify(row[timeAt])} is not an ISO 8601 time`)
    fixes.push({ lon, lat, time })
  }
  return finish([fixes], null, untimed, 'a time')
}
