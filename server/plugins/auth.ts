import fastifyCookie from '@fastify/cookie'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { errors } from '../errors.ts'
import type { Sql } from '../db/connection.ts'
import { accountRepository, type AccountRepository } from '../auth/repository.ts'
import { runScoped } from '../auth/scoped.ts'
import type { SessionUser } from '../auth/roles.ts'
import { LoginThrottle } from '../auth/throttle.ts'

export const SESSION_COOKIE = 'vnpm_session'

declare module 'fastify' {
  interface FastifyInstance {
    accounts: AccountRepository
    loginThrottle: LoginThrottle
    cookieSecure: boolean
  }
  interface FastifyRequest {
    user: SessionUser | null
    sessionToken: string | null
    /** Runs fn in a transaction limited by row-level security to this user's jurisdiction. */
    scoped: <T>(fn: (tx: Sql) => Promise<T>) => Promise<T>
  }
  interface FastifyContextConfig {
    /** Reachable without a session (health, login). */
    public?: boolean
  }
}

function tokenOf (request: FastifyRequest): string | null {
  const header = request.headers.authorization
  if (header?.startsWith('Bearer ')) return header.slice(7).trim() || null
  return request.cookies[SESSION_COOKIE] ?? null
}

/**
 * Who is asking: a session cookie (browsers) or a bearer token (devices). Every /api route is
 * closed to anonymous requests unless its config says `public: true`.
 */
export default fp(async function auth (app: FastifyInstance, options: { cookieSecure: boolean }) {
  await app.register(fastifyCookie)
  app.decorate('accounts', accountRepository(app.db.sql))
  app.decorate('loginThrottle', new LoginThrottle())
  app.decorate('cookieSecure', options.cookieSecure)
  app.decorateRequest('user', null)
  app.decorateRequest('sessionToken', null)
  app.decorateRequest('scoped', function <T>(this: FastifyRequest, fn: (tx: Sql) => Promise<T>): Promise<T> {
    if (!this.user) throw errors.unauthenticated()
    return runScoped(app.db.sql, this.user, fn)
  })

  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/')) return
    const token = tokenOf(request)
    if (token) {
      request.user = await app.accounts.userOfSession(token)
      if (request.user) request.sessionToken = token
    }
    if (!request.user && !request.routeOptions.config?.public) throw errors.unauthenticated()
  })
}, { name: 'auth', dependencies: ['database'] })
