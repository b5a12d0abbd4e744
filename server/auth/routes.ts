import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { errors } from '../errors.ts'
import { errorResponses } from '../http/schemas.ts'
import { recordAudit } from '../audit/record.ts'
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.ts'
import { capabilitiesOf, type SessionUser } from './roles.ts'
import { SESSION_COOKIE } from '../plugins/auth.ts'
import { SESSION_IDLE_MS, tokenHash } from './repository.ts'
import type { Attempt } from './throttle.ts'
import { splitDeviceTokens, withDeviceToken } from './device-tokens.ts'

/** The browser's device tokens: sent only to the sign-in routes, kept across logouts. */
export const DEVICE_COOKIE = 'vnpm_device'
/** Devices (bearer sign-ins) send their device token back in this header. */
export const DEVICE_HEADER = 'x-device-token'
const DEVICE_COOKIE_MAX_AGE_S = 365 * 86_400

const UserProfile = {
  type: 'object',
  properties: {
    id: { type: 'string' }, username: { type: 'string' }, full_name: { type: 'string' }, role: { type: 'string' },
    province_code: { type: ['string', 'null'] }, commune_code: { type: ['string', 'null'] }, team_id: { type: ['string', 'null'] },
    capabilities: { type: 'array', items: { type: 'string' } },
    jurisdiction: {
      type: 'object',
      properties: {
        kind: { type: 'string' }, code: { type: ['string', 'null'] }, name: { type: 'string' }, name_en: { type: 'string' },
        province_code: { type: ['string', 'null'] }, bbox: { type: ['array', 'null'], items: { type: 'number' } }
      }
    }
  }
} as const

// Verifying against a real hash when the username is unknown keeps the response time the same,
// so timing does not tell which usernames exist.
const unknownUserHash = hashPassword('not a real password, only for equal timing')

