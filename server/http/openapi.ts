import { isDeepStrictEqual } from 'node:util'
import { ErrorResponse } from './schemas.ts'

interface ResponseObject { description?: string, content?: Record<string, { schema?: unknown }> }
interface Document { paths?: Record<string, Record<string, { responses?: Record<string, ResponseObject | { $ref: string }> }>>, components?: Record<string, unknown> }

const ERROR_REF = '#/components/responses/Error'

/**
 * Every route answers its 4xx with the same `{ error, message, field }` body; the document names it
 * once (components.responses.Error) instead of repeating it for each status of each route.
 */
export function shareErrorResponses<T> (document: T): T {
  const doc = document as Document
  const errorSchema = JSON.parse(JSON.stringify(ErrorResponse)) as unknown
  let shared = false
  for (const methods of Object.values(doc.paths ?? {})) {
    for (const operation of Object.values(methods)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const schema = (response as ResponseObject).content?.['application/json']?.schema
        if (schema !== undefined && isDeepStrictEqual(schema, errorSchema)) {
          operation.responses![status] = { $ref: ERROR_REF }
          shared = true
        }
      }
    }
  }
  if (shared) {
    const components = (doc.components ??= {}) as { responses?: Record<string, ResponseObject> }
    components.responses = { ...components.responses, Error: { description: 'A client error: the field it concerns and what is wrong', content: { 'application/json': { schema: errorSchema } } } }
  }
  return document
}
