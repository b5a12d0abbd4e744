import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { testApp } from './helpers/app.ts'

type TestApp = Awaited<ReturnType<typeof testApp>>
let t: TestApp

// Only this file writes incidents in June 2018 (Vietnam time).
const FROM = '2018-06-01'
const TO = '2018-07-01'
const HEADER = 'lon,lat,category,severity,occurred_at,description'

interface Tuple { lon: number, lat: number, category: string, severity: number, occurred_at: string, description: string }

async function juneRows (): Promise<Tuple[]> {
  const rows = await t.sql<Tuple[]>`
    select st_x(geom) as lon, st_y(geom) as lat, category, severity, occurred_at, description
    from incidents where occurred_at >= ${FROM + 'T00:00:00+07:00'} and occurred_at < ${TO + 'T00:00:00+07:00'}`
  return rows.map(r => ({ ...r, occurred_at: new Date(r.occurred_at).toISOString() }))
    .sort((a, b) => JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)
}

async function clearJune () {
  await t.sql`delete from incidents where occurred_at >= ${FROM + 'T00:00:00+07:00'} and occurred_at < ${TO + 'T00:00:00+07:00'}`
}

function importCsv (body: string | Buffer, query = '', cookie?: string) {
  const options = { method: 'POST' as const, url: `/api/incidents/import${query}`, headers: { 'content-type': 'text/csv' }, payload: body }
  return cookie ? t.injectAs(cookie, options) : t.inject(options)
}

beforeAll(async () => { t = await testApp() })
afterAll(async () => { await clearJune(); await t.close() })
beforeEach(async () => { await clearJune() })

