import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest'
import { cellToParent, gridDistance, latLngToCell, polygonToCells } from 'h3-js'
import { area as turfArea, booleanPointInPolygon } from '@turf/turf'
import type { Feature, MultiPolygon } from 'geojson'
import { testApp } from '../../helpers/app.ts'
import { bulkInsertIncidents, type BulkIncident } from '../../../server/incidents/bulk-insert.ts'
import { mulberry32 } from '../../helpers/random-incidents.ts'

type TestApp = Awaited<ReturnType<typeof testApp>>
let t: TestApp

// Phường Hải Dương (10525); this file writes only in 2022, a year no other test uses.
const COMMUNE = '10525'
const FROM = '2022-05-01'
const TO = '2022-06-01'
const haiPhong = (JSON.parse(readFileSync(resolve(inject('geoDir'), 'haiphong_wards_2025.geojson'), 'utf8')) as { features: Feature<MultiPolygon, { code: string }>[] })
const commune = haiPhong.features.find(f => f.properties.code === COMMUNE)!

function incident (lon: number, lat: number, at: string): BulkIncident {
  const time = new Date(at)
  return { lon, lat, category: 'security', severity: 2, status: 'closed', occurred_at: time, reported_at: time, description: 'hotspot test' }
}

/** Gi* by the textbook formula with O(n²) loops and gridDistance: independent of server/analysis. */
function bruteForceGi (cells: string[], counts: Map<string, number>, k: number): Map<string, number> {
  const x = cells.map(c => counts.get(c) ?? 0)
  const n = x.length
  const mean = x.reduce((a, b) => a + b, 0) / n
  const s = Math.sqrt(x.reduce((a, b) => a + b * b, 0) / n - mean * mean)
  const z = new Map<string, number>()
  cells.forEach((ci, i) => {
    let wx = 0; let w = 0
    cells.forEach((cj, j) => { if (gridDistance(ci, cj) <= k) { wx += x[j]!; w += 1 } })
    z.set(ci, (wx - mean * w) / (s * Math.sqrt((n * w - w * w) / (n - 1))))
    void i
  })
  return z
}

beforeAll(async () => {
  t = await testApp()
  const random = mulberry32(99)
  const rows: BulkIncident[] = []
  // Scattered background inside the commune, plus a tight cluster of 25 near its centre.
  const [minLon, minLat, maxLon, maxLat] = [106.30, 20.92, 106.36, 20.97]
  while (rows.length < 60) {
    const lon = minLon + random() * (maxLon - minLon)
    const lat = minLat + random() * (maxLat - minLat)
    if (booleanPointInPolygon([lon, lat], commune)) rows.push(incident(lon, lat, `2022-05-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}T10:00:00+07:00`))
  }
  for (let i = 0; i < 25; i++) rows.push(incident(106.3313 + (i % 5) * 0.0002, 20.9409 + Math.floor(i / 5) * 0.0002, '2022-05-20T21:00:00+07:00'))
  // One incident just outside, in Phường Thành Đông: not part of this commune's study area.
  rows.push(incident(106.3226, 20.9566, '2022-05-10T08:00:00+07:00'))
  await bulkInsertIncidents(t.db, rows, { isGenerated: false })
  // Emerging fixture: nothing in the commune in the 5 weeks before 2022-08-01, then a burst in
  // the last week (2022-07-25 … 2022-07-31) in one place.
  await bulkInsertIncidents(t.db, Array.from({ length: 30 }, (_, i) =>
    incident(106.3313 + (i % 6) * 0.0001, 20.9409 + Math.floor(i / 6) * 0.0001, '2022-07-28T20:00:00+07:00')), { isGenerated: false })
})
afterAll(async () => { await t.close() })

