import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApp } from '../../helpers/app.ts'
import { fixtureCommunes, rect } from './fixture.ts'
import { AVERAGE_HOUSEHOLD_SIZE, CHILDREN_SHARE, DISABLED_SHARE, ELDERLY_SHARE, estimateAtRisk } from '../../../server/evacuation/estimate.ts'

type TestApp = Awaited<ReturnType<typeof testApp>>
let t: TestApp
const cookies: Record<string, string> = {}

// Communes 99901 (population 10,000) and 99902 (8,000): squares 0.02° wide, side by side from 108.5° E.
const X0 = 108.5
const Y0 = 19.5
const feature = (geometry: unknown, properties: Record<string, unknown>) => ({ type: 'Feature', geometry, properties })
const post = (body: unknown, cookie?: string) => cookie
  ? t.injectAs(cookie, { method: 'POST', url: '/api/evacuation/zones', payload: body as object })
  : t.inject({ method: 'POST', url: '/api/evacuation/zones', payload: body as object })
const zoneCount = async () => (await t.sql<{ n: number }[]>`select count(*)::int as n from evacuation_zones where province_code = '99'`)[0]!.n

beforeAll(async () => {
  t = await testApp()
  await fixtureCommunes(t.sql, X0, [{ code: '99901', population: 10_000 }, { code: '99902', population: 8_000 }])
  for (const name of ['test.commune10525', 'test.coordinator31', 'test.province31']) cookies[name] = await t.login(name)
})
afterAll(async () => { await t.close() })

describe('estimateAtRisk (pure)', () => {
  it('gives half the figures for half the area, by the documented constants', () => {
    const { figures, estimated } = estimateAtRisk({ communePopulation: 10_000, zoneAreaM2: 5, communeAreaM2: 10 }, {})
    // 10,000 × ½ = 5,000 people; 5,000 / 3.5 = 1,428.6 → 1,429 households; 12 %, 7 %, 24 %.
    expect(figures).toEqual({ population: 5000, households: 1429, elderly: 600, disabled: 350, children: 1200 })
    expect(estimated).toEqual(['households', 'population', 'elderly', 'disabled', 'children'])
    expect([AVERAGE_HOUSEHOLD_SIZE, ELDERLY_SHARE, DISABLED_SHARE, CHILDREN_SHARE]).toEqual([3.5, 0.12, 0.07, 0.24])
  })

  it('keeps given figures and estimates the rest from the given population', () => {
    const { figures, estimated } = estimateAtRisk({ communePopulation: 10_000, zoneAreaM2: 5, communeAreaM2: 10 }, { population: 300, children: 10 })
    expect(figures).toEqual({ population: 300, households: 86, elderly: 36, disabled: 21, children: 10 })
    expect(estimated).toEqual(['households', 'elderly', 'disabled'])
  })
})

