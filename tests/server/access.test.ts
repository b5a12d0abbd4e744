import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest'
import { testApp, ensureTestUsers, TEST_PASSWORD } from '../helpers/app.ts'
import { importCommunes } from '../../server/communes/import.ts'
import { geoPaths } from '../../server/config.ts'

type TestApp = Awaited<ReturnType<typeof testApp>>
let t: TestApp
const cookies: Record<string, string> = {}

// Places: commune 10525 (Phường Hải Dương) and 10507 (Phường Thành Đông) in Hải Phòng (31); a
// point in Huế (46). Found with point-in-polygon on the real boundaries.
const IN_10525 = { lon: 106.3313, lat: 20.9409 }
const IN_10507 = { lon: 106.3226, lat: 20.9566 }
const IN_HUE = { lon: 107.5905, lat: 16.4637 }
const WINDOW = 'from=2023-01-01&to=2023-02-01'
const ids: Record<string, number> = {}

async function create (as: string, place: { lon: number, lat: number }) {
  return t.injectAs(cookies[as]!, { method: 'POST', url: '/api/incidents', payload: { ...place, category: 'security', severity: 2, occurred_at: '2023-01-15T10:00:00+07:00', description: 'access test' } })
}

async function auditCount () {
  const [row] = await t.sql<{ n: number }[]>`select count(*)::int as n from audit_log`
  return row!.n
}

beforeAll(async () => {
  t = await testApp()
  const paths = geoPaths(inject('geoDir'))
  if ((await t.sql`select 1 from provinces where code = '46'`).length === 0) {
    await importCommunes(t.sql, paths.provinceWards('hue_wards_2025.geojson'), { attributesFile: paths.attributes, provincesFile: paths.provinces })
  }
  await ensureTestUsers(t.sql)
  for (const name of ['test.admin', 'test.province31', 'test.province46', 'test.commune10525', 'test.coordinator31']) cookies[name] = await t.login(name)
  for (const [key, place] of Object.entries({ c10525: IN_10525, c10507: IN_10507, hue: IN_HUE })) {
    const res = await create('test.admin', place)
    expect(res.statusCode, key).toBe(201)
    ids[key] = res.json().properties.id
  }
})
afterAll(async () => { await t.close() })

describe('anonymous requests', () => {
  it('get 401 everywhere but health and login', async () => {
    for (const url of ['/api/incidents', `/api/incidents/${ids.c10525}`, '/api/hexes?province=31', '/api/provinces', '/api/communes', '/api/auth/me', '/api/audit']) {
      const res = await t.injectAs(null, url)
      expect(res.statusCode, url).toBe(401)
      expect(res.json().error).toBe('unauthenticated')
    }
    expect((await t.injectAs(null, { method: 'POST', url: '/api/incidents', payload: { ...IN_10525, category: 'fire', severity: 2, occurred_at: '2023-01-01' } })).statusCode).toBe(401)
    expect((await t.injectAs('vnpm_session=forged-token', '/api/incidents')).statusCode).toBe(401)
    expect((await t.injectAs(null, '/api/health')).statusCode).toBe(200)
  })
})

