import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { testApp, TEST_PASSWORD } from '../../helpers/app.ts'
import { buildApp } from '../../../server/app.ts'
import { hashPassword } from '../../../server/auth/passwords.ts'

type TestApp = Awaited<ReturnType<typeof testApp>>
let t: TestApp
const OWNERS = ['throttle.owner', 'throttle.known', 'throttle.bearer', 'throttle.typist', 'throttle.changer', 'throttle.proxied', 'throttle.timing']

beforeAll(async () => {
  t = await testApp()
  const hash = await hashPassword(TEST_PASSWORD)
  for (const username of OWNERS) {
    if (!(await t.app.accounts.findByUsername(username))) await t.app.accounts.create({ username, role: 'commune_police', commune_code: '10525', full_name: username, password_hash: hash })
  }
})
afterAll(async () => { await t.close() })

/** POST /api/auth/login from an address, with optional cookies and headers. */
function login (username: string, password: string, remoteAddress: string, extra: Partial<InjectOptions> = {}) {
  return t.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress, payload: { username, password, ...(extra.payload as object ?? {}) }, cookies: extra.cookies, headers: extra.headers })
}

const statusesOf = (responses: LightMyRequestResponse[]) => responses.map(r => r.statusCode)
const count = (statuses: number[], status: number) => statuses.filter(s => s === status).length

describe('sign-in throttling (device tokens)', () => {
  it('lets the owner back in from a browser that signed in before, after 10 parallel wrong passwords from one address', async () => {
    // The owner signs in once from their browser, which keeps its cookies.
    const first = await login('throttle.owner', TEST_PASSWORD, '198.51.100.10')
    expect(first.statusCode).toBe(200)
    const jar = Object.fromEntries(first.cookies.map(c => [c.name, c.value]))
    expect(Object.keys(jar).sort()).toEqual(['vnpm_device', 'vnpm_session'])

    // A stranger on one address: ten wrong passwords at once. None is a 5xx or a 423.
    const burst = statusesOf(await Promise.all(Array.from({ length: 10 }, (_, i) => login('throttle.owner', `wrong guess ${i}`, '203.0.113.66'))))
    expect(count(burst, 401) + count(burst, 429)).toBe(10)
    // At most two hashes at once per address: the rest were refused before hashing.
    expect(count(burst, 401)).toBeGreaterThanOrEqual(2)
    expect(count(burst, 401)).toBeLessThanOrEqual(5)
    // The stranger keeps going until the account is slowed for clients it does not know.
    let slowed: LightMyRequestResponse | undefined
    for (let i = 0; i < 10 && !slowed; i++) {
      const res = await login('throttle.owner', `more guesses ${i}`, '203.0.113.66')
      if (res.statusCode === 429 && !res.json().message.includes('at once')) slowed = res
      else expect([401, 429]).toContain(res.statusCode)
    }
    expect(slowed).toBeDefined()
    expect(Number(slowed!.headers['retry-after'])).toBeGreaterThanOrEqual(30)

    // The owner's browser, cookies kept, gets straight in with the right password: from their own
    // address and even from the stranger's (one office NAT).
    for (const address of ['198.51.100.10', '203.0.113.66']) {
      const again = await login('throttle.owner', TEST_PASSWORD, address, { cookies: jar })
      expect(again.statusCode, address).toBe(200)
    }
    // A fresh client (no device cookie) with the right password is slowed like the stranger.
    const fresh = await login('throttle.owner', TEST_PASSWORD, '192.0.2.200')
    expect(fresh.statusCode).toBe(429)
    expect(Number(fresh.headers['retry-after'])).toBeGreaterThan(0)
    // A device cookie signed for another account, or a forged one, does not help.
    const other = await login('throttle.known', TEST_PASSWORD, '192.0.2.201')
    const otherDevice = other.cookies.find(c => c.name === 'vnpm_device')!.value
    expect((await login('throttle.owner', TEST_PASSWORD, '192.0.2.201', { cookies: { vnpm_device: otherDevice } })).statusCode).toBe(429)
    const forged = jar.vnpm_device!.replace(/.$/, c => (c === 'A' ? 'B' : 'A'))
    expect((await login('throttle.owner', TEST_PASSWORD, '192.0.2.201', { cookies: { vnpm_device: forged } })).statusCode).toBe(429)
  })

  it('answers unknown usernames exactly as known ones, in about the same time', async () => {
    const run = async (username: string, address: string) => {
      const statuses: number[] = []
      const bodies: string[] = []
      for (let i = 0; i < 7; i++) {
        const res = await login(username, `wrong ${i}`, address)
        statuses.push(res.statusCode)
        bodies.push(`${res.json().error} ${res.headers['retry-after'] ?? ''}`)
      }
      return { statuses, bodies }
    }
    const known = await run('throttle.known', '192.0.2.50')
    const unknown = await run('no.such.user', '192.0.2.51')
    expect(known.statuses).toEqual([401, 401, 401, 401, 401, 429, 429])
    expect(unknown).toEqual(known)
    const burstKnown = statusesOf(await Promise.all(Array.from({ length: 6 }, () => login('throttle.known', 'x', '192.0.2.52'))))
    const burstUnknown = statusesOf(await Promise.all(Array.from({ length: 6 }, () => login('no.such.user', 'x', '192.0.2.53'))))
    expect(burstUnknown.sort()).toEqual(burstKnown.sort())

    // Time: the median of five wrong passwords each (fresh addresses, fresh names, so no throttle
    // answers). Both run one hash; a lock answered without one was ~100× faster.
    const median = async (username: string, base: number) => {
      const times: number[] = []
      for (let i = 0; i < 5; i++) {
        const started = performance.now()
        const res = await login(username, 'wrong', `192.0.2.${base + i}`)
        times.push(performance.now() - started)
        expect(res.statusCode).toBe(401)
      }
      return times.sort((a, b) => a - b)[2]!
    }
    const knownMs = await median('throttle.timing', 100)
    const unknownMs = await median('nobody.at.all', 110)
    expect(unknownMs / knownMs).toBeGreaterThan(1 / 3)
    expect(unknownMs / knownMs).toBeLessThan(3)
  })

  it('gives bearer devices a device token to send back as X-Device-Token', async () => {
    const first = await login('throttle.bearer', TEST_PASSWORD, '198.51.100.30', { payload: { kind: 'bearer' } })
    expect(first.statusCode).toBe(200)
    const { token, device_token: deviceToken } = first.json()
    expect(token).toBeTruthy()
    expect(deviceToken).toMatch(/^d1\./)
    expect(first.cookies).toEqual([])
    for (let i = 0; i < 8; i++) await login('throttle.bearer', `wrong ${i}`, `203.0.113.${100 + i}`)
    expect((await login('throttle.bearer', TEST_PASSWORD, '198.51.100.31', { payload: { kind: 'bearer' } })).statusCode).toBe(429)
    const again = await login('throttle.bearer', TEST_PASSWORD, '198.51.100.31', { payload: { kind: 'bearer' }, headers: { 'x-device-token': deviceToken } })
    expect(again.statusCode).toBe(200)
  })

  it('distrusts a device after its own five failures (the token of a stolen laptop is no master key)', async () => {
    const first = await login('throttle.typist', TEST_PASSWORD, '198.51.100.40')
    const jar = Object.fromEntries(first.cookies.map(c => [c.name, c.value]))
    // A stranger's failures first, so that the account is slowed for untrusted clients.
    for (let i = 0; i < 6; i++) await login('throttle.typist', `stranger ${i}`, `203.0.113.${150 + i}`)
    const own = statusesOf(await Promise.all([0, 1, 2, 3, 4].map(async i => {
      await new Promise(resolve => setTimeout(resolve, i * 5))
      return login('throttle.typist', `typo ${i}`, '198.51.100.40', { cookies: jar })
    })))
    // Two at once per device; the rest are asked to retry in a second.
    expect(count(own, 401)).toBeGreaterThanOrEqual(2)
    for (let i = 0; i < 5; i++) await login('throttle.typist', `typo again ${i}`, '198.51.100.40', { cookies: jar })
    const locked = await login('throttle.typist', TEST_PASSWORD, '198.51.100.40', { cookies: jar })
    expect(locked.statusCode).toBe(429)
  })

  it('throttles password changes the same way', async () => {
    const cookie = await t.login('throttle.changer')
    const change = (current: string, remoteAddress: string) => t.app.inject({
      method: 'POST', url: '/api/auth/password', remoteAddress, headers: { cookie },
      payload: { current_password: current, new_password: 'a brand new password' }
    })
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) statuses.push((await change(`not it ${i}`, `192.0.2.${60 + i}`)).statusCode)
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429])
    // The right password waits too: whoever holds a session cannot guess on.
    expect((await change(TEST_PASSWORD, '192.0.2.70')).statusCode).toBe(429)
    const parallel = statusesOf(await Promise.all(Array.from({ length: 6 }, (_, i) => change(`parallel ${i}`, '192.0.2.71'))))
    expect(parallel.every(s => s === 429)).toBe(true)
  })
})

