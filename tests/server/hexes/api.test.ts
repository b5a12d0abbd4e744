import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cellToParent } from 'h3-js'
import { area, bbox } from '@turf/turf'
import { testApp } from '../../helpers/app.ts'
import { randomIncidents } from '../../helpers/random-incidents.ts'
import { bulkInsertIncidents } from '../../../server/incidents/bulk-insert.ts'

type TestApp = Awaited<ReturnType<typeof testApp>>
let t: TestApp

// This file's incidents live in March 2024, a window no other test file writes to.
const FROM = '2024-03-01'
const TO = '2024-04-01'
const fromInstant = new Date('2024-03-01T00:00:00+07:00')
const toInstant = new Date('2024-04-01T00:00:00+07:00')
let stored = 0

interface Feature { properties: { id: number, h3: string, category: string, commune_code: string, occurred_at: string } }

/** Every incident of a filter, following next_cursor to the end. */
async function allIncidents (query: string): Promise<Feature[]> {
  const features: Feature[] = []
  let cursor: string | null = null
  do {
    const res: { statusCode: number, json: () => { features: Feature[], next_cursor: string | null } } =
      await t.inject({ url: `/api/incidents?${query}&limit=700${cursor ? `&cursor=${cursor}` : ''}` })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    features.push(...body.features)
    cursor = body.next_cursor
  } while (cursor)
  return features
}

/** Counts per cell recomputed from the incident list with h3-js. */
function recount (features: Feature[], res: number): Map<string, number> {
  const counts = new Map<string, number>()
  for (const f of features) {
    const cell = cellToParent(f.properties.h3, res)
    counts.set(cell, (counts.get(cell) ?? 0) + 1)
  }
  return counts
}

async function hexes (query: string) {
  const res = await t.inject({ url: `/api/hexes?${query}` })
  expect(res.statusCode, query).toBe(200)
  return res.json() as { res: number, source: string, total: number, cells: { h3: string, count: number }[] }
}

beforeAll(async () => {
  t = await testApp()
  stored = await bulkInsertIncidents(t.db, randomIncidents(3_000, 7, fromInstant, toInstant), { isGenerated: false })
})
afterAll(async () => { await t.close() })

describe('GET /api/incidents (list)', () => {
  it('pages through every incident of a filter once, newest first', async () => {
    const features = await allIncidents(`province=31&from=${FROM}&to=${TO}`)
    expect(features).toHaveLength(stored)
    expect(new Set(features.map(f => f.properties.id)).size).toBe(stored)
    const times = features.map(f => f.properties.occurred_at)
    expect([...times].sort().reverse()).toEqual(times)
  })

  it('filters by category, commune, bbox and time', async () => {
    const all = await allIncidents(`province=31&from=${FROM}&to=${TO}`)
    const fires = await allIncidents(`province=31&from=${FROM}&to=${TO}&category=fire,rescue`)
    expect(fires.length).toBe(all.filter(f => ['fire', 'rescue'].includes(f.properties.category)).length)
    expect(fires.length).toBeGreaterThan(0)
    const commune = all[0]!.properties.commune_code
    const inCommune = await allIncidents(`commune=${commune}&from=${FROM}&to=${TO}`)
    expect(inCommune.length).toBe(all.filter(f => f.properties.commune_code === commune).length)
    const firstHalf = await allIncidents(`province=31&from=${FROM}&to=2024-03-16T12:00:00%2B07:00`)
    const cut = new Date('2024-03-16T05:00:00Z').getTime()
    expect(firstHalf.length).toBe(all.filter(f => new Date(f.properties.occurred_at).getTime() < cut).length)
    const box = [106.683, 20.856, 106.693, 20.866]
    const inBox = await allIncidents(`bbox=${box.join(',')}&from=${FROM}&to=${TO}`)
    const res = await t.inject({ url: `/api/incidents?bbox=${box.join(',')}&from=${FROM}&to=${TO}&limit=5000` })
    const coords = res.json().features.map((f: { geometry: { coordinates: number[] } }) => f.geometry.coordinates)
    expect(inBox.length).toBeGreaterThan(100)
    for (const [lon, lat] of coords) {
      expect(lon).toBeGreaterThanOrEqual(box[0]!); expect(lon).toBeLessThanOrEqual(box[2]!)
      expect(lat).toBeGreaterThanOrEqual(box[1]!); expect(lat).toBeLessThanOrEqual(box[3]!)
    }
  })
})