describe('a commune police account (10525)', () => {
  const me = 'test.commune10525'
  it('reads its own commune and gets 404 for another commune\'s incident', async () => {
    expect((await t.injectAs(cookies[me]!, `/api/incidents/${ids.c10525}`)).statusCode).toBe(200)
    const other = await t.injectAs(cookies[me]!, `/api/incidents/${ids.c10507}`)
    expect(other.statusCode).toBe(404)
    expect(other.json().message).toBe(`incident ${ids.c10507} does not exist`)
  })

  it('sees none of another commune in lists and hexes', async () => {
    const list = (await t.injectAs(cookies[me]!, `/api/incidents?${WINDOW}&limit=5000`)).json()
    expect(list.features.length).toBeGreaterThan(0)
    expect(new Set(list.features.map((f: { properties: { commune_code: string } }) => f.properties.commune_code))).toEqual(new Set(['10525']))
    const hexes = (await t.injectAs(cookies[me]!, `/api/hexes?province=31&res=10&${WINDOW}`)).json()
    const adminHexes = (await t.inject(`/api/hexes?province=31&res=10&${WINDOW}`)).json()
    expect(hexes.total).toBe(list.features.length)
    expect(adminHexes.total).toBeGreaterThan(hexes.total)
    const rollup = (await t.injectAs(cookies[me]!, `/api/hexes?province=31&res=8&${WINDOW}`)).json()
    expect(rollup.source).toBe('rollup')
    expect(rollup.total).toBe(list.features.length)
    expect((await t.injectAs(cookies[me]!, `/api/hexes?commune=10507&${WINDOW}`)).statusCode).toBe(404)
    expect((await t.injectAs(cookies[me]!, '/api/hexes?province=46')).statusCode).toBe(404)
    expect((await t.injectAs(cookies[me]!, '/api/provinces')).json().map((p: { code: string }) => p.code)).toEqual(['31'])
  })

  it('gets 403 writing in another commune, 201 in its own', async () => {
    const before = await t.sql`select count(*)::int as n from incidents`
    const denied = await create(me, IN_10507)
    expect(denied.statusCode).toBe(403)
    expect(denied.json()).toMatchObject({ error: 'forbidden', field: 'lon,lat' })
    const after = await t.sql`select count(*)::int as n from incidents`
    expect(after[0]!.n).toBe(before[0]!.n)
    expect((await create(me, IN_10525)).statusCode).toBe(201)
  })
})

describe('a province command account (31)', () => {
  const me = 'test.province31'
  it('sees all its communes and none of another province', async () => {
    expect((await t.injectAs(cookies[me]!, `/api/incidents/${ids.c10507}`)).statusCode).toBe(200)
    expect((await t.injectAs(cookies[me]!, `/api/incidents/${ids.c10525}`)).statusCode).toBe(200)
    expect((await t.injectAs(cookies[me]!, `/api/incidents/${ids.hue}`)).statusCode).toBe(404)
    const list = (await t.injectAs(cookies[me]!, `/api/incidents?${WINDOW}&limit=5000`)).json()
    const communes = new Set(list.features.map((f: { properties: { commune_code: string } }) => f.properties.commune_code))
    expect(communes.has('10525') && communes.has('10507')).toBe(true)
    expect(list.features.every((f: { properties: { province_code: string } }) => f.properties.province_code === '31')).toBe(true)
    expect((await t.injectAs(cookies[me]!, '/api/hexes?province=46')).statusCode).toBe(404)
    expect((await t.injectAs(cookies[me]!, '/api/communes?province=46')).statusCode).toBe(404)
    expect((await create(me, IN_HUE)).statusCode).toBe(403)
    // The other province's command sees Huế's incident and not Hải Phòng's.
    expect((await t.injectAs(cookies['test.province46']!, `/api/incidents/${ids.hue}`)).statusCode).toBe(200)
    expect((await t.injectAs(cookies['test.province46']!, `/api/incidents/${ids.c10525}`)).statusCode).toBe(404)
  })
})

describe('roles', () => {
  it('refuse incident reports from a disaster coordinator', async () => {
    const res = await create('test.coordinator31', IN_10525)
    expect(res.statusCode).toBe(403)
    expect(res.json().error).toBe('forbidden')
  })

  it('give /api/auth/me the capabilities and jurisdiction of each account', async () => {
    const commune = (await t.injectAs(cookies['test.commune10525']!, '/api/auth/me')).json().user
    expect(commune).toMatchObject({ role: 'commune_police', commune_code: '10525', province_code: '31', capabilities: ['incidents:read', 'incidents:write', 'patrols:write'] })
    expect(commune.jurisdiction).toMatchObject({ kind: 'commune', code: '10525', name: 'Phường Hải Dương' })
    expect(commune.jurisdiction.bbox).toHaveLength(4)
    const admin = (await t.inject('/api/auth/me')).json().user
    expect(admin.jurisdiction.kind).toBe('national')
    expect(admin.capabilities).toContain('users:manage')
  })
})

