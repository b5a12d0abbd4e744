import Fastify, { type FastifyServerOptions } from 'fastify'
import type { Database } from './db/connection.ts'
import validation from './plugins/validation.ts'
import errorHandler from './plugins/error-handler.ts'
import database from './plugins/database.ts'
import staticFiles from './plugins/static-files.ts'
import auth from './plugins/auth.ts'
import events from './plugins/events.ts'
import helmet from '@fastify/helmet'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import authRoutes from './auth/routes.ts'
import auditRoutes from './audit/routes.ts'
import healthRoutes from './health/routes.ts'
import geographyRoutes from './communes/routes.ts'
import incidentRoutes from './incidents/routes.ts'
import hexRoutes from './hexes/routes.ts'
import hotspotRoutes from './hotspots/routes.ts'
import summaryRoutes from './summaries/routes.ts'
import streamRoutes from './stream/routes.ts'
import transferRoutes from './transfer/routes.ts'
import teamRoutes from './teams/routes.ts'
import patrolRoutes from './patrols/routes.ts'
import coverageRoutes from './coverage/routes.ts'
import planRoutes from './patrols/plan-routes.ts'

export interface AppOptions {
  db: Database
  geoDir: string
  webDir?: string
  logger?: FastifyServerOptions['logger']
  /** Mark the session cookie Secure (serve over HTTPS, or behind a proxy that does). */
  cookieSecure?: boolean
  /** Cleaning of patrol tracks: fixes implying a faster speed (km/h) are dropped. Default 130. */
  patrolMaxSpeedKmh?: number
}

/** Largest accepted request body (JSON). Bulk imports get their own, larger limit. */
export const BODY_LIMIT_BYTES = 256 * 1024

/** Builds the app from plugins; listening is main.ts's job. */
export async function buildApp (options: AppOptions) {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: BODY_LIMIT_BYTES })
  // JSON only (later: CSV and GPX uploads register their own parsers); plain text is a 415.
  app.removeContentTypeParser('text/plain')
  await app.register(validation)
  await app.register(errorHandler)
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
    }
  })
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, transformStaticCSP: (header) => header })
  await app.register(database, { db: options.db })
  await app.register(auth, { cookieSecure: options.cookieSecure ?? false })
  await app.register(events)
  await app.register(authRoutes)
  await app.register(auditRoutes)
  await app.register(healthRoutes)
  await app.register(geographyRoutes)
  await app.register(incidentRoutes)
  await app.register(hexRoutes)
  await app.register(hotspotRoutes)
  await app.register(summaryRoutes)
  await app.register(streamRoutes)
  await app.register(transferRoutes)
  await app.register(teamRoutes)
  await app.register(patrolRoutes, { maxSpeedKmh: options.patrolMaxSpeedKmh ?? 130 })
  await app.register(coverageRoutes)
  await app.register(planRoutes)
  await app.register(import('./evacuation/routes.ts'))
  await app.register(staticFiles, { geoDir: options.geoDir, webDir: options.webDir })
  return app
}
