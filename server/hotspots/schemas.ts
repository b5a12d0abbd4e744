import { MAX_QUERY_RESOLUTION, MIN_QUERY_RESOLUTION } from '../h3/cells.ts'
import { areaAndWindowQuery } from '../http/schemas.ts'
import { EMERGING_PATTERNS } from '../analysis/emerging.ts'

/** The contract of /api/hotspots: written once; handler types are derived from it (json-schema-to-ts). */

const commonQuery = {
  res: { type: 'integer', minimum: MIN_QUERY_RESOLUTION, maximum: MAX_QUERY_RESOLUTION, default: 8 },
  k: { type: 'integer', minimum: 1, maximum: 3, default: 1, description: 'k-ring radius of the Gi* neighbourhood' },
  province: areaAndWindowQuery.province,
  commune: areaAndWindowQuery.commune,
  category: areaAndWindowQuery.category
} as const

export const HotspotQuery = {
  type: 'object', additionalProperties: false,
  properties: { ...commonQuery, from: areaAndWindowQuery.from, to: areaAndWindowQuery.to }
} as const

export const HotspotCell = {
  type: 'object', additionalProperties: false,
  properties: {
    h3: { type: 'string' }, count: { type: 'integer' }, z: { type: 'number' }, p: { type: 'number' }, p_adjusted: { type: 'number' },
    class: { type: 'string' }
  },
  required: ['h3', 'count', 'z', 'p', 'p_adjusted', 'class']
} as const

export const Hotspots = {
  type: 'object', additionalProperties: false,
  properties: {
    res: { type: 'integer' }, k: { type: 'integer' }, from: { type: ['string', 'null'] }, to: { type: ['string', 'null'] },
    source: { type: 'string', enum: ['rollup', 'raw'] }, n_cells: { type: 'integer' }, total: { type: 'integer' },
    cells: { type: 'array', items: HotspotCell }
  },
  required: ['res', 'k', 'from', 'to', 'source', 'n_cells', 'total', 'cells']
} as const

export const EmergingQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    ...commonQuery,
    to: { type: 'string', description: 'exclusive end (local day, YYYY-MM-DD); default: the start of today in Vietnam' },
    step: { type: 'string', enum: ['day', 'week', 'month'], default: 'week' },
    steps: { type: 'integer', minimum: 2, maximum: 52, default: 12 }
  }
} as const

const Trend = {
  type: 'object', additionalProperties: false,
  properties: { tau: { type: 'number' }, p: { type: 'number' }, s: { type: 'number' }, z: { type: 'number' } },
  required: ['tau', 'p', 's', 'z']
} as const

export const EmergingCell = {
  type: 'object', additionalProperties: false,
  properties: {
    h3: { type: 'string' }, counts: { type: 'array', items: { type: 'integer' } }, z: { type: 'array', items: { type: 'number' } },
    trend: Trend, pattern: { type: 'string', enum: EMERGING_PATTERNS }, direction: { type: ['string', 'null'] }
  },
  required: ['h3', 'counts', 'z', 'trend', 'pattern', 'direction']
} as const

export const EmergingHotspots = {
  type: 'object', additionalProperties: false,
  properties: {
    res: { type: 'integer' }, k: { type: 'integer' }, step: { type: 'string', enum: ['day', 'week', 'month'] }, steps: { type: 'integer' },
    periods: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, properties: { from: { type: 'string' }, to: { type: 'string' } }, required: ['from', 'to'] }
    },
    summary: { type: 'object', additionalProperties: { type: 'integer' }, description: 'cells per pattern; cold patterns as cold_<name>' },
    cells: { type: 'array', items: EmergingCell }
  },
  required: ['res', 'k', 'step', 'steps', 'periods', 'summary', 'cells']
} as const