describe('POST /api/incidents/import (CSV)', () => {
  it('stores the good rows and rejects each bad one with its line, field and reason', async () => {
    const future = new Date(Date.now() + 2 * 86_400_000).toISOString()
    const csv = [
      HEADER, // line 1
      '106.3313,20.9409,security,3,2018-06-02T21:15:00+07:00,Trộm cắp xe máy', // 2 good
      '106.3313,20.9409,robbery,3,2018-06-02T21:15:00+07:00,x', // 3 unknown category
      '106.3300,20.9420,traffic,9,2018-06-03T08:00:00+07:00,x', // 4 severity 9
      `106.3300,20.9420,traffic,2,${future},x`, // 5 future
      '110.5,15.2,flood,2,2018-06-04T08:00:00+07:00,biển', // 6 sea
      '106.3300,20.9420,fire,,2018-06-04T08:00:00+07:00,x', // 7 missing severity
      'abc,20.9420,fire,1,2018-06-04T08:00:00+07:00,x', // 8 lon abc
      '106.3226,20.9566,fire,4,2018-06-05,"Cháy nhà, có ""khói"""', // 9 good (10507)
      '106.3300,20.9420,fire,4' // 10 too few columns
    ].join('\n') + '\n'
    const res = await importCsv(csv)
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.mode).toBe('valid_only')
    expect(body.stored).toBe(2)
    expect(body.received).toBe(9)
    const got = body.rejected.map((r: { line: number, field: string, reason: string }) => [r.line, r.field, r.reason])
    expect(got).toEqual([
      [3, 'category', 'invalid_field'],
      [4, 'severity', 'invalid_field'],
      [5, 'occurred_at', 'time_in_future'],
      [6, 'lon,lat', 'outside_communes'],
      [7, 'severity', 'missing_field'],
      [8, 'lon', 'invalid_field'],
      [10, 'row', 'invalid_row']
    ])
    const rows = await juneRows()
    expect(rows.map(r => r.description).sort()).toEqual(['Cháy nhà, có "khói"', 'Trộm cắp xe máy'])
    // Each stored row got its history row (null → reported), and one audit row covers the import.
    const events = await t.sql`select e.from_status, e.to_status from incident_events e join incidents i on i.id = e.incident_id
      where i.occurred_at >= ${FROM + 'T00:00:00+07:00'} and i.occurred_at < ${TO + 'T00:00:00+07:00'}`
    expect(events).toHaveLength(2)
    expect(events.every(e => e.from_status === null && e.to_status === 'reported')).toBe(true)
    const [audit] = await t.sql`select action, after from audit_log where action = 'incident.import' order by id desc limit 1`
    expect(audit!.after).toMatchObject({ stored: 2, rejected: 7 })
  })

  it('reads a semicolon delimiter and a BOM, and keeps Vietnamese text', async () => {
    const csv = '\uFEFF' + HEADER.replaceAll(',', ';') + '\r\n' +
      '106.3313;20.9409;social_order;2;2018-06-10T10:00:00+07:00;Đánh bạc ở ngõ 12, phường Hải Dương\r\n'
    const res = await importCsv(Buffer.from(csv, 'utf8'))
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ stored: 1, rejected: [] })
    expect(await juneRows()).toEqual([{
      lon: 106.3313, lat: 20.9409, category: 'social_order', severity: 2,
      occurred_at: '2018-06-10T03:00:00.000Z', description: 'Đánh bạc ở ngõ 12, phường Hải Dương'
    }])
  })

  it('numbers rows by the line they start on when a quoted value spans lines', async () => {
    const csv = [
      HEADER, // 1
      '106.3313,20.9409,security,3,2018-06-02T21:15:00+07:00,"dòng một', // 2
      'dòng hai"', // 3
      '106.3313,20.9409,security,6,2018-06-02T21:15:00+07:00,x', // 4
      '106.3313,20.9409', // 5: too few fields
      '106.3313,20.9409,security,0,2018-06-02T21:15:00+07:00,"a', // 6
      'b"' // 7
    ].join('\r\n')
    const res = await importCsv(csv)
    expect(res.statusCode).toBe(200)
    expect(res.json().stored).toBe(1)
    expect(res.json().rejected.map((r: { line: number, field: string }) => [r.line, r.field])).toEqual([[4, 'severity'], [5, 'row'], [6, 'severity']])
    expect((await juneRows())[0]!.description).toBe('dòng một\r\ndòng hai')
  })

  it('all_or_nothing stores nothing when one row is bad and answers 400 with the list', async () => {
    const csv = [HEADER, '106.3313,20.9409,security,3,2018-06-02T21:15:00+07:00,a', '106.3313,20.9409,security,7,2018-06-02T21:15:00+07:00,b'].join('\n')
    const res = await importCsv(csv, '?mode=all_or_nothing')
    expect(res.statusCode).toBe(400)
    const body = res.json()
    expect(body.error).toBe('import_rejected')
    expect(body.field).toBeNull()
    expect(body.rejected).toMatchObject([{ line: 3, field: 'severity', reason: 'invalid_field' }])
    expect(await juneRows()).toHaveLength(0)
    const good = await importCsv(csv.split('\n').slice(0, 2).join('\n'), '?mode=all_or_nothing')
    expect(good.statusCode).toBe(200)
    expect(good.json()).toMatchObject({ mode: 'all_or_nothing', stored: 1 })
  })

  it('rejects a file without the right header and stores nothing', async () => {
    const res = await importCsv('lon,lat,category,severity,when,description\n106.3313,20.9409,security,3,2018-06-02,a\n')
    expect(res.statusCode).toBe(400)
    expect(res.json().field).toBe('header')
    expect(await juneRows()).toHaveLength(0)
  })

  it('rejects a point outside a commune account\'s jurisdiction with field lon,lat', async () => {
    const cookie = await t.login('test.commune10525')
    const csv = [HEADER, '106.3226,20.9566,security,3,2018-06-02T21:15:00+07:00,ngoài phường', '106.3313,20.9409,security,3,2018-06-02T21:15:00+07:00,trong phường'].join('\n')
    const res = await importCsv(csv, '', cookie)
    expect(res.statusCode).toBe(200)
    expect(res.json().stored).toBe(1)
    expect(res.json().rejected).toMatchObject([{ line: 2, field: 'lon,lat', reason: 'forbidden' }])
    expect((await juneRows()).map(r => r.description)).toEqual(['trong phường'])
  })

  it('stores a file larger than one batch and publishes incident.created after the commit (capped)', async () => {
    const lines = [HEADER]
    for (let i = 0; i < 4_500; i++) {
      const minute = String(i % 60).padStart(2, '0')
      lines.push(`106.3313,20.9409,other,1,2018-06-21T10:${minute}:00+07:00,hàng loạt ${i}`)
    }
    lines.push('106.3313,20.9409,other,0,2018-06-21T10:00:00+07:00,cuối') // line 4502
    const seen: number[] = []
    const unsubscribe = t.app.incidentEvents.subscribe(event => { if (event.type === 'incident.created' && event.incident.occurred_at.startsWith('2018-06-21')) seen.push(event.incident.id) })
    // The client names a job and polls its progress while the upload runs.
    const polled: { state: string, staged: number }[] = []
    try {
      let done = false
      const pending = importCsv(lines.join('\n'), '?job=bulk-june-0001').finally(() => { done = true })
      while (!done) {
        const progress = await t.inject('/api/incidents/import/jobs/bulk-june-0001')
        if (progress.statusCode === 200) polled.push(progress.json())
        await new Promise(resolve => setTimeout(resolve, 10))
      }
      const res = await pending
      expect(res.statusCode).toBe(200)
      expect(res.json()).toMatchObject({ received: 4_501, stored: 4_500, events_published: 1_000, rejected: [{ line: 4_502, field: 'severity' }] })
    } finally { unsubscribe() }
    expect(seen).toHaveLength(1_000)
    expect(await juneRows()).toHaveLength(4_500)
    const final = (await t.inject('/api/incidents/import/jobs/bulk-june-0001')).json()
    expect(final).toMatchObject({ state: 'committed', stored: 4_500, staged: 4_500, rejected: 1 })
    // While running, staged rows only grow and never pass the final count.
    const running = polled.filter(p => p.state === 'running').map(p => p.staged)
    expect(running).toEqual([...running].sort((a, b) => a - b))
    expect(running.every(n => n <= 4_500)).toBe(true)
    // Someone else's job is invisible; a job id cannot be reused.
    const police = await t.login('test.commune10525')
    expect((await t.injectAs(police, '/api/incidents/import/jobs/bulk-june-0001')).statusCode).toBe(404)
    expect((await importCsv(HEADER + '\n', '?job=bulk-june-0001')).json().field).toBe('job')
  })

  it('needs a session', async () => {
    const res = await t.injectAs(null, { method: 'POST', url: '/api/incidents/import', headers: { 'content-type': 'text/csv' }, payload: HEADER + '\n' })
    expect(res.statusCode).toBe(401)
    expect((await t.injectAs(null, '/api/incidents/export.csv')).statusCode).toBe(401)
    expect((await t.injectAs(null, '/api/incidents/export.geojson')).statusCode).toBe(401)
  })
})

