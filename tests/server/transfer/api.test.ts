import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest'
import { parse as parseCsv } from 'csv-parse/sync'
import { testApp } from '../../helpers/app.ts'
import { buildApp } from '../../../server/app.ts'
import { storedCellOf } from '../../../server/h3/cells.ts'
import { dechunkedBody, rawConnection, sleep, within } from './raw-http.ts'

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
    // A job id cannot be reused by its owner.
    expect((await importCsv(HEADER + '\n', '?job=bulk-june-0001')).json().field).toBe('job')
  })

  it('keeps job ids per user: another user can neither read nor squat them', async () => {
    const police = await t.login('test.commune10525')
    // B takes the id first; A can still use it, and each sees only their own job.
    const mine = await importCsv([HEADER, '106.3313,20.9409,security,3,2018-06-02T21:15:00+07:00,của B'].join('\n'), '?job=shared-id-0001', police)
    expect(mine.statusCode).toBe(200)
    expect(mine.json().stored).toBe(1)
    expect((await t.inject('/api/incidents/import/jobs/shared-id-0001')).statusCode).toBe(404)
    const theirs = await importCsv([HEADER, '106.3313,20.9409,security,3,2018-06-02T21:15:00+07:00,của A', '106.3313,20.9409,security,3,2018-06-02T21:16:00+07:00,của A 2', 'x'].join('\n'), '?job=shared-id-0001')
    expect(theirs.statusCode).toBe(200)
    expect(theirs.json()).toMatchObject({ stored: 2, rejected_count: 1 })
    expect((await t.inject('/api/incidents/import/jobs/shared-id-0001')).json()).toMatchObject({ state: 'committed', stored: 2, rejected: 1 })
    expect((await t.injectAs(police, '/api/incidents/import/jobs/shared-id-0001')).json()).toMatchObject({ state: 'committed', stored: 1, rejected: 0 })
    // A job only A knows stays invisible to B.
    expect((await importCsv(HEADER + '\n', '?job=only-admin-0001')).statusCode).toBe(200)
    expect((await t.injectAs(police, '/api/incidents/import/jobs/only-admin-0001')).statusCode).toBe(404)
  })

  it('lists the first 1,000 of 3,000 rejections by line and counts all of them by reason', async () => {
    // Three kinds of bad line in turn; the commune check rejects its rows a batch later than the
    // rows after them are checked, so the cut must still keep the lowest lines.
    const lines = [HEADER]
    const expected: { line: number, reason: string }[] = []
    for (let i = 0; i < 3_000; i++) {
      const line = i + 2
      const kind = i % 3
      if (kind === 0) lines.push('106.3313,20.9409,security,9,2018-06-02T21:15:00+07:00,x')
      if (kind === 1) lines.push('106.3313,20.9409,security,,2018-06-02T21:15:00+07:00,x')
      if (kind === 2) lines.push('110.5,15.2,flood,2,2018-06-04T08:00:00+07:00,biển')
      expected.push({ line, reason: ['invalid_field', 'missing_field', 'outside_communes'][kind]! })
    }
    lines.push('106.3313,20.9409,security,3,2018-06-02T21:15:00+07:00,tốt') // line 3002
    const res = await importCsv(lines.join('\n'))
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body).toMatchObject({ received: 3_001, stored: 1, rejected_count: 3_000, rejections_truncated: true, rejected_by_reason: { invalid_field: 1_000, missing_field: 1_000, outside_communes: 1_000 } })
    expect(body.rejected).toHaveLength(1_000)
    expect(body.rejected.map((r: { line: number, reason: string }) => ({ line: r.line, reason: r.reason }))).toEqual(expected.slice(0, 1_000))
    const [audit] = await t.sql`select after from audit_log where action = 'incident.import' order by id desc limit 1`
    expect(audit!.after).toMatchObject({ stored: 1, rejected: 3_000 })

    // all_or_nothing answers the same bounded summary with its 400.
    const strict = await importCsv(lines.join('\n'), '?mode=all_or_nothing')
    expect(strict.statusCode).toBe(400)
    expect(strict.json()).toMatchObject({ error: 'import_rejected', rejected_count: 3_000, rejections_truncated: true })
    expect(strict.json().rejected).toHaveLength(1_000)
    expect((await juneRows()).map(r => r.description)).toEqual(['tốt'])

    // Under the cap nothing is cut.
    const few = (await importCsv([HEADER, '106.3313,20.9409,security,9,2018-06-02T21:15:00+07:00,x'].join('\n'))).json()
    expect(few).toMatchObject({ rejected_count: 1, rejections_truncated: false, rejected_by_reason: { invalid_field: 1 } })
  })

  it('refuses a header line without an end, a long field and a declared oversize body with 4xx naming them', async () => {
    // One long line: the header scan stops at its cap instead of re-reading the growing buffer.
    const res = await importCsv('lon,lat,' + 'x'.repeat(5 * 1024 * 1024))
    expect(res.statusCode).toBe(400)
    expect(res.json().field).toBe('header')
    expect(res.json().message).toMatch(/longer than 1024 bytes/)
    const long = await importCsv([HEADER, `106.${'3'.repeat(100_000)},20.9409,security,3,2018-06-02T21:15:00+07:00,x`].join('\n'))
    expect(long.statusCode).toBe(200)
    expect(long.json().rejected).toMatchObject([{ line: 2, field: 'lon', reason: 'invalid_field', message: 'lon: must be at most 32 characters' }])
    const big = await t.inject({ method: 'POST', url: '/api/incidents/import', headers: { 'content-type': 'text/csv', 'content-length': String(60 * 1024 * 1024) }, payload: HEADER })
    expect(big.statusCode).toBe(413)
    expect(big.json().field).toBe('body')
    expect(await juneRows()).toHaveLength(0)
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

  // Cells a spreadsheet would read as a formula, and quotes that are the author's own.
  const FORMULA_DESCRIPTIONS = ['=HYPERLINK("http://x","bấm")', '+84 912 345 678', '-5 độ C', '@admin xem', '\tthụt lề', '\rđầu CR', "'Tuấn nói", "'=đã có dấu nháy", "''+hai dấu"]
  const GUARDED = ['\'=HYPERLINK("http://x","bấm")', "'+84 912 345 678", "'-5 độ C", "'@admin xem", "'\tthụt lề", "'\rđầu CR", "'Tuấn nói", "''=đã có dấu nháy", "'''+hai dấu"]

  it('exports CSV that re-imports to the same records', async () => {
    expect((await importCsv(seed)).json().stored).toBe(3)
    const formulas = await t.inject({
      method: 'POST', url: '/api/incidents/import', headers: { 'content-type': 'application/geo+json' },
      payload: JSON.stringify({ type: 'FeatureCollection', features: FORMULA_DESCRIPTIONS.map((description, i) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [106.3313, 20.9409] }, properties: { category: 'other', severity: 1, occurred_at: `2018-06-25T10:0${i}:00+07:00`, description } })) })
    })
    expect(formulas.json()).toMatchObject({ stored: FORMULA_DESCRIPTIONS.length })
    const before = await juneRows()
    expect(before.map(r => r.description)).toEqual(expect.arrayContaining(FORMULA_DESCRIPTIONS))
    const res = await t.inject(`/api/incidents/export.csv?from=${FROM}&to=${TO}`)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/csv/)
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="incidents-.*\.csv"$/)
    expect(res.body.split('\r\n')[0]).toBe(`${HEADER},id,status,commune_code,province_code,h3`)
    // Read back by an independent CSV reader: every formula start carries the guard quote.
    const cells = parseCsv(res.body, { columns: true }) as { description: string }[]
    const exported = cells.filter(c => c.description !== undefined).map(c => c.description)
    expect(exported.slice(-FORMULA_DESCRIPTIONS.length)).toEqual(GUARDED)
    expect(res.body).toContain("\r\n106.3313,20.9409,other,1,2018-06-25T03:02:00.000Z,'-5 độ C,")
    await clearJune()
    expect(await juneRows()).toHaveLength(0)
    const again = await importCsv(res.body)
    expect(again.json()).toMatchObject({ stored: 3 + FORMULA_DESCRIPTIONS.length, rejected: [] })
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

