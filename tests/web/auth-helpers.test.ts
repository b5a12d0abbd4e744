import { describe, expect, it } from 'vitest'
import {
  can, fitBBox, highlightedCommune, isCommuneScoped, jurisdictionProvince, knownCapabilities, queryArea, type User
} from '../../web/src/lib/auth/capabilities.ts'
import {
  loginErrorMessage, loginWaitSeconds, passwordErrorMessage, validatePasswordForm
} from '../../web/src/lib/auth/messages.ts'
import { ApiError, NetworkError, isUnauthenticated, parseRetryAfter } from '../../web/src/lib/api/client.ts'
import { vi } from '../../web/src/lib/i18n/vi.ts'
import { en } from '../../web/src/lib/i18n/en.ts'

const HAIPHONG_BBOX: [number, number, number, number] = [106.3, 20.5, 107.2, 21.1]
const COMMUNE_BBOX: [number, number, number, number] = [106.70, 20.80, 106.78, 20.86]

function user (over: Partial<User> & Pick<User, 'role' | 'jurisdiction'>): User {
  return {
    id: '1', username: 'u', full_name: 'Nguyễn Văn A', province_code: null, commune_code: null, team_id: null,
    capabilities: [], ...over
  }
}

const admin = user({
  role: 'admin',
  capabilities: ['incidents:read', 'incidents:write', 'evacuation:write', 'audit:read', 'users:manage'],
  jurisdiction: { kind: 'national', code: null, name: 'Toàn quốc', name_en: 'Viet Nam', bbox: null, province_code: null }
})
const province = user({
  role: 'province_command', province_code: '31',
  capabilities: ['incidents:read', 'incidents:write', 'evacuation:write', 'audit:read'],
  jurisdiction: { kind: 'province', code: '31', name: 'Thành phố Hải Phòng', name_en: 'Hai Phong', bbox: HAIPHONG_BBOX, province_code: '31' }
})
const commune = user({
  role: 'commune_police', province_code: '31', commune_code: '11311',
  capabilities: ['incidents:read', 'incidents:write'],
  jurisdiction: { kind: 'commune', code: '11311', name: 'Phường Đông Hải', name_en: 'Dong Hai Ward', bbox: COMMUNE_BBOX, province_code: '31' }
})
const coordinator = user({
  role: 'disaster_coordinator', province_code: '31',
  capabilities: ['incidents:read', 'evacuation:write'],
  jurisdiction: { kind: 'province', code: '31', name: 'Thành phố Hải Phòng', name_en: 'Hai Phong', bbox: HAIPHONG_BBOX, province_code: '31' }
})

describe('can()', () => {
  it('follows the capabilities the server sent', () => {
    expect(can(admin, 'users:manage')).toBe(true)
    expect(can(province, 'audit:read')).toBe(true)
    expect(can(commune, 'audit:read')).toBe(false)
    expect(can(commune, 'incidents:write')).toBe(true)
    expect(can(coordinator, 'incidents:write')).toBe(false)
    expect(can(coordinator, 'evacuation:write')).toBe(true)
  })
  it('gives nothing to nobody', () => {
    expect(can(undefined, 'incidents:read')).toBe(false)
    expect(can(null, 'incidents:read')).toBe(false)
    expect(can(user({ role: 'x', jurisdiction: commune.jurisdiction, capabilities: undefined as never }), 'incidents:read')).toBe(false)
  })
  it('lists known capabilities in a stable order and drops unknown ones', () => {
    expect(knownCapabilities({ ...commune, capabilities: ['incidents:write', 'future:thing', 'incidents:read'] }))
      .toEqual(['incidents:read', 'incidents:write'])
  })
})

describe('jurisdiction helpers', () => {
  it('asks commune users about their commune, everyone else about the province', () => {
    expect(queryArea(commune, '31')).toEqual({ commune: '11311' })
    expect(queryArea(province, '31')).toEqual({ province: '31' })
    expect(queryArea(admin, '01')).toEqual({ province: '01' })
    expect(queryArea(undefined, '31')).toEqual({ province: '31' })
  })
  it('fits the commune of a commune user and the chosen province otherwise', () => {
    expect(fitBBox(commune, '31', HAIPHONG_BBOX)).toEqual(COMMUNE_BBOX)
    expect(fitBBox(province, '31', HAIPHONG_BBOX)).toEqual(HAIPHONG_BBOX)
    expect(fitBBox(admin, '31', HAIPHONG_BBOX)).toEqual(HAIPHONG_BBOX)
    expect(fitBBox(admin, undefined, undefined)).toBeUndefined()
    // A commune user whose jurisdiction has no bbox falls back to the province.
    const noBox = { ...commune, jurisdiction: { ...commune.jurisdiction, bbox: null } }
    expect(fitBBox(noBox, '31', HAIPHONG_BBOX)).toEqual(HAIPHONG_BBOX)
  })
  it('highlights only a commune user\'s commune', () => {
    expect(highlightedCommune(commune)).toBe('11311')
    expect(highlightedCommune(province)).toBeUndefined()
    expect(isCommuneScoped(admin)).toBe(false)
    expect(jurisdictionProvince(commune)).toBe('31')
    expect(jurisdictionProvince(province)).toBe('31')
    expect(jurisdictionProvince(admin)).toBeUndefined()
  })
})