export default async function authRoutes (app: FastifyInstance) {
  async function profile (user: SessionUser) {
    return { ...user, capabilities: capabilitiesOf(user.role), jurisdiction: await app.accounts.jurisdiction(user) }
  }

  function presentedDeviceTokens (request: FastifyRequest): string[] {
    const header = request.headers[DEVICE_HEADER]
    return [...splitDeviceTokens(typeof header === 'string' ? header : undefined), ...splitDeviceTokens(request.cookies[DEVICE_COOKIE])]
  }

  /**
   * A slot for one password check (server/auth/throttle.ts), or a 429. Taken before the hash, in
   * one synchronous step, so parallel attempts see each other.
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

  function setSessionCookie (reply: FastifyReply, token: string) {
    reply.setCookie(SESSION_COOKIE, token, {
      path: '/', httpOnly: true, sameSite: 'strict', secure: app.cookieSecure, maxAge: SESSION_IDLE_MS.cookie / 1000
    })
  }

  app.post<{ Body: { username: string, password: string, kind: 'cookie' | 'bearer' } }>('/api/auth/login', {
    config: { public: true },
    schema: {
      body: {
        type: 'object', additionalProperties: false, required: ['username', 'password'],
        properties: {
          username: { type: 'string', minLength: 1, maxLength: 100 },
          password: { type: 'string', minLength: 1, maxLength: 1000 },
          kind: { type: 'string', enum: ['cookie', 'bearer'], default: 'cookie', description: 'bearer: return a device token instead of setting a cookie' }
        }
      },
      headers: {
        type: 'object',
        properties: { [DEVICE_HEADER]: { type: 'string', description: 'device token from an earlier bearer sign-in to this account (browsers send the vnpm_device cookie instead)' } }
      },
      response: {
        200: {
          type: 'object',
          properties: {
            user: UserProfile, token: { type: 'string' },
            device_token: { type: 'string', description: 'bearer only: send it as X-Device-Token on later sign-ins, so a stranger\'s failures do not slow this device' }
          }
        },
        ...errorResponses
      }
    }
  }, async (request, reply) => {
    const username = request.body.username.trim().toLowerCase()
    const attempt = reserveAttempt(request, username)
    // Known and unknown usernames take the same path: one lookup, one hash, one audit row, and
    // the same answer from the throttle, so neither the status nor the time tells them apart.
    const account = await checkPassword(attempt, async () => {
      const found = await app.accounts.findByUsername(username)
      const ok = await verifyPassword(request.body.password, found?.password_hash ?? await unknownUserHash)
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
    const session = await app.accounts.createSession(user.id, request.body.kind)
    await recordAudit(app.db.sql, request, user, { action: 'auth.login', entity: 'session', entity_id: null, province_code: user.province_code, commune_code: user.commune_code, before: null, after: { kind: request.body.kind, trusted_device: attempt.trusted } })
    const deviceToken = app.deviceTokens.issue(user.username)
    if (request.body.kind === 'bearer') return { user: await profile(user), token: session.token, device_token: deviceToken }
    setSessionCookie(reply, session.token)
    reply.setCookie(DEVICE_COOKIE, withDeviceToken(splitDeviceTokens(request.cookies[DEVICE_COOKIE]), deviceToken, app.deviceTokens, user.username), {
      path: '/api/auth', httpOnly: true, sameSite: 'strict', secure: app.cookieSecure, maxAge: DEVICE_COOKIE_MAX_AGE_S
    })
    return { user: await profile(user) }
  })

  app.post('/api/auth/logout', { config: { public: true }, schema: { response: { 204: { type: 'null' }, ...errorResponses } } }, async (request, reply) => {
    if (request.sessionToken) {
      await app.accounts.deleteSession(request.sessionToken)
      // Streams of this session end now, not at the next periodic check.
      app.sessionEvents.sessionEnded(request.sessionToken, 'logout')
    }
    reply.clearCookie(SESSION_COOKIE, { path: '/' })
    return reply.status(204).send()
  })

  app.get('/api/auth/me', { schema: { response: { 200: { type: 'object', properties: { user: UserProfile } }, ...errorResponses } } },
    async (request: FastifyRequest) => ({ user: await profile(request.user!) }))

  app.post<{ Body: { current_password: string, new_password: string } }>('/api/auth/password', {
    schema: {
      body: {
        type: 'object', additionalProperties: false, required: ['current_password', 'new_password'],
        properties: { current_password: { type: 'string', maxLength: 1000 }, new_password: { type: 'string', maxLength: 1000 } }
      },
      response: { 204: { type: 'null' }, ...errorResponses }
    }
  }, async (request, reply) => {
    const user = request.user!
    const { current_password: current, new_password: next } = request.body
    if (next.length < MIN_PASSWORD_LENGTH) throw errors.invalidField('new_password', `must be at least ${MIN_PASSWORD_LENGTH} characters`)
    if (next === current) throw errors.invalidField('new_password', 'must differ from the current password')
    // Throttled as a sign-in: whoever holds a session must not be able to guess the password.
    const attempt = reserveAttempt(request, user.username)
    // The new hash is made in the same slot: a change costs two hashes.
    const hash = await checkPassword(attempt, async () => {
      const account = await app.accounts.findByUsername(user.username)
      return account && await verifyPassword(current, account.password_hash) ? { ok: true, value: await hashPassword(next) } : { ok: false }
    })
    if (!hash) throw errors.invalidCredentials()
    await app.db.sql.begin(async tx => {
      await tx`update users set password_hash = ${hash}, password_changed_at = now() where id = ${user.id}`
      // Other devices signed in with the old password are signed out.
      await tx`delete from sessions where user_id = ${user.id} and token_hash <> ${tokenHash(request.sessionToken ?? '')}`
      await recordAudit(tx as never, request, user, { action: 'user.password_change', entity: 'user', entity_id: user.id, province_code: user.province_code, commune_code: user.commune_code, before: null, after: { password_changed: true } })
    })
    app.sessionEvents.userChanged(user.id, 'password_changed')
    return reply.status(204).send()
  })
}
