import { provinceCode } from '../http/schemas.ts'

/** The contract of /api/provinces and /api/communes: written once (json-schema-to-ts). */

export const Province = {
  type: 'object', additionalProperties: false,
  properties: {
    code: { type: 'string' }, name: { type: 'string' }, name_en: { type: 'string' },
    commune_count: { type: 'integer' }, population: { type: ['integer', 'null'] },
    bbox: { type: ['array', 'null'], items: { type: 'number' }, description: 'minLon, minLat, maxLon, maxLat' }
  },
  required: ['code', 'name', 'name_en', 'commune_count', 'population', 'bbox']
} as const

export const ProvinceList = { type: 'array', items: Province } as const

export const CommunesQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    province: provinceCode,
    simplify: { type: 'number', minimum: 0, maximum: 0.01, default: 0.00005, description: 'tolerance in degrees; 0 for full detail' }
  }
} as const

/**
 * The communes as GeoJSON (application/geo+json), built in the database and sent as text: this
 * schema documents the shape; the text is not re-serialized.
 */
export const CommuneCollection = {
  type: 'object', additionalProperties: false,
  properties: {
    type: { type: 'string', enum: ['FeatureCollection'] },
    features: {
      type: 'array',
      items: {
        type: 'object', additionalProperties: false,
        properties: {
          type: { type: 'string', enum: ['Feature'] }, id: { type: 'string' },
          geometry: { type: 'object', additionalProperties: true },
          properties: {
            type: 'object', additionalProperties: false,
            properties: {
              code: { type: 'string' }, name: { type: 'string' }, name_en: { type: 'string' }, province_code: { type: 'string' },
              population: { type: ['integer', 'null'] }, area_km2: { type: ['number', 'null'] }
            },
            required: ['code', 'name', 'name_en', 'province_code', 'population', 'area_km2']
          }
        },
        required: ['type', 'id', 'geometry', 'properties']
      }
    }
  },
  required: ['type', 'features']
} as const
