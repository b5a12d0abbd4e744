import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApp } from '../../helpers/app.ts'
import { storedCellOf } from '../../../server/h3/cells.ts'

type TestApp = Awaited<ReturnType<typeof testApp>>
let t: TestApp

// A hand-worked fixture in Phường Thành Đông (10507, population 50,307), January 2019 — a month no
// other test file writes. Window [2019-01-01, 2019-01-31) is 30 days; the previous window is
// [2018-12-02, 2019-01-01).
const P = { lon: 106.3226, lat: 20.9566 }
const FIXTURE: [category: string, status: string, reportedAt: string, dispatchedAfterS: number | null, resolvedAfterS: number | null][] = [
  ['security', 'closed', '2019-01-05T10:00:00+07:00', 600, 3600],
  ['security', 'resolved', '2019-01-06T10:00:00+07:00', 300, 1800],
  ['fire', 'cancelled', '2019-01-07T10:00:00+07:00', null, null],
  ['traffic', 'dispatched', '2019-01-10T10:00:00+07:00', 900, null],
  ['fire', 'reported', '2019-01-20T10:00:00+07:00', null, null],
  ['security', 'closed', '2018-12-20T10:00:00+07:00', 100, 200],
  ['other', 'closed', '2018-12-25T10:00:00+07:00', 100, 200]
]

beforeAll(async () => {
  t = await testApp()
  for (const [category, status, reportedAt, dispatched, resolved] of FIXTURE) {
    const at = new Date(reportedAt)
    const plus = (s: number | null) => s === null ? null : new Date(at.getTime() + s * 1000)
    await t.sql`
      insert into incidents (province_code, commune_code, category, severity, status, occurred_at, reported_at,
                             dispatched_at, resolved_at, description, geom, h3)
      values ('31', '10507', ${category}, 2, ${status}, ${at}, ${at}, ${plus(dispatched)}, ${plus(resolved)}, 'summary fixture',
              st_setsrid(st_makepoint(${P.lon}, ${P.lat}), 4326), ${storedCellOf(P.lon, P.lat)})`
  }
})
afterAll(async () => { await t.close() })

describe('GET /api/communes/:code/summary', () => {
  it('gives counts, medians, resolved share, rate per 1,000 and change, as worked by hand', async () => {
    const res = await t.inject('/api/communes/10507/summary?from=2019-01-01&to=2019-01-31')
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.previous_from).toBe('2018-12-01T17:00:00.000Z')
    expect(body.commune).toMatchObject({
      code: '10507', population: 50307, total: 5, previous_total: 2, change: 3, change_pct: 150,
      by_category: { security: 2, fire: 2, traffic: 1, social_order: 0, rescue: 0, flood: 0, other: 0 },
      by_status: { closed: 1, resolved: 1, cancelled: 1, dispatched: 1, reported: 1, on_scene: 0 },
      // Response times 600, 300, 900 s → median 600; handling times 3600, 1800 s → median 2700.
      median_response_seconds: 600,
      median_handling_seconds: 2700,
      // (resolved + closed) / (all − cancelled) = 2 / 4.
      resolved_share: 0.5
    })
    expect(body.commune.per_1000_residents).toBeCloseTo(5 / 50307 * 1000, 12)
  })
})

describe('GET /api/provinces/:code/summary', () => {
  it('lists every commune of the province, the fixture commune with the same figures', async () => {
    const body = (await t.inject('/api/provinces/31/summary?from=2019-01-01&to=2019-01-31')).json()
    expect(body.communes).toHaveLength(114)
    const row = body.communes.find((c: { code: string }) => c.code === '10507')
    const single = (await t.inject('/api/communes/10507/summary?from=2019-01-01&to=2019-01-31')).json().commune
    expect(row).toEqual(single)
    const others = body.communes.filter((c: { code: string, total: number }) => c.code !== '10507' && c.total > 0)
    expect(others).toEqual([])
  })

  it('is 404 for a commune account and outside the jurisdiction; 400 for a bad window', async () => {
    const police = await t.login('test.commune10525')
    expect((await t.injectAs(police, '/api/provinces/31/summary')).statusCode).toBe(404)
    expect((await t.injectAs(police, '/api/communes/10507/summary')).statusCode).toBe(404)
    expect((await t.injectAs(police, '/api/communes/10525/summary')).statusCode).toBe(200)
    expect((await t.inject('/api/communes/10507/summary?from=2019-02-01&to=2019-01-01')).json().field).toBe('to')
    expect((await t.inject('/api/provinces/3/summary')).json().field).toBe('code')
  })
})