describe('POST /api/incidents/import (GeoJSON)', () => {
  it('stores valid features and names rejected ones by index', async () => {
    const feature = (lon: number, lat: number, properties: Record<string, unknown>) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] }, properties })
    const collection = {
      type: 'FeatureCollection',
      features: [
        feature(106.3313, 20.9409, { category: 'rescue', severity: 5, occurred_at: '2018-06-20T12:00:00Z', description: 'Cứu hộ' }),
        feature(110.5, 15.2, { category: 'rescue', severity: 5, occurred_at: '2018-06-20T12:00:00Z' }),
        feature(106.3300, 20.9420, { category: 'rescue', severity: '5', occurred_at: '2018-06-20T12:00:00Z' })
      ]
    }
    const res = await t.inject({ method: 'POST', url: '/api/incidents/import', headers: { 'content-type': 'application/geo+json' }, payload: JSON.stringify(collection) })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ received: 3, stored: 1 })
    expect(res.json().rejected).toMatchObject([{ feature: 1, field: 'lon,lat', reason: 'outside_communes' }, { feature: 2, field: 'severity', reason: 'invalid_field' }])
    expect(await juneRows()).toEqual([{ lon: 106.3313, lat: 20.9409, category: 'rescue', severity: 5, occurred_at: '2018-06-20T12:00:00.000Z', description: 'Cứu hộ' }])
  })
})

