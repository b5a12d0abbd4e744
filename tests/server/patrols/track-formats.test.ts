import { describe, expect, it } from 'vitest'
import { readFileSync, readdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { loadConfig } from '../../../server/config.ts'
import { ApiError } from '../../../server/errors.ts'
import { detectTrackFormat, parseTrack, type ParsedTrack, type TrackFormat } from '../../../server/patrols/track-formats.ts'

const FIXTURES = process.env.GPX_FIXTURES_DIR ?? resolve(loadConfig().geoDir, '../fixtures/gpx')
const read = (file: string) => readFileSync(resolve(FIXTURES, file), 'utf8')

/** The ApiError a parse throws (fails the test when it does not throw one). */
function rejection (text: string, format: TrackFormat): ApiError {
  try {
    parseTrack(text, format)
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError)
    return error as ApiError
  }
  throw new Error('expected parseTrack to throw')
}

/**
 * Independent count with regexes over the raw text: per <trkseg>, its <trkpt>s and those with a
 * non-empty <time>. Segments without a timed point are the ones a parse leaves out.
 */
function regexCounts (text: string) {
  const segments: Array<{ points: number, timed: number }> = []
  for (const seg of text.matchAll(/<trkseg\b[^>]*?(?:\/>|>([\s\S]*?)<\/trkseg>)/g)) {
    const points = [...(seg[1] ?? '').matchAll(/<trkpt\b[^>]*?(?:\/>|>([\s\S]*?)<\/trkpt>)/g)]
    segments.push({ points: points.length, timed: points.filter(p => /<time>\s*[^<\s]/.test(p[1] ?? '')).length })
  }
  return {
    timedSegments: segments.filter(s => s.timed > 0).map(s => s.timed),
    untimed: segments.reduce((n, s) => n + s.points - s.timed, 0)
  }
}

const sizes = (track: ParsedTrack) => track.segments.map(s => s.length)

// Expected outcome of every file in the corpus, from MANIFEST.md.
const PARSES: Record<string, { segments: number[], untimed: number }> = {
  'gpxpy__cerknicko-jezero.gpx': { segments: [173, 52, 2, 44, 2, 2, 21], untimed: 0 }, // empty first trkseg dropped
  'gpxpy__cerknicko-without-times.gpx': { segments: [5], untimed: 291 },
  'gpxpy__korita-zbevnica.gpx': { segments: [176, 337], untimed: 358 },
  'gpxpy__track-with-empty-segment.gpx': { segments: [9], untimed: 0 },
  'gpxpy__around-visnjan-with-car.gpx': { segments: [104], untimed: 0 }, // all on one line
  'placemark-togeojson__Friday-Evening-Run.gpx': { segments: [4, 5, 8], untimed: 0 },
  'placemark-togeojson__missing_hr.gpx': { segments: [3, 10, 3], untimed: 0 },
  'mapbox-togeojson__osm.gpx': { segments: [2280, 115], untimed: 2605 },
  'mapbox-togeojson__multitrackgpx.gpx': { segments: [1966, 1685, 1584], untimed: 0 },
  'georust-gpx__garmin_with_extensions.gpx': { segments: [35, 3505], untimed: 0 },
  'georust-gpx__wahoo_example.gpx': { segments: [3], untimed: 0 }, // no xmlns, <ele/>
  'mapbox-togeojson__run_gpxtpx.gpx.geojson': { segments: [1118], untimed: 0 },
  'mapbox-togeojson__osm.gpx.geojson': { segments: [2280, 115], untimed: 2605 } // 3rd feature untimed
}
const PLANS = /routes and waypoints are plans, not recorded patrols/
const FAILS: Record<string, { field: string, message: RegExp }> = {
  'georust-gpx__badcharacter.xml': { field: 'body', message: /^body: not well-formed XML/ },
  'gpxpy__route.gpx': { field: 'trk', message: /^trk: the file has no track, only 1 route\(s\) \(<rte>\): / },
  'georust-gpx__ecology-trail-and-lovers-lane-loop.gpx': { field: 'trk', message: PLANS },
  'placemark-togeojson__opencpn.gpx': { field: 'trk', message: PLANS },
  'placemark-togeojson__wpt.gpx': { field: 'trk', message: /only 40 waypoint\(s\) \(<wpt>\): routes and waypoints are plans/ },
  'gpxpy__unicode_with_bom.gpx': { field: 'trk', message: /only 1 waypoint\(s\)/ },
  'gpxpy__gpx1.0_with_all_fields.gpx': { field: 'fixes', message: /^fixes: needs at least 2 timed fixes, found 1$/ },
  'gpxpy__gpx1.1_with_all_fields.gpx': { field: 'fixes', message: /^fixes: needs at least 2 timed fixes, found 1$/ },
  'placemark-togeojson__empty_trk.gpx': { field: 'fixes', message: /^fixes: needs at least 2 timed fixes, found 0$/ },
  'placemark-togeojson__bad.gpx': { field: 'trk[0].trkseg[0].trkpt[0].lat', message: /"undefined" is not a valid coordinate/ },
  'mapbox-togeojson__north_core.gpx': { field: 'time', message: /^time: the track has no times \(34 fixes, none with <time>\)$/ },
  'georust-gpx__strava_route_example.gpx': { field: 'time', message: /^time: the track has no times \(113 fixes, none with <time>\)$/ }
}

