import { communeCode, errorResponses, provinceCode } from '../http/schemas.ts'

/** The contract of GET /api/stream (an event stream: only its errors are JSON). */
export const StreamQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    province: { ...provinceCode, description: 'two-digit province code' },
    commune: { ...communeCode, description: 'five-digit commune code' },
    category: { type: 'string', description: 'comma-separated categories' },
    last_event_id: { type: 'integer', minimum: 0, description: 'for clients that cannot send the Last-Event-ID header' }
  }
} as const

export const streamResponses = errorResponses