describe('POST /api/evacuation/zones', () => {
  it('estimates a zone that is exactly the west half of a commune at half its population', async () => {
    const res = await post(feature(rect(X0, Y0, X0 + 0.01, Y0 + 0.02), { name: 'Nửa tây 99901', risk_level: 2 }))
    expect(res.statusCode, res.body).toBe(201)
    const body = res.json()
    const zone = body.zones.features[0].properties
    expect(zone).toMatchObject({
      commune_code: '99901', province_code: '99', name: 'Nửa tây 99901', risk_level: 2, status: 'normal',
      population: 5000, households: 1429, elderly: 600, disabled: 350, children: 1200, vulnerable: 2150,
      is_estimated: true, moved: { households: 0, people: 0, vulnerable: 0 }, remaining: { households: 1429, people: 5000, vulnerable: 2150 },
      share_done: 0, evacuate_ordered_at: null, seconds_since_evacuate_order: null, team_ids: [], open_rescue_requests: 0,
      is_generated: false, allowed_next: ['watch', 'evacuate_now']
    })
    expect(zone.estimated_fields).toEqual(['households', 'population', 'elderly', 'disabled', 'children'])
    // Nothing lay outside the commune.
    expect(body.clipping[0].clipped_away_m2).toBeCloseTo(0, 0)
    expect(body.clipping[0].clipped_away_share).toBeCloseTo(0, 6)
  })

  it('keeps figures that are given, estimating only the others', async () => {
    const all = await post(feature(rect(X0, Y0, X0 + 0.01, Y0 + 0.01), { name: 'Đủ số liệu', risk_level: 1, households: 40, population: 150, elderly: 20, disabled: 5, children: 30 }))
    expect(all.statusCode, all.body).toBe(201)
    expect(all.json().zones.features[0].properties).toMatchObject({ households: 40, population: 150, elderly: 20, disabled: 5, children: 30, vulnerable: 55, is_estimated: false, estimated_fields: [] })
    const some = await post(feature(rect(X0, Y0, X0 + 0.01, Y0 + 0.01), { name: 'Một phần', risk_level: 1, population: 300 }))
    expect(some.json().zones.features[0].properties).toMatchObject({ population: 300, households: 86, elderly: 36, disabled: 21, children: 72, is_estimated: true, estimated_fields: ['households', 'elderly', 'disabled', 'children'] })
  })

  it('clips a zone to the commune it names and says how much was cut away', async () => {
    // 108.51–108.53 spans the east half of 99901 and the west half of 99902 (equal areas).
    const res = await post({ type: 'FeatureCollection', features: [feature(rect(X0 + 0.01, Y0, X0 + 0.03, Y0 + 0.02), { commune_code: '99901', name: 'Vắt qua hai xã', risk_level: 3 })] })
    expect(res.statusCode, res.body).toBe(201)
    const body = res.json()
    const zone = body.zones.features[0]
    expect(zone.properties).toMatchObject({ commune_code: '99901', population: 5000 })
    expect(body.clipping[0].clipped_away_share).toBeCloseTo(0.5, 6)
    expect(body.clipping[0].clipped_away_m2).toBeCloseTo(body.clipping[0].area_m2, 0)
    // The stored polygon is the east half of 99901: longitudes 108.51 … 108.52 only.
    const lons = zone.geometry.coordinates.flat(2).map((p: number[]) => p[0])
    expect(Math.min(...lons)).toBeCloseTo(108.51, 6)
    expect(Math.max(...lons)).toBeCloseTo(108.52, 6)
    expect(zone.geometry.type).toBe('MultiPolygon')
  })

  it('puts a zone without commune_code in the commune holding most of it, clipped there', async () => {
    // 108.515–108.53: a quarter of 99901's width, half of 99902's; two thirds of it lie in 99902.
    const res = await post(feature(rect(X0 + 0.015, Y0, X0 + 0.03, Y0 + 0.02), { name: 'Phần lớn ở 99902', risk_level: 1 }))
    expect(res.statusCode, res.body).toBe(201)
    const body = res.json()
    expect(body.zones.features[0].properties).toMatchObject({ commune_code: '99902', population: 4000, households: 1143 })
    expect(body.clipping[0].clipped_away_share).toBeCloseTo(1 / 3, 6)
  })

  it('rejects a polygon that does not overlap its commune with a 400 naming features[i].geometry, storing nothing', async () => {
    const before = await zoneCount()
    const res = await post({
      type: 'FeatureCollection',
      features: [
        feature(rect(X0, Y0, X0 + 0.01, Y0 + 0.01), { name: 'Hợp lệ', risk_level: 1 }),
        feature(rect(X0 + 0.025, Y0, X0 + 0.035, Y0 + 0.01), { commune_code: '99901', name: 'Ở xã khác', risk_level: 1 })
      ]
    })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ error: 'outside_commune', field: 'features[1].geometry' })
    const far = await post(feature(rect(110.5, 17.5, 110.51, 17.51), { name: 'Ngoài biển', risk_level: 1 }))
    expect(far.statusCode).toBe(400)
    expect(far.json()).toMatchObject({ error: 'outside_commune', field: 'features[0].geometry' })
    expect(await zoneCount()).toBe(before)
  })

  it('rejects malformed features with a 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [feature(rect(X0, Y0, X0 + 0.01, Y0 + 0.01), { name: 'x', risk_level: 4 }), 'features[0].properties.risk_level'],
      [feature(rect(X0, Y0, X0 + 0.01, Y0 + 0.01), { risk_level: 1 }), 'features[0].properties.name'],
      [feature(rect(X0, Y0, X0 + 0.01, Y0 + 0.01), { name: 'x', risk_level: 1, population: -1 }), 'features[0].properties.population'],
      [feature(rect(X0, Y0, X0 + 0.01, Y0 + 0.01), { name: 'x', risk_level: 1, colour: 'red' }), 'features[0].properties.colour'],
      [feature(rect(X0, Y0, X0 + 0.01, Y0 + 0.01), { name: 'x', risk_level: 1, commune_code: '88888' }), 'features[0].properties.commune_code'],
      [feature({ type: 'Point', coordinates: [X0, Y0] }, { name: 'x', risk_level: 1 }), 'features[0].geometry'],
      [feature({ type: 'Polygon', coordinates: [[[X0, Y0], [X0 + 0.01, Y0]]] }, { name: 'x', risk_level: 1 }), 'features[0].geometry'],
      [{ type: 'FeatureCollection', features: [] }, 'features'],
      [{ type: 'Topology' }, 'type']
    ]
    for (const [body, field] of cases) {
      const res = await post(body)
      expect(res.statusCode, `${field}: ${res.body}`).toBe(400)
      expect(res.json().field).toBe(field)
    }
  })

  it('lets only evacuation writers import, within their jurisdiction', async () => {
    const inHaiDuong = feature(rect(106.329, 20.939, 106.333, 20.943), { name: 'Khu dân cư ven sông (test)', risk_level: 2 })
    expect((await post(inHaiDuong, cookies['test.commune10525'])).statusCode).toBe(403)
    expect((await post(feature(rect(X0, Y0, X0 + 0.01, Y0 + 0.01), { name: 'x', risk_level: 1 }), cookies['test.coordinator31'])).statusCode).toBe(403)
    const ok = await post(inHaiDuong, cookies['test.coordinator31'])
    expect(ok.statusCode, ok.body).toBe(201)
    const id = ok.json().zones.features[0].properties.id
    const [audit] = await t.sql`select action, username, province_code, commune_code from audit_log where entity = 'evacuation_zone' and entity_id = ${id}`
    expect(audit).toMatchObject({ action: 'evacuation.zone_create', username: 'test.coordinator31', province_code: '31', commune_code: ok.json().zones.features[0].properties.commune_code })
  })
})

