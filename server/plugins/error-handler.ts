import type { FastifyError, FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { ApiError, errors, POSTGRES_CLIENT_ERRORS, type ErrorBody } from '../errors.ts'

interface ValidationIssue { instancePath: string, keyword: string, message?: string, params: Record<string, unknown> }

/** Turns an Ajv issue into the field it concerns and a sentence about it. */
function describeValidation (issue: ValidationIssue, context: string): ApiError {
  const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.')
  if (issue.keyword === 'required') {
    const missing = String(issue.params.missingProperty)
    return errors.missingField(path ? `${path}.${missing}` : missing)
  }
  if (issue.keyword === 'additionalProperties') {
    const extra = String(issue.params.additionalProperty)
    return errors.invalidField(path ? `${path}.${extra}` : extra, 'is not a known field')
  }
  const field = path || context
  if (issue.keyword === 'type') return errors.invalidField(field, `must be of type ${String(issue.params.type)}`)
  if (issue.keyword === 'enum') return errors.invalidField(field, `must be one of ${(issue.params.allowedValues as unknown[]).join(', ')}`)
  return errors.invalidField(field, issue.message ?? 'is invalid')
}

/** One error handler: clear 4xx bodies `{ error, message, field }`; 5xx are logged and hidden. */
export default fp(async function errorHandler (app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError & { validation?: ValidationIssue[], validationContext?: string }, request, reply) => {
    let apiError: ApiError | null = null
    const postgresCode = (error as { code?: string }).code
    if (error instanceof ApiError) apiError = error
    else if ((error as { name?: string }).name === 'PostgresError' && postgresCode && POSTGRES_CLIENT_ERRORS[postgresCode]) apiError = POSTGRES_CLIENT_ERRORS[postgresCode]!()
    else if (error.validation && error.validation.length > 0) apiError = describeValidation(error.validation[0]!, error.validationContext ?? 'request')
    else if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (error.statusCode === 400 && error instanceof SyntaxError)) apiError = errors.invalidJson(error.message)
    else if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') apiError = errors.invalidJson('the body is empty')
    else if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') apiError = errors.bodyTooLarge(app.initialConfig.bodyLimit ?? 0)
    else if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') apiError = errors.unsupportedMediaType(String(request.headers['content-type'] ?? ''))
    else if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      apiError = new ApiError(error.statusCode, error.code?.toLowerCase() ?? 'bad_request', error.message)
    }
    if (apiError) {
      if (apiError.retryAfter) reply.header('retry-after', String(apiError.retryAfter))
      const body: ErrorBody = { error: apiError.code, message: apiError.message, field: apiError.field }
      return reply.status(apiError.statusCode).send(body)
    }
    request.log.error({ err: error }, 'unhandled error')
    const body: ErrorBody = { error: 'internal_error', message: 'Internal server error', field: null }
    return reply.status(500).send(body)
  })

  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = { error: 'not_found', message: `${request.method} ${request.url.split('?')[0]} does not exist`, field: null }
    return reply.status(404).send(body)
  })
}, { name: 'error-handler' })
