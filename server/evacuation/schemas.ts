import { communeCode, idInput, provinceCode } from '../http/schemas.ts'
import { ZONE_STATUSES } from '../domain/zone-status.ts'
import { RESCUE_URGENCIES } from '../domain/rescue-urgency.ts'
import { IncidentFeature } from '../incidents/schemas.ts'

/**
 * The contract of /api/evacuation/*: written once; handler types are derived from it
 * (json-schema-to-ts). Response objects are closed and list what they always carry.
 */

/** Most features one zone import may carry. */
export const MAX_IMPORT_FEATURES = 500

// ---- shared pieces ---------------------------------------------------------------------------

const position = { type: 'array', items: { type: 'number' }, description: '[lon, lat]' } as const
/** A zone's outline: always a MultiPolygon (clipped to its commune), as PostGIS wrote it. */
const MultiPolygon = {
  type: 'object', additionalProperties: false, required: ['type', 'coordinates'],
  properties: { type: { type: 'string', enum: ['MultiPolygon'] }, coordinates: { type: 'array', items: { type: 'array', items: { type: 'array', items: position } } } }
} as const
const Point = {
  type: 'object', additionalProperties: false, required: ['type', 'coordinates'],
  properties: { type: { type: 'string', enum: ['Point'] }, coordinates: position }
} as const
const integer = { type: 'integer' } as const
const text = { type: 'string' } as const
const nullableText = { type: ['string', 'null'] } as const
const textList = { type: 'array', items: text } as const

/** A closed object whose every property is always present. */
function closed<const P extends Record<string, unknown>> (properties: P) {
  return { type: 'object', additionalProperties: false, properties, required: Object.keys(properties) as (keyof P & string)[] } as const
}
/** A GeoJSON FeatureCollection of the given features. */
function collection<const F> (feature: F) {
  return closed({ type: { type: 'string', enum: ['FeatureCollection'] }, features: { type: 'array', items: feature } })
}
/** A GeoJSON Feature with the given geometry and properties. */
function featureOf<const G, const P> (geometry: G, properties: P) {
  return closed({ type: { type: 'string', enum: ['Feature'] }, geometry, properties })
}

const Counts = closed({ households: integer, people: integer, vulnerable: integer })

const zoneProperties = {
  id: text, name: text, commune_code: text, commune_name: text, province_code: text, risk_level: integer,
  status: { type: 'string', enum: ZONE_STATUSES }, status_changed_at: text, evacuate_ordered_at: nullableText,
  seconds_since_evacuate_order: { type: ['integer', 'null'], description: 'while the order stands (evacuate_now, evacuating, evacuated)' },
  households: integer, population: integer, elderly: integer, disabled: integer, children: integer,
  vulnerable: { type: 'integer', description: 'elderly + disabled + children: a sum of groups (one person may be in several)' },
  is_estimated: { type: 'boolean' }, estimated_fields: textList,
  moved: Counts, remaining: Counts,
  moved_groups: closed({ elderly: integer, disabled: integer, children: integer }),
  share_done: { type: 'number', description: 'people moved / population, 0..1' },
  team_ids: textList, open_rescue_requests: integer,
  is_generated: { type: 'boolean' }, allowed_next: { type: 'array', items: { type: 'string', enum: ZONE_STATUSES } }
} as const

export const ZoneFeature = featureOf(MultiPolygon, closed(zoneProperties))
export const ZoneCollection = collection(ZoneFeature)

const ZoneHistoryEntry = closed({ at: text, username: nullableText, from_status: nullableText, to_status: text, note: nullableText })
/** One zone with its status history (GET /api/evacuation/zones/:id). */
export const ZoneDetail = featureOf(MultiPolygon, closed({ ...zoneProperties, history: { type: 'array', items: ZoneHistoryEntry } }))

const shelterProperties = {
  id: text, name: text, capacity: integer, occupancy: integer, free: integer,
  is_open: { type: 'boolean' }, commune_code: text, province_code: text, over_capacity: { type: 'boolean' },
  over_capacity_reason: nullableText, is_generated: { type: 'boolean' }
} as const

export const ShelterFeature = featureOf(Point, closed(shelterProperties))
export const ShelterCollection = collection(ShelterFeature)
/** Shelters nearest a zone, each with its distance (metres). */
export const NearShelterCollection = collection(featureOf(Point, closed({ ...shelterProperties, distance_m: { type: 'number' } })))

export const RescueRequest = closed({
  incident_id: text, zone_id: text, lon: { type: 'number' }, lat: { type: 'number' }, people: integer,
  urgency: { type: 'string', enum: RESCUE_URGENCIES },
  status: text, reported_at: text, description: text
})

export const ProgressReport = closed({
  id: text, zone_id: text, team_id: nullableText, shelter_id: nullableText,
  households: integer, people: integer, elderly: integer, disabled: integer, children: integer,
  reported_at: text, username: nullableText, over_capacity: { type: 'boolean' }, force_reason: nullableText
})

// ---- requests --------------------------------------------------------------------------------

