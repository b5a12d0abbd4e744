import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest'
import { booleanPointInPolygon } from '@turf/turf'
import type { Feature, MultiPolygon, Polygon } from 'geojson'
import { testApp } from '../../helpers/app.ts'

type TestApp = Awaited<ReturnType<typeof testApp>>
let t: TestApp

interface CommuneFeature extends Feature<Polygon | MultiPolygon, { code: string }> {}
const haiphong = JSON.parse(readFileSync(resolve(inject('geoDir'), 'haiphong_wards_2025.geojson'), 'utf8')) as { features: CommuneFeature[] }

/** The commune holding a point, found with turf on the source file: independent of PostGIS. */
function communeByTurf (lon: number, lat: number): string | undefined {
  return haiphong.features.find(f => booleanPointInPolygon([lon, lat], f))?.properties.code
}

async function incidentCount () {
  const [row] = await t.sql<{ n: number }[]>`select count(*)::int as n from incidents`
  return row!.n
}

const valid = {
  lon: 106.3313, lat: 20.9409, category: 'security', severity: 3,
  occurred_at: '2025-10-02T21:15:00+07:00', description: 'Trộm cắp xe máy tại chợ'
}

beforeAll(async () => { t = await testApp() })
afterAll(async () => { await t.close() })

describe('POST /api/incidents', () => {
  it('stores a valid incident with the commune found by point-in-polygon and its res-10 cell', async () => {
    const res = await t.inject({ method: 'POST', url: '/api/incidents', payload: valid })
    expect(res.statusCode).toBe(201)
    const body = res.json()
    expect(body.geometry.coordinates).toEqual([valid.lon, valid.lat])
    expect(body.properties.commune_code).toBe(communeByTurf(valid.lon, valid.lat))
    expect(body.properties.province_code).toBe('31')
    expect(body.properties.status).toBe('reported')
    expect(body.properties.occurred_at).toBe('2025-10-02T14:15:00.000Z')
    expect(body.properties.description).toBe('Trộm cắp xe máy tại chợ')
    const { latLngToCell } = await import('h3-js')
    expect(body.properties.h3).toBe(latLngToCell(valid.lat, valid.lon, 10))
    const again = await t.inject({ url: `/api/incidents/${body.properties.id}` })
    expect(again.statusCode).toBe(200)
    expect(again.json()).toMatchObject(body)
  })

  it('reads a time without offset as Vietnam time', async () => {
    const res = await t.inject({ method: 'POST', url: '/api/incidents', payload: { ...valid, occurred_at: '2025-10-02T08:00:00' } })
    expect(res.statusCode).toBe(201)
    expect(res.json().properties.occurred_at).toBe('2025-10-02T01:00:00.000Z')
  })

  const future = new Date(Date.now() + 2 * 86_400_000).toISOString()
  const rejections: [string, () => Record<string, unknown>, number, string, string | null][] = [
    // what, request, status, error code, field
    ['a missing lon', () => ({ payload: { ...valid, lon: undefined } }), 400, 'missing_field', 'lon'],
    ['a missing category', () => ({ payload: { ...valid, category: undefined } }), 400, 'missing_field', 'category'],
    ['lon given as a string', () => ({ payload: { ...valid, lon: '106.33' } }), 400, 'invalid_field', 'lon'],
    ['severity given as a string', () => ({ payload: { ...valid, severity: '3' } }), 400, 'invalid_field', 'severity'],
    ['lon out of range', () => ({ payload: { ...valid, lon: 200 } }), 400, 'invalid_field', 'lon'],
    ['lat out of range', () => ({ payload: { ...valid, lat: -95 } }), 400, 'invalid_field', 'lat'],
    ['a point in the sea, in no commune', () => ({ payload: { ...valid, lon: 110.5, lat: 15.2 } }), 400, 'outside_communes', 'lon,lat'],
    ['an unknown category', () => ({ payload: { ...valid, category: 'robbery' } }), 400, 'invalid_field', 'category'],
    ['severity 0', () => ({ payload: { ...valid, severity: 0 } }), 400, 'invalid_field', 'severity'],
    ['severity 6', () => ({ payload: { ...valid, severity: 6 } }), 400, 'invalid_field', 'severity'],
    ['a fractional severity', () => ({ payload: { ...valid, severity: 2.5 } }), 400, 'invalid_field', 'severity'],
    ['a time in the future', () => ({ payload: { ...valid, occurred_at: future } }), 400, 'time_in_future', 'occurred_at'],
    ['a time that is not ISO 8601', () => ({ payload: { ...valid, occurred_at: 'hôm qua' } }), 400, 'invalid_field', 'occurred_at'],
    // Regression: Feb 30 used to be accepted, as JavaScript rolls it over to March 2.
    ['an impossible date', () => ({ payload: { ...valid, occurred_at: '2025-02-30T10:00:00Z' } }), 400, 'invalid_field', 'occurred_at'],
    ['an unknown field', () => ({ payload: { ...valid, colour: 'red' } }), 400, 'invalid_field', 'colour'],
    ['malformed JSON', () => ({ payload: '{"lon": 106.3,', headers: { 'content-type': 'application/json' } }), 400, 'invalid_json', 'body'],
    ['an empty JSON body', () => ({ payload: '', headers: { 'content-type': 'application/json' } }), 400, 'invalid_json', 'body'],
    ['an oversized body', () => ({ payload: { ...valid, description: 'x'.repeat(300 * 1024) } }), 413, 'body_too_large', 'body'],
    ['a body that is not JSON', () => ({ payload: 'lon=106', headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type', 'content-type']
  ]

  for (const [what, request, status, error, field] of rejections) {
    it(`rejects ${what} with ${status} ${error} naming "${field}", storing nothing`, async () => {
      const before = await incidentCount()
      const res = await t.inject({ method: 'POST', url: '/api/incidents', ...request() })
      expect(res.statusCode).toBe(status)
      const body = res.json()
      expect(body).toMatchObject({ error, field })
      expect(body.message).toContain(field!.split(',')[0])
      expect(await incidentCount()).toBe(before)
    })
  }

  it('never answers a bad request with a 5xx', async () => {
    for (const payload of ['null', '[]', '"text"', '{"lon": null}', '{"lon": 1e400}']) {
      const res = await t.inject({ method: 'POST', url: '/api/incidents', payload, headers: { 'content-type': 'application/json' } })
      expect(res.statusCode, payload).toBeGreaterThanOrEqual(400)
      expect(res.statusCode, payload).toBeLessThan(500)
    }
  })
})

describe('GET /api/incidents', () => {
  it('rejects bad filters with a 400 naming the parameter', async () => {
    const cases: [string, string][] = [
      ['/api/incidents?category=fire,robbery', 'category'],
      ['/api/incidents?bbox=1,2,3', 'bbox'],
      ['/api/incidents?bbox=107,21,106,20', 'bbox'],
      ['/api/incidents?from=2025-05-01&to=2025-04-01', 'to'],
      ['/api/incidents?from=yesterday', 'from'],
      ['/api/incidents?limit=0', 'limit'],
      ['/api/incidents?limit=100000', 'limit'],
      ['/api/incidents?cursor=nonsense', 'cursor'],
      ['/api/incidents?province=31&commune=10507', 'commune'],
      ['/api/incidents?province=hp', 'province']
    ]
    for (const [url, field] of cases) {
      const res = await t.inject({ url })
      expect(res.statusCode, url).toBe(400)
      expect(res.json().field, url).toBe(field)
    }
  })

  it('answers 404 for a province or commune that does not exist', async () => {
    expect((await t.inject({ url: '/api/incidents?province=00' })).statusCode).toBe(404)
    expect((await t.inject({ url: '/api/incidents?commune=00000' })).statusCode).toBe(404)
    expect((await t.inject({ url: '/api/incidents/123456789' })).statusCode).toBe(404)
  })
})
