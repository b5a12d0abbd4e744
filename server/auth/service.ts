import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { FromSchema } from 'json-schema-to-ts'
import { errors } from '../errors.ts'
import type { Sql } from '../db/connection.ts'
import { recordAudit } from '../audit/record.ts'
import { capabilitiesOf, type SessionUser } from '../domain/roles.ts'
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.ts'
import { accountRepository } from './repository.ts'
import type { Attempt } from './throttle.ts'
import { splitDeviceTokens, withDeviceToken } from './device-tokens.ts'
import { DEVICE_HEADER, type LoginBody, type PasswordBody } from './schemas.ts'

/** The browser's device tokens: sent only to the sign-in routes, kept across logouts. */
export const DEVICE_COOKIE = 'vnpm_device'

// Verifying against a real hash when the username is unknown keeps the response time the same,
// so timing does not tell which usernames exist.
const unknownUserHash = hashPassword('not a real password, only for equal timing')

/**
 * Sign-in, sign-out, the profile and password changes. Password checks are throttled
 * (server/auth/throttle.ts) and every outcome is audited; accounts and sessions live on the
 * server's own connection (they are not granted to the scoped role).
 */
export function authService (app: FastifyInstance) {
  function presentedDeviceTokens (request: FastifyRequest): string[] {
    const header = request.headers[DEVICE_HEADER]
    return [...splitDeviceTokens(typeof header === 'string' ? header : undefined), ...splitDeviceTokens(request.cookies[DEVICE_COOKIE])]
  }

  /**
   * A slot for one password check, or a 429. Taken before the hash, in one synchronous step, so
   * parallel attempts see each other.
   */
  function reserveAttempt (request: FastifyRequest, username: string): Attempt {
    const device = presentedDeviceTokens(request).map(token => app.deviceTokens.verify(token, username)).find(nonce => nonce !== null) ?? null
    const reservation = app.loginThrottle.reserve({ address: request.ip, account: username, device })
    if (!reservation.ok) throw reservation.reason === 'busy' ? errors.signInBusy() : errors.tooManyAttempts(reservation.retryAfterSeconds)
    return reservation.attempt
  }

  /** Runs a password check in a reserved slot: a wrong password counts as a failure, nothing else does. */
  async function checkPassword<T> (attempt: Attempt, check: () => Promise<{ ok: true, value: T } | { ok: false }>): Promise<T | null> {
    let outcome: 'success' | 'failure' | 'none' = 'none'
    try {
      const result = await check()
      outcome = result.ok ? 'success' : 'failure'
      return result.ok ? result.value : null
    } finally {
      attempt.finish(outcome)
    }
  }

  async function profile (user: SessionUser) {
    return { ...user, capabilities: capabilitiesOf(user.role), jurisdiction: await app.accounts.jurisdiction(user) }
  }

  return {
    profile,

    /**
     * Checks a password and opens a session. Known and unknown usernames take the same path: one
     * lookup, one hash, one audit row, and the same answer from the throttle, so neither the
     * status nor the time tells them apart. The device token is new at every sign-in; `deviceCookie`
     * is the browser's cookie value with it first.
     */
    async signIn (request: FastifyRequest, body: FromSchema<typeof LoginBody>) {
      const username = body.username.trim().toLowerCase()
      const kind = body.kind ?? 'cookie'
      const attempt = reserveAttempt(request, username)
      const account = await checkPassword(attempt, async () => {
        const found = await app.accounts.findByUsername(username)
        const ok = await verifyPassword(body.password, found?.password_hash ?? await unknownUserHash)
        if (found && ok) return { ok: true, value: found }
        await recordAudit(app.db.sql, request, found, {
          action: 'auth.login_failed', entity: 'user', entity_id: found?.id ?? null, province_code: found?.province_code ?? null,
          commune_code: found?.commune_code ?? null, before: null, after: { username, trusted_device: attempt.trusted }
        })
        return { ok: false }
      })
      if (!account) throw errors.invalidCredentials()
      // Said only to someone who knows the password.
      if (account.disabled_at) throw errors.accountDisabled()
      const { password_hash: _hash, disabled_at: _disabled, ...user } = account
      const session = await app.accounts.createSession(user.id, kind)
      await recordAudit(app.db.sql, request, user, { action: 'auth.login', entity: 'session', entity_id: null, province_code: user.province_code, commune_code: user.commune_code, before: null, after: { kind, trusted_device: attempt.trusted } })
      const deviceToken = app.deviceTokens.issue(user.username)
      return {
        kind, user: await profile(user), token: session.token, deviceToken,
        deviceCookie: withDeviceToken(splitDeviceTokens(request.cookies[DEVICE_COOKIE]), deviceToken, app.deviceTokens, user.username)
      }
    },

    /** Ends the session the request came with; its streams end now, not at the next periodic check. */
    async signOut (request: FastifyRequest) {
      if (!request.sessionToken) return
      await app.accounts.deleteSession(request.sessionToken)
      app.sessionEvents.sessionEnded(request.sessionToken, 'logout')
    },

    /**
     * Changes the signed-in user's password. Throttled as a sign-in (whoever holds a session must
     * not be able to guess the password); the new hash is made in the same slot, so a change costs
     * two hashes. Other devices signed in with the old password are signed out.
     */
    async changePassword (request: FastifyRequest, { current_password: current, new_password: next }: FromSchema<typeof PasswordBody>) {
      const user = request.user!
      if (next.length < MIN_PASSWORD_LENGTH) throw errors.invalidField('new_password', `must be at least ${MIN_PASSWORD_LENGTH} characters`)
      if (next === current) throw errors.invalidField('new_password', 'must differ from the current password')
      const attempt = reserveAttempt(request, user.username)
      const hash = await checkPassword(attempt, async () => {
        const account = await app.accounts.findByUsername(user.username)
        return account && await verifyPassword(current, account.password_hash) ? { ok: true, value: await hashPassword(next) } : { ok: false }
      })
      if (!hash) throw errors.invalidCredentials()
      await app.db.sql.begin(async tx => {
        const accounts = accountRepository(tx as unknown as Sql)
        await accounts.updatePassword(user.id, hash)
        await accounts.endSessionsExcept(user.id, request.sessionToken)
        await recordAudit(tx as unknown as Sql, request, user, { action: 'user.password_change', entity: 'user', entity_id: user.id, province_code: user.province_code, commune_code: user.commune_code, before: null, after: { password_changed: true } })
      })
      app.sessionEvents.userChanged(user.id, 'password_changed')
    }
  }
}
