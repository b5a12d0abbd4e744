import { Ajv } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

// ajv-formats is CommonJS with a default export; under ESM its function sits one level down.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule)

/**
 * Two validators: query strings and path params arrive as text and are coerced to the schema's
 * types; JSON bodies are not, so `"severity": "3"` is a wrong type, not a 3.
 */
export default fp(async function validation (app: FastifyInstance) {
  const common = { allErrors: false, removeAdditional: false, useDefaults: true, strict: false } as const
  const coercing = addFormats(new Ajv({ ...common, coerceTypes: 'array' }))
  const strictTypes = addFormats(new Ajv({ ...common, coerceTypes: false }))
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === 'body' ? strictTypes.compile(schema) : coercing.compile(schema))
}, { name: 'validation' })
