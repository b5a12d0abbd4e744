import { CATEGORIES, STATUSES } from '../domain/incident-status.ts'
import { areaAndWindowQuery, idInput } from '../http/schemas.ts'

/** The contract of /api/incidents: written once; handler types are derived from it (json-schema-to-ts). */

/** Largest page of GET /api/incidents. */
export const MAX_LIST_LIMIT = 5_000

const nullableTime = { type: ['string', 'null'] } as const

export const IncidentProperties = {
  type: 'object', additionalProperties: false,
  properties: {
    id: { type: 'integer' }, category: { type: 'string', enum: CATEGORIES }, severity: { type: 'integer' }, status: { type: 'string', enum: STATUSES },
    occurred_at: { type: 'string' }, reported_at: { type: 'string' }, commune_code: { type: 'string' },
    province_code: { type: 'string' }, h3: { type: 'string' }, description: { type: 'string' }, is_generated: { type: 'boolean' }
  },
  required: ['id', 'category', 'severity', 'status', 'occurred_at', 'reported_at', 'commune_code', 'province_code', 'h3', 'description', 'is_generated']
} as const

const PointGeometry = {
  type: 'object', additionalProperties: false,
  properties: { type: { type: 'string', enum: ['Point'] }, coordinates: { type: 'array', items: { type: 'number' } } },
  required: ['type', 'coordinates']
} as const

export const IncidentFeature = {
  type: 'object', additionalProperties: false,
  properties: { type: { type: 'string', enum: ['Feature'] }, geometry: PointGeometry, properties: IncidentProperties },
  required: ['type', 'geometry', 'properties']
} as const

export const FireDetails = {
  type: 'object', additionalProperties: false,
  properties: {
    cause: { type: ['string', 'null'], maxLength: 500 },
    area_m2: { type: ['number', 'null'], minimum: 0 },
    people_injured: { type: ['integer', 'null'], minimum: 0 }
  }
} as const

export const RescueDetails = {
  type: 'object', additionalProperties: false,
  properties: {
    people_rescued: { type: ['integer', 'null'], minimum: 0 },
    people_missing: { type: ['integer', 'null'], minimum: 0 }
  }
} as const

const HistoryEntry = {
  type: 'object', additionalProperties: false,
  properties: {
    at: { type: 'string' }, username: { type: ['string', 'null'] }, from_status: { type: ['string', 'null'] },
    to_status: { type: 'string' }, team_id: { type: ['string', 'null'] }, note: { type: ['string', 'null'] }
  },
  required: ['at', 'username', 'from_status', 'to_status', 'team_id', 'note']
} as const

export const IncidentDetail = {
  type: 'object', additionalProperties: false,
  properties: {
    ...IncidentFeature.properties,
    properties: {
      type: 'object', additionalProperties: false,
      properties: {
        ...IncidentProperties.properties,
        team_id: { type: ['string', 'null'] },
        dispatched_at: nullableTime, on_scene_at: nullableTime, resolved_at: nullableTime, closed_at: nullableTime, cancelled_at: nullableTime,
        response_seconds: { type: ['integer', 'null'], description: 'dispatched − reported' },
        handling_seconds: { type: ['integer', 'null'], description: 'resolved − reported' },
        // As stored: every column present, null when not recorded.
        fire: { ...FireDetails, type: ['object', 'null'], required: ['cause', 'area_m2', 'people_injured'] },
        rescue: { ...RescueDetails, type: ['object', 'null'], required: ['people_rescued', 'people_missing'] },
        history: { type: 'array', items: HistoryEntry }
      },
      required: [
        ...IncidentProperties.required, 'team_id', 'dispatched_at', 'on_scene_at', 'resolved_at', 'closed_at', 'cancelled_at',
        'response_seconds', 'handling_seconds', 'fire', 'rescue', 'history'
      ]
    }
  },
  required: IncidentFeature.required
} as const

export const IncidentListQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    ...areaAndWindowQuery,
    limit: { type: 'integer', minimum: 1, maximum: MAX_LIST_LIMIT, default: 1000 },
    cursor: { type: 'string' }
  }
} as const

export const IncidentList = {
  type: 'object', additionalProperties: false,
  properties: {
    type: { type: 'string', enum: ['FeatureCollection'] },
    features: { type: 'array', items: IncidentFeature },
    next_cursor: { type: ['string', 'null'] }
  },
  required: ['type', 'features', 'next_cursor']
} as const

export const IncidentIdParams = {
  type: 'object', additionalProperties: false, properties: { id: idInput }, required: ['id']
} as const

export const NewIncidentBody = {
  type: 'object', additionalProperties: false,
  required: ['lon', 'lat', 'category', 'severity', 'occurred_at'],
  properties: {
    lon: { type: 'number', minimum: -180, maximum: 180 },
    lat: { type: 'number', minimum: -90, maximum: 90 },
    category: { type: 'string', enum: CATEGORIES },
    severity: { type: 'integer', minimum: 1, maximum: 5 },
    occurred_at: { type: 'string', minLength: 1, description: 'ISO 8601; not in the future' },
    description: { type: 'string', maxLength: 4000, default: '' },
    fire: FireDetails,
    rescue: RescueDetails
  }
} as const

export const StatusChangeBody = {
  type: 'object', additionalProperties: false, required: ['status'],
  properties: {
    status: { type: 'string', enum: STATUSES },
    team_id: { ...idInput, description: 'the team sent (a team of the incident\'s commune), as the string the API returns or as an integer' },
    note: { type: 'string', maxLength: 2000 },
    fire: FireDetails,
    rescue: RescueDetails
  }
} as const
