import type { FastifyInstance } from 'fastify'

export default async function healthRoutes (app: FastifyInstance) {
  app.get('/api/health', {
    config: { public: true },
    schema: {
      response: {
        200: {
          type: 'object',
          properties: { status: { type: 'string' }, postgis: { type: 'string' }, database: { type: 'string', enum: ['embedded', 'server'] } },
          required: ['status', 'postgis', 'database']
        }
      }
    }
  }, async () => {
    const [row] = await app.db.sql<{ version: string }[]>`select postgis_lib_version() as version`
    return { status: 'ok', postgis: row!.version, database: app.db.backend }
  })
}