describe('clients that stall or go away (PostgreSQL server)', () => {
  const IDLE_MS = 1_000
  let server: Awaited<ReturnType<typeof buildApp>>
  let port = 0
  let cookie = ''
  beforeAll(async () => {
    server = await buildApp({ db: t.db, geoDir: inject('geoDir'), bodyIdleTimeoutMs: IDLE_MS, checkResponses: true })
    await server.listen({ host: '127.0.0.1', port: 0 })
    port = (server.server.address() as AddressInfo).port
    cookie = await t.login('test.admin')
  })
  afterAll(async () => {
    // Every answer given over HTTP here matched its route's response schema.
    expect(server.responseViolations).toEqual([])
    await server.close()
  })

  const uploadHead = (length: number) =>
    `POST /api/incidents/import HTTP/1.1\r\nHost: x\r\nCookie: ${cookie}\r\nContent-Type: text/csv\r\nContent-Length: ${length}\r\n\r\n`

  it('answers a stalled upload 408 naming body after the idle time, stores nothing and closes', async () => {
    const conn = await rawConnection(port)
    const started = performance.now()
    conn.socket.write(uploadHead(100_000) + HEADER + '\n106.3313,20.9409,security,3,2018-06-02T21:15:00+07:00,dừng giữa chừng\n106.33')
    const answer = await conn.until(text => text.includes('\r\n\r\n{') && text.endsWith('}'), 10_000)
    const elapsed = performance.now() - started
    expect(answer).toMatch(/^HTTP\/1\.1 408 /)
    expect(answer.toLowerCase()).toContain('connection: close')
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: 'body_timeout', field: 'body' })
    expect(elapsed).toBeGreaterThanOrEqual(IDLE_MS - 50)
    await within(5_000, conn.closed, 'the server closes the connection')
    expect(await juneRows()).toHaveLength(0)
  })

  it('takes a slow upload whose bytes keep coming, for longer than the idle time', async () => {
    const body = Buffer.from([HEADER, ...Array.from({ length: 6 }, (_, i) => `106.3313,20.9409,other,1,2018-06-26T10:0${i}:00+07:00,chậm ${i}`)].join('\n') + '\n')
    const conn = await rawConnection(port)
    conn.socket.write(uploadHead(body.length))
    const pieces = 8
    const step = Math.ceil(body.length / pieces)
    for (let i = 0; i < pieces; i++) {
      await sleep(IDLE_MS * 0.4)
      conn.socket.write(body.subarray(i * step, (i + 1) * step))
    }
    const answer = await conn.until(text => text.includes('\r\n\r\n{') && text.endsWith('}'), 10_000)
    expect(answer).toMatch(/^HTTP\/1\.1 200 /)
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ stored: 6, rejected_count: 0 })
    conn.socket.destroy()
    expect(await juneRows()).toHaveLength(6)
  })

  /** Rows large enough that the export outgrows every socket buffer between server and a paused reader. */
  async function seedLargeExport () {
    const h3 = String(storedCellOf(106.3313, 20.9409))
    await t.sql`
      insert into incidents (province_code, commune_code, category, severity, occurred_at, description, geom, h3)
      select '31', '10525', 'other', 1, '2018-06-10T00:00:00Z'::timestamptz + n * interval '1 second', repeat('x', 3000),
             st_setsrid(st_makepoint(106.3313, 20.9409), 4326), ${h3}::bigint
      from generate_series(1, 8000) as n`
  }
  const exportInTransaction = async () => {
    const [{ n }] = await t.sql<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and xact_start is not null
        and query like '%st_x(i.geom) as lon%order by i.occurred_at, i.id%'`
    return n
  }
  const waitUntil = async (check: () => Promise<boolean>, timeoutMs: number) => {
    const end = Date.now() + timeoutMs
    while (Date.now() < end) { if (await check()) return true; await sleep(50) }
    return false
  }

  it('cuts an export whose reader reads nothing for the idle time and rolls its transaction back', async () => {
    await seedLargeExport()
    const conn = await rawConnection(port)
    conn.socket.write(`GET /api/incidents/export.csv?from=${FROM}&to=${TO} HTTP/1.1\r\nHost: x\r\nCookie: ${cookie}\r\n\r\n`)
    await conn.until(text => text.includes('\r\n\r\n'), 5_000)
    conn.socket.pause()
    // While the reader is stalled, the export's transaction is open (waiting on the socket) …
    expect(await waitUntil(async () => (await exportInTransaction()) === 1, 3_000)).toBe(true)
    // … the rest of the API answers …
    expect((await within(5_000, fetch(`http://127.0.0.1:${port}/api/incidents?province=31&from=${FROM}&to=${TO}&limit=1`, { headers: { cookie } }), 'GET /api/incidents')).status).toBe(200)
    // … and after the idle time the export stops and its transaction is gone.
    expect(await waitUntil(async () => (await exportInTransaction()) === 0, IDLE_MS + 4_000)).toBe(true)
    conn.socket.resume()
    await within(5_000, conn.closed, 'the cut connection ends')
    // A broken download: far fewer than the 8,000 rows of about 3 KB each.
    expect(conn.bytes()).toBeLessThan(8_000 * 3_000)
    expect(conn.text()).not.toMatch(/0\r\n\r\n$/)
  })

  it('finishes an export that takes longer than the statement timeout while its reader keeps up', async () => {
    await seedLargeExport()
    const strict = await buildApp({ db: t.db, geoDir: inject('geoDir'), bodyIdleTimeoutMs: 60_000, statementTimeoutMs: 300 })
    await strict.listen({ host: '127.0.0.1', port: 0 })
    try {
      const conn = await rawConnection((strict.server.address() as AddressInfo).port)
      conn.socket.write(`GET /api/incidents/export.csv?from=${FROM}&to=${TO} HTTP/1.1\r\nHost: x\r\nCookie: ${cookie}\r\nConnection: close\r\n\r\n`)
      await conn.until(text => text.includes('\r\n\r\n'), 5_000)
      // A reader that pauses (less than the idle time) keeps the cursor open past 300 ms.
      conn.socket.pause()
      await sleep(1_000)
      conn.socket.resume()
      await within(20_000, conn.closed, 'the export ends')
      const text = conn.text()
      expect(text).toMatch(/0\r\n\r\n$/) // the last chunk of a complete chunked body
      // Counted in the de-chunked body: a chunk boundary may fall inside a row.
      const rows = dechunkedBody(text).split('\r\n').filter(line => line.includes(',10525,31,'))
      expect(rows).toHaveLength(8_000)
    } finally { await strict.close() }
  })

  it('rolls the export back as soon as the client goes away, before any idle time', async () => {
    await seedLargeExport()
    const patient = await buildApp({ db: t.db, geoDir: inject('geoDir'), bodyIdleTimeoutMs: 60_000 })
    await patient.listen({ host: '127.0.0.1', port: 0 })
    try {
      const conn = await rawConnection((patient.server.address() as AddressInfo).port)
      conn.socket.write(`GET /api/incidents/export.geojson?from=${FROM}&to=${TO} HTTP/1.1\r\nHost: x\r\nCookie: ${cookie}\r\n\r\n`)
      await conn.until(text => text.includes('\r\n\r\n'), 5_000)
      conn.socket.pause()
      expect(await waitUntil(async () => (await exportInTransaction()) === 1, 3_000)).toBe(true)
      conn.socket.destroy()
      expect(await waitUntil(async () => (await exportInTransaction()) === 0, 5_000)).toBe(true)
    } finally { await patient.close() }
  })
})
