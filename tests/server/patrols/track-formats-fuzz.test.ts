// Every track parser, fed long, nested and random inputs, answers with a track or an ApiError 4xx
// (never another exception), and values past their length caps are refused by name before any
// pattern reads them: the 60,000-digit `lon` that froze the server for 9 s is a 400 in
// microseconds. Also: times in the future are refused in every format.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { ApiError } from '../../../server/errors.ts'
import { FUTURE_TOLERANCE_MS } from '../../../server/http/params.ts'
import {
  MAX_CSV_LINE_CHARS, MAX_NUMBER_CHARS, MAX_TIME_CHARS, MAX_XML_DEPTH, parseTrack, type TrackFormat
} from '../../../server/patrols/track-formats.ts'

const FORMATS: TrackFormat[] = ['gpx', 'geojson', 'csv']
/**
 * No input here is over a few MB: a linear parser reads it in well under this on a busy machine,
 * while a quadratic one (csv-parse on 20,000 empty lines took 6 s) does not.
 */
const TIME_BUDGET_MS = 2000

/** parseTrack's outcome: a well-formed track, or an ApiError with a 4xx status (anything else fails). */
function outcome (text: string, format: TrackFormat): 'track' | 'refused' {
  const started = performance.now()
  try {
    const track = parseTrack(text, format)
    expect(performance.now() - started, `${format} took too long on ${text.length} characters`).toBeLessThan(TIME_BUDGET_MS)
    expect(track.segments.length).toBeGreaterThan(0)
    for (const fix of track.segments.flat()) {
      expect(Number.isFinite(fix.lon) && Math.abs(fix.lon) <= 180 && Number.isFinite(fix.lat) && Math.abs(fix.lat) <= 90 && Number.isFinite(fix.time)).toBe(true)
    }
    return 'track'
  } catch (error) {
    if (!(error instanceof ApiError)) throw new Error(`${format}: not an ApiError: ${String(error)}`.slice(0, 500))
    expect(performance.now() - started, `${format} took too long on ${text.length} characters`).toBeLessThan(TIME_BUDGET_MS)
    expect(error.statusCode).toBeGreaterThanOrEqual(400)
    expect(error.statusCode).toBeLessThan(500)
    expect(error.message.length).toBeLessThan(1000)
    return 'refused'
  }
}

function refusal (text: string, format: TrackFormat): ApiError {
  try {
    parseTrack(text, format)
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError)
    return error as ApiError
  }
  throw new Error('expected a refusal')
}

/** Milliseconds a call takes. */
function timed (fn: () => unknown): number {
  const started = performance.now()
  fn()
  return performance.now() - started
}

const T = '2025-06-01T01:00:00Z'
const T2 = '2025-06-01T01:00:10Z'
const longRun = fc.integer({ min: 1, max: 200_000 }).chain(n => fc.constantFrom('1', ' ', '<', '&', '"', '-', '.', 'e', ',', ';', '\n', '[', '{', ']]>', '<a>').map(c => c.repeat(n)))

// Pieces of each format (and of the others) from which random, deep and long documents are made.
const GPX_TOKENS = ['<?xml version="1.0"?>', '<gpx>', '</gpx>', '<trk>', '</trk>', '<trkseg>', '</trkseg>', '<trkseg/>', '<trkpt lat="20.9" lon="106.3">',
  '<trkpt lat="', '" lon="', '">', '</trkpt>', '<time>', '</time>', T, T2, '<name>', '</name>', '<extensions>', '</extensions>', '<a:b x="1">', '</a:b>',
  '&amp;', '&#1;', '&#x1F600;', '&nbsp;', '&', '<!--', '-->', '<![CDATA[', ']]>', '<!DOCTYPE gpx [<!ENTITY e "x">]>', '&e;', '<rte/>', '<wpt lat="1" lon="2"/>',
  '<', '>', '/', '"', "'", '=', ' ', '\n', '\u0000', '\uFFFF', '\uD800', '1e999', '-0', '.5', '+1', 'NaN', '999999999999']
const GEOJSON_TOKENS = ['{', '}', '[', ']', ',', ':', '"type"', '"Feature"', '"FeatureCollection"', '"features"', '"geometry"', '"LineString"', '"MultiLineString"',
  '"coordinates"', '"properties"', '"coordTimes"', '"coordinateProperties"', '"times"', `"${T}"`, `"${T2}"`, '106.3', '20.9', '1e400', '-1', '0', 'null', 'true', '""', '"x"', ' ', '\n']
const CSV_TOKENS = ['lon', 'lat', 'time', 'latitude', 'longitude', ',', ';', '\n', '\r\n', '"', '""', ' ', '106.3313', '20.9409', T, T2, '', '1e5', '0x10', '+', '-', '.', 'x',
  '"106.3313"', '"a,b"', '"a""b"', '\t']

const soup = (tokens: string[], maxLength: number) =>
  fc.array(fc.oneof(fc.constantFrom(...tokens), longRun, fc.string({ maxLength: 20 })), { maxLength }).map(parts => parts.join(''))