describe('GET /api/incidents/export.csv and export.geojson', () => {
  const seed = [
    HEADER,
    '106.3313,20.9409,security,3,2018-06-02T21:15:00+07:00,"Trộm cắp; ""xe máy"", chợ"',
    '106.33001234567,20.94201234567,traffic,1,2018-06-03T08:00:00.123Z,Va chạm giao thông',
    '106.3226,20.9566,flood,5,2018-06-15,"Ngập\nhai dòng"'
  ].join('\n') + '\n'

  it('exports CSV that re-imports to the same records', async () => {
    expect((await importCsv(seed)).json().stored).toBe(3)
    const before = await juneRows()
    const res = await t.inject(`/api/incidents/export.csv?from=${FROM}&to=${TO}`)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/csv/)
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="incidents-.*\.csv"$/)
    expect(res.body.split('\r\n')[0]).toBe(`${HEADER},id,status,commune_code,province_code,h3`)
    await clearJune()
    expect(await juneRows()).toHaveLength(0)
    const again = await importCsv(res.body)
    expect(again.json()).toMatchObject({ stored: 3, rejected: [] })
    expect(await juneRows()).toEqual(before)
  })

  it('exports GeoJSON that re-imports to the same records', async () => {
    expect((await importCsv(seed)).json().stored).toBe(3)
    const before = await juneRows()
    const res = await t.inject(`/api/incidents/export.geojson?from=${FROM}&to=${TO}&province=31`)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^application\/geo\+json/)
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="incidents-.*\.geojson"$/)
    const collection = res.json()
    expect(collection.type).toBe('FeatureCollection')
    expect(collection.features).toHaveLength(3)
    await clearJune()
    const again = await t.inject({ method: 'POST', url: '/api/incidents/import', headers: { 'content-type': 'application/json' }, payload: res.body })
    expect(again.json()).toMatchObject({ stored: 3, rejected: [] })
    expect(await juneRows()).toEqual(before)
  })

  it('filters like the list and scopes to the jurisdiction', async () => {
    expect((await importCsv(seed)).json().stored).toBe(3)
    const res = await t.inject(`/api/incidents/export.geojson?from=${FROM}&to=${TO}&category=flood`)
    expect(res.json().features.map((f: { properties: { category: string } }) => f.properties.category)).toEqual(['flood'])
    const cookie = await t.login('test.commune10525')
    const scoped = await t.injectAs(cookie, `/api/incidents/export.csv?from=${FROM}&to=${TO}`)
    const lines = scoped.body.trim().split('\r\n').slice(1)
    const [{ n }] = await t.sql<{ n: number }[]>`select count(*)::int as n from incidents
      where commune_code = '10525' and occurred_at >= ${FROM + 'T00:00:00+07:00'} and occurred_at < ${TO + 'T00:00:00+07:00'}`
    expect(n).toBeGreaterThan(0)
    expect(n).toBeLessThan(3)
    expect(lines).toHaveLength(n)
    expect(lines.every(line => line.split(',').at(-3) === '10525')).toBe(true)
    expect((await t.injectAs(cookie, '/api/incidents/export.csv?commune=10507')).statusCode).toBe(404)
  })
})
