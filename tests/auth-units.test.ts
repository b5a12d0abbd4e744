import { describe, expect, it } from 'vitest'
import { LoginThrottle, loginThrottleKeys } from '../server/auth/throttle.ts'
import { hashPassword, verifyPassword } from '../server/auth/passwords.ts'
import { scopeOf, type SessionUser } from '../server/auth/roles.ts'

describe('LoginThrottle', () => {
  it('allows five failures per account a minute, then says how long to wait', () => {
    const throttle = new LoginThrottle()
    const keys = loginThrottleKeys('10.0.0.1', 'an')
    const t0 = 1_000_000
    for (let i = 0; i < 5; i++) {
      expect(throttle.retryAfterSeconds(keys, t0 + i * 1000)).toBe(0)
      throttle.recordFailure(keys, t0 + i * 1000)
    }
    expect(throttle.retryAfterSeconds(keys, t0 + 5000)).toBe(55)
    // The window slides: a minute after the first failure one attempt is free again.
    expect(throttle.retryAfterSeconds(keys, t0 + 60_000)).toBe(0)
    // Another account from the same address is not affected.
    expect(throttle.retryAfterSeconds(loginThrottleKeys('10.0.0.1', 'binh'), t0 + 5000)).toBe(0)
  })

  it('stops one address trying many accounts after thirty failures a minute', () => {
    const throttle = new LoginThrottle()
    const t0 = 5_000_000
    for (let i = 0; i < 30; i++) throttle.recordFailure(loginThrottleKeys('10.0.0.2', `user${i}`), t0 + i)
    expect(throttle.retryAfterSeconds(loginThrottleKeys('10.0.0.2', 'someone-else'), t0 + 100)).toBeGreaterThan(0)
    expect(throttle.retryAfterSeconds(loginThrottleKeys('10.0.0.3', 'someone-else'), t0 + 100)).toBe(0)
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
