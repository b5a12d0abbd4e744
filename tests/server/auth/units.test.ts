import { describe, expect, it } from 'vitest'
import { LoginThrottle, THROTTLE_POLICY, type AttemptRequest } from '../../../server/auth/throttle.ts'
import { deviceTokenSigner, splitDeviceTokens, withDeviceToken } from '../../../server/auth/device-tokens.ts'
import { hashPassword, verifyPassword } from '../../../server/auth/passwords.ts'
import { scopeOf, type SessionUser } from '../../../server/domain/roles.ts'

/** A throttle on a clock the test moves. */
function throttleAt (t0: number) {
  const clock = { now: t0 }
  return { clock, throttle: new LoginThrottle(THROTTLE_POLICY, () => clock.now) }
}

/** Reserves and finishes at once; the status a sign-in would answer (a wrong password: 401). */
function tryOnce (throttle: LoginThrottle, request: AttemptRequest, outcome: 'success' | 'failure' = 'failure') {
  const reservation = throttle.reserve(request)
  if (!reservation.ok) return { status: 429, retryAfter: reservation.retryAfterSeconds, reason: reservation.reason }
  reservation.attempt.finish(outcome)
  return { status: outcome === 'failure' ? 401 : 200, retryAfter: 0, reason: null }
}

describe('LoginThrottle', () => {
  const stranger = (account: string, address = '203.0.113.9'): AttemptRequest => ({ address, account, device: null })

  it('gives an untrusted client five free failures per account, then delays that double from 30 s', () => {
    const { clock, throttle } = throttleAt(1_000_000)
    for (let i = 0; i < 5; i++) expect(tryOnce(throttle, stranger('an')).status).toBe(401)
    expect(tryOnce(throttle, stranger('an'))).toEqual({ status: 429, retryAfter: 30, reason: 'failures' })
    // A new address does not help: the delay belongs to the account.
    expect(tryOnce(throttle, stranger('an', '198.51.100.1')).retryAfter).toBe(30)
    clock.now += 30_000
    expect(tryOnce(throttle, stranger('an')).status).toBe(401)
    expect(tryOnce(throttle, stranger('an')).retryAfter).toBe(60)
    clock.now += 60_000
    expect(tryOnce(throttle, stranger('an')).status).toBe(401)
    expect(tryOnce(throttle, stranger('an')).retryAfter).toBe(120)
    // Another account from the same address is not affected.
    expect(tryOnce(throttle, stranger('binh')).status).toBe(401)
  })

  it('caps the delay at 15 minutes and forgets failures older than the hour', () => {
    const { clock, throttle } = throttleAt(2_000_000)
    // A patient guesser who always waits out the delay.
    const waits: number[] = []
    while (waits.length < 8) {
      const result = tryOnce(throttle, stranger('chi'))
      if (result.status === 429) waits.push(result.retryAfter)
      clock.now += result.status === 429 ? result.retryAfter * 1000 : 1
    }
    expect(waits).toEqual([30, 60, 120, 240, 480, 900, 900, 900])
    clock.now += THROTTLE_POLICY.windowMs + 1
    for (let i = 0; i < 5; i++) expect(tryOnce(throttle, stranger('chi')).status).toBe(401)
    expect(tryOnce(throttle, stranger('chi')).status).toBe(429)
  })

  it('counts pending attempts: ten parallel guesses on one account from ten addresses, five reach the hash', () => {
    const { throttle } = throttleAt(3_000_000)
    const reservations = Array.from({ length: 10 }, (_, i) => throttle.reserve(stranger('dung', `192.0.2.${i}`)))
    expect(reservations.filter(r => r.ok)).toHaveLength(5)
    expect(reservations.filter(r => !r.ok).every(r => !r.ok && r.reason === 'failures')).toBe(true)
    for (const r of reservations) if (r.ok) r.attempt.finish('failure')
    expect(tryOnce(throttle, stranger('dung', '192.0.2.99')).status).toBe(429)
  })

  it('lets one address run two password hashes at once; a third answers 429 busy at once', () => {
    const { throttle } = throttleAt(4_000_000)
    const first = throttle.reserve(stranger('em'))
    const second = throttle.reserve(stranger('giang'))
    const third = throttle.reserve(stranger('hoa'))
    expect([first.ok, second.ok, third.ok]).toEqual([true, true, false])
    expect(third).toEqual({ ok: false, retryAfterSeconds: 1, reason: 'busy' })
    if (first.ok) first.attempt.finish('none')
    expect(throttle.reserve(stranger('hoa')).ok).toBe(true)
  })

  it('does not slow a trusted device for a stranger\'s failures, and distrusts it after its own five', () => {
    const { throttle } = throttleAt(5_000_000)
    for (let i = 0; i < 10; i++) tryOnce(throttle, stranger('owner', `192.0.2.${i}`))
    expect(tryOnce(throttle, stranger('owner', '198.51.100.7')).status).toBe(429)
    const device: AttemptRequest = { address: '203.0.113.9', account: 'owner', device: 'nonce-1' }
    expect(tryOnce(throttle, device, 'success').status).toBe(200)
    // Its own typos: five are counted on the token alone, then it is a stranger like any other.
    for (let i = 0; i < 5; i++) expect(tryOnce(throttle, device).status).toBe(401)
    expect(tryOnce(throttle, device).status).toBe(429)
    // Another trusted device of the owner still gets in.
    expect(tryOnce(throttle, { ...device, device: 'nonce-2' }, 'success').status).toBe(200)
  })

  it('clears a trusted device\'s failures when it signs in, never an untrusted client\'s', () => {
    const { throttle } = throttleAt(6_000_000)
    const device: AttemptRequest = { address: '203.0.113.9', account: 'khanh', device: 'nonce-3' }
    for (let i = 0; i < 4; i++) tryOnce(throttle, device)
    tryOnce(throttle, device, 'success')
    for (let i = 0; i < 5; i++) expect(tryOnce(throttle, device).status).toBe(401)
    for (let i = 0; i < 4; i++) tryOnce(throttle, stranger('khanh'))
    tryOnce(throttle, stranger('khanh'), 'success')
    expect(tryOnce(throttle, stranger('khanh')).status).toBe(401)
    expect(tryOnce(throttle, stranger('khanh')).status).toBe(429)
  })

  it('slows one address trying many accounts after twenty failures', () => {
    const { throttle } = throttleAt(7_000_000)
    for (let i = 0; i < 20; i++) expect(tryOnce(throttle, stranger(`user${i}`, '10.0.0.2')).status).toBe(401)
    expect(tryOnce(throttle, stranger('someone-else', '10.0.0.2')).status).toBe(429)
    expect(tryOnce(throttle, stranger('someone-else', '10.0.0.3')).status).toBe(401)
  })
})

