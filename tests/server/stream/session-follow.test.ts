import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { buildApp } from '../../../server/app.ts'
import { accountRepository } from '../../../server/auth/repository.ts'
import { hashPassword } from '../../../server/auth/passwords.ts'
import type { Role } from '../../../server/domain/roles.ts'
import { endReasonOf } from '../../../server/stream/session-watch.ts'
import { testApp, TEST_PASSWORD } from '../../helpers/app.ts'
import { openStream, type Frame } from '../../helpers/sse.ts'

// Issue 11, part 8: GET /api/stream kept delivering after logout, a password change or a role
// change, and a user could hold any number of streams open.

type TestApp = Awaited<ReturnType<typeof testApp>>
let t: TestApp
let app: Awaited<ReturnType<typeof buildApp>>
let base: string

/** This file's server re-checks sessions every CHECK_MS and allows MAX_PER_USER streams a user. */
const CHECK_MS = 200
const MAX_PER_USER = 3
/** A check has surely run by then (a few intervals, on a loaded machine). */
const CLOSE_WITHIN_MS = 3000

// Users of this file only: their roles and passwords change here.
const USERS: { username: string, role: Role, commune_code?: string, province_code?: string }[] = [
  { username: 'stream.logout', role: 'commune_police', commune_code: '10525' },
  { username: 'stream.password', role: 'commune_police', commune_code: '10525' },
  { username: 'stream.role', role: 'commune_police', commune_code: '10525' },
  { username: 'stream.disabled', role: 'commune_police', commune_code: '10525' },
  { username: 'stream.expired', role: 'commune_police', commune_code: '10525' },
  { username: 'stream.many', role: 'province_command', province_code: '31' },
  { username: 'stream.steady', role: 'province_command', province_code: '31' }
]

async function login (username: string, password = TEST_PASSWORD): Promise<string> {
  const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) })
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`)
  const cookie = res.headers.getSetCookie().find(c => c.startsWith('vnpm_session='))!
  return cookie.split(';')[0]!
}

async function opened (cookie: string) {
  const stream = await openStream(base, cookie)
  expect(stream.response.status).toBe(200)
  await stream.waitFor(f => f.retry !== undefined)
  return stream
}

const isEnd = (f: Frame) => f.event === 'session_ended'
const reasonOf = (f: Frame) => (JSON.parse(f.data!) as { reason: string }).reason

/** Waits for the session_ended frame and for the server to close the stream after it. */
async function endedWith (stream: Awaited<ReturnType<typeof opened>>, timeoutMs = CLOSE_WITHIN_MS) {
  const frame = await stream.waitFor(isEnd, timeoutMs)
  await stream.done
  expect(stream.ended()).toBe(true)
  // It is the last frame: nothing after it.
  expect(stream.frames.at(-1)).toBe(frame)
  return reasonOf(frame)
}

beforeAll(async () => {
  t = await testApp()
  const accounts = accountRepository(t.sql)
  const hash = await hashPassword(TEST_PASSWORD)
  for (const user of USERS) {
    await t.sql`delete from users where username = ${user.username}`
    await accounts.create({ ...user, full_name: `Stream ${user.username}`, password_hash: hash })
  }
  app = await buildApp({ db: t.db, geoDir: inject('geoDir'), streamSessionCheckMs: CHECK_MS, streamMaxPerUser: MAX_PER_USER })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (!address || typeof address === 'string') throw new Error('no TCP address')
  base = `http://127.0.0.1:${address.port}`
})
afterAll(async () => {
  await app?.close()
  await t?.close()
})