describe('GET /api/hotspots', () => {
  it('equals a brute-force Gi* over every cell of the commune, zero-count cells included', async () => {
    const res = await t.inject(`/api/hotspots?commune=${COMMUNE}&res=9&k=1&from=${FROM}&to=${TO}`)
    expect(res.statusCode).toBe(200)
    const body = res.json() as { n_cells: number, total: number, cells: { h3: string, count: number, z: number, p: number, p_adjusted: number, class: string }[] }
    const list = (await t.inject(`/api/incidents?commune=${COMMUNE}&from=${FROM}&to=${TO}&limit=5000`)).json().features as { properties: { h3: string } }[]
    const counts = new Map<string, number>()
    for (const f of list) {
      const cell = cellToParent(f.properties.h3, 9)
      counts.set(cell, (counts.get(cell) ?? 0) + 1)
    }
    // Study area: cells whose centre is in the commune, plus the cells holding its incidents.
    const inside = new Set(commune.geometry.coordinates.flatMap(polygon => polygonToCells(polygon, 9, true)))
    const area = [...new Set([...inside, ...counts.keys()])]
    expect(body.n_cells).toBe(area.length)
    expect(new Set(body.cells.map(c => c.h3))).toEqual(new Set(area))
    expect(body.cells.filter(c => c.count === 0).length).toBeGreaterThanOrEqual(10)
    expect(body.total).toBe(list.length)
    // The incident in the neighbouring commune is outside the study area.
    const outsideCell = latLngToCell(20.9566, 106.3226, 9)
    expect(body.cells.find(c => c.h3 === outsideCell)).toBeUndefined()

    const expected = bruteForceGi(area, counts, 1)
    for (const cell of body.cells) expect(cell.z).toBeCloseTo(expected.get(cell.h3)!, 9)
    // The cluster's cell is a significant hot spot; classes follow the FDR-adjusted p.
    const clusterCell = body.cells.find(c => c.h3 === latLngToCell(20.9413, 106.3317, 9))!
    expect(clusterCell.class).toBe('hot_99')
    for (const cell of body.cells) {
      const level = cell.p_adjusted <= 0.01 ? '99' : cell.p_adjusted <= 0.05 ? '95' : cell.p_adjusted <= 0.10 ? '90' : null
      expect(cell.class).toBe(level ? `${cell.z > 0 ? 'hot' : 'cold'}_${level}` : 'not_significant')
      expect(cell.p_adjusted).toBeGreaterThanOrEqual(cell.p)
    }
  })

  it('answers from the rollup at res 8 with the same statistics as the raw path', async () => {
    const rollup = (await t.inject(`/api/hotspots?commune=${COMMUNE}&res=8&k=2&from=${FROM}&to=${TO}`)).json()
    const raw = (await t.inject(`/api/hotspots?commune=${COMMUNE}&res=8&k=2&from=${FROM}&to=2022-05-31T23:59:59.999%2B07:00`)).json()
    expect(rollup.source).toBe('rollup')
    expect(raw.source).toBe('raw')
    expect(rollup.cells).toEqual(raw.cells)
  })

  it('rejects a missing area, a bbox, k outside 1–3 and a commune account asking for its province', async () => {
    expect((await t.inject('/api/hotspots')).json()).toMatchObject({ error: 'missing_field', field: 'province' })
    expect((await t.inject('/api/hotspots?bbox=106,20,107,21')).statusCode).toBe(400)
    expect((await t.inject(`/api/hotspots?commune=${COMMUNE}&k=4`)).json().field).toBe('k')
    const police = await t.login('test.commune10525')
    expect((await t.injectAs(police, '/api/hotspots?province=31')).statusCode).toBe(404)
    expect((await t.injectAs(police, '/api/hotspots?commune=10507')).statusCode).toBe(404)
    expect((await t.injectAs(police, `/api/hotspots?commune=${COMMUNE}&from=${FROM}&to=${TO}`)).statusCode).toBe(200)
  })
})

