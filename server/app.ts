import Fastify, { type FastifyServerOptions } from 'fastify'
import type { Database } from './db/connection.ts'
import validation from './plugins/validation.ts'
import errorHandler from './plugins/error-handler.ts'
import database from './plugins/database.ts'
import staticFiles from './plugins/static-files.ts'
import auth, { publicRoutes } from './plugins/auth.ts'
import events from './plugins/events.ts'
import helmet from '@fastify/helmet'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { shareErrorResponses } from './http/openapi.ts'
import authRoutes from './auth/routes.ts'
import auditRoutes from './audit/routes.ts'
import healthRoutes from './health/routes.ts'
import geographyRoutes from './communes/routes.ts'
import incidentRoutes from './incidents/routes.ts'
import hexRoutes from './hexes/routes.ts'
import hotspotRoutes from './hotspots/routes.ts'
import summaryRoutes from './summaries/routes.ts'
import streamRoutes from './stream/routes.ts'
import sessionWatch from './stream/session-watch.ts'
import transferRoutes from './transfer/routes.ts'
import teamRoutes from './teams/routes.ts'
import patrolRoutes from './patrols/routes.ts'
import coverageRoutes from './coverage/routes.ts'
import planRoutes from './patrol-plans/routes.ts'

export interface AppOptions {
  db: Database
  geoDir: string
  webDir?: string
  logger?: FastifyServerOptions['logger']
  /** Mark the session cookie Secure (serve over HTTPS, or behind a proxy that does). */
  cookieSecure?: boolean
  /** Cleaning of patrol tracks: fixes implying a faster speed (km/h) are dropped. Default 130. */
  patrolMaxSpeedKmh?: number
  /** Open event streams re-check their session this often (ms); default 30 s (STREAM_SESSION_CHECK_MS). */
  streamSessionCheckMs?: number
  /** Open event streams per user; one more closes the oldest. Default 6 (STREAM_MAX_PER_USER). */
  streamMaxPerUser?: number
  /** Fastify's trustProxy: which proxies' X-Forwarded-For gives the client address (TRUST_PROXY). */
  trustProxy?: FastifyServerOptions['trustProxy']
  /** Bulk import bodies idle (no bytes) this long get 408; stalled export readers are cut. Default 30 s. */
  bodyIdleTimeoutMs?: number
  /** Longest a statement of a scoped request may run (ms); default DEFAULT_STATEMENT_TIMEOUT_MS. */
  statementTimeoutMs?: number
  /** The key that signs device tokens; default: the one kept in the database (auth_secrets). */
  deviceTokenKey?: Buffer
  /** Tests: validate every response against its route's schema, strictly (plugins/response-check.ts). */
  checkResponses?: boolean
  /** HTTP server timeouts (ms); defaults HTTP_TIMEOUTS. */
  httpTimeouts?: Partial<HttpTimeouts>
}

export interface HttpTimeouts {
  /** The request line and headers must arrive within this (slow-headers attacks hold sockets). */
  headersMs: number
  /** The whole request must arrive within this: 20 MiB at 256 kbit/s takes about 11 min. */
  requestMs: number
  /** An idle keep-alive socket is closed after this. */
  keepAliveMs: number
  /**
   * A socket with no bytes either way for this long is destroyed: the backstop behind the
   * import's own idle timeout (which answers 408 first) and for readers that stop reading.
   * Streams send a heartbeat every 15 s, so they stay open.
   */
  socketIdleMs: number
}

export const HTTP_TIMEOUTS: HttpTimeouts = { headersMs: 20_000, requestMs: 15 * 60_000, keepAliveMs: 10_000, socketIdleMs: 60_000 }

/** Largest accepted request body (JSON). Bulk imports get their own, larger limit. */
export const BODY_LIMIT_BYTES = 256 * 1024

/** Builds the app from plugins; listening is main.ts's job. */
export async function buildApp (options: AppOptions) {
  const timeouts = { ...HTTP_TIMEOUTS, ...options.httpTimeouts }
  const app = Fastify({
    logger: options.logger ?? false,
    connectionTimeout: timeouts.socketIdleMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    requestTimeout: timeouts.requestMs,
    // Node checks header and request deadlines on this interval (default 30 s, too coarse).
    http: { headersTimeout: timeouts.headersMs, connectionsCheckingInterval: Math.min(5_000, timeouts.headersMs) },
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: options.trustProxy ?? false,
    // `/api/x/` and `//api//x` reach /api/x (and so its sign-in check) instead of a 404.
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true }
  })
  // JSON only (later: CSV and GPX uploads register their own parsers); plain text is a 415.
  app.removeContentTypeParser('text/plain')
  await app.register(validation)
  await app.register(errorHandler)
  if (options.checkResponses) await app.register((await import('./plugins/response-check.ts')).default)
  await app.register(helmet, {
    // The map needs its own workers (blob:), WebGL textures (data:, blob:) and inline style
    // attributes set by MapLibre; everything else comes from this server only. CORS stays closed:
    // no Access-Control-* headers are sent, so other sites' pages cannot read the API.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        workerSrc: ["'self'", 'blob:'],
        childSrc: ["'self'", 'blob:'],
        imgSrc: ["'self'", 'data:', 'blob:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: null
      }
    },
    // Served over plain HTTP on localhost by default; HSTS belongs to the TLS front.
    hsts: false
  })
  // Before any route: the sign-in check lists every route and keeps all but public ones private.
  await app.register(database, { db: options.db })
  await app.register(auth, { cookieSecure: options.cookieSecure ?? false, statementTimeoutMs: options.statementTimeoutMs, deviceTokenKey: options.deviceTokenKey })
  // The OpenAPI document is built from the route schemas; /docs shows it (no session needed).
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Vietnam grassroots security incident and patrol map API',
        description: 'Incidents, H3 hexes, hotspots and summaries, scoped to the signed-in account\'s jurisdiction. Sign in with POST /api/auth/login.',
        version: '0.1.0'
      },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'vnpm_session' }, bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ session: [] }, { bearer: [] }]
    },
    transformObject: (document) => 'openapiObject' in document ? shareErrorResponses(document.openapiObject) : document.swaggerObject
  })
  await app.register(publicRoutes(swaggerUi, { routePrefix: '/docs', staticCSP: true, transformStaticCSP: (header: string) => header }))
  await app.register(events)
  // Before the auth routes: logout and password change end the streams of the sessions they end.
  await app.register(sessionWatch, { checkMs: options.streamSessionCheckMs, maxPerUser: options.streamMaxPerUser })
  await app.register(authRoutes)
  await app.register(auditRoutes)
  await app.register(healthRoutes)
  await app.register(geographyRoutes)
  await app.register(incidentRoutes)
  await app.register(hexRoutes)
  await app.register(hotspotRoutes)
  await app.register(summaryRoutes)
  await app.register(streamRoutes)
  await app.register(transferRoutes, { idleTimeoutMs: options.bodyIdleTimeoutMs ?? 30_000 })
  await app.register(teamRoutes)
  await app.register(patrolRoutes, { maxSpeedKmh: options.patrolMaxSpeedKmh ?? 130 })
  await app.register(coverageRoutes)
  await app.register(planRoutes)
  await app.register(import('./evacuation/routes.ts'))
  await app.register(staticFiles, { geoDir: options.geoDir, webDir: options.webDir })
  return app
}