describe('TRUST_PROXY', () => {
  it('throttles per client behind a trusted proxy, and per proxy without it', async () => {
    const db = t.db
    const behind = await buildApp({ db, geoDir: inject('geoDir'), trustProxy: ['127.0.0.1'] })
    const direct = await buildApp({ db, geoDir: inject('geoDir') })
    try {
      const burst = (app: typeof behind, username: string) => Promise.all(Array.from({ length: 10 }, (_, i) => app.inject({
        method: 'POST', url: '/api/auth/login', headers: { 'x-forwarded-for': `203.0.113.${200 + i}` },
        payload: { username, password: 'wrong' }
      })))
      // Ten clients behind the proxy: each may hash, and the account's five free failures are
      // reserved atomically: exactly five reach the hash, however the ten interleave.
      const viaProxy = statusesOf(await burst(behind, 'throttle.proxied'))
      expect(count(viaProxy, 401)).toBe(5)
      expect(count(viaProxy, 429)).toBe(5)
      // Without TRUST_PROXY they are one address (the proxy's): two hashes at a time.
      const asOne = await burst(direct, 'throttle.proxied.unknown')
      expect(count(statusesOf(asOne), 401)).toBeLessThanOrEqual(5)
      expect(asOne.some(r => r.statusCode === 429 && r.json().message.includes('at once'))).toBe(true)
    } finally {
      await behind.close()
      await direct.close()
    }
  })
})
