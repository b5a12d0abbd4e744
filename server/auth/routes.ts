import type { FastifyInstance, FastifyReply } from 'fastify'
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts'
import { errorResponses } from '../http/schemas.ts'
import { SESSION_COOKIE } from '../plugins/auth.ts'
import { SESSION_IDLE_MS } from './repository.ts'
import { LoginBody, LoginHeaders, LoginResult, Me, NoContent, PasswordBody } from './schemas.ts'
import { authService, DEVICE_COOKIE } from './service.ts'

const DEVICE_COOKIE_MAX_AGE_S = 365 * 86_400

/** Sign-in (cookie or bearer), sign-out, the signed-in user, password change. */
export default async function authRoutes (fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>()
  const auth = authService(fastify)

  function setCookies (reply: FastifyReply, session: string, device: string) {
    reply.setCookie(SESSION_COOKIE, session, {
      path: '/', httpOnly: true, sameSite: 'strict', secure: fastify.cookieSecure, maxAge: SESSION_IDLE_MS.cookie / 1000
    })
    reply.setCookie(DEVICE_COOKIE, device, {
      path: '/api/auth', httpOnly: true, sameSite: 'strict', secure: fastify.cookieSecure, maxAge: DEVICE_COOKIE_MAX_AGE_S
    })
  }

  app.post('/api/auth/login', {
    config: { public: true },
    schema: { body: LoginBody, headers: LoginHeaders, response: { 200: LoginResult, ...errorResponses } }
  }, async (request, reply) => {
    const signedIn = await auth.signIn(request, request.body)
    if (signedIn.kind === 'bearer') return { user: signedIn.user, token: signedIn.token, device_token: signedIn.deviceToken }
    setCookies(reply, signedIn.token, signedIn.deviceCookie)
    return { user: signedIn.user }
  })

  app.post('/api/auth/logout', {
    config: { public: true }, schema: { response: { 204: NoContent, ...errorResponses } }
  }, async (request, reply) => {
    await auth.signOut(request)
    reply.clearCookie(SESSION_COOKIE, { path: '/' })
    return reply.status(204).send(null)
  })

  app.get('/api/auth/me', {
    schema: { response: { 200: Me, ...errorResponses } }
  }, async (request) => ({ user: await auth.profile(request.user!) }))

  app.post('/api/auth/password', {
    schema: { body: PasswordBody, response: { 204: NoContent, ...errorResponses } }
  }, async (request, reply) => {
    await auth.changePassword(request, request.body)
    return reply.status(204).send(null)
  })
}