describe('GET /api/stream follows its session', () => {
  it('closes with session_ended "logout" after the session signs out', async () => {
    const cookie = await login('stream.logout')
    const stream = await opened(cookie)
    const started = performance.now()
    const logout = await fetch(`${base}/api/auth/logout`, { method: 'POST', headers: { cookie } })
    expect(logout.status).toBe(204)
    expect(await endedWith(stream)).toBe('logout')
    expect(performance.now() - started).toBeLessThan(CLOSE_WITHIN_MS)
    // And it cannot be opened again with that cookie.
    expect((await fetch(`${base}/api/stream`, { headers: { cookie } })).status).toBe(401)
  })

  it('closes every stream of the user after a password change, and a new one opens with the session kept', async () => {
    const changer = await login('stream.password')
    const otherDevice = await login('stream.password')
    const own = await opened(changer)
    const other = await opened(otherDevice)
    const res = await fetch(`${base}/api/auth/password`, {
      method: 'POST', headers: { cookie: changer, 'content-type': 'application/json' },
      body: JSON.stringify({ current_password: TEST_PASSWORD, new_password: 'a new and longer passphrase' })
    })
    expect(res.status).toBe(204)
    expect(await endedWith(other)).toBe('password_changed')
    expect(await endedWith(own)).toBe('password_changed')

    // The session that changed the password is still signed in: its new stream stays open.
    const again = await opened(changer)
    try {
      await new Promise(resolve => setTimeout(resolve, 4 * CHECK_MS))
      expect(again.ended()).toBe(false)
      expect(again.frames.some(isEnd)).toBe(false)
    } finally {
      await again.close()
    }
    expect((await fetch(`${base}/api/stream`, { headers: { cookie: otherDevice } })).status).toBe(401)
  })

  it('closes with "role_changed" after the role or jurisdiction is changed in SQL', async () => {
    const stream = await opened(await login('stream.role'))
    await t.sql`update users set role = 'province_command', commune_code = null, province_code = '31' where username = 'stream.role'`
    expect(await endedWith(stream)).toBe('role_changed')
  })

  it('closes with "disabled" when the account is disabled, and "expired" when the session expires', async () => {
    const disabled = await opened(await login('stream.disabled'))
    const expired = await opened(await login('stream.expired'))
    await t.sql`update users set disabled_at = now() where username = 'stream.disabled'`
    await t.sql`update sessions set expires_at = now() - interval '1 second' where user_id = (select id from users where username = 'stream.expired')`
    expect(await endedWith(disabled)).toBe('disabled')
    expect(await endedWith(expired)).toBe('expired')
  })

  it('keeps a stream whose session is unchanged open, delivering events, across many checks', async () => {
    const cookie = await login('stream.steady')
    const stream = await opened(cookie)
    try {
      await new Promise(resolve => setTimeout(resolve, 5 * CHECK_MS))
      const created = await fetch(`${base}/api/incidents`, {
        method: 'POST', headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ lon: 106.3313, lat: 20.9409, category: 'security', severity: 2, occurred_at: '2021-04-01T09:00:00+07:00', description: 'steady stream' })
      })
      expect(created.status).toBe(201)
      const id = (await created.json()).properties.id as number
      await stream.waitFor(f => f.event === 'incident.created' && JSON.parse(f.data!).incident.id === id)
      expect(stream.ended()).toBe(false)
      expect(stream.frames.some(isEnd)).toBe(false)
    } finally {
      await stream.close()
    }
  })

  it(`holds at most ${MAX_PER_USER} streams a user: one more closes the oldest with "too_many_streams"`, async () => {
    const cookies = [await login('stream.many'), await login('stream.many')]
    const streams = []
    for (let i = 0; i < MAX_PER_USER; i++) streams.push(await opened(cookies[i % 2]!))
    const bystander = await opened(await login('stream.steady'))
    try {
      expect(app.sessionEvents.openCount(String((await t.sql`select id from users where username = 'stream.many'`)[0]!.id))).toBe(MAX_PER_USER)
      const newest = await opened(cookies[1]!)
      streams.push(newest)
      // The oldest goes at once, not at the next check.
      expect(await endedWith(streams[0]!, 1000)).toBe('too_many_streams')
      await new Promise(resolve => setTimeout(resolve, 3 * CHECK_MS))
      for (const stream of streams.slice(1)) expect(stream.ended()).toBe(false)
      // Other users' streams are not counted.
      expect(bystander.ended()).toBe(false)

      // Each further one closes the then oldest.
      streams.push(await opened(cookies[0]!))
      expect(await endedWith(streams[1]!, 1000)).toBe('too_many_streams')
      expect(streams[2]!.ended()).toBe(false)
    } finally {
      for (const stream of [...streams, bystander]) await stream.close()
    }
  })

  it('ends a session\'s streams at once when this process reports the logout (app.sessionEvents)', async () => {
    const cookie = await login('stream.steady')
    const stream = await opened(cookie)
    const started = performance.now()
    app.sessionEvents.sessionEnded(decodeURIComponent(cookie.slice('vnpm_session='.length)), 'logout')
    expect(await endedWith(stream, 1000)).toBe('logout')
    // Well before the periodic check could have found anything (the session still exists).
    expect(performance.now() - started).toBeLessThan(CHECK_MS)
  })
})

describe('endReasonOf', () => {
  const user = { id: '1', username: 'a.b', full_name: 'A', role: 'commune_police' as const, province_code: '31', commune_code: '10525', team_id: null }
  const baseline = { passwordChangedAt: '1700000000000000' }
  const live = { hash: 'ab', user_id: '1', disabled: false, role: 'commune_police', province_code: '31', commune_code: '10525', team_id: null, password_changed_at: '1700000000000000', has_session: true, expired: false }
  it('names the first change that applies, and null when nothing changed', () => {
    expect(endReasonOf({ user, baseline }, live)).toBeNull()
    expect(endReasonOf({ user, baseline }, undefined)).toBe('disabled')
    expect(endReasonOf({ user, baseline }, { ...live, disabled: true, has_session: false })).toBe('disabled')
    expect(endReasonOf({ user, baseline }, { ...live, password_changed_at: '1700000000000001', has_session: false })).toBe('password_changed')
    expect(endReasonOf({ user, baseline }, { ...live, commune_code: '10507' })).toBe('role_changed')
    expect(endReasonOf({ user, baseline }, { ...live, role: 'team_member', team_id: '4' })).toBe('role_changed')
    expect(endReasonOf({ user, baseline }, { ...live, has_session: false })).toBe('logout')
    expect(endReasonOf({ user, baseline }, { ...live, expired: true })).toBe('expired')
  })
})
