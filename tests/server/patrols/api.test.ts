import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cellToLatLng, cellToParent, polygonToCells } from 'h3-js'
import { booleanPointInPolygon, pointToLineDistance, polygonToLine } from '@turf/turf'
import type { Feature, FeatureCollection, LineString, MultiPolygon } from 'geojson'
import { XMLParser } from 'fast-xml-parser'
import { testApp } from '../../helpers/app.ts'
import { loadConfig } from '../../../server/config.ts'
import { bigintToH3 } from '../../../server/h3/cells.ts'
import { trackDwell } from '../../../server/h3/track-dwell.ts'
import { cleanTrack } from '../../../server/patrols/clean-track.ts'
import type { Fix } from '../../../server/domain/fix.ts'
import { bulkInsertPatrols } from '../../../server/patrols/bulk-insert.ts'

type TestApp = Awaited<ReturnType<typeof testApp>>
let t: TestApp
let team10525: string
let team10525b: string
let team10507: string
let communeCookie: string
let coordinatorCookie: string

const GPX_DIR = process.env.GPX_FIXTURES_DIR ?? resolve(loadConfig().geoDir, '../fixtures/gpx')
// This file's patrols and incidents happen in March 2017, a month no other test file writes.
const T0 = Date.parse('2017-03-01T19:00:00+07:00')
const CENTRE = { lon: 106.3313, lat: 20.9409 } // inside commune 10525 (Phường Hải Dương)
const IN_10507 = { lon: 106.3226, lat: 20.9566 }

/** A walk east then north from a point: ~1.3 m/s, a fix every 10 s (metres to degrees near 21° N). */
function walk (from: { lon: number, lat: number }, start: number, n = 60, stepEast = 13, stepNorth = 0): Fix[] {
  const dLon = 1 / (111_320 * Math.cos(from.lat * Math.PI / 180))
  const dLat = 1 / 110_574
  return Array.from({ length: n }, (_, i) => ({
    lon: from.lon + i * stepEast * dLon,
    lat: from.lat + i * stepNorth * dLat,
    time: start + i * 10_000
  }))
}
const csv = (fixes: Fix[]) => 'lon,lat,time\n' + fixes.map(f => `${f.lon},${f.lat},${new Date(f.time).toISOString()}`).join('\n')
const gpx = (segments: Fix[][]) => `<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk>${segments.map(s =>
  `<trkseg>${s.map(f => `<trkpt lat="${f.lat}" lon="${f.lon}"><time>${new Date(f.time).toISOString()}</time></trkpt>`).join('')}</trkseg>`).join('')}</trk></gpx>`

const upload = (body: string, team: string, type = 'text/csv', cookie?: string) =>
  t.injectAs(cookie ?? null, { method: 'POST', url: `/api/patrols?team=${team}`, headers: { 'content-type': type, ...(cookie ? {} : {}) }, payload: body })
const uploadAsAdmin = (body: string, team: string, type = 'text/csv') =>
  t.inject({ method: 'POST', url: `/api/patrols?team=${team}`, headers: { 'content-type': type }, payload: body })

async function counts () {
  const [row] = await t.sql<{ patrols: number, cells: number, daily: number, uploads: number }[]>`
    select (select count(*)::int from patrols) as patrols, (select count(*)::int from patrol_cells) as cells,
           (select count(*)::int from patrol_coverage_daily) as daily, (select count(*)::int from patrol_uploads) as uploads`
  return row!
}

beforeAll(async () => {
  t = await testApp()
  const teams = await t.sql<{ id: string, name: string }[]>`
    insert into teams (province_code, commune_code, name) values ('31', '10525', 'Tổ tuần tra A (test)'), ('31', '10525', 'Tổ tuần tra B (test)'), ('31', '10507', 'Tổ tuần tra C (test)')
    returning id::text as id, name`
  team10525 = teams[0]!.id
  team10525b = teams[1]!.id
  team10507 = teams[2]!.id
  communeCookie = await t.login('test.commune10525')
  coordinatorCookie = await t.login('test.coordinator31')
})
afterAll(async () => { await t.close() })

