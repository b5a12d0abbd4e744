import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Database } from '../db/connection.ts'
import { geographyRepository, type GeographyRepository } from '../communes/repository.ts'

declare module 'fastify' {
  interface FastifyInstance {
    db: Database
    geography: GeographyRepository
  }
}

/**
 * Decorates the app with the database and the geography repository (public reference data).
 * Repositories of jurisdiction data are made per request on the scoped transaction
 * (request.scoped), never on the shared connection, which row-level security does not limit.
 */
export default fp(async function database (app: FastifyInstance, options: { db: Database }) {
  app.decorate('db', options.db)
  app.decorate('geography', geographyRepository(options.db.sql))
}, { name: 'database' })
