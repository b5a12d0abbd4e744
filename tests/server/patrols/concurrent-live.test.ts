// Many live patrols of one team posting at once (the field app on bad networks, retrying): every
// batch is answered 2xx and the team's daily coverage equals, cell by cell, the pure cleaning and
// dwell binning of every fix the test sent. Before the per-team-day lock two patrols refreshing
// the same team-day collided on patrol_coverage_daily's key (500, fixes lost).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { booleanPointInPolygon } from '@turf/turf'
import { testApp } from '../../helpers/app.ts'
import { mulberry32 } from '../../helpers/random-incidents.ts'
import { bigintToH3 } from '../../../server/h3/cells.ts'
import { trackDwell } from '../../../server/h3/track-dwell.ts'
import { cleanTrack } from '../../../server/patrols/clean-track.ts'
import type { Fix } from '../../../server/domain/fix.ts'

type TestApp = Awaited<ReturnType<typeof testApp>>
let t: TestApp
let team: string

const PATROLS = 24
const BATCHES = 4
const FIXES_PER_BATCH = 15
// Deep inside commune 10525 (Phường Hải Dương): about 800 m from its boundary.
const CENTRE = { lon: 106.3466, lat: 20.9513 }
// This file's patrols run from 23:50 local on 10 February 2016 across midnight, a time no other
// test file writes: each patrol touches two team-days, so the locks of two days are taken together.
const T0 = Date.parse('2016-02-10T23:50:00+07:00')
const VN_OFFSET_MS = 7 * 3_600_000

/** A walk of `n` fixes 10 s apart, `step` metres each, in a direction, from near the centre. */
function walk (seed: number, start: number, n: number): Fix[] {
  const random = mulberry32(seed)
  const angle = random() * 2 * Math.PI
  const step = 4 + random() * 4
  const from = { lon: CENTRE.lon + (random() - 0.5) * 0.002, lat: CENTRE.lat + (random() - 0.5) * 0.002 }
  const dLon = 1 / (111_320 * Math.cos(from.lat * Math.PI / 180))
  const dLat = 1 / 110_574
  return Array.from({ length: n }, (_, i) => ({
    lon: from.lon + i * step * Math.cos(angle) * dLon,
    lat: from.lat + i * step * Math.sin(angle) * dLat,
    time: start + i * 10_000
  }))
}

const iso = (f: Fix) => ({ lon: f.lon, lat: f.lat, time: new Date(f.time).toISOString() })
const localDay = (ms: number) => new Date(ms + VN_OFFSET_MS).toISOString().slice(0, 10)

interface Expected { dwell: number, patrols: number, lastVisit: number }

/** The coverage rows binning gives for these patrols: per local day of first visit and cell. */
function expectedCoverage (tracks: Fix[][]): Map<string, Expected> {
  const rows = new Map<string, Expected>()
  for (const fixes of tracks) {
    const cleaned = cleanTrack([fixes])
    for (const cell of trackDwell(cleaned.segments, 10)) {
      const key = `${localDay(cell.firstVisit)} ${cell.h3}`
      const row = rows.get(key) ?? { dwell: 0, patrols: 0, lastVisit: -Infinity }
      row.dwell += cell.dwellSeconds
      row.patrols += 1
      row.lastVisit = Math.max(row.lastVisit, cell.lastVisit)
      rows.set(key, row)
    }
  }
  return rows
}

beforeAll(async () => {
  t = await testApp()
  const [row] = await t.sql<{ id: string }[]>`
    insert into teams (province_code, commune_code, name) values ('31', '10525', 'Tổ tuần tra song song (test)') returning id::text as id`
  team = row!.id
})
afterAll(async () => { await t.close() })