describe('parseTrack on the real GPS corpus', () => {
  it('has an expectation for every one of the 25 files', () => {
    const files = readdirSync(FIXTURES).filter(f => /\.(gpx|xml|geojson)$/.test(f)).sort()
    expect(files).toHaveLength(25)
    expect([...Object.keys(PARSES), ...Object.keys(FAILS)].sort()).toEqual(files)
  })

  for (const [file, expected] of Object.entries(PARSES)) {
    it(`reads ${file}: segments ${expected.segments.join(', ')}, ${expected.untimed} untimed dropped`, () => {
      const text = read(file)
      const format = detectTrackFormat(undefined, text)!
      const track = parseTrack(text, format)
      expect(sizes(track)).toEqual(expected.segments)
      expect(track.untimedDropped).toBe(expected.untimed)
      if (format === 'gpx') {
        const counted = regexCounts(text)
        expect(sizes(track)).toEqual(counted.timedSegments)
        expect(track.untimedDropped).toBe(counted.untimed)
      } else {
        // Independently: the coordTimes array lengths of the features that have one.
        const doc = JSON.parse(text) as { features: Array<{ properties?: { coordTimes?: unknown[] } | null }> }
        expect(sizes(track)).toEqual(doc.features.flatMap(f => f.properties?.coordTimes ? [f.properties.coordTimes.length] : []))
      }
      for (const fix of track.segments.flat()) {
        expect(Number.isFinite(fix.time) && Math.abs(fix.lon) <= 180 && Math.abs(fix.lat) <= 90).toBe(true)
      }
    })
  }

  for (const [file, expected] of Object.entries(FAILS)) {
    it(`rejects ${file} with a 400 naming ${expected.field}`, () => {
      const text = read(file)
      const error = rejection(text, detectTrackFormat(undefined, text) ?? 'gpx')
      expect(error.statusCode).toBe(400)
      expect(error.field).toBe(expected.field)
      expect(error.message).toMatch(expected.message)
      expect(error.message.startsWith(`${expected.field}: `)).toBe(true)
    })
  }

  it('reads coordinates, UTC times and millisecond fractions exactly', () => {
    const visnjan = parseTrack(read('gpxpy__around-visnjan-with-car.gpx'), 'gpx')
    expect(visnjan.segments[0][0]).toEqual({ lat: 45.2735188510, lon: 13.7142099626, time: Date.UTC(2020, 11, 18, 6, 15, 50) })
    expect(visnjan.name).toBe('2020-12-18 07:24:29')
    const run = parseTrack(read('placemark-togeojson__Friday-Evening-Run.gpx'), 'gpx')
    expect(run.segments[0][0].time).toBe(Date.UTC(2025, 4, 2, 15, 51, 15, 692))
  })
})

