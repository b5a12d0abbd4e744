/** JSON schemas shared by several routes. */

export const ErrorResponse = {
  type: 'object', additionalProperties: false,
  properties: { error: { type: 'string' }, message: { type: 'string' }, field: { type: ['string', 'null'] } },
  required: ['error', 'message', 'field']
} as const

export const errorResponses = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 408: ErrorResponse, 409: ErrorResponse, 413: ErrorResponse, 415: ErrorResponse, 422: ErrorResponse, 429: ErrorResponse, 503: ErrorResponse } as const

const code = (digits: number) => ({ type: 'string', pattern: `^\\d{${digits}}$` }) as const

/** Query parameters that select an area and a time window, shared by list, hexes and later exports. */
export const areaAndWindowQuery = {
  province: { ...code(2), description: 'two-digit province code, e.g. 31 (Hải Phòng)' },
  commune: { ...code(5), description: 'five-digit commune code' },
  bbox: { type: 'string', description: 'minLon,minLat,maxLon,maxLat' },
  from: { type: 'string', description: 'ISO 8601; inclusive. A bare date or a time without offset is Vietnam time (UTC+7).' },
  to: { type: 'string', description: 'ISO 8601; exclusive' },
  category: { type: 'string', description: 'comma-separated: security, social_order, traffic, fire, rescue, flood, other' }
} as const

export const provinceCode = code(2)
export const communeCode = code(5)

/**
 * An id in a request: the API returns ids as strings ("784"), and clients may send them back as
 * strings or as integers; handlers take `String(value)`.
 */
export const idInput = {
  type: ['string', 'integer'], pattern: '^[1-9][0-9]{0,17}$', minimum: 1, maximum: Number.MAX_SAFE_INTEGER,
  description: 'an id, as the string the API returns or as an integer'
} as const