describe('device tokens', () => {
  const signer = deviceTokenSigner(Buffer.alloc(32, 7))
  it('verify only for the account they were issued to, and only with the key that signed them', () => {
    const token = signer.issue('lan')
    expect(signer.verify(token, 'lan')).toMatch(/^[\w-]{22}$/)
    expect(signer.verify(token, 'lan2')).toBeNull()
    expect(deviceTokenSigner(Buffer.alloc(32, 8)).verify(token, 'lan')).toBeNull()
    const [v, name, nonce, sig] = token.split('.')
    const flipped = sig!.slice(0, -2) + (sig!.endsWith('AA') ? 'AB' : 'AA')
    expect(signer.verify([v, name, nonce, flipped].join('.'), 'lan')).toBeNull()
    // Its last character has two spare bits: a variant that decodes to the same bytes is refused too.
    const last = sig!.at(-1)!
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const twin = alphabet[alphabet.indexOf(last) ^ 1]!
    expect(Buffer.from(sig!.slice(0, -1) + twin, 'base64url')).toEqual(Buffer.from(sig!, 'base64url'))
    expect(signer.verify([v, name, nonce, sig!.slice(0, -1) + twin].join('.'), 'lan')).toBeNull()
    // A token for another name cannot be relabelled: the name is signed.
    expect(signer.verify([v, Buffer.from('mai').toString('base64url'), nonce, sig].join('.'), 'mai')).toBeNull()
    expect(signer.verify('garbage', 'lan')).toBeNull()
  })

  it('keep one token per account in a browser cookie, newest first, at most five', () => {
    let cookie = ''
    for (const name of ['a1a', 'b2b', 'c3c', 'd4d', 'e5e', 'f6f']) cookie = withDeviceToken(splitDeviceTokens(cookie), signer.issue(name), signer, name)
    let tokens = splitDeviceTokens(cookie)
    expect(tokens).toHaveLength(5)
    expect(tokens.map(t => ['a1a', 'b2b', 'c3c', 'd4d', 'e5e', 'f6f'].find(name => signer.verify(t, name)))).toEqual(['f6f', 'e5e', 'd4d', 'c3c', 'b2b'])
    const again = signer.issue('c3c')
    tokens = splitDeviceTokens(withDeviceToken(tokens, again, signer, 'c3c'))
    expect(tokens[0]).toBe(again)
    expect(tokens.filter(t => signer.verify(t, 'c3c'))).toEqual([again])
    expect(splitDeviceTokens('x'.repeat(5000))).toEqual([])
  })
})

describe('password hashing (scrypt)', () => {
  it('verifies the right password only, with a fresh salt each time', async () => {
    const a = await hashPassword('mật khẩu đủ dài')
    const b = await hashPassword('mật khẩu đủ dài')
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/)
    expect(a).not.toBe(b)
    expect(await verifyPassword('mật khẩu đủ dài', a)).toBe(true)
    expect(await verifyPassword('mật khẩu đủ dai', a)).toBe(false)
    expect(await verifyPassword('mật khẩu đủ dài', 'md5$abc')).toBe(false)
  })

  it('treats composed and decomposed Vietnamese letters as the same password', async () => {
    const composed = 'Đà Nẵng 2025!'.normalize('NFC')
    const decomposed = composed.normalize('NFD')
    expect(decomposed).not.toBe(composed)
    expect(await verifyPassword(decomposed, await hashPassword(composed))).toBe(true)
  })
})

describe('scopeOf', () => {
  const user = (role: SessionUser['role'], province: string | null, commune: string | null): SessionUser =>
    ({ id: '1', username: 'u', full_name: 'U', role, province_code: province, commune_code: commune, team_id: role === 'team_member' ? '9' : null })
  it('maps each role to its jurisdiction', () => {
    expect(scopeOf(user('admin', null, null))).toEqual({ kind: 'national' })
    expect(scopeOf(user('province_command', '31', null))).toEqual({ kind: 'province', province: '31' })
    expect(scopeOf(user('commune_police', '31', '10525'))).toEqual({ kind: 'commune', commune: '10525', province: '31' })
    expect(scopeOf(user('team_member', '31', '10525'))).toEqual({ kind: 'commune', commune: '10525', province: '31' })
    expect(scopeOf(user('disaster_coordinator', '31', null))).toEqual({ kind: 'province', province: '31' })
    expect(scopeOf(user('disaster_coordinator', '31', '10507'))).toEqual({ kind: 'commune', commune: '10507', province: '31' })
  })
})