describe('GET /api/evacuation/zones', () => {
  it('lists the zones of an area as GeoJSON, limited to the user\'s jurisdiction', async () => {
    const all = (await t.inject('/api/evacuation/zones?commune=99901')).json()
    expect(all.type).toBe('FeatureCollection')
    expect(all.features.length).toBeGreaterThanOrEqual(4)
    expect(all.features.every((f: { properties: { commune_code: string } }) => f.properties.commune_code === '99901')).toBe(true)
    const police = t.injectAs.bind(null, cookies['test.commune10525']!)
    expect((await police('/api/evacuation/zones?commune=99901')).statusCode).toBe(404)
    const own = (await police('/api/evacuation/zones?province=31')).json()
    expect(own.features.every((f: { properties: { commune_code: string } }) => f.properties.commune_code === '10525')).toBe(true)
    const id = all.features[0].properties.id
    expect((await police(`/api/evacuation/zones/${id}`)).statusCode).toBe(404)
    expect((await t.inject('/api/evacuation/zones?province=31&commune=10525')).json().field).toBe('commune')
  })

  it('appears in the OpenAPI document with every evacuation route', async () => {
    const spec = (await t.injectAs(null, '/docs/json')).json()
    for (const path of ['/api/evacuation/zones', '/api/evacuation/zones/{id}', '/api/evacuation/zones/{id}/status', '/api/evacuation/zones/{id}/progress',
      '/api/evacuation/zones/{id}/teams', '/api/evacuation/zones/{id}/shelters', '/api/evacuation/zones/{id}/rescue-requests',
      '/api/evacuation/shelters', '/api/evacuation/shelters/{id}', '/api/evacuation/communes/{code}', '/api/evacuation/timeline']) {
      expect(spec.paths[path], path).toBeDefined()
    }
  })
})