/** A valid document of each format with a place for a random value in its fields. */
const templates: Record<TrackFormat, (value: string) => string> = {
  gpx: v => `<gpx><trk><name>${v}</name><trkseg><trkpt lat="${v}" lon="106.3"><time>${v}</time></trkpt><trkpt lat="20.9" lon="${v}"><time>${T2}</time></trkpt></trkseg></trk></gpx>`,
  geojson: v => JSON.stringify({ type: 'Feature', properties: { name: v, coordTimes: [v, T2] }, geometry: { type: 'LineString', coordinates: [[106.3, 20.9], [106.3, 20.9]] } }),
  csv: v => `lon,lat,time\n${v},20.9,${T}\n106.3,${v},${v}\n`
}

describe('track parsers under random input (fast-check)', () => {
  for (const format of FORMATS) {
    it(`${format}: any string gives a track or a 4xx`, () => {
      fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), text => { outcome(text, format) }), { numRuns: 300 })
    })

    it(`${format}: token soups of every format, with long runs, give a track or a 4xx`, () => {
      const tokens = format === 'gpx' ? GPX_TOKENS : format === 'geojson' ? GEOJSON_TOKENS : CSV_TOKENS
      fc.assert(fc.property(fc.oneof(soup(tokens, 60), soup([...GPX_TOKENS, ...GEOJSON_TOKENS, ...CSV_TOKENS], 30)), text => { outcome(text, format) }), { numRuns: 300 })
    })

    it(`${format}: a random or long value in every field gives a track or a 4xx`, () => {
      fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 60 }), longRun, fc.double().map(String), fc.date({ noInvalidDate: true }).map(d => d.toISOString())),
        value => { outcome(templates[format](value), format) }), { numRuns: 200 })
    })
  }

  it('geojson: any JSON value, and deep nesting anywhere, gives a track or a 4xx', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 6 }), value => { outcome(JSON.stringify(value), 'geojson') }), { numRuns: 300 })
    fc.assert(fc.property(fc.integer({ min: 1, max: 200_000 }), fc.constantFrom('coordinates', 'coordTimes', 'features', 'type'), (depth, where) => {
      const deep = '['.repeat(depth) + ']'.repeat(depth)
      const doc = where === 'features'
        ? `{"type":"FeatureCollection","features":${deep}}`
        : where === 'type' ? `{"type":${deep}}`
          : where === 'coordinates'
            ? `{"type":"Feature","properties":{"coordTimes":["${T}","${T2}"]},"geometry":{"type":"LineString","coordinates":[${deep},[1,2]]}}`
            : `{"type":"Feature","properties":{"coordTimes":[${deep},"${T2}"]},"geometry":{"type":"LineString","coordinates":[[1,2],[1,2]]}}`
      expect(outcome(doc, 'geojson')).toBe('refused')
    }), { numRuns: 30 })
  })

  it(`gpx: elements nested deeper than ${MAX_XML_DEPTH} levels are refused, however deep, in linear time`, () => {
    fc.assert(fc.property(fc.integer({ min: MAX_XML_DEPTH, max: 300_000 }), fc.boolean(), (depth, closed) => {
      const text = `<gpx>${'<a>'.repeat(depth)}${closed ? '</a>'.repeat(depth) : ''}</gpx>`
      expect(refusal(text, 'gpx').field).toBe('body')
    }), { numRuns: 20 })
    // Up to the cap is fine (the depth does not matter to the track).
    const ok = `<gpx><trk><trkseg><trkpt lat="20.9" lon="106.3"><time>${T}</time><extensions>${'<a>'.repeat(MAX_XML_DEPTH - 6)}${'</a>'.repeat(MAX_XML_DEPTH - 6)}</extensions></trkpt>` +
      `<trkpt lat="20.9" lon="106.3"><time>${T2}</time></trkpt></trkseg></trk></gpx>`
    expect(parseTrack(ok, 'gpx').segments[0]).toHaveLength(2)
  })
})

