import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { IncidentEventBus } from '../events/bus.ts'

declare module 'fastify' {
  interface FastifyInstance {
    incidentEvents: IncidentEventBus
  }
}

export default fp(async function events (app: FastifyInstance) {
  app.decorate('incidentEvents', new IncidentEventBus())
}, { name: 'events' })
