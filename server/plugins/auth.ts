import fastifyCookie from '@fastify/cookie'
import type { FastifyInstance, FastifyPluginAsync, FastifyPluginCallback, FastifyPluginOptions, FastifyRequest, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import { errors } from '../errors.ts'
import type { Sql } from '../db/connection.ts'
import { accountRepository, type AccountRepository } from '../auth/repository.ts'
import { runScoped } from '../auth/scoped.ts'
import type { SessionUser } from '../domain/roles.ts'
import { LoginThrottle } from '../auth/throttle.ts'
import { deviceTokenSigner, type DeviceTokenSigner } from '../auth/device-tokens.ts'

export const SESSION_COOKIE = 'vnpm_session'

/** A route as the sign-in check sees it: tests walk this list. */
export interface RouteAccess { method: string, url: string, public: boolean }

declare module 'fastify' {
  interface FastifyInstance {
    accounts: AccountRepository
    loginThrottle: LoginThrottle
    deviceTokens: DeviceTokenSigner
    cookieSecure: boolean
    /** Every route registered after the auth plugin, and whether it needs a session. */
    routeAccess: () => RouteAccess[]
  }
  interface FastifyRequest {
    user: SessionUser | null
    sessionToken: string | null
    /** Runs fn in a transaction limited by row-level security to this user's jurisdiction. */
    scoped: <T>(fn: (tx: Sql) => Promise<T>) => Promise<T>
  }
  interface FastifyContextConfig {
    /** Reachable without a session (health, login, files, docs). Every other route needs one. */
    public?: boolean
  }
}

function tokenOf (request: FastifyRequest): string | null {
  const header = request.headers.authorization
  if (header?.startsWith('Bearer ')) return header.slice(7).trim() || null
  return request.cookies[SESSION_COOKIE] ?? null
}

/**
 * Wraps a plugin so that every route it registers is public (static files, the API docs: plugins
 * whose route options cannot carry our config). Routes elsewhere stay private by default.
 */
export function publicRoutes<Options extends FastifyPluginOptions> (plugin: FastifyPluginAsync<Options> | FastifyPluginCallback<Options>, options: Options): FastifyPluginAsync {
  // The plugin's options go to the plugin, not to this scope's register: Fastify would take a
  // `prefix` there as this scope's route prefix and prefix every route twice.
  return async function publicScope (scope) {
    scope.addHook('onRoute', (route) => { route.config = { ...route.config, public: true } })
    await scope.register(plugin as FastifyPluginAsync<Options>, options)
  }
}

/**
 * Who is asking: a session cookie (browsers) or a bearer token (devices). Every route needs a
 * session unless its config says `public: true`. The decision is taken on the route the router
 * matched (request.routeOptions), never on request.url: `/%61pi/…`, `//api//…`, `/api/…/` and
 * `GET http://host/api/…` reach the same route and so the same answer. A request that matches no
 * route gets the public 404.
 */
export default fp(async function auth (app: FastifyInstance, options: { cookieSecure: boolean, statementTimeoutMs?: number, deviceTokenKey?: Buffer }) {
  await app.register(fastifyCookie)
  const accounts = accountRepository(app.db.sql)
  app.decorate('accounts', accounts)
  app.decorate('loginThrottle', new LoginThrottle())
  app.decorate('deviceTokens', deviceTokenSigner(options.deviceTokenKey ?? await accounts.deviceTokenKey()))
  app.decorate('cookieSecure', options.cookieSecure)
  app.decorateRequest('user', null)
  app.decorateRequest('sessionToken', null)
  app.decorateRequest('scoped', function <T>(this: FastifyRequest, fn: (tx: Sql) => Promise<T>): Promise<T> {
    if (!this.user) throw errors.unauthenticated()
    return runScoped(app.db.sql, this.user, fn, options.statementTimeoutMs)
  })

  // The route options themselves are kept: a publicRoutes scope marks them after this hook ran.
  const routes: RouteOptions[] = []
  app.addHook('onRoute', (route) => { routes.push(route) })
  app.decorate('routeAccess', () => routes.flatMap(route => [route.method].flat().map(method =>
    ({ method, url: route.url, public: route.config?.public === true }))))

  app.addHook('onRequest', async (request) => {
    const isPublic = request.is404 || request.routeOptions.config?.public === true
    // Files and docs never need to know who asks; a public API route may (logout ends the
    // session it is called with). routeOptions.url is the route's pattern, not the request's URL.
    if (isPublic && !request.routeOptions.url?.startsWith('/api/')) return
    const token = tokenOf(request)
    if (token) {
      request.user = await app.accounts.userOfSession(token)
      if (request.user) request.sessionToken = token
    }
    if (!request.user && !isPublic) throw errors.unauthenticated()
  })
}, { name: 'auth', dependencies: ['database'] })
