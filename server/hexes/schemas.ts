import { MAX_QUERY_RESOLUTION, MIN_QUERY_RESOLUTION } from '../h3/cells.ts'
import { areaAndWindowQuery } from '../http/schemas.ts'

/** The contract of /api/hexes: written once; handler types are derived from it (json-schema-to-ts). */
export const HexQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    res: { type: 'integer', minimum: MIN_QUERY_RESOLUTION, maximum: MAX_QUERY_RESOLUTION, default: 8 },
    ...areaAndWindowQuery
  }
} as const

export const HexCount = {
  type: 'object', additionalProperties: false,
  properties: { h3: { type: 'string' }, count: { type: 'integer' } },
  required: ['h3', 'count']
} as const

export const HexCounts = {
  type: 'object', additionalProperties: false,
  properties: {
    res: { type: 'integer' },
    source: { type: 'string', enum: ['rollup', 'raw'] },
    total: { type: 'integer' },
    cells: { type: 'array', items: HexCount }
  },
  required: ['res', 'source', 'total', 'cells']
} as const