describe('POST /api/patrols (track upload)', () => {
  const fixes = walk(CENTRE, T0)

  it('stores a CSV track: cleaned track, res-10 dwell cells summing to its duration, coverage rollup', async () => {
    const res = await uploadAsAdmin(csv(fixes), team10525)
    expect(res.statusCode, res.body).toBe(201)
    const body = res.json()
    expect(body.duplicate).toBe(false)
    expect(body.patrol).toMatchObject({ team_id: team10525, commune_code: '10525', fixes: 60, mode: 'foot', status: 'ended' })
    expect(body.patrol.started_at).toBe(new Date(T0).toISOString())
    expect(body.patrol.duration_s).toBe(590)
    // 59 steps of 13 m east.
    expect(body.patrol.distance_m).toBeGreaterThan(59 * 13 * 0.98)
    expect(body.patrol.distance_m).toBeLessThan(59 * 13 * 1.02)
    const cells = await t.sql<{ h3: bigint, dwell_seconds: number }[]>`select h3, dwell_seconds from patrol_cells where patrol_id = ${body.patrol.id}`
    expect(cells.length).toBe(body.cells)
    expect(cells.reduce((s, c) => s + c.dwell_seconds, 0)).toBeCloseTo(590, 6)
    // The stored cells are those of the pure binning of the same fixes.
    const expected = trackDwell(cleanTrack([fixes]).segments, 10)
    expect(new Set(cells.map(c => bigintToH3(c.h3)))).toEqual(new Set(expected.map(c => c.h3)))
    // The daily rollup equals its own recount from the cells.
    const [check] = await t.sql<{ rollup: number, raw: number }[]>`
      select (select sum(dwell_seconds) from patrol_coverage_daily where team_id = ${team10525}) as rollup,
             (select sum(dwell_seconds) from patrol_cells c join patrols p on p.id = c.patrol_id where p.team_id = ${team10525}) as raw`
    expect(check!.rollup).toBeCloseTo(check!.raw, 6)
    // The raw upload is kept as sent.
    const [raw] = await t.sql<{ content: string, format: string }[]>`select content, format from patrol_uploads where patrol_id = ${body.patrol.id}`
    expect(raw).toEqual({ content: csv(fixes), format: 'csv' })
  })

  it('the same fixes again (even as GPX) are the same patrol: coverage is not doubled', async () => {
    const before = await counts()
    const again = await uploadAsAdmin(csv(fixes), team10525)
    expect(again.statusCode).toBe(200)
    expect(again.json().duplicate).toBe(true)
    const asGpx = await uploadAsAdmin(gpx([fixes]), team10525, 'application/gpx+xml')
    expect(asGpx.statusCode).toBe(200)
    expect(asGpx.json().patrol.id).toBe(again.json().patrol.id)
    expect(await counts()).toEqual(before)
  })

  it('the same fixes for another team are another patrol', async () => {
    const res = await uploadAsAdmin(csv(fixes), team10525b)
    expect(res.statusCode).toBe(201)
  })

  it('rejects bad tracks with the field and the problem, storing nothing', async () => {
    const before = await counts()
    const outside = await uploadAsAdmin(csv(walk(IN_10507, T0 + 3_600_000, 10, 5)), team10525)
    expect(outside.statusCode).toBe(400)
    expect(outside.json()).toMatchObject({ field: 'track' })
    expect(outside.json().message).toMatch(/entirely outside the team's commune .*10525/)

    const noTimes = await uploadAsAdmin(`<gpx version="1.1"><trk><trkseg><trkpt lat="${CENTRE.lat}" lon="${CENTRE.lon}"/><trkpt lat="${CENTRE.lat}" lon="${CENTRE.lon + 0.001}"/></trkseg></trk></gpx>`, team10525, 'application/gpx+xml')
    expect(noTimes.statusCode).toBe(400)
    expect(noTimes.json().field).toBe('time')

    const oneFix = await uploadAsAdmin(csv(walk(CENTRE, T0, 1)), team10525)
    expect(oneFix.statusCode).toBe(400)
    expect(oneFix.json().field).toBe('fixes')

    const empty = await uploadAsAdmin('', team10525)
    expect(empty.statusCode).toBe(400)

    const unknownTeam = await uploadAsAdmin(csv(fixes), '999999')
    expect(unknownTeam.statusCode).toBe(404)

    const broken = await uploadAsAdmin(readFileSync(resolve(GPX_DIR, 'georust-gpx__badcharacter.xml'), 'utf8'), team10525, 'application/gpx+xml')
    expect(broken.statusCode).toBe(400)
    expect(broken.json().field).toBe('body')
    expect(await counts()).toEqual(before)
  })

  it('a real GPX file (a drive in Croatia) is refused as outside the commune; moved into it, it is stored', async () => {
    const text = readFileSync(resolve(GPX_DIR, 'gpxpy__around-visnjan-with-car.gpx'), 'utf8')
    const refused = await uploadAsAdmin(text, team10525, 'application/gpx+xml')
    expect(refused.statusCode).toBe(400)
    expect(refused.json().field).toBe('track')
    // Shift every coordinate so the first fix lands on the commune centre (the file's times stay).
    const first = /<trkpt[^>]*lat="([\d.]+)"[^>]*lon="([\d.]+)"/.exec(text)!
    const dLat = CENTRE.lat - Number(first[1]); const dLon = CENTRE.lon - Number(first[2])
    const moved = text.replace(/lat="([\d.]+)" lon="([\d.]+)"/g, (_m, lat, lon) => `lat="${Number(lat) + dLat}" lon="${Number(lon) + dLon}"`)
    const res = await uploadAsAdmin(moved, team10525, 'application/gpx+xml')
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json().patrol.mode).toBe('motorbike')
    expect(res.json().patrol.fixes).toBeGreaterThan(50)
  })

  it('bins only the fixes within 200 m of the team\'s commune: the rest stay in the track, counted as outside_commune', async () => {
    // From 304 m east of the centre, 70 steps of 13 m west: out of the commune after ~360 m, beyond the margin after ~560 m.
    const fixes = walk({ lon: CENTRE.lon + 304 / (111_320 * Math.cos(CENTRE.lat * Math.PI / 180)), lat: CENTRE.lat }, T0 + 10 * 86_400_000, 70, -13)
    const [{ geometry }] = await t.sql<{ geometry: string }[]>`select st_asgeojson(geom) as geometry from communes where code = '10525'`
    const commune = { type: 'Feature' as const, properties: {}, geometry: JSON.parse(geometry) as MultiPolygon }
    const edges = polygonToLine(commune) as FeatureCollection<LineString> | Feature<LineString>
    const edgeLines = 'features' in edges ? edges.features : [edges]
    const metresOutside = (f: Fix) => booleanPointInPolygon([f.lon, f.lat], commune)
      ? 0 : Math.min(...edgeLines.map(line => pointToLineDistance([f.lon, f.lat], line, { units: 'meters' })))
    const outside = fixes.map(metresOutside)
    // No fix so near the 200 m line that turf's and PostGIS's distances could disagree about it.
    expect(outside.filter(m => m > 197 && m < 203)).toEqual([])
    const far = outside.map(m => m > 200)
    expect(far.filter(Boolean).length).toBeGreaterThan(5)
    expect(far.filter(x => !x).length).toBeGreaterThan(20)

    const res = await uploadAsAdmin(csv(fixes), team10525)
    expect(res.statusCode, res.body).toBe(201)
    const cleaned = cleanTrack([fixes])
    expect(cleaned.report.kept).toBe(70)
    expect(res.json().patrol.cleaning).toEqual({ ...cleaned.report, outside_commune: far.filter(Boolean).length })
    expect(res.json().patrol.fixes).toBe(70) // the track keeps every fix
    // Independently: the walk cut where a fix is beyond the margin, then binned.
    const pieces: Fix[][] = [[]]
    fixes.forEach((f, i) => { if (far[i]) pieces.push([]); else pieces[pieces.length - 1]!.push(f) })
    const expected = trackDwell(pieces.filter(p => p.length >= 2), 10)
    const stored = await t.sql<{ h3: bigint, dwell_seconds: number }[]>`select h3, dwell_seconds from patrol_cells where patrol_id = ${res.json().patrol.id}`
    expect(new Map(stored.map(c => [bigintToH3(c.h3), Number(c.dwell_seconds.toFixed(6))])))
      .toEqual(new Map(expected.map(c => [c.h3, Number(c.dwellSeconds.toFixed(6))])))
    const detail = await t.inject(`/api/patrols/${res.json().patrol.id}`)
    expect(detail.json().cleaning).toMatchObject({ short_segment: 0, outside_commune: far.filter(Boolean).length })
  })

  it('refuses a fix in the future with a 400 naming it', async () => {
    const later = { ...CENTRE, time: Date.now() + 3_600_000 }
    const res = await uploadAsAdmin(csv([...walk(CENTRE, T0 + 11 * 86_400_000, 3), later]), team10525)
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ error: 'time_in_future', field: 'line 5: time' })
  })

  it('only those who may record patrols, for teams they can see', async () => {
    const other = await upload(csv(walk(IN_10507, T0, 10, 5)), team10507, 'text/csv', communeCookie)
    expect(other.statusCode).toBe(404)
    const coordinator = await upload(csv(walk(CENTRE, T0 + 7_200_000)), team10525, 'text/csv', coordinatorCookie)
    expect(coordinator.statusCode).toBe(403)
    const own = await upload(csv(walk(CENTRE, T0 + 7_200_000, 30, 0, 13)), team10525, 'text/csv', communeCookie)
    expect(own.statusCode).toBe(201)
  })
})

