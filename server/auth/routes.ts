import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { errors } from '../errors.ts'
import { errorResponses } from '../http/schemas.ts'
import { recordAudit } from '../audit/record.ts'
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.ts'
import { capabilitiesOf, type SessionUser } from './roles.ts'
import { SESSION_COOKIE } from '../plugins/auth.ts'
import { SESSION_IDLE_MS, tokenHash } from './repository.ts'
import { loginThrottleKeys } from './throttle.ts'

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
      response: { 200: { type: 'object', properties: { user: UserProfile, token: { type: 'string' } } }, ...errorResponses }
    }
  }, async (request, reply) => {
    const username = request.body.username.trim().toLowerCase()
    const keys = loginThrottleKeys(request.ip, username)
    const wait = app.loginThrottle.retryAfterSeconds(keys)
    if (wait > 0) throw errors.tooManyAttempts(wait)

    const account = await app.accounts.findByUsername(username)
    if (account?.locked_until && account.locked_until > new Date()) {
      throw errors.accountLocked(Math.ceil((account.locked_until.getTime() - Date.now()) / 60_000))
    }
    const ok = await verifyPassword(request.body.password, account?.password_hash ?? await unknownUserHash)
    if (!account || !ok) {
      app.loginThrottle.recordFailure(keys)
      if (account) {
        const state = await app.accounts.recordFailure(account.id)
        await recordAudit(app.db.sql, request, account, { action: 'auth.login_failed', entity: 'user', entity_id: account.id, province_code: account.province_code, commune_code: account.commune_code, before: null, after: { failed_logins: state.failed_logins } })
        if (state.locked_until && state.locked_until > new Date()) throw errors.accountLocked(Math.ceil((state.locked_until.getTime() - Date.now()) / 60_000))
      }
      throw errors.invalidCredentials()
    }
    // Success clears the account's failures, not the address's.
    app.loginThrottle.clear(keys.filter(k => k.key.startsWith('user:')))
    await app.accounts.recordSuccess(account.id)
    const { password_hash: _hash, failed_logins: _failed, locked_until: _locked, ...user } = account
    const session = await app.accounts.createSession(user.id, request.body.kind)
    await recordAudit(app.db.sql, request, user, { action: 'auth.login', entity: 'session', entity_id: null, province_code: user.province_code, commune_code: user.commune_code, before: null, after: { kind: request.body.kind } })
    if (request.body.kind === 'bearer') return { user: await profile(user), token: session.token }
    setSessionCookie(reply, session.token)
    return { user: await profile(user) }
  })

  app.post('/api/auth/logout', { config: { public: true }, schema: { response: { 204: { type: 'null' }, ...errorResponses } } }, async (request, reply) => {
    if (request.sessionToken) await app.accounts.deleteSession(request.sessionToken)
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
    const account = await app.accounts.findByUsername(user.username)
    if (!account || !(await verifyPassword(current, account.password_hash))) throw errors.invalidCredentials()
    const hash = await hashPassword(next)
    await app.db.sql.begin(async tx => {
      await tx`update users set password_hash = ${hash}, password_changed_at = now() where id = ${user.id}`
      // Other devices signed in with the old password are signed out.
      await tx`delete from sessions where user_id = ${user.id} and token_hash <> ${tokenHash(request.sessionToken ?? '')}`
      await recordAudit(tx as never, request, user, { action: 'user.password_change', entity: 'user', entity_id: user.id, province_code: user.province_code, commune_code: user.commune_code, before: null, after: { password_changed: true } })
    })
    return reply.status(204).send()
  })
}