describe('login messages', () => {
  it('names each failure', () => {
    expect(loginErrorMessage(new ApiError(401, 'invalid_credentials', 'username or password is wrong'))).toEqual({ key: 'login.error.invalid' })
    expect(loginErrorMessage(new ApiError(429, 'too_many_attempts', 'x', undefined, 42))).toEqual({ key: 'login.error.tooMany', params: { seconds: 42 } })
    expect(loginErrorMessage(new ApiError(429, 'too_many_attempts', 'x'))).toEqual({ key: 'login.error.tooManyLater' })
    expect(loginErrorMessage(new ApiError(403, 'account_disabled', 'this account is disabled: ask an administrator'))).toEqual({ key: 'login.error.disabled' })
    // A 403 of another kind is not read as a disabled account.
    expect(loginErrorMessage(new ApiError(403, 'forbidden', 'no')).key).toBe('login.error.other')
    expect(loginErrorMessage(new NetworkError('down'))).toEqual({ key: 'login.error.network' })
    expect(loginErrorMessage(new TypeError('fetch failed'))).toEqual({ key: 'login.error.network' })
    expect(loginErrorMessage(new ApiError(400, 'invalid_field', 'username: too long')).key).toBe('login.error.other')
  })
  it('waits only after a 429 with Retry-After', () => {
    expect(loginWaitSeconds(new ApiError(429, 'too_many_attempts', 'x', undefined, 30))).toBe(30)
    expect(loginWaitSeconds(new ApiError(401, 'invalid_credentials', 'x'))).toBe(0)
  })
  it('reads Retry-After as seconds or a date', () => {
    expect(parseRetryAfter('60')).toBe(60)
    expect(parseRetryAfter(null)).toBeUndefined()
    expect(parseRetryAfter('soon')).toBeUndefined()
    const now = Date.parse('2025-06-01T00:00:00Z')
    expect(parseRetryAfter('Sun, 01 Jun 2025 00:00:30 GMT', now)).toBe(30)
  })
  it('tells an expired session from wrong credentials', () => {
    expect(isUnauthenticated(new ApiError(401, 'unauthenticated', 'sign in first'))).toBe(true)
    expect(isUnauthenticated(new ApiError(401, 'invalid_credentials', 'wrong'))).toBe(false)
    expect(isUnauthenticated(new ApiError(403, 'forbidden', 'no'))).toBe(false)
  })
})

describe('change-password form', () => {
  it('checks fields in order before sending', () => {
    expect(validatePasswordForm({ current: '', next: 'abcdefghij', confirm: 'abcdefghij' })?.field).toBe('current_password')
    expect(validatePasswordForm({ current: 'old', next: 'short', confirm: 'short' })).toEqual({ field: 'new_password', key: 'password.error.tooShort', params: { n: 10 } })
    expect(validatePasswordForm({ current: 'same-password', next: 'same-password', confirm: 'same-password' })?.key).toBe('password.error.sameAsCurrent')
    expect(validatePasswordForm({ current: 'old', next: 'abcdefghij', confirm: 'abcdefghiJ' })?.field).toBe('confirm')
    expect(validatePasswordForm({ current: 'old', next: 'abcdefghij', confirm: 'abcdefghij' })).toBeUndefined()
  })
  it('maps the API\'s answers to fields', () => {
    const form = { current: 'old-password', next: 'new-password-1', confirm: 'new-password-1' }
    expect(passwordErrorMessage(new ApiError(401, 'invalid_credentials', 'wrong'), form)).toEqual({ field: 'current_password', key: 'password.error.currentWrong' })
    expect(passwordErrorMessage(new ApiError(401, 'unauthenticated', 'sign in'), form).key).toBe('login.expired')
    expect(passwordErrorMessage(new ApiError(400, 'invalid_field', 'new_password: too weak', 'new_password'), form))
      .toEqual({ field: 'new_password', key: 'password.error.server', params: { message: 'new_password: too weak' } })
    expect(passwordErrorMessage(new NetworkError('down'), form)).toEqual({ field: null, key: 'login.error.network' })
  })
})

describe('catalogues', () => {
  it('have the same keys, and the role labels of the brief', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(vi).sort())
    expect(vi['role.admin']).toBe('Quản trị toàn quốc')
    expect(vi['role.province_command']).toBe('Chỉ huy cấp tỉnh')
    expect(vi['role.commune_police']).toBe('Công an xã, phường')
    expect(vi['role.team_member']).toBe('Tổ viên Tổ bảo vệ ANTT')
    expect(vi['role.disaster_coordinator']).toBe('Điều phối phòng chống thiên tai')
    expect(vi['login.error.invalid']).toContain('Tên đăng nhập hoặc mật khẩu không đúng')
    for (const [key, text] of Object.entries(vi)) expect(text, key).toBe(text.normalize('NFC'))
  })
})
