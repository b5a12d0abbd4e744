import { TRAVEL_MODE_NAMES } from '../domain/travel-modes.ts'
import { areaAndWindowQuery, communeCode, idInput, provinceCode } from '../http/schemas.ts'
import { OUTSIDE_MARGIN_M } from './repository.ts'
import { MAX_TIME_CHARS, TRACK_FORMATS } from './track-formats.ts'

/**
 * The contract of /api/patrols*: written once; handler types are derived from it
 * (json-schema-to-ts). Response objects are closed and list what they always carry.
 */

/** Largest track upload (a 10-hour log with a fix a second is ~5 MB of GPX). */
export const TRACK_BODY_LIMIT = 20 * 1024 * 1024
/** Most fixes in one live batch. */
export const MAX_LIVE_BATCH = 5_000

const integer = { type: 'integer' } as const
const number = { type: 'number' } as const
const text = { type: 'string' } as const
const nullableText = { type: ['string', 'null'] } as const

/** A closed object whose every property is always present. */
function closed<const P extends Record<string, unknown>> (properties: P) {
  return { type: 'object', additionalProperties: false, properties, required: Object.keys(properties) as (keyof P & string)[] } as const
}

const mode = { type: 'string', enum: TRAVEL_MODE_NAMES } as const

// ---- requests --------------------------------------------------------------------------------

export const PatrolParams = { type: 'object', additionalProperties: false, required: ['id'], properties: { id: idInput } } as const

export const UploadQuery = {
  type: 'object', additionalProperties: false, required: ['team'],
  properties: {
    team: { ...idInput, description: 'the team that patrolled' },
    mode: { ...mode, description: 'default: from the median speed (above 10 km/h: motorbike)' },
    format: { type: 'string', enum: TRACK_FORMATS, description: 'default: from the Content-Type, else sniffed' }
  }
} as const

export const LiveBody = {
  type: 'object', additionalProperties: false, required: ['team_id'], properties: { team_id: idInput, mode }
} as const

export const PositionsBody = {
  type: 'object', additionalProperties: false, required: ['fixes'],
  properties: {
    fixes: {
      type: 'array', minItems: 1, maxItems: MAX_LIVE_BATCH,
      items: {
        type: 'object', additionalProperties: false, required: ['lon', 'lat', 'time'],
        properties: {
          lon: { type: 'number', minimum: -180, maximum: 180 }, lat: { type: 'number', minimum: -90, maximum: 90 },
          time: { type: 'string', minLength: 1, maxLength: MAX_TIME_CHARS }
        }
      }
    }
  }
} as const

export const PatrolListQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    province: provinceCode, commune: communeCode, team: idInput,
    from: areaAndWindowQuery.from, to: areaAndWindowQuery.to,
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }
  }
} as const

// ---- responses -------------------------------------------------------------------------------

/** What cleaning did to a track (server/patrols/clean-track.ts); null for a live patrol before its first batch. */
export const CleaningReport = {
  ...closed({
    input: integer, kept: integer, duplicate: integer, out_of_order: integer, too_fast: integer, jump: integer,
    short_segment: { type: 'integer', description: 'fixes left alone in a segment of one after cleaning' },
    segments: integer,
    outside_commune: { type: 'integer', description: `kept fixes more than ${OUTSIDE_MARGIN_M} m outside the team's commune: in the track, not in coverage` }
  }),
  type: ['object', 'null']
} as const

const summaryProperties = {
  id: text, team_id: text, team_name: text, commune_code: text, province_code: text,
  mode: { type: ['string', 'null'], enum: [...TRAVEL_MODE_NAMES, null] },
  status: { type: 'string', enum: ['live', 'ended'] },
  started_at: nullableText, ended_at: nullableText, fixes: integer,
  distance_m: number, duration_s: { type: ['number', 'null'] }, is_generated: { type: 'boolean' },
  cleaning: CleaningReport
} as const

export const PatrolSummary = closed(summaryProperties)

/** A patrol with its cleaned track; `times` holds each coordinate's epoch seconds, parallel to track.coordinates. */
export const PatrolDetail = closed({
  ...summaryProperties,
  track: {
    ...closed({
      type: { type: 'string', enum: ['MultiLineString'] },
      coordinates: { type: 'array', items: { type: 'array', items: { type: 'array', items: number } } }
    }),
    type: ['object', 'null']
  },
  times: { type: 'array', items: { type: 'array', items: number } }
})

export const UploadResult = closed({ duplicate: { type: 'boolean' }, cells: integer, untimed_dropped: integer, patrol: PatrolSummary })
export const PositionsResult = closed({ cells: integer, patrol: PatrolSummary })
export const PatrolList = closed({ patrols: { type: 'array', items: PatrolSummary } })
