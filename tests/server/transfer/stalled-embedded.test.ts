import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { geoPaths } from '../../../server/config.ts'
import { openDatabase, type Database } from '../../../server/db/connection.ts'
import { migrate } from '../../../server/db/migrate.ts'
import { importCommunes } from '../../../server/communes/import.ts'
import { buildApp } from '../../../server/app.ts'
import { storedCellOf } from '../../../server/h3/cells.ts'
import { ensureTestUsers, TEST_PASSWORD } from '../../helpers/app.ts'
import { rawConnection, sleep, within } from './raw-http.ts'

// The embedded database has ONE connection for every request: a transaction that waits on a client
// stops the whole dashboard. This file holds a stalled upload and a stalled export open on it and
// asks for other things meanwhile. One commune only, so the database is quick to make.
const IDLE_MS = 1_500
/** A liveness bound only a blocked server would reach, not a speed test. */
const LIVE_MS = 5_000
const ROWS = 8_000
const DESCRIPTION_CHARS = 3_000

describe('embedded database: stalled clients do not block other requests', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vnpm-stalled-'))
  let db: Database
  let app: Awaited<ReturnType<typeof buildApp>>
  let port = 0
  let cookie = ''
  const count = async () => (await db.sql<{ n: number }[]>`select count(*)::int as n from incidents`)[0]!.n

  beforeAll(async () => {
    db = await openDatabase({ databaseUrl: undefined, pgliteDir: join(dir, 'pglite') })
    await migrate(db.sql)
    const paths = geoPaths(inject('geoDir'))
    const all = JSON.parse(readFileSync(paths.provinceWards('haiphong_wards_2025.geojson'), 'utf8')) as { features: { properties: { code: string } }[] }
    const one = join(dir, 'one-commune.geojson')
    writeFileSync(one, JSON.stringify({ type: 'FeatureCollection', features: all.features.filter(f => f.properties.code === '10525') }))
    await importCommunes(db.sql, one, { attributesFile: paths.attributes, provincesFile: paths.provinces })
    await ensureTestUsers(db.sql)
    // Enough text that the export outgrows every socket buffer between the server and a paused reader.
    await db.sql`
      insert into incidents (province_code, commune_code, category, severity, occurred_at, description, geom, h3)
      select '31', '10525', 'other', 1, '2020-01-01T00:00:00Z'::timestamptz + n * interval '1 minute', repeat('x', ${DESCRIPTION_CHARS}),
             st_setsrid(st_makepoint(106.3313, 20.9409), 4326), ${String(storedCellOf(106.3313, 20.9409))}::bigint
      from generate_series(1, ${ROWS}) as n`
    app = await buildApp({ db, geoDir: inject('geoDir'), bodyIdleTimeoutMs: IDLE_MS, checkResponses: true })
    await app.listen({ host: '127.0.0.1', port: 0 })
    port = (app.server.address() as AddressInfo).port
    const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'test.admin', password: TEST_PASSWORD } })
    expect(login.statusCode).toBe(200)
    cookie = `vnpm_session=${login.cookies.find(c => c.name === 'vnpm_session')!.value}`
  }, 400_000)

  afterAll(async () => {
    await app?.close()
    await db?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const get = (path: string) => within(LIVE_MS, fetch(`http://127.0.0.1:${port}${path}`, { headers: { cookie } }), `GET ${path}`)

  it('answers other requests while an upload and an export stall, then cuts both after the idle time', async () => {
    expect(db.backend).toBe('embedded')
    const before = await count()

    // An upload that sent its headers and part of its body, then nothing.
    const upload = await rawConnection(port)
    const uploadStarted = performance.now()
    upload.socket.write(`POST /api/incidents/import HTTP/1.1\r\nHost: x\r\nCookie: ${cookie}\r\nContent-Type: text/csv\r\nContent-Length: 100000\r\n\r\n` +
      'lon,lat,category,severity,occurred_at,description\n106.3313,20.9409,security,3,2020-02-01T10:00:00+07:00,treo\n106.33')

    // An export whose reader takes the first bytes, then reads nothing.
    const download = await rawConnection(port)
    download.socket.write(`GET /api/incidents/export.csv HTTP/1.1\r\nHost: x\r\nCookie: ${cookie}\r\n\r\n`)
    await download.until(text => text.includes('\r\n\r\n'), LIVE_MS)
    download.socket.pause()
    await sleep(300)

    // Meanwhile the dashboard answers, over the same single database connection.
    const hexes = await get('/api/hexes?province=31&res=7')
    expect(hexes.status).toBe(200)
    expect((await hexes.json()).total).toBe(before)
    expect((await get('/api/incidents?commune=10525&limit=5')).status).toBe(200)
    expect((await get('/api/health')).status).toBe(200)

    // The stalled upload gets 408 naming body once the idle time has passed, and is closed; nothing stored.
    const answer = await upload.until(text => text.includes('\r\n\r\n{') && text.endsWith('}'), IDLE_MS + LIVE_MS)
    expect(performance.now() - uploadStarted).toBeGreaterThanOrEqual(IDLE_MS - 50)
    expect(answer).toMatch(/^HTTP\/1\.1 408 /)
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: 'body_timeout', field: 'body' })
    await within(LIVE_MS, upload.closed, 'the stalled upload is closed')
    expect(await count()).toBe(before)

    // The stalled export is cut: resumed after the idle time, the reader gets a broken download.
    await sleep(IDLE_MS + 500)
    download.socket.resume()
    await within(LIVE_MS, download.closed, 'the stalled export is closed')
    expect(download.bytes()).toBeLessThan(ROWS * DESCRIPTION_CHARS)
    expect((await get('/api/hexes?province=31&res=7')).status).toBe(200)
  }, 60_000)

  it('pages the embedded export: every matching row once, oldest first, across page boundaries', async () => {
    const from = '2020-01-02T00:00:00Z'
    const to = '2020-01-06T12:00:00Z'
    const expected = await db.sql<{ id: bigint }[]>`
      select id from incidents where commune_code = '10525' and occurred_at >= ${from} and occurred_at < ${to} order by occurred_at, id`
    expect(expected.length).toBeGreaterThan(5_000) // more than one page
    const res = await app.inject({ url: `/api/incidents/export.csv?commune=10525&from=${from}&to=${to}`, headers: { cookie } })
    expect(res.statusCode).toBe(200)
    const lines = res.body.trimEnd().split('\r\n').slice(1)
    expect(lines.map(line => line.split(',')[6])).toEqual(expected.map(r => String(r.id)))
    expect(app.responseViolations).toEqual([])
  }, 60_000)
})