const gpx = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1" xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1" xmlns:x="urn:other">
<metadata><name>Tuần tra &amp; kiểm soát</name></metadata>${body}</gpx>`
const pt = (lon: number, lat: number, time?: string) =>
  `<trkpt lat="${lat}" lon="${lon}"><ele>3</ele>${time ? `<time>${time}</time>` : ''}` +
  '<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>90</gpxtpx:hr></gpxtpx:TrackPointExtension><x:time>not a time</x:time></extensions></trkpt>'

describe('parseTrack GPX', () => {
  it('turns every trk/trkseg into a segment and ignores namespaced extensions', () => {
    const text = gpx(`
      <trk><name>Đội 1</name><extensions><x:trkseg/></extensions>
        <trkseg>${pt(106.3313, 20.9409, '2025-06-01T01:00:00Z')}${pt(106.3314, 20.9410, '2025-06-01T01:00:10Z')}</trkseg>
        <trkseg>${pt(106.3320, 20.9412, '2025-06-01T01:05:00Z')}${pt(106.3321, 20.9413, '2025-06-01T01:05:10.250Z')}</trkseg>
      </trk>
      <trk><trkseg/><trkseg>${pt(106.3330, 20.9420, '2025-06-01T08:05:00+07:00')}${pt(106.3331, 20.9421)}</trkseg></trk>`)
    const track = parseTrack(text, 'gpx')
    expect(track.name).toBe('Đội 1')
    expect(track.untimedDropped).toBe(1)
    expect(track.segments).toEqual([
      [{ lon: 106.3313, lat: 20.9409, time: Date.UTC(2025, 5, 1, 1, 0, 0) }, { lon: 106.3314, lat: 20.941, time: Date.UTC(2025, 5, 1, 1, 0, 10) }],
      [{ lon: 106.332, lat: 20.9412, time: Date.UTC(2025, 5, 1, 1, 5, 0) }, { lon: 106.3321, lat: 20.9413, time: Date.UTC(2025, 5, 1, 1, 5, 10, 250) }],
      [{ lon: 106.333, lat: 20.942, time: Date.UTC(2025, 5, 1, 1, 5, 0) }]
    ])
  })

  it('accepts a BOM, no declaration, no namespace, a prefixed gpx namespace, one line, and times without a zone as UTC', () => {
    const bare = '\uFEFF<gpx><trk><trkseg><trkpt lat="20.9409" lon="106.3313"><time>2025-06-01T01:00:00</time></trkpt>' +
      '<trkpt lat="20.941" lon="106.3314"><time>2025-06-01T01:00:05.5</time></trkpt></trkseg></trk></gpx>'
    expect(parseTrack(bare, 'gpx').segments[0].map(f => f.time)).toEqual([Date.UTC(2025, 5, 1, 1), Date.UTC(2025, 5, 1, 1, 0, 5, 500)])
    const prefixed = bare.slice(1).replace(/<(\/?)/g, '<$1g:').replace('<g:gpx>', '<g:gpx xmlns:g="http://www.topografix.com/GPX/1/0">')
    expect(sizes(parseTrack(prefixed, 'gpx'))).toEqual([2])
    expect(parseTrack(gpx(`<trk><trkseg>${pt(106.3313, 20.9409, '2025-06-01T01:00:00Z')}${pt(106.3313, 20.9409, '2025-06-01T01:00:01Z')}</trkseg></trk>`), 'gpx').name)
      .toBe('Tuần tra & kiểm soát') // no <trk><name>: the metadata's, entities decoded
  })

  it('rejects a track without times, with one timed fix, and an invalid point, naming the field', () => {
    const untimed = rejection(gpx(`<trk><trkseg>${pt(106.3313, 20.9409)}${pt(106.3314, 20.9409)}${pt(106.3315, 20.9409)}</trkseg></trk>`), 'gpx')
    expect(untimed.message).toBe('time: the track has no times (3 fixes, none with <time>)')
    const one = rejection(gpx(`<trk><trkseg>${pt(106.3313, 20.9409, '2025-06-01T01:00:00Z')}${pt(106.3314, 20.9409)}</trkseg></trk>`), 'gpx')
    expect(one.message).toBe('fixes: needs at least 2 timed fixes, found 1')
    const badLon = rejection(gpx(`<trk><trkseg>${pt(106.3313, 20.9409, '2025-06-01T01:00:00Z')}</trkseg></trk><trk><trkseg/><trkseg>${pt(106.3313, 20.9409, '2025-06-01T01:00:00Z')}${pt(186.5, 20.9409, '2025-06-01T01:00:00Z')}</trkseg></trk>`), 'gpx')
    expect(badLon.field).toBe('trk[1].trkseg[1].trkpt[1].lon')
    const noLat = rejection(gpx('<trk><trkseg><trkpt lon="106.3"><time>2025-06-01T01:00:00Z</time></trkpt></trkseg></trk>'), 'gpx')
    expect(noLat.message).toBe('trk[0].trkseg[0].trkpt[0].lat: is missing')
    const badTime = rejection(gpx(`<trk><trkseg>${pt(106.3313, 20.9409, '2025-02-30T01:00:00Z')}</trkseg></trk>`), 'gpx')
    expect(badTime.field).toBe('trk[0].trkseg[0].trkpt[0].time')
  })

  it('rejects broken XML, another root element and an empty body as body', () => {
    expect(rejection('<gpx><trk></gpx>', 'gpx').field).toBe('body')
    expect(rejection('<kml><Document/></kml>', 'gpx').message).toMatch(/^body: not a GPX file \(root element <kml>/)
    expect(rejection(' \n', 'gpx').field).toBe('body')
    expect(rejection('<gpx version="1.1"></gpx>', 'gpx').message).toBe('trk: the file has no track (<trk>)')
  })
})

describe('parseTrack GeoJSON', () => {
  const line = (coords: number[][], properties: object | null) => ({ type: 'Feature', properties, geometry: { type: 'LineString', coordinates: coords } })

  it('reads a Feature and a FeatureCollection of LineString and MultiLineString with ISO or epoch ms times', () => {
    const single = parseTrack(JSON.stringify(line([[106.3313, 20.9409], [106.3314, 20.9410]],
      { name: 'Đội 2', coordTimes: ['2025-06-01T01:00:00Z', '2025-06-01T01:00:10.5Z'] })), 'geojson')
    expect(single).toEqual({ name: 'Đội 2', untimedDropped: 0, segments: [[{ lon: 106.3313, lat: 20.9409, time: Date.UTC(2025, 5, 1, 1) }, { lon: 106.3314, lat: 20.941, time: Date.UTC(2025, 5, 1, 1, 0, 10, 500) }]] })
    const collection = {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [106.3, 20.9] } }, // a waypoint: not the track
        line([[106.33, 20.94], [106.34, 20.94]], null), // untimed: skipped and counted
        { type: 'Feature', properties: { coordTimes: [[1000, 2000, 3000], [9000, 10000]] }, geometry: { type: 'MultiLineString', coordinates: [[[106.33, 20.94], [106.331, 20.94], [106.332, 20.94]], [[106.34, 20.95], [106.341, 20.95]]] } }
      ]
    }
    const multi = parseTrack(JSON.stringify(collection), 'geojson')
    expect(sizes(multi)).toEqual([3, 2])
    expect(multi.untimedDropped).toBe(2)
    expect(multi.segments[1][1]).toEqual({ lon: 106.341, lat: 20.95, time: 10000 })
  })

  it('rejects a coordTimes length mismatch, a bad time or position, no line and malformed JSON, naming the field', () => {
    const collection = (features: object[]) => JSON.stringify({ type: 'FeatureCollection', features })
    const mismatch = rejection(collection([line([[106.33, 20.94], [106.34, 20.94]], { coordTimes: ['2025-06-01T01:00:00Z'] })]), 'geojson')
    expect(mismatch.message).toBe('features[0].properties.coordTimes: has 1 times for 2 coordinates')
    expect(rejection(collection([line([[106.33, 20.94]], {}), line([[106.33, 20.94], [106.34, 20.94]], { coordTimes: [0, 'soon'] })]), 'geojson').field)
      .toBe('features[1].properties.coordTimes[1]')
    expect(rejection(collection([line([[106.33, 20.94], [206.34, 20.94]], { coordTimes: [0, 1000] })]), 'geojson').field)
      .toBe('features[0].geometry.coordinates[1]')
    expect(rejection(collection([{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [106.3, 20.9] } }]), 'geojson').field).toBe('features')
    expect(rejection('{"type": "FeatureCollection", ', 'geojson').field).toBe('body')
    expect(rejection(collection([line([[106.33, 20.94], [106.34, 20.94]], {})]), 'geojson').message)
      .toBe('time: the track has no times (2 fixes, none with properties.coordTimes)')
  })
})

describe('parseTrack CSV', () => {
  it('reads any column order, long names, semicolons, and times without a zone as UTC', () => {
    const text = 'time;Latitude;Longitude;speed\r\n2025-06-01T01:00:00;20.9409;106.3313;0\r\n2025-06-01 08:00:10+07:00;20.9410;106.3314;1\r\n;20.9411;106.3315;1\r\n'
    const track = parseTrack(text, 'csv')
    expect(track).toEqual({
      name: null,
      untimedDropped: 1,
      segments: [[{ lon: 106.3313, lat: 20.9409, time: Date.UTC(2025, 5, 1, 1) }, { lon: 106.3314, lat: 20.941, time: Date.UTC(2025, 5, 1, 1, 0, 10) }]]
    })
  })

  it('names the line and column of a bad value, and the header when a column is missing', () => {
    const head = 'lon,lat,time\n106.3313,20.9409,2025-06-01T01:00:00Z\n'
    expect(rejection(head + '106.3314,20.9410,yesterday\n', 'csv').message).toBe('line 3: time: "yesterday" is not an ISO 8601 time')
    expect(rejection(head + '106.3314,20.9410,2025-02-30T01:00:00Z\n', 'csv').field).toBe('line 3: time')
    expect(rejection(head + '106.3314,north,2025-06-01T01:00:10Z\n', 'csv').field).toBe('line 3: lat')
    expect(rejection(head + '106.3314,20.9410\n', 'csv').field).toBe('line 3: row')
    expect(rejection('x,y,time\n1,2,2025-06-01T01:00:00Z\n', 'csv').message).toBe('header: needs columns lon, lat and time (found: x,y,time)')
    expect(rejection(head, 'csv').message).toBe('fixes: needs at least 2 timed fixes, found 1')
  })
})

describe('detectTrackFormat', () => {
  it('follows the Content-Type and sniffs generic or missing ones', () => {
    expect(detectTrackFormat('application/gpx+xml', '')).toBe('gpx')
    expect(detectTrackFormat('text/xml; charset=utf-8', '')).toBe('gpx')
    expect(detectTrackFormat('application/xml', '')).toBe('gpx')
    expect(detectTrackFormat('application/geo+json', '')).toBe('geojson')
    expect(detectTrackFormat('Application/JSON', '')).toBe('geojson')
    expect(detectTrackFormat('text/csv', '')).toBe('csv')
    expect(detectTrackFormat('image/png', '<gpx/>')).toBeNull()
    expect(detectTrackFormat(undefined, '\uFEFF  <?xml version="1.0"?><gpx/>')).toBe('gpx')
    expect(detectTrackFormat('application/octet-stream', '\n{"type":"Feature"}')).toBe('geojson')
    expect(detectTrackFormat('text/plain', 'latitude;longitude;time\n20.9;106.3;2025-06-01T01:00:00Z')).toBe('csv')
    expect(detectTrackFormat(undefined, 'hello world')).toBeNull()
  })
})