describe('live patrols', () => {
  it('batches of fixes give the same cells as the whole track uploaded at once; an ended patrol takes no more', async () => {
    const fixes = walk(CENTRE, T0 + 86_400_000, 90, 9, 9)
    const start = await t.inject({ method: 'POST', url: '/api/patrols/live', payload: { team_id: team10525, mode: 'foot' } })
    expect(start.statusCode, start.body).toBe(201)
    const id = start.json().id
    const iso = (f: Fix) => ({ lon: f.lon, lat: f.lat, time: new Date(f.time).toISOString() })
    for (const batch of [fixes.slice(0, 30), fixes.slice(30, 60), fixes.slice(25, 90)]) {
      const res = await t.inject({ method: 'POST', url: `/api/patrols/${id}/positions`, payload: { fixes: batch.map(iso) } })
      expect(res.statusCode, res.body).toBe(200)
    }
    const ended = await t.inject({ method: 'POST', url: `/api/patrols/${id}/end` })
    expect(ended.statusCode).toBe(200)
    expect(ended.json()).toMatchObject({ status: 'ended', fixes: 90, ended_at: new Date(fixes[89]!.time).toISOString() })
    const late = await t.inject({ method: 'POST', url: `/api/patrols/${id}/positions`, payload: { fixes: [iso(fixes[0]!)] } })
    expect(late.statusCode).toBe(409)
    expect(late.json().error).toBe('patrol_ended')

    const whole = await uploadAsAdmin(csv(fixes), team10525b)
    expect(whole.statusCode).toBe(201)
    const cellsOf = async (patrol: string) => new Map((await t.sql<{ h3: bigint, dwell_seconds: number }[]>`
      select h3, dwell_seconds from patrol_cells where patrol_id = ${patrol}`).map(c => [String(c.h3), c.dwell_seconds]))
    const live = await cellsOf(id)
    const file = await cellsOf(whole.json().patrol.id)
    expect([...live.keys()].sort()).toEqual([...file.keys()].sort())
    for (const [h3, dwell] of live) expect(dwell).toBeCloseTo(file.get(h3)!, 6)

    const detail = await t.inject(`/api/patrols/${id}`)
    expect(detail.json().track.coordinates[0]).toHaveLength(90)
    expect(detail.json().times[0][0]).toBe(fixes[0]!.time / 1000)
  })

  it('a batch straying beyond the margin is kept, its far fixes counted and not binned; a future fix is a 400', async () => {
    const start = await t.inject({ method: 'POST', url: '/api/patrols/live', payload: { team_id: team10525 } })
    const id = start.json().id
    const iso = (f: Fix) => ({ lon: f.lon, lat: f.lat, time: new Date(f.time).toISOString() })
    // West from the centre: beyond 200 m outside the commune after ~260 m (the 21st fix on).
    const fixes = walk(CENTRE, T0 + 12 * 86_400_000, 30, -13)
    const res = await t.inject({ method: 'POST', url: `/api/patrols/${id}/positions`, payload: { fixes: fixes.map(iso) } })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().patrol.cleaning.outside_commune).toBeGreaterThanOrEqual(5)
    expect(res.json().patrol.cleaning.outside_commune).toBeLessThan(15)
    expect(res.json().patrol.fixes).toBe(30)
    const future = await t.inject({ method: 'POST', url: `/api/patrols/${id}/positions`, payload: { fixes: [iso(fixes[0]!), { ...CENTRE, time: new Date(Date.now() + 3_600_000).toISOString() }] } })
    expect(future.statusCode).toBe(400)
    expect(future.json()).toMatchObject({ error: 'time_in_future', field: 'fixes[1].time' })
    const long = await t.inject({ method: 'POST', url: `/api/patrols/${id}/positions`, payload: { fixes: [{ ...CENTRE, time: `2017-03-01T12:00:00${'0'.repeat(60_000)}Z` }] } })
    expect(long.statusCode).toBe(400)
    expect(long.json().field).toMatch(/^fixes\W+0\W+time$/)
  })

  it('takes ids as the strings it returns or as integers; a fractional or zero id is a 400 naming it', async () => {
    const start = await t.inject({ method: 'POST', url: '/api/patrols/live', payload: { team_id: Number(team10525), mode: 'foot' } })
    expect(start.statusCode, start.body).toBe(201)
    expect(start.json().team_id).toBe(team10525)
    expect(typeof start.json().id).toBe('string')
    const listed = await t.inject(`/api/patrols?team=${Number(team10525)}&limit=1000`)
    expect(listed.json().patrols.map((p: { id: string }) => p.id)).toContain(start.json().id)
    for (const team_id of [Number(team10525) + 0.5, 0, '0', -1]) {
      const bad = await t.inject({ method: 'POST', url: '/api/patrols/live', payload: { team_id } })
      expect(bad.statusCode, `team_id ${team_id}`).toBe(400)
      expect(bad.json().field).toMatch(/team_id/)
    }
  })

  it('a batch outside the commune is a 400 naming fixes; bad times name the fix', async () => {
    const start = await t.inject({ method: 'POST', url: '/api/patrols/live', payload: { team_id: team10525 } })
    const id = start.json().id
    const outside = await t.inject({ method: 'POST', url: `/api/patrols/${id}/positions`, payload: { fixes: [{ ...IN_10507, time: '2017-03-05T10:00:00+07:00' }] } })
    expect(outside.statusCode).toBe(400)
    expect(outside.json().field).toBe('fixes')
    const badTime = await t.inject({ method: 'POST', url: `/api/patrols/${id}/positions`, payload: { fixes: [{ ...CENTRE, time: '2017-03-05T10:00:00+07:00' }, { ...CENTRE, time: 'yesterday' }] } })
    expect(badTime.statusCode).toBe(400)
    expect(badTime.json().field).toBe('fixes[1].time')
    const [{ n }] = await t.sql<{ n: number }[]>`select count(*)::int as n from patrol_uploads where patrol_id = ${id}`
    expect(n).toBe(0)
  })
})

