/** Every client error the API returns, defined once: code, status, message template. */
export class ApiError extends Error {
  constructor (
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field: string | null = null
  ) {
    super(message)
  }
}

export const errors = {
  invalidField: (field: string, problem: string) =>
    new ApiError(400, 'invalid_field', `${field}: ${problem}`, field),
  missingField: (field: string) =>
    new ApiError(400, 'missing_field', `${field}: is required`, field),
  outsideCommunes: (lon: number, lat: number) =>
    new ApiError(400, 'outside_communes', `lon,lat: the point (${lon}, ${lat}) lies in no loaded Vietnamese commune`, 'lon,lat'),
  futureTime: (field: string, value: string) =>
    new ApiError(400, 'time_in_future', `${field}: ${value} is in the future`, field),
  invalidJson: (detail: string) =>
    new ApiError(400, 'invalid_json', `body: malformed JSON (${detail})`, 'body'),
  bodyTooLarge: (limit: number) =>
    new ApiError(413, 'body_too_large', `body: larger than the limit of ${limit} bytes`, 'body'),
  unsupportedMediaType: (type: string) =>
    new ApiError(415, 'unsupported_media_type', `content-type: ${type || '(none)'} is not accepted here`, 'content-type'),
  notFound: (what: string) =>
    new ApiError(404, 'not_found', `${what} does not exist`, null)
} as const

export interface ErrorBody { error: string, message: string, field: string | null }
