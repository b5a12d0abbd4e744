import Fastify, { type FastifyServerOptions } from 'fastify'
import type { Database } from './db/connection.ts'
import validation from './plugins/validation.ts'
import errorHandler from './plugins/error-handler.ts'
import database from './plugins/database.ts'
import staticFiles from './plugins/static-files.ts'
import healthRoutes from './health/routes.ts'
import geographyRoutes from './communes/routes.ts'
import incidentRoutes from './incidents/routes.ts'
import hexRoutes from './hexes/routes.ts'

export interface AppOptions {
  db: Database
  geoDir: string
  webDir?: string
  logger?: FastifyServerOptions['logger']
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
  await app.register(database, { db: options.db })
  await app.register(healthRoutes)
  await app.register(geographyRoutes)
  await app.register(incidentRoutes)
  await app.register(hexRoutes)
  await app.register(staticFiles, { geoDir: options.geoDir, webDir: options.webDir })
  return app
}
