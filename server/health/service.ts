import type { FastifyInstance } from 'fastify'
import { healthRepository } from './repository.ts'

/** Healthy when the database answers a PostGIS query; names the database backend. */
export function healthService (app: FastifyInstance) {
  return {
    async check () {
      return { status: 'ok' as const, postgis: await healthRepository(app.db.sql).postgisVersion(), database: app.db.backend }
    }
  }
}