describe('GET /api/coverage', () => {
  it('per-cell dwell and KPIs equal an independent recount from the stored cells', async () => {
    const res = await t.inject('/api/coverage?commune=10525&from=2017-03-01&to=2017-04-01&res=10')
    expect(res.statusCode, res.body).toBe(200)
    const body = res.json()
    const raw = await t.sql<{ h3: bigint, dwell: number, patrols: number }[]>`
      select c.h3, sum(c.dwell_seconds)::float8 as dwell, count(distinct c.patrol_id)::int as patrols
      from patrol_cells c join patrols p on p.id = c.patrol_id
      where p.commune_code = '10525' and c.first_visit >= '2017-03-01T00:00:00+07:00' and c.first_visit < '2017-04-01T00:00:00+07:00'
      group by c.h3`
    const byCell = new Map(body.cells.map((c: { h3: string, dwell_seconds: number }) => [c.h3, c.dwell_seconds]))
    expect(byCell.size).toBe(raw.length)
    for (const row of raw) expect(byCell.get(bigintToH3(row.h3))).toBeCloseTo(row.dwell, 6)
    const kpi = body.kpis.communes.find((c: { commune_code: string }) => c.commune_code === '10525')
    // Visited cells whose centre lies in the commune (turf point-in-polygon on the stored boundary).
    const [{ geometry }] = await t.sql<{ geometry: string }[]>`select st_asgeojson(geom) as geometry from communes where code = '10525'`
    const boundary = JSON.parse(geometry)
    const inside = raw.filter(r => { const [lat, lon] = cellToLatLng(bigintToH3(r.h3)); return booleanPointInPolygon([lon, lat], boundary) }).length
    expect(kpi.cells_visited).toBe(inside)
    expect(kpi.cells_visited).toBeGreaterThan(0)
    expect(kpi.share_visited).toBeCloseTo(kpi.cells_visited / kpi.cells_total, 12)
    const teamA = body.kpis.teams.find((k: { team_id: string }) => k.team_id === team10525)
    expect(teamA.patrols).toBeGreaterThanOrEqual(3)
  })

  it('ranks gaps: where incidents are and patrols are not', async () => {
    // Incidents in the commune's res-9 cell farthest from the patrols' start, and on the patrolled line.
    const [{ geometry }] = await t.sql<{ geometry: string }[]>`select st_asgeojson(geom) as geometry from communes where code = '10525'`
    const boundary = JSON.parse(geometry) as { type: 'MultiPolygon', coordinates: number[][][][] }
    const centres = boundary.coordinates.flatMap(rings => polygonToCells(rings, 9, true)).map(cell => cellToLatLng(cell))
    const [lat, lon] = centres.reduce((best, c) =>
      Math.hypot(c[0] - CENTRE.lat, c[1] - CENTRE.lon) > Math.hypot(best[0] - CENTRE.lat, best[1] - CENTRE.lon) ? c : best)
    const away = { lon, lat }
    for (const [place, n] of [[away, 6], [CENTRE, 6]] as const) {
      for (let i = 0; i < n; i++) {
        const res = await t.inject({ method: 'POST', url: '/api/incidents', payload: { ...place, category: 'security', severity: 2, occurred_at: '2017-03-02T21:00:00+07:00' } })
        expect(res.statusCode).toBe(201)
      }
    }
    const res = await t.inject('/api/coverage?commune=10525&from=2017-03-01&to=2017-03-15&res=9')
    const gaps = res.json().gaps as { h3: string, dwell_seconds: number, incidents: number }[]
    expect(gaps.length).toBeGreaterThan(0)
    expect(gaps[0]!.dwell_seconds).toBe(0)
    expect(gaps[0]!.incidents).toBeGreaterThan(0)
  })

  it('a province or commune out of reach is a 404; no area is a 400', async () => {
    expect((await t.injectAs(communeCookie, '/api/coverage?commune=10507')).statusCode).toBe(404)
    expect((await t.inject('/api/coverage')).statusCode).toBe(400)
  })
})