describe('row-level security', () => {
  it('returns no rows to the application role without the per-request settings', async () => {
    const [owner] = await t.sql<{ n: number }[]>`select count(*)::int as n from incidents`
    expect(owner!.n).toBeGreaterThan(0)
    const counts = await t.sql.begin(async tx => {
      await tx`set local role vnpm_app`
      const rows = await tx<{ incidents: number, rollup: number, teams: number, audit: number }[]>`
        select (select count(*)::int from incidents) as incidents, (select count(*)::int from incident_rollup) as rollup,
               (select count(*)::int from teams) as teams, (select count(*)::int from audit_log) as audit`
      return rows[0]
    })
    expect(counts).toEqual({ incidents: 0, rollup: 0, teams: 0, audit: 0 })
  })

  it('keeps users and sessions out of the application role\'s reach', async () => {
    await expect(t.sql.begin(async tx => { await tx`set local role vnpm_app`; await tx`select password_hash from users` })).rejects.toMatchObject({ code: '42501' })
  })
})

describe('audit trail', () => {
  it('records exactly one row per write, in the same transaction, with who and where from', async () => {
    const before = await auditCount()
    const res = await create('test.commune10525', IN_10525)
    expect(res.statusCode).toBe(201)
    expect(await auditCount()).toBe(before + 1)
    const [row] = await t.sql<{ username: string, role: string, action: string, entity_id: string, after: { category: string }, request_id: string, client_address: string, commune_code: string }[]>`
      select * from audit_log order by id desc limit 1`
    expect(row).toMatchObject({ username: 'test.commune10525', role: 'commune_police', action: 'incident.create', entity_id: String(res.json().properties.id), commune_code: '10525' })
    expect(row!.after.category).toBe('security')
    expect(row!.request_id).toBeTruthy()
    expect(row!.client_address).toBeTruthy()
    // A refused write leaves no audit row.
    const refused = await auditCount()
    expect((await create('test.commune10525', IN_10507)).statusCode).toBe(403)
    expect(await auditCount()).toBe(refused)
  })

  it('refuses UPDATE and DELETE from the application role', async () => {
    for (const statement of ['update audit_log set action = \'tampered\'', 'delete from audit_log']) {
      await expect(t.sql.begin(async tx => {
        await tx`select set_config('app.scope', 'national', true), set_config('app.role', 'admin', true)`
        await tx`set local role vnpm_app`
        await tx.unsafe(statement)
      })).rejects.toMatchObject({ code: '42501' })
    }
    expect((await t.sql`select count(*)::int as n from audit_log where action = 'tampered'`)[0]!.n).toBe(0)
  })

  it('is readable by admins (all) and province commands (their province), not by commune police', async () => {
    const admin = (await t.inject('/api/audit?limit=1000')).json().entries
    expect(admin.some((e: { province_code: string }) => e.province_code === '46')).toBe(true)
    const province = (await t.injectAs(cookies['test.province31']!, '/api/audit?limit=1000')).json().entries
    expect(province.length).toBeGreaterThan(0)
    expect(province.every((e: { province_code: string }) => e.province_code === '31')).toBe(true)
    expect((await t.injectAs(cookies['test.commune10525']!, '/api/audit')).statusCode).toBe(403)
  })
})