describe('live patrols of one team, all at once', () => {
  it(`${PATROLS} patrols × ${BATCHES} batches (one re-sent) at once: every batch 2xx, coverage equals binning every fix sent`, async () => {
    const tracks = Array.from({ length: PATROLS }, (_, p) => walk(1000 + p, T0 + p * 7_000, BATCHES * FIXES_PER_BATCH))
    // Precondition: every fix lies in the commune, so none is left out of the binning.
    const [{ geometry }] = await t.sql<{ geometry: string }[]>`select st_asgeojson(geom) as geometry from communes where code = '10525'`
    const boundary = JSON.parse(geometry)
    for (const fix of tracks.flat()) expect(booleanPointInPolygon([fix.lon, fix.lat], boundary)).toBe(true)

    const started = await Promise.all(tracks.map(() => t.inject({ method: 'POST', url: '/api/patrols/live', payload: { team_id: team, mode: 'foot' } })))
    for (const res of started) expect(res.statusCode, res.body).toBe(201)
    const ids = started.map(res => res.json().id as string)

    // Every batch of every patrol in flight together, the second batch of each sent twice (a retry).
    const requests = tracks.flatMap((fixes, p) => {
      const batches = Array.from({ length: BATCHES }, (_, b) => fixes.slice(b * FIXES_PER_BATCH, (b + 1) * FIXES_PER_BATCH))
      return [...batches, batches[1]!].map(batch =>
        t.inject({ method: 'POST', url: `/api/patrols/${ids[p]}/positions`, payload: { fixes: batch.map(iso) } }))
    })
    const answers = await Promise.all(requests)
    const failed = answers.filter(res => res.statusCode < 200 || res.statusCode >= 300)
    expect(failed.map(res => `${res.statusCode} ${res.body}`)).toEqual([])

    // Every fix was kept: the retry's repeats are the only drops.
    const patrols = await t.sql<{ id: string, fix_count: number }[]>`select id::text as id, fix_count from patrols where team_id = ${team}`
    expect(patrols.map(p => p.fix_count)).toEqual(patrols.map(() => BATCHES * FIXES_PER_BATCH))

    const expected = expectedCoverage(tracks)
    const stored = await t.sql<{ day: string, h3: bigint, dwell_seconds: number, patrols: number, last_visit: Date }[]>`
      select to_char(day, 'YYYY-MM-DD') as day, h3, dwell_seconds, patrols, last_visit
      from patrol_coverage_daily where team_id = ${team}`
    const storedByKey = new Map(stored.map(r => [`${r.day} ${bigintToH3(r.h3)}`, r]))
    expect([...storedByKey.keys()].sort()).toEqual([...expected.keys()].sort())
    // Both local days are there (the patrols cross midnight).
    expect(new Set(stored.map(r => r.day))).toEqual(new Set(['2016-02-10', '2016-02-11']))
    for (const [key, want] of expected) {
      const got = storedByKey.get(key)!
      expect(got.dwell_seconds, key).toBeCloseTo(want.dwell, 6)
      expect(got.patrols, key).toBe(want.patrols)
      expect(Math.abs(got.last_visit.getTime() - want.lastVisit), key).toBeLessThanOrEqual(1)
    }
    // The same cells are shared by several patrols: the test really exercised colliding keys.
    expect(Math.max(...[...expected.values()].map(r => r.patrols))).toBeGreaterThan(3)
  })

  it('the same track uploaded twice at once is one patrol: one 201, one 200 duplicate', async () => {
    const fixes = walk(77, Date.parse('2016-02-12T08:00:00+07:00'), 40)
    const body = 'lon,lat,time\n' + fixes.map(f => `${f.lon},${f.lat},${new Date(f.time).toISOString()}`).join('\n')
    const answers = await Promise.all([0, 1, 2, 3].map(() =>
      t.inject({ method: 'POST', url: `/api/patrols?team=${team}`, headers: { 'content-type': 'text/csv' }, payload: body })))
    expect(answers.map(res => res.statusCode).sort(), answers.map(res => res.body).join('\n')).toEqual([200, 200, 200, 201])
    expect(new Set(answers.map(res => res.json().patrol.id)).size).toBe(1)
    const expected = expectedCoverage([fixes])
    const [{ dwell }] = await t.sql<{ dwell: number }[]>`select sum(dwell_seconds)::float8 as dwell from patrol_coverage_daily where team_id = ${team} and day = '2016-02-12'`
    expect(dwell).toBeCloseTo([...expected.values()].reduce((s, r) => s + r.dwell, 0), 6)
  })
})
