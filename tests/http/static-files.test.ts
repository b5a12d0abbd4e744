import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApp } from '../helpers/app.ts'

describe('public files: the basemap and glyphs reach an anonymous visitor at their own paths', () => {
  let t: Awaited<ReturnType<typeof testApp>>
  beforeAll(async () => { t = await testApp() })
  afterAll(async () => { await t.close() })

  it('serves /geo/naturalearth/*.geojson and /geo/glyphs/{font}/{range}.pbf without a session', async () => {
    const land = await t.injectAs(null, '/geo/naturalearth/ne_10m_land_vn_region.geojson')
    expect(land.statusCode).toBe(200)
    expect(land.headers['content-type']).toContain('application/geo+json')
    expect(JSON.parse(land.body).type).toBe('FeatureCollection')
    const glyphs = await t.injectAs(null, '/geo/glyphs/Noto%20Sans%20Regular/0-255.pbf')
    expect(glyphs.statusCode).toBe(200)
    expect(glyphs.headers['content-type']).toBe('application/x-protobuf')
  })

  it('does not serve the files under a doubled prefix', async () => {
    expect((await t.injectAs(null, '/geo/naturalearth/geo/naturalearth/ne_10m_land_vn_region.geojson')).statusCode).toBe(404)
  })
})
