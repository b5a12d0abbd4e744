import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { polygonToCells } from 'h3-js'
import type { Feature, MultiPolygon } from 'geojson'
import { testApp } from '../../helpers/app.ts'

type TestApp = Awaited<ReturnType<typeof testApp>>
let t: TestApp
beforeAll(async () => { t = await testApp() })
afterAll(async () => { await t?.close() })

// Issue 11, part 3: commune accounts could ask for province-wide res-10 coverage (~200,000 cells
// of Gi* on the event loop).
describe('GET /api/coverage and the work budget', () => {
  it('refuses province-wide res-10 coverage with the same 400 for a commune account and an administrator', async () => {
    const url = '/api/coverage?province=31&res=10&from=2017-03-01&to=2017-03-15'
    const admin = await t.inject(url)
    expect(admin.statusCode).toBe(400)
    const body = admin.json()
    expect(body).toMatchObject({ error: 'over_budget', field: 'res' })
    expect(body.message).toContain('over the budget of 50,000 cells per request')
    // Coverage has no k or steps to offer; res 9 (~29,000 cells) fits.
    expect(body.message).toContain('narrow it: res=9 or coarser, a commune instead of the province')

    const police = await t.login('test.commune10525')
    const commune = await t.injectAs(police, url)
    expect(commune.statusCode).toBe(400)
    expect(commune.json()).toEqual(body)
  })

  it('serves a commune at res 10 (its default)', async () => {
    const res = await t.inject('/api/coverage?commune=10525&from=2017-03-01&to=2017-03-15')
    expect(res.statusCode).toBe(200)
    expect(res.json().res).toBe(10)
    const commune = (JSON.parse(readFileSync(resolve(inject('geoDir'), 'haiphong_wards_2025.geojson'), 'utf8')) as { features: Feature<MultiPolygon, { code: string }>[] })
      .features.find(f => f.properties.code === '10525')!
    const cells = new Set(commune.geometry.coordinates.flatMap(polygon => polygonToCells(polygon, 10, true)))
    expect(res.json().kpis.communes[0].cells_total).toBe(cells.size)
  })
})