describe('patrol plans', () => {
  let planId: string

  it('plans a route inside the budget and the commune that beats the nearest-neighbour baseline', async () => {
    // Incidents in five cells within reach of the start (the 2nd, 4th, … nearest of the commune's res-9 cells).
    const [{ geometry }] = await t.sql<{ geometry: string }[]>`select st_asgeojson(geom) as geometry from communes where code = '10525'`
    const boundary = JSON.parse(geometry) as { type: 'MultiPolygon', coordinates: number[][][][] }
    const near = boundary.coordinates.flatMap(rings => polygonToCells(rings, 9, true)).map(cell => cellToLatLng(cell))
      .sort((a, b) => Math.hypot(a[0] - CENTRE.lat, a[1] - CENTRE.lon) - Math.hypot(b[0] - CENTRE.lat, b[1] - CENTRE.lon))
    for (const [k, [lat, lon]] of near.filter((_, i) => i % 2 === 1).slice(0, 5).entries()) {
      for (let i = 0; i <= k; i++) {
        const res = await t.inject({ method: 'POST', url: '/api/incidents', payload: { lon, lat, category: 'traffic', severity: 2, occurred_at: '2017-03-10T08:00:00+07:00' } })
        expect(res.statusCode).toBe(201)
      }
    }
    const res = await t.inject({ method: 'POST', url: '/api/patrol-plans', payload: { team_id: team10525, start: [CENTRE.lon, CENTRE.lat], minutes: 60, mode: 'foot', from: '2017-03-01', to: '2017-03-15' } })
    expect(res.statusCode, res.body).toBe(201)
    const plan = res.json()
    planId = plan.properties.id
    const p = plan.properties
    expect(p.duration_minutes).toBeLessThanOrEqual(60)
    expect(p.waypoints.length).toBeGreaterThan(0)
    expect(p.collected_priority).toBeGreaterThanOrEqual(p.baseline_priority)
    expect(plan.geometry.coordinates[0]).toEqual([CENTRE.lon, CENTRE.lat])
    expect(plan.geometry.coordinates.at(-1)).toEqual([CENTRE.lon, CENTRE.lat])
    expect(p.legs_note).toMatch(/straight lines/)
    // Every leg inside the commune (PostGIS, independent of the planner's own check).
    const [{ inside }] = await t.sql<{ inside: boolean }[]>`
      select st_covers(st_buffer(geom::geography, 1)::geometry, (select route from patrol_plans where id = ${planId})) as inside
      from communes where code = '10525'`
    expect(inside).toBe(true)
  })

  it('exports GPX with the waypoints in order', async () => {
    const res = await t.inject(`/api/patrol-plans/${planId}.gpx`)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/application\/gpx\+xml/)
    const plan = (await t.inject(`/api/patrol-plans/${planId}`)).json()
    const doc = new XMLParser({ ignoreAttributes: false }).parse(res.body)
    const points = [doc.gpx.rte.rtept].flat()
    const inner = points.slice(1, -1)
    const sixDecimals = (n: number) => Number(n.toFixed(6))
    expect(inner.map((pt: Record<string, string>) => sixDecimals(Number(pt['@_lon'])))).toEqual(plan.properties.waypoints.map((w: { lon: number }) => sixDecimals(w.lon)))
    expect(inner.map((pt: Record<string, string>) => sixDecimals(Number(pt['@_lat'])))).toEqual(plan.properties.waypoints.map((w: { lat: number }) => sixDecimals(w.lat)))
  })

  it('compares the plan with a patrol: the waypoint cells it entered', async () => {
    const plan = (await t.inject(`/api/patrol-plans/${planId}`)).json()
    const first = plan.properties.waypoints[0]
    const fixes = walk({ lon: first.lon - 0.0005, lat: first.lat }, T0 + 5 * 86_400_000, 12, 9)
    const patrol = await uploadAsAdmin(csv(fixes), team10525)
    expect(patrol.statusCode, patrol.body).toBe(201)
    const res = await t.inject(`/api/patrol-plans/${planId}/comparison?patrol=${patrol.json().patrol.id}`)
    expect(res.statusCode).toBe(200)
    const cmp = res.json()
    const cells = await t.sql<{ h3: bigint }[]>`select h3 from patrol_cells where patrol_id = ${patrol.json().patrol.id}`
    const visited = new Set(cells.map(c => cellToParent(bigintToH3(c.h3), 9)))
    const expected = plan.properties.waypoints.filter((w: { h3: string }) => visited.has(w.h3)).length
    expect(cmp.visited_plan_cells).toBe(expected)
    expect(cmp.visited_plan_cells).toBeGreaterThanOrEqual(1)
    expect(cmp.plan_cells).toBe(plan.properties.waypoints.length)
  })

  it('refuses a start outside the team\'s commune and roles that may not plan', async () => {
    const outside = await t.inject({ method: 'POST', url: '/api/patrol-plans', payload: { team_id: team10525, start: [IN_10507.lon, IN_10507.lat], minutes: 60, mode: 'foot' } })
    expect(outside.statusCode).toBe(400)
    expect(outside.json().field).toBe('start')
    const coordinator = await t.injectAs(coordinatorCookie, { method: 'POST', url: '/api/patrol-plans', payload: { team_id: team10525, start: [CENTRE.lon, CENTRE.lat], minutes: 60, mode: 'foot' } })
    expect(coordinator.statusCode).toBe(403)
    const badMode = await t.inject({ method: 'POST', url: '/api/patrol-plans', payload: { team_id: team10525, start: [CENTRE.lon, CENTRE.lat], minutes: 60, mode: 'bicycle' } })
    expect(badMode.statusCode).toBe(400)
    expect(badMode.json().field).toMatch(/mode/)
  })
})