describe('GET /api/hexes', () => {
  for (const res of [5, 6, 7, 8, 9, 10]) {
    it(`equals a recount of /api/incidents with h3-js at res ${res} (${res <= 8 ? 'rollup' : 'raw'} path)`, async () => {
      const features = await allIncidents(`province=31&from=${FROM}&to=${TO}`)
      const body = await hexes(`res=${res}&province=31&from=${FROM}&to=${TO}`)
      expect(body.source).toBe(res <= 8 ? 'rollup' : 'raw')
      expect(new Map(body.cells.map(c => [c.h3, c.count]))).toEqual(recount(features, res))
      expect(body.total).toBe(features.length)
    })
  }

  it('equals the recount on the raw path too (a window off day bounds, a bbox, categories)', async () => {
    for (const query of [
      `res=8&province=31&from=2024-03-03T06:00:00%2B07:00&to=2024-03-20T18:30:00%2B07:00`,
      `res=9&bbox=106.6,20.8,106.8,20.9&from=${FROM}&to=${TO}&category=security,traffic`
    ]) {
      const listQuery = query.replace(/res=\d+&/, '')
      const body = await hexes(query)
      expect(body.source).toBe('raw')
      expect(new Map(body.cells.map(c => [c.h3, c.count]))).toEqual(recount(await allIncidents(listQuery), body.res))
    }
  })

  it('gives the same counts from the rollup and from the raw table', async () => {
    const rollup = await hexes(`res=7&province=31&from=${FROM}&to=${TO}&category=fire`)
    // A window one millisecond off a day bound forces the raw path over the same incidents.
    const raw = await hexes(`res=7&province=31&from=${FROM}&to=2024-03-31T23:59:59.999%2B07:00&category=fire`)
    expect(raw.source).toBe('raw')
    const sort = (cells: { h3: string, count: number }[]) => [...cells].sort((a, b) => a.h3.localeCompare(b.h3))
    expect(sort(rollup.cells)).toEqual(sort(raw.cells))
  })

  it('keeps the rollup exact when incidents are updated and deleted', async () => {
    const query = `res=8&province=31&from=${FROM}&to=${TO}`
    const before = await hexes(query)
    await t.sql`update incidents set status = 'resolved' where occurred_at >= ${fromInstant} and occurred_at < ${toInstant} and category = 'fire'`
    await t.sql`update incidents set category = 'other' where occurred_at >= ${fromInstant} and occurred_at < ${toInstant} and category = 'rescue'`
    await t.sql`update incidents set occurred_at = occurred_at + interval '40 days' where id in (
      select id from incidents where occurred_at >= ${fromInstant} and occurred_at < ${toInstant} order by id limit 25)`
    await t.sql`delete from incidents where id in (
      select id from incidents where occurred_at >= ${fromInstant} and occurred_at < ${toInstant} order by id desc limit 40)`
    const after = await hexes(query)
    expect(after.total).toBe(before.total - 65)
    const features = await allIncidents(`province=31&from=${FROM}&to=${TO}`)
    expect(new Map(after.cells.map(c => [c.h3, c.count]))).toEqual(recount(features, 8))
    // Every bucket of every span equals a recount from the incidents table.
    const [check] = await t.sql<{ mismatches: number, rows: number }[]>`
      with raw as (
        select i.province_code, i.commune_code, s.span, vn_local_day_number(i.occurred_at) - vn_local_day_number(i.occurred_at) % s.span as bucket,
               h3_parent(i.h3, 8) as h3, count(*)::int as total, count(*) filter (where category = 'fire')::int as fire
        from incidents i cross join rollup_spans() as s (span)
        group by 1, 2, 3, 4, 5
      )
      select count(*) filter (where raw.total is distinct from d.total or raw.fire is distinct from d.c_fire)::int as mismatches,
             count(*)::int as rows
      from raw full join incident_rollup d using (province_code, commune_code, span, bucket, h3)`
    expect(check!.rows).toBeGreaterThan(1000)
    expect(check!.mismatches).toBe(0)
  })

  it('rejects bad parameters with a 400 naming them', async () => {
    for (const [query, field] of [
      ['res=16&province=31', 'res'], ['res=4', 'res'], ['res=abc', 'res'],
      ['province=31&category=arson', 'category'], ['province=31&bbox=1,2,3,4', 'bbox'],
      ['province=31&from=2024-05-01&to=2024-04-01', 'to'], ['unknown=1', 'unknown']
    ] as const) {
      const res = await t.inject({ url: `/api/hexes?${query}` })
      expect(res.statusCode, query).toBe(400)
      expect(res.json().field, query).toBe(field)
    }
    expect((await t.inject({ url: '/api/hexes?province=77' })).statusCode).toBe(404)
  })
})

