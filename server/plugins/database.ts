import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Database } from '../db/connection.ts'
import { incidentRepository, type IncidentRepository } from '../incidents/repository.ts'
import { geographyRepository, type GeographyRepository } from '../communes/repository.ts'

declare module 'fastify' {
  interface FastifyInstance {
    db: Database
    incidents: IncidentRepository
    geography: GeographyRepository
  }
}

/** Decorates the app with the database and one repository per resource. */
export default fp(async function database (app: FastifyInstance, options: { db: Database }) {
  app.decorate('db', options.db)
  app.decorate('incidents', incidentRepository(options.db.sql))
  app.decorate('geography', geographyRepository(options.db.sql))
}, { name: 'database' })