describe('GET /api/teams', () => {
  it('lists the teams of a commune', async () => {
    const res = await t.injectAs(communeCookie, '/api/teams?commune=10525')
    expect(res.statusCode).toBe(200)
    const ids = res.json().teams.map((x: { id: string }) => x.id)
    expect(ids).toEqual(expect.arrayContaining([team10525, team10525b]))
    expect(ids).not.toContain(team10507)
  })
})

describe('bulk insert (the demo loader\'s path)', () => {
  it('stores the same cells, figures and coverage as an upload of the same fixes, and skips repeats', async () => {
    const fixes = walk(CENTRE, Date.parse('2017-04-02T07:00:00+07:00'), 70, 6, 8)
    const upload = await uploadAsAdmin(csv(fixes), team10525)
    expect(upload.statusCode).toBe(201)
    const team = { id: team10525b, province_code: '31', commune_code: '10525' }
    const first = await bulkInsertPatrols(t.sql, [{ team, mode: 'foot', segments: [fixes] }], { isGenerated: true })
    expect(first).toEqual({ patrols: 1, fixes: 70, cells: upload.json().cells })
    const again = await bulkInsertPatrols(t.sql, [{ team, mode: 'foot', segments: [fixes] }], { isGenerated: true })
    expect(again.patrols).toBe(0)
    const [bulk] = await t.sql<{ id: string }[]>`select id::text as id from patrols where team_id = ${team10525b} and is_generated`
    const cellsOf = async (patrol: string) => (await t.sql<{ h3: bigint, dwell_seconds: number }[]>`
      select h3, dwell_seconds from patrol_cells where patrol_id = ${patrol} order by h3`).map(c => [String(c.h3), c.dwell_seconds.toFixed(6)])
    expect(await cellsOf(bulk!.id)).toEqual(await cellsOf(upload.json().patrol.id))
    const detail = (await t.inject(`/api/patrols/${bulk!.id}`)).json()
    expect(detail).toMatchObject({ fixes: 70, duration_s: 690, distance_m: upload.json().patrol.distance_m, is_generated: true })
    const [daily] = await t.sql<{ a: number, b: number }[]>`
      select (select sum(dwell_seconds) from patrol_coverage_daily where team_id = ${team10525b} and day = '2017-04-02') as b,
             (select sum(dwell_seconds) from patrol_coverage_daily where team_id = ${team10525} and day = '2017-04-02') as a`
    expect(daily!.b).toBeCloseTo(daily!.a, 6)
  })
})