describe('GET /api/communes and /api/provinces', () => {
  it('serves Hải Phòng\'s 114 communes with names, population and area', async () => {
    const res = await t.inject({ url: '/api/communes?province=31' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toContain('application/geo+json')
    const body = res.json()
    expect(body.features).toHaveLength(114)
    const haiDuong = body.features.find((f: { properties: { code: string } }) => f.properties.code === '10525')
    // Population from the attributes CSV; area from the boundary file (the CSV's 39.99 km² for this
    // ward disagrees with its geometry, which turf measures at about 6.4 km²).
    expect(haiDuong.properties).toMatchObject({ name: 'Phường Hải Dương', name_en: 'Hai Duong Ward', province_code: '31', population: 102648 })
    expect(haiDuong.geometry.type).toBe('MultiPolygon')
    expect(haiDuong.properties.area_km2).toBeCloseTo(area(haiDuong) / 1e6, 0)
    const provinces = (await t.inject({ url: '/api/provinces' })).json()
    const hp = provinces.find((p: { code: string }) => p.code === '31')
    expect(hp).toMatchObject({ name: 'Thành phố Hải Phòng', name_en: 'Haiphong City', commune_count: 114 })
    // The extent reaches Bạch Long Vĩ island, far out in the Gulf of Tonkin.
    const fileBox = bbox({ type: 'FeatureCollection', features: body.features })
    hp.bbox.forEach((value: number, i: number) => expect(value).toBeCloseTo(fileBox[i]!, 3))
  })

  it('answers /api/health with the PostGIS version and backend', async () => {
    const body = (await t.inject({ url: '/api/health' })).json()
    expect(body).toMatchObject({ status: 'ok', database: 'server' })
    expect(body.postgis).toMatch(/^3\./)
  })
})

describe('GET /docs', () => {
  it('documents every API route from the route schemas, without a session', async () => {
    const spec = (await t.injectAs(null, '/docs/json')).json()
    expect(spec.openapi).toMatch(/^3\./)
    for (const path of ['/api/health', '/api/incidents', '/api/incidents/{id}', '/api/hexes', '/api/hotspots', '/api/hotspots/emerging',
      '/api/auth/login', '/api/communes/{code}/summary', '/api/provinces/{code}/summary', '/api/audit']) {
      expect(spec.paths[path], path).toBeDefined()
    }
    expect(spec.paths['/api/incidents/{id}'].patch).toBeDefined()
    expect(spec.paths['/api/hexes'].get.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['res', 'province', 'commune', 'bbox', 'from', 'to', 'category']))
    const page = await t.injectAs(null, '/docs/')
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toMatch(/text\/html/)
  })
})
