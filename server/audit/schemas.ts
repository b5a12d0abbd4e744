/** The contract of /api/audit: written once; handler types are derived from it (json-schema-to-ts). */

export const AuditQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    before_id: { type: 'integer', minimum: 1, description: 'page backwards: rows with a smaller id' },
    action: { type: 'string', maxLength: 100 },
    entity: { type: 'string', maxLength: 100 }
  }
} as const

const nullableText = { type: ['string', 'null'] } as const

export const AuditEntry = {
  type: 'object', additionalProperties: false,
  properties: {
    id: { type: 'integer' }, at: { type: 'string' }, user_id: nullableText, username: nullableText,
    role: nullableText, action: { type: 'string' }, entity: { type: 'string' }, entity_id: nullableText,
    province_code: nullableText, commune_code: nullableText,
    before: { description: 'the changed values before (any JSON, or null)' }, after: { description: 'the values after (any JSON, or null)' },
    request_id: nullableText, client_address: nullableText
  },
  required: ['id', 'at', 'user_id', 'username', 'role', 'action', 'entity', 'entity_id', 'province_code', 'commune_code', 'before', 'after', 'request_id', 'client_address']
} as const

export const AuditLog = {
  type: 'object', additionalProperties: false,
  properties: { entries: { type: 'array', items: AuditEntry } },
  required: ['entries']
} as const