describe('GET /api/hotspots/emerging', () => {
  it('finds a new hot spot where a burst came only in the last week', async () => {
    const res = await t.inject(`/api/hotspots/emerging?commune=${COMMUNE}&res=9&k=1&to=2022-08-01&step=week&steps=5`)
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.periods).toEqual([
      { from: '2022-06-27', to: '2022-07-04' }, { from: '2022-07-04', to: '2022-07-11' }, { from: '2022-07-11', to: '2022-07-18' },
      { from: '2022-07-18', to: '2022-07-25' }, { from: '2022-07-25', to: '2022-08-01' }
    ])
    const burst = body.cells.find((c: { h3: string }) => c.h3 === latLngToCell(20.9411, 106.3315, 9))
    expect(burst.counts).toEqual([0, 0, 0, 0, 30])
    expect(burst.pattern).toBe('new')
    expect(burst.direction).toBe('hot')
    // Without events in the first four weeks every cell had z = 0 there.
    expect(burst.z.slice(0, 4)).toEqual([0, 0, 0, 0])
    expect(body.summary.new).toBeGreaterThanOrEqual(1)
    const total = Object.values(body.summary as Record<string, number>).reduce((a, b) => a + b, 0)
    expect(total).toBe(body.cells.length)
  })

  it('rejects an unknown step and a to that is not a day', async () => {
    expect((await t.inject(`/api/hotspots/emerging?commune=${COMMUNE}&step=year`)).json().field).toBe('step')
    expect((await t.inject(`/api/hotspots/emerging?commune=${COMMUNE}&to=2022-08-01T10:00:00Z`)).json().field).toBe('to')
    expect((await t.inject(`/api/hotspots/emerging?commune=${COMMUNE}&steps=1`)).json().field).toBe('steps')
  })
})

// Issue 11, part 3: res 10, k 3, 52 steps over a province was ~10⁹ operations on the event loop.
describe('the work budget of the cell statistics', () => {
  // Independent of the server's estimate: turf's area of the province's communes, over H3's
  // average res-r cell area (getHexagonAreaAvg, km²).
  const provinceKm2 = haiPhong.features.reduce((sum, f) => sum + turfArea(f) / 1e6, 0)
  const AVG_KM2: Record<number, number> = { 8: 0.7373275975944177, 9: 0.1053325134272067, 10: 0.01504750190766435 }
  const estimatedCells = (res: number) => provinceKm2 / AVG_KM2[res]!
  const cellsIn = (message: string) => Number(/~([\d,]+) cells/.exec(message)![1]!.replace(/,/g, ''))

  it('refuses res 10, k 3, 52 steps over a province with a 400 that says the budget and how to narrow it, for every account', async () => {
    const url = '/api/hotspots/emerging?province=31&res=10&k=3&steps=52&to=2022-08-01'
    const res = await t.inject(url)
    expect(res.statusCode).toBe(400)
    const body = res.json()
    expect(body).toMatchObject({ error: 'over_budget', field: 'res' })
    expect(body.message).toContain('over the budget of 50,000 cells per request')
    expect(body.message).toContain('a commune instead of the province')
    expect(body.message).toMatch(/res=\d or coarser/)
    expect(cellsIn(body.message) / estimatedCells(10)).toBeCloseTo(1, 2)
    // The same for the plain hot-spot map.
    const hotspots = await t.inject('/api/hotspots?province=31&res=10&k=1')
    expect(hotspots.json()).toMatchObject({ error: 'over_budget', field: 'res' })
    // A province account gets the same answer as the administrator.
    const province = await t.login('test.province31')
    expect((await t.injectAs(province, url)).json()).toEqual(body)
  })

  it('prices cells × steps × ring: at res 8 with k 3 the most steps that fit work, one more is refused', async () => {
    const most = Math.floor(4_000_000 / (Math.ceil(estimatedCells(8)) * 37))
    expect(most).toBe(25) // the province's ~4,190 res-8 cells
    const over = await t.inject(`/api/hotspots/emerging?province=31&res=8&k=3&step=week&steps=${most + 1}&to=2022-08-01`)
    expect(over.statusCode).toBe(400)
    expect(over.json()).toMatchObject({ error: 'over_budget', field: 'res,k,steps' })
    expect(over.json().message).toContain(`steps=${most} or fewer`)
    expect(over.json().message).toContain('k=2')

    const under = await t.inject(`/api/hotspots/emerging?province=31&res=8&k=3&step=week&steps=${most}&to=2022-08-01`)
    expect(under.statusCode).toBe(200)
    const body = under.json()
    expect(body.periods).toHaveLength(most)
    // Every cell of the province (at least those whose centre is in it) was analysed.
    const inside = new Set(haiPhong.features.flatMap(f => f.geometry.coordinates.flatMap(polygon => polygonToCells(polygon, 8, true))))
    expect(body.cells.length).toBeGreaterThanOrEqual(inside.size)
  })
})