describe('sign-in', () => {
  it('slows a client without a device token after five wrong passwords: 429 with Retry-After, for the right password too', async () => {
    const from = (remoteAddress: string, password: string) =>
      t.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress, payload: { username: 'test.coordinator31', password } })
    const statuses: number[] = []
    let last
    for (let i = 0; i < 6; i++) {
      last = await from('192.0.2.10', `wrong ${i}`)
      statuses.push(last.statusCode)
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429])
    expect(last!.json().error).toBe('too_many_attempts')
    expect(Number(last!.headers['retry-after'])).toBe(30)
    // The delay is the account's, for every client that has not signed in to it before.
    expect((await from('192.0.2.11', TEST_PASSWORD)).statusCode).toBe(429)
  })

  it('never locks an account: ten failures in a row leave a browser that signed in before able to sign in', async () => {
    const first = await t.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: '192.0.2.20', payload: { username: 'test.province46', password: TEST_PASSWORD } })
    const device = first.cookies.find(c => c.name === 'vnpm_device')!
    expect(device).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/auth' })
    for (let i = 0; i < 10; i++) {
      const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: '192.0.2.21', payload: { username: 'test.province46', password: `wrong ${i}` } })
      expect([401, 429]).toContain(res.statusCode)
    }
    const again = await t.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: '192.0.2.20', cookies: { vnpm_device: device.value }, payload: { username: 'test.province46', password: TEST_PASSWORD } })
    expect(again.statusCode).toBe(200)
  })

  it('gives devices a bearer token, ends sessions on logout, and changes passwords', async () => {
    const login = await t.injectAs(null, { method: 'POST', url: '/api/auth/login', payload: { username: 'test.province31', password: TEST_PASSWORD, kind: 'bearer' } })
    const token = login.json().token as string
    expect(login.cookies).toEqual([])
    const bearer = { authorization: `Bearer ${token}` }
    expect((await t.injectAs(null, { url: '/api/auth/me', headers: bearer })).statusCode).toBe(200)

    const cookie = await t.login('test.province31')
    const short = await t.injectAs(cookie, { method: 'POST', url: '/api/auth/password', payload: { current_password: TEST_PASSWORD, new_password: 'short' } })
    expect(short.statusCode).toBe(400)
    expect(short.json().field).toBe('new_password')
    const wrong = await t.injectAs(cookie, { method: 'POST', url: '/api/auth/password', payload: { current_password: 'not it', new_password: 'a much longer password' } })
    expect(wrong.statusCode).toBe(401)
    const before = await auditCount()
    const changed = await t.injectAs(cookie, { method: 'POST', url: '/api/auth/password', payload: { current_password: TEST_PASSWORD, new_password: 'a much longer password' } })
    expect(changed.statusCode).toBe(204)
    expect(await auditCount()).toBe(before + 1)
    // The device signed in with the old password is signed out; this session goes on.
    expect((await t.injectAs(null, { url: '/api/auth/me', headers: bearer })).statusCode).toBe(401)
    expect((await t.injectAs(cookie, '/api/auth/me')).statusCode).toBe(200)
    await expect(t.login('test.province31')).rejects.toThrow(/401/)
    expect(await t.login('test.province31', 'a much longer password')).toMatch(/^vnpm_session=/)
    // Put it back for the other tests.
    await t.injectAs(cookie, { method: 'POST', url: '/api/auth/password', payload: { current_password: 'a much longer password', new_password: TEST_PASSWORD } })

    expect((await t.injectAs(cookie, { method: 'POST', url: '/api/auth/logout' })).statusCode).toBe(204)
    expect((await t.injectAs(cookie, '/api/auth/me')).statusCode).toBe(401)
  })

  it('ends a session once it expires, and slides the expiry of one in use', async () => {
    const cookie = await t.login('test.admin')
    const token = cookie.split('=')[1]!
    const { tokenHash } = await import('../../server/auth/repository.ts')
    await t.sql`update sessions set last_seen_at = now() - interval '2 minutes', expires_at = now() + interval '1 minute' where token_hash = ${tokenHash(token)}`
    expect((await t.injectAs(cookie, '/api/auth/me')).statusCode).toBe(200)
    const [slid] = await t.sql<{ hours: number }[]>`select extract(epoch from expires_at - now()) / 3600 as hours from sessions where token_hash = ${tokenHash(token)}`
    expect(Number(slid!.hours)).toBeGreaterThan(11)
    await t.sql`update sessions set expires_at = now() - interval '1 second' where token_hash = ${tokenHash(token)}`
    expect((await t.injectAs(cookie, '/api/auth/me')).statusCode).toBe(401)
  })

  it('sets a HttpOnly, SameSite=Strict cookie and security headers, and no CORS headers', async () => {
    const login = await t.injectAs(null, { method: 'POST', url: '/api/auth/login', payload: { username: 'test.admin', password: TEST_PASSWORD } })
    const setCookie = String(login.headers['set-cookie'])
    expect(setCookie).toMatch(/HttpOnly/)
    expect(setCookie).toMatch(/SameSite=Strict/)
    const res = await t.inject({ url: '/api/health', headers: { origin: 'https://evil.example' } })
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/)
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['access-control-allow-origin']).toBeUndefined()
  })
})