describe('length caps', () => {
  const digits = '1'.repeat(60_000)

  it('refuses the 60,000-digit CSV lon with a 400 naming line 2: lon, in well under the 9 s it took', () => {
    // 60,000 digits and a broken exponent: the old pattern backtracked over every split of the run (~20 s here).
    const text = `lon,lat,time\n${digits}e,20.9409,${T}\n106.3314,20.9410,${T2}\n`
    let error: ApiError | null = null
    const ms = timed(() => { error = refusal(text, 'csv') })
    expect(error!.statusCode).toBe(400)
    expect(error!.field).toBe('line 2: lon')
    expect(error!.message).toMatch(/^line 2: lon: longer than 32 characters/)
    expect(ms).toBeLessThan(200)
  })

  it('names the over-long field in every format: numbers over 32 characters, times over 40, CSV lines over 4096', () => {
    const number = '1'.repeat(MAX_NUMBER_CHARS - 2)
    expect(parseTrack(`lon,lat,time\n1.${number},20.9,${T}\n106.3,20.9,${T2}`, 'csv').segments[0]).toHaveLength(2)
    expect(refusal(`lon,lat,time\n106.3,20.${number}1,${T}\n106.3,20.9,${T2}`, 'csv').message).toMatch(/^line 2: lat: longer than 32 characters/)
    expect(refusal(`lon,lat,time\n106.3,20.9,${T}\n106.3,20.9,${T2}${' '.repeat(1)}${'0'.repeat(MAX_TIME_CHARS)}`, 'csv').message).toMatch(/^line 3: time: longer than 40 characters/)
    expect(refusal(`lon,lat,time,note\n106.3,20.9,${T},${'x'.repeat(MAX_CSV_LINE_CHARS)}\n`, 'csv').message).toMatch(/^line 2: longer than 4096 characters/)
    expect(refusal(`${'x'.repeat(MAX_CSV_LINE_CHARS + 1)}\n`, 'csv').field).toBe('header')

    expect(refusal(templates.gpx(digits), 'gpx').message).toMatch(/^trk\[0\]\.name: longer than 1000 characters/)
    const gpxPoint = (lat: string, time: string) => `<gpx><trk><trkseg><trkpt lat="${lat}" lon="106.3"><time>${time}</time></trkpt></trkseg></trk></gpx>`
    expect(refusal(gpxPoint(`20.${digits}`, T), 'gpx').message).toMatch(/^trk\[0\]\.trkseg\[0\]\.trkpt\[0\]\.lat: longer than 32 characters/)
    expect(refusal(gpxPoint('20.9', `${T}${digits}`), 'gpx').message).toMatch(/^trk\[0\]\.trkseg\[0\]\.trkpt\[0\]\.time: longer than 40 characters/)

    const feature = (time: string) => JSON.stringify({ type: 'Feature', properties: { coordTimes: [T, time] }, geometry: { type: 'LineString', coordinates: [[106.3, 20.9], [106.3, 20.9]] } })
    expect(refusal(feature(`${T}${digits}`), 'geojson').message).toMatch(/^properties\.coordTimes\[1\]: longer than 40 characters/)
  })

  it('refuses 20 MB of digits in one value as fast as 60,000 (the cap, not the size, decides)', () => {
    const huge = '1'.repeat(20 * 1024 * 1024)
    for (const [format, text] of [
      ['csv', `lon,lat,time\n${huge}e,20.9,${T}\n`],
      ['gpx', `<gpx><trk><trkseg><trkpt lat="${huge}e" lon="106.3"><time>${T}</time></trkpt></trkseg></trk></gpx>`],
      ['geojson', `{"type":"Feature","properties":{"coordTimes":["${huge}","${T2}"]},"geometry":{"type":"LineString","coordinates":[[106.3,20.9],[106.3,20.9]]}}`]
    ] as const) {
      let error: ApiError | null = null
      // The GPX parser still reads the attribute through (linearly): 20 MB in about a second at worst here.
      const ms = timed(() => { error = refusal(text, format) })
      expect(error!.statusCode, format).toBe(400)
      expect(error!.message, format).toMatch(/longer than (32|40) characters/)
      expect(ms, format).toBeLessThan(3000)
    }
  })
})

describe('times in the future', () => {
  const soon = () => new Date(Date.now() + FUTURE_TOLERANCE_MS + 3_600_000).toISOString()

  it('are refused in every format with a 400 naming the fix', () => {
    const later = soon()
    const csv = refusal(`lon,lat,time\n106.3,20.9,${T}\n106.3,20.9,${later}\n`, 'csv')
    expect(csv).toMatchObject({ statusCode: 400, code: 'time_in_future', field: 'line 3: time' })
    const gpx = refusal(`<gpx><trk><trkseg><trkpt lat="20.9" lon="106.3"><time>${T}</time></trkpt><trkpt lat="20.9" lon="106.3"><time>${later}</time></trkpt></trkseg></trk></gpx>`, 'gpx')
    expect(gpx).toMatchObject({ statusCode: 400, code: 'time_in_future', field: 'trk[0].trkseg[0].trkpt[1].time' })
    const epoch = Date.parse(later)
    const geojson = refusal(JSON.stringify({ type: 'Feature', properties: { coordTimes: [T, epoch] }, geometry: { type: 'LineString', coordinates: [[106.3, 20.9], [106.3, 20.9]] } }), 'geojson')
    expect(geojson).toMatchObject({ statusCode: 400, code: 'time_in_future', field: 'properties.coordTimes[1]' })
  })

  it('within the tolerance are accepted; options.latest moves the limit', () => {
    const near = new Date(Date.now() + FUTURE_TOLERANCE_MS / 2).toISOString()
    expect(parseTrack(`lon,lat,time\n106.3,20.9,${T}\n106.3,20.9,${near}\n`, 'csv').segments[0]).toHaveLength(2)
    expect(() => parseTrack(`lon,lat,time\n106.3,20.9,${T}\n106.3,20.9,${T2}\n`, 'csv', { latest: Date.parse(T) })).toThrow(/line 3: time: .* is in the future/)
  })
})