export const ZoneParams = {
  type: 'object', additionalProperties: false, required: ['id'], properties: { id: idInput }
} as const

export const AreaQuery = {
  type: 'object', additionalProperties: false,
  properties: { province: { ...provinceCode, description: 'two-digit province code' }, commune: { ...communeCode, description: 'five-digit commune code' } }
} as const

const count = { type: 'integer', minimum: 0, maximum: 10_000_000 } as const
const forceFields = { force: { type: 'boolean' }, reason: { type: 'string', maxLength: 2000 } } as const

export const ZoneImportBody = {
  type: 'object', required: ['type'],
  properties: {
    type: { type: 'string', enum: ['Feature', 'FeatureCollection'] },
    features: { type: 'array', minItems: 1, maxItems: MAX_IMPORT_FEATURES, items: { type: 'object' } },
    geometry: { type: ['object', 'null'] },
    properties: { type: ['object', 'null'] }
  }
} as const

export const ZoneImportResult = closed({
  zones: ZoneCollection,
  clipping: {
    type: 'array',
    items: closed({
      feature: integer, id: text, commune_code: text,
      input_area_m2: { type: 'number' }, area_m2: { type: 'number' }, clipped_away_m2: { type: 'number' },
      clipped_away_share: { type: 'number' }, estimated_fields: textList
    })
  }
})

export const ZoneStatusBody = {
  type: 'object', additionalProperties: false, required: ['status'],
  properties: { status: { type: 'string', enum: ZONE_STATUSES }, note: { type: 'string', maxLength: 2000 } }
} as const

export const ProgressBody = {
  type: 'object', additionalProperties: false, required: ['households', 'people'],
  properties: {
    team_id: idInput, households: count, people: count,
    elderly: count, disabled: count, children: count,
    shelter_id: idInput,
    ...forceFields,
    reported_at: { type: 'string', description: 'ISO 8601; default now; not in the future' }
  }
} as const

export const ProgressResult = closed({ report: ProgressReport, zone: ZoneFeature, shelter: { anyOf: [ShelterFeature, { type: 'null' }] } })

export const ZoneTeamsBody = {
  type: 'object', additionalProperties: false, required: ['team_ids'],
  properties: { team_ids: { type: 'array', maxItems: 100, items: idInput } }
} as const

export const NearSheltersQuery = {
  type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 50, default: 5 } }
} as const

export const RescueBody = {
  type: 'object', additionalProperties: false, required: ['lon', 'lat', 'people', 'urgency'],
  properties: {
    lon: { type: 'number', minimum: -180, maximum: 180 }, lat: { type: 'number', minimum: -90, maximum: 90 },
    people: { type: 'integer', minimum: 1, maximum: 100_000 },
    urgency: { type: 'string', enum: RESCUE_URGENCIES },
    description: { type: 'string', maxLength: 4000 }, occurred_at: { type: 'string', description: 'ISO 8601; default now; not in the future' }
  }
} as const

export const RescueResult = closed({
  rescue_request: RescueRequest,
  // The incident as GET /api/incidents returns it (the incidents contract, not repeated here).
  incident: IncidentFeature,
  zone: ZoneFeature
})

export const ShelterBody = {
  type: 'object', additionalProperties: false, required: ['name', 'lon', 'lat', 'capacity'],
  properties: {
    commune_code: communeCode, name: { type: 'string', minLength: 1, maxLength: 200 },
    lon: { type: 'number', minimum: -180, maximum: 180 }, lat: { type: 'number', minimum: -90, maximum: 90 },
    capacity: count, occupancy: count, is_open: { type: 'boolean' }, ...forceFields
  }
} as const

export const ShelterParams = ZoneParams

export const ShelterPatch = {
  type: 'object', additionalProperties: false,
  properties: { capacity: count, occupancy: count, is_open: { type: 'boolean' }, ...forceFields }
} as const

export const BoardParams = {
  type: 'object', additionalProperties: false, required: ['code'], properties: { code: communeCode }
} as const

export const Board = closed({
  commune: closed({ code: text, name: text, population: { type: ['integer', 'null'] } }),
  totals: closed({
    households: integer, population: integer, vulnerable: integer,
    moved: Counts, remaining: Counts, share_done: { type: 'number' },
    zones_by_status: { type: 'object', additionalProperties: integer }
  }),
  zones: ZoneCollection,
  shelters: ShelterCollection,
  teams: { type: 'array', items: closed({ id: text, name: text, zone_ids: textList, reports: integer, people_moved: integer }) },
  rescue_requests: { type: 'array', items: RescueRequest }
})

export const TimelineQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    ...AreaQuery.properties,
    from: { type: 'string', description: 'ISO 8601' }, to: { type: 'string', description: 'ISO 8601; default now' },
    step: { type: 'string', enum: ['hour', 'day'], default: 'hour' }
  }
} as const

export const Timeline = closed({
  step: { type: 'string', enum: ['hour', 'day'] }, from: text, to: text,
  points: { type: 'array', items: closed({ at: text, people_moved: integer, households_moved: integer, vulnerable_moved: integer, people_at_risk: integer }) }
})
