import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inject } from 'vitest'
import type { FeatureCollection, Polygon } from 'geojson'
import { testApp } from '../../helpers/app.ts'
import { fixtureCommunes, fixtureTeam } from './fixture.ts'
import { loadFloodDemo } from '../../../server/demo/load-flood.ts'
import { GENERATED_LABEL } from '../../../data/demo/generate.ts'

type TestApp = Awaited<ReturnType<typeof testApp>>
let t: TestApp

// Communes 99931–99933: squares 0.02° wide from 109.0° E (province 99, test only). A made-up
// "land" whose coastline runs north–south at 109.03° E, through 99932, with a vertex every 0.01°.
const X0 = 109.0
const Y0 = 19.5
const COAST_X = 109.03
const coastVertices = Array.from({ length: 21 }, (_, k) => [COAST_X, 19.4 + k * 0.01])
const land: FeatureCollection<Polygon> = {
  type: 'FeatureCollection',
  features: [{ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [[[108.9, 19.4], ...coastVertices, [108.9, 19.6], [108.9, 19.4]]] } }]
}
const NOW = new Date('2025-09-07T06:00:00Z')
const load = () => loadFloodDemo(t.db, { provinceCode: '99', seed: 11, geoDir: inject('geoDir'), now: NOW, sources: { rivers: { type: 'FeatureCollection', features: [] }, land } })

beforeAll(async () => {
  t = await testApp()
  await fixtureCommunes(t.sql, X0, [{ code: '99931', population: 5000 }, { code: '99932', population: 5000 }, { code: '99933', population: 5000 }])
  for (const code of ['99931', '99932', '99933']) {
    await fixtureTeam(t.sql, code, '99', `Tổ 1 ${code} (test)`)
    await fixtureTeam(t.sql, code, '99', `Tổ 2 ${code} (test)`)
  }
})
afterAll(async () => { await t.close() })

describe('loadFloodDemo', () => {
  it('stores coastal zones clipped to their communes, shelters, an evacuation in progress and open rescue calls, all labelled', async () => {
    const result = await load()
    expect(result).toMatchObject({ source: 'coast', zones: 3, shelters: 3 })
    const zones = (await t.inject('/api/evacuation/zones?province=99')).json().features
      .filter((f: { properties: { is_generated: boolean } }) => f.properties.is_generated)
    expect(zones.map((f: { properties: { commune_code: string } }) => f.properties.commune_code)).toEqual(['99931', '99932', '99933'])
    for (const z of zones) {
      expect(z.properties.name).toContain(GENERATED_LABEL)
      expect(z.properties.name).toContain('ven biển')
      expect(z.properties.is_estimated).toBe(true)
      expect(z.properties.moved.people).toBeLessThanOrEqual(z.properties.population)
      expect(z.properties.moved.households).toBeLessThanOrEqual(z.properties.households)
    }
    // Inside the commune: nothing of any generated zone lies outside its commune's polygon.
    const outside = await t.sql<{ m2: number }[]>`
      select coalesce(sum(st_area(st_difference(z.geom, c.geom)::geography)), 0) as m2
      from evacuation_zones z join communes c on c.code = z.commune_code where z.province_code = '99' and z.is_generated`
    expect(outside[0]!.m2).toBeLessThan(1)
    // 99932 holds the coastline: the 1.5 km strip covers nearly all of it (0.02° ≈ 2.1 km wide).
    const z32 = zones.find((f: { properties: { commune_code: string } }) => f.properties.commune_code === '99932')
    expect(z32.properties.population).toBeGreaterThan(4500)
    const underOrder = zones.filter((f: { properties: { status: string } }) => ['evacuate_now', 'evacuating', 'evacuated'].includes(f.properties.status))
    expect(underOrder.length).toBeGreaterThanOrEqual(1)
    const evacuating = zones.find((f: { properties: { status: string } }) => f.properties.status === 'evacuating')
    expect(evacuating.properties.moved.people).toBeGreaterThan(0)
    expect(evacuating.properties.open_rescue_requests).toBeGreaterThan(0)
    expect(evacuating.properties.team_ids).toHaveLength(2)
    const board = (await t.inject(`/api/evacuation/communes/${evacuating.properties.commune_code}`)).json()
    expect(board.rescue_requests.length).toBe(evacuating.properties.open_rescue_requests)
    expect(board.shelters.features.every((s: { properties: { name: string, is_generated: boolean, occupancy: number, capacity: number } }) =>
      s.properties.is_generated && s.properties.name.includes(GENERATED_LABEL) && s.properties.occupancy <= s.properties.capacity)).toBe(true)
    const incidents = await t.sql`
      select i.category, i.is_generated, i.description from rescue_requests r join incidents i on i.id = r.incident_id
      join evacuation_zones z on z.id = r.zone_id where z.province_code = '99' and z.is_generated`
    expect(incidents.length).toBe(result.rescues)
    for (const i of incidents) expect(i).toMatchObject({ category: 'rescue', is_generated: true, description: expect.stringContaining(GENERATED_LABEL) })
    const history = (await t.inject(`/api/evacuation/zones/${evacuating.properties.id}`)).json().properties.history
    expect(history.map((h: { to_status: string }) => h.to_status)).toEqual(['normal', 'watch', 'warning', 'evacuate_now', 'evacuating'])
  })

  it('replaces its own data when run again with the same seed, giving the same zones', async () => {
    const snapshot = async () => (await t.sql`
      select name, status, population, households, round(st_area(geom::geography)) as area from evacuation_zones
      where province_code = '99' and is_generated order by commune_code`).map(r => ({ ...r }))
    const before = await snapshot()
    await load()
    expect(await snapshot()).toEqual(before)
    const [{ n }] = await t.sql`select count(*)::int as n from shelters where province_code = '99' and is_generated` as unknown as [{ n: number }]
    expect(n).toBe(3)
  })
})
