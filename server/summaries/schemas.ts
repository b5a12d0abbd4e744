import { communeCode, provinceCode } from '../http/schemas.ts'

/** The contract of /api/communes/:code/summary and /api/provinces/:code/summary (json-schema-to-ts). */

export const CommuneSummary = {
  type: 'object', additionalProperties: false,
  properties: {
    code: { type: 'string' }, name: { type: 'string' }, name_en: { type: 'string' }, population: { type: ['integer', 'null'] },
    total: { type: 'integer' }, previous_total: { type: 'integer' },
    by_category: { type: 'object', additionalProperties: { type: 'integer' } },
    by_status: { type: 'object', additionalProperties: { type: 'integer' } },
    median_response_seconds: { type: ['number', 'null'], description: 'median of dispatched − reported' },
    median_handling_seconds: { type: ['number', 'null'], description: 'median of resolved − reported' },
    resolved_share: { type: ['number', 'null'], description: '(resolved + closed) / (all − cancelled)' },
    per_1000_residents: { type: ['number', 'null'] },
    change: { type: 'integer', description: 'total − previous_total' },
    change_pct: { type: ['number', 'null'] }
  },
  required: [
    'code', 'name', 'name_en', 'population', 'total', 'previous_total', 'by_category', 'by_status', 'median_response_seconds',
    'median_handling_seconds', 'resolved_share', 'per_1000_residents', 'change', 'change_pct'
  ]
} as const

export const SummaryWindowQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    from: { type: 'string', description: 'ISO 8601, inclusive; default: 30 days before to' },
    to: { type: 'string', description: 'ISO 8601, exclusive; default: the start of today in Vietnam' }
  }
} as const

export const CommuneCodeParams = {
  type: 'object', additionalProperties: false, properties: { code: communeCode }, required: ['code']
} as const

export const ProvinceCodeParams = {
  type: 'object', additionalProperties: false, properties: { code: provinceCode }, required: ['code']
} as const

const window = { from: { type: 'string' }, to: { type: 'string' }, previous_from: { type: 'string' } } as const

export const CommuneSummaryAnswer = {
  type: 'object', additionalProperties: false,
  properties: { ...window, commune: CommuneSummary },
  required: ['from', 'to', 'previous_from', 'commune']
} as const

export const ProvinceSummaryAnswer = {
  type: 'object', additionalProperties: false,
  properties: { ...window, communes: { type: 'array', items: CommuneSummary } },
  required: ['from', 'to', 'previous_from', 'communes']
} as const
