import { Ajv, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule)

type Schema = Record<string, unknown>

/**
 * A copy of a response schema in which every object schema that lists properties forbids others,
 * unless it says otherwise: the serializer (fast-json-stringify) drops undeclared properties
 * silently, so a handler that returns one its schema lacks must fail here instead.
 */
export function closedSchema (schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closedSchema)
  if (!schema || typeof schema !== 'object') return schema
  const copy: Schema = {}
  for (const [key, value] of Object.entries(schema as Schema)) {
    if (key === 'properties' || key === 'patternProperties') {
      copy[key] = Object.fromEntries(Object.entries(value as Schema).map(([name, sub]) => [name, closedSchema(sub)]))
    } else if (key === 'items' || key === 'anyOf' || key === 'oneOf' || key === 'additionalProperties' || key === 'not') {
      copy[key] = closedSchema(value)
    } else copy[key] = value
  }
  if (copy.properties && copy.additionalProperties === undefined) copy.additionalProperties = false
  return copy
}

export interface ResponseViolation { route: string, status: number, problems: string[] }

declare module 'fastify' {
  interface FastifyInstance {
    /** Responses that did not match their route's schema (tests read and assert it is empty). */
    responseViolations: ResponseViolation[]
  }
}

/**
 * For tests: validates every JSON response against its route's response schema for its status,
 * strictly (see closedSchema), before serialization. A mismatch, or a status the route's schema
 * does not list, becomes a 500 and is recorded in app.responseViolations.
 */
export default fp(async function responseCheck (app: FastifyInstance) {
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true, coerceTypes: false }))
  const compiled = new WeakMap<object, ValidateFunction>()
  app.decorate('responseViolations', [] as ResponseViolation[])

  app.addHook('preSerialization', async (request, reply, payload) => {
    const schemas = request.routeOptions.schema?.response as Record<string, object> | undefined
    const status = reply.statusCode
    // 5xx bodies come from the error handler (and this check's own failure): not the route's.
    if (!schemas || !request.routeOptions.url || status >= 500) return payload
    const route = `${request.method} ${request.routeOptions.url}`
    const schema = schemas[status] ?? schemas[`${Math.floor(status / 100)}xx`] ?? schemas.default
    let problems: string[]
    if (!schema) problems = [`status ${status} is not in the route's response schema`]
    else {
      let validate = compiled.get(schema)
      if (!validate) { validate = ajv.compile(closedSchema(schema) as object); compiled.set(schema, validate) }
      // What the client would receive: dates as ISO strings, undefined dropped.
      const sent: unknown = JSON.parse(JSON.stringify(payload) ?? 'null')
      problems = validate(sent) ? [] : (validate.errors ?? []).map(e => `${e.instancePath || '(root)'} ${e.message ?? ''}${e.keyword === 'additionalProperties' ? `: ${String(e.params.additionalProperty)}` : ''}`)
    }
    if (problems.length === 0) return payload
    app.responseViolations.push({ route, status, problems })
    throw new Error(`response of ${route} (${status}) does not match its schema: ${problems.join('; ')}`)
  })
}, { name: 'response-check' })
