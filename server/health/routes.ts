import type { FastifyInstance } from 'fastify'
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts'
import { Health } from './schemas.ts'
import { healthService } from './service.ts'

/** GET /api/health: public, for load balancers and the start script. */
export default async function healthRoutes (fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>()
  const health = healthService(fastify)
  app.get('/api/health', { config: { public: true }, schema: { response: { 200: Health } } }, async () => health.check())
}
