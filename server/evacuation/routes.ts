import type { FastifyInstance, FastifyRequest } from 'fastify'
import { errors } from '../errors.ts'
import { FUTURE_TOLERANCE_MS, parseArea, parseTime, type Area } from '../http/params.ts'
import { communeCode, errorResponses, provinceCode } from '../http/schemas.ts'
import { assertAreaVisible, scopeCoversPlace } from '../auth/area-scope.ts'
import { roleMay } from '../auth/roles.ts'
import { recordAudit } from '../audit/record.ts'
import { incidentRepository, toFeature as incidentFeature, toSnapshot } from '../incidents/repository.ts'
import type { Sql } from '../db/connection.ts'
import type { EvacuationEventType, EvacuationSnapshot } from '../events/bus.ts'
import { evacuationRepository, shelterFeature, zoneFeature, type ShelterRow, type ZoneFeature, type ZoneRow } from './repository.ts'
import { allowedNext, canMoveZone, REPORTING_STATUSES, ZONE_STATUSES, type ZoneStatus } from './status.ts'
import { AT_RISK_FIELDS, estimateAtRisk, type AtRiskField } from './estimate.ts'

/** Most features one zone import may carry. */
export const MAX_IMPORT_FEATURES = 500
/** Most points one timeline may have. */
export const MAX_TIMELINE_POINTS = 1000
/** Severity of the rescue incident a request becomes, by urgency. */
export const RESCUE_SEVERITY = { low: 3, high: 4, critical: 5 } as const
type Urgency = keyof typeof RESCUE_SEVERITY

// ---------------------------------------------------------------------------------------------
// Schemas

const anyObject = { type: 'object', additionalProperties: true } as const
const idParam = { type: 'object', properties: { id: { type: 'string', pattern: '^\\d{1,18}$' } } } as const
const counts = { type: 'object', properties: { households: { type: 'integer' }, people: { type: 'integer' }, vulnerable: { type: 'integer' } } } as const

const ZoneProperties = {
  type: 'object',
  properties: {
    id: { type: 'string' }, name: { type: 'string' }, commune_code: { type: 'string' }, commune_name: { type: 'string' },
    province_code: { type: 'string' }, risk_level: { type: 'integer' }, status: { type: 'string', enum: ZONE_STATUSES },
    status_changed_at: { type: 'string' }, evacuate_ordered_at: { type: ['string', 'null'] },
    seconds_since_evacuate_order: { type: ['integer', 'null'], description: 'while the order stands (evacuate_now, evacuating, evacuated)' },
    households: { type: 'integer' }, population: { type: 'integer' }, elderly: { type: 'integer' }, disabled: { type: 'integer' },
    children: { type: 'integer' },
    vulnerable: { type: 'integer', description: 'elderly + disabled + children: a sum of groups (one person may be in several)' },
    is_estimated: { type: 'boolean' }, estimated_fields: { type: 'array', items: { type: 'string' } },
    moved: counts, remaining: counts,
    moved_groups: { type: 'object', properties: { elderly: { type: 'integer' }, disabled: { type: 'integer' }, children: { type: 'integer' } } },
    share_done: { type: 'number', description: 'people moved / population, 0..1' },
    team_ids: { type: 'array', items: { type: 'string' } }, open_rescue_requests: { type: 'integer' },
    is_generated: { type: 'boolean' }, allowed_next: { type: 'array', items: { type: 'string' } },
    history: {
      type: 'array',
      items: { type: 'object', properties: { at: { type: 'string' }, username: { type: ['string', 'null'] }, from_status: { type: ['string', 'null'] }, to_status: { type: 'string' }, note: { type: ['string', 'null'] } } }
    }
  }
} as const
const ZoneFeatureSchema = { type: 'object', properties: { type: { type: 'string' }, geometry: anyObject, properties: ZoneProperties } } as const
const ZoneCollection = { type: 'object', properties: { type: { type: 'string' }, features: { type: 'array', items: ZoneFeatureSchema } } } as const

const ShelterProperties = {
  type: 'object',
  properties: {
    id: { type: 'string' }, name: { type: 'string' }, capacity: { type: 'integer' }, occupancy: { type: 'integer' }, free: { type: 'integer' },
    is_open: { type: 'boolean' }, commune_code: { type: 'string' }, province_code: { type: 'string' }, over_capacity: { type: 'boolean' },
    over_capacity_reason: { type: ['string', 'null'] }, is_generated: { type: 'boolean' }, distance_m: { type: 'number' }
  }
} as const
const ShelterFeatureSchema = { type: 'object', properties: { type: { type: 'string' }, geometry: anyObject, properties: ShelterProperties } } as const
const ShelterCollection = { type: 'object', properties: { type: { type: 'string' }, features: { type: 'array', items: ShelterFeatureSchema } } } as const

const RescueRequestSchema = {
  type: 'object',
  properties: {
    incident_id: { type: 'string' }, zone_id: { type: 'string' }, lon: { type: 'number' }, lat: { type: 'number' }, people: { type: 'integer' },
    urgency: { type: 'string' }, status: { type: 'string' }, reported_at: { type: 'string' }, description: { type: 'string' }
  }
} as const

const ReportSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' }, zone_id: { type: 'string' }, team_id: { type: ['string', 'null'] }, shelter_id: { type: ['string', 'null'] },
    households: { type: 'integer' }, people: { type: 'integer' }, elderly: { type: 'integer' }, disabled: { type: 'integer' }, children: { type: 'integer' },
    reported_at: { type: 'string' }, username: { type: ['string', 'null'] }, over_capacity: { type: 'boolean' }, force_reason: { type: ['string', 'null'] }
  }
} as const

const areaQuery = {
  type: 'object', additionalProperties: false,
  properties: { province: { ...provinceCode, description: 'two-digit province code' }, commune: { ...communeCode, description: 'five-digit commune code' } }
} as const

const count = { type: 'integer', minimum: 0, maximum: 10_000_000 } as const

// ---------------------------------------------------------------------------------------------

interface ZoneImportFeature { type?: unknown, geometry?: unknown, properties?: Record<string, unknown> | null }
interface ProgressBody { team_id?: string, households: number, people: number, elderly?: number, disabled?: number, children?: number, shelter_id?: string, force?: boolean, reason?: string, reported_at?: string }
interface ShelterBody { commune_code?: string, name: string, lon: number, lat: number, capacity: number, occupancy?: number, is_open?: boolean, force?: boolean, reason?: string }
interface ShelterPatch { capacity?: number, occupancy?: number, is_open?: boolean, force?: boolean, reason?: string }
interface RescueBody { lon: number, lat: number, people: number, urgency: Urgency, description?: string, occurred_at?: string }

function requireWrite (request: FastifyRequest) {
  const user = request.user!
  if (!roleMay(user.role, 'evacuation:write')) throw errors.forbidden(null, `the role ${user.role} may not change evacuation data`)
  return user
}

function notInFuture (field: string, value: string | undefined): Date {
  if (value === undefined) return new Date()
  const time = parseTime(field, value)
  if (time.getTime() > Date.now() + FUTURE_TOLERANCE_MS) throw errors.futureTime(field, value)
  return time
}

/** force: true needs a reason, which is stored and audited. */
function forceReason (body: { force?: boolean, reason?: string }): string | null {
  if (!body.force) return null
  const reason = body.reason?.trim() ?? ''
  if (!reason) throw errors.missingField('reason')
  return reason
}

function isPosition (p: unknown): boolean {
  return Array.isArray(p) && p.length >= 2 && p.length <= 3 && p.every(v => typeof v === 'number' && Number.isFinite(v)) &&
    Math.abs(p[0] as number) <= 180 && Math.abs(p[1] as number) <= 90
}
function isRing (ring: unknown): boolean {
  return Array.isArray(ring) && ring.length >= 4 && ring.every(isPosition)
}
function isPolygonCoordinates (rings: unknown): boolean {
  return Array.isArray(rings) && rings.length >= 1 && rings.every(isRing)
}

/** Checks one imported feature's shape; throws a 400 naming features[i].… */
function checkImportFeature (feature: ZoneImportFeature, i: number) {
  const at = `features[${i}]`
  if (!feature || typeof feature !== 'object' || feature.type !== 'Feature') throw errors.invalidField(`${at}.type`, 'must be "Feature"')
  const geometry = feature.geometry as { type?: unknown, coordinates?: unknown } | null | undefined
  if (!geometry || typeof geometry !== 'object') throw errors.missingField(`${at}.geometry`)
  const valid = geometry.type === 'Polygon' ? isPolygonCoordinates(geometry.coordinates)
    : geometry.type === 'MultiPolygon' ? Array.isArray(geometry.coordinates) && geometry.coordinates.length >= 1 && geometry.coordinates.every(isPolygonCoordinates)
      : false
  if (!valid) throw errors.invalidField(`${at}.geometry`, 'must be a Polygon or MultiPolygon with closed rings of [lon, lat] positions')
  const p = feature.properties ?? {}
  if (typeof p !== 'object' || Array.isArray(p)) throw errors.invalidField(`${at}.properties`, 'must be an object')
  const known = ['commune_code', 'name', 'risk_level', ...AT_RISK_FIELDS]
  for (const key of Object.keys(p)) if (!known.includes(key)) throw errors.invalidField(`${at}.properties.${key}`, 'is not a known field')
  if (p.commune_code !== undefined && p.commune_code !== null && !(typeof p.commune_code === 'string' && /^\d{5}$/.test(p.commune_code))) {
    throw errors.invalidField(`${at}.properties.commune_code`, 'must be a five-digit commune code')
  }
  if (p.name === undefined) throw errors.missingField(`${at}.properties.name`)
  if (typeof p.name !== 'string' || p.name.trim() === '' || p.name.length > 200) throw errors.invalidField(`${at}.properties.name`, 'must be a non-empty string of at most 200 characters')
  if (p.risk_level === undefined) throw errors.missingField(`${at}.properties.risk_level`)
  if (![1, 2, 3].includes(p.risk_level as number)) throw errors.invalidField(`${at}.properties.risk_level`, 'must be 1, 2 or 3')
  for (const field of AT_RISK_FIELDS) {
    const value = p[field]
    if (value === undefined || value === null) continue
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 10_000_000) {
      throw errors.invalidField(`${at}.properties.${field}`, 'must be a whole number ≥ 0')
    }
  }
  return {
    geometry, commune_code: (p.commune_code as string | undefined) ?? null, name: (p.name as string).trim(), risk_level: p.risk_level as number,
    given: Object.fromEntries(AT_RISK_FIELDS.map(f => [f, p[f] as number | null | undefined])) as Partial<Record<AtRiskField, number | null>>
  }
}

export default async function evacuationRoutes (app: FastifyInstance) {
  /** Publishes after the commit, so the feed never shows what was rolled back. */
  function publish (type: EvacuationEventType, snapshot: EvacuationSnapshot) {
    app.incidentEvents.publishEvacuation(type, snapshot)
  }
  function zoneSummary (feature: ZoneFeature): EvacuationSnapshot {
    const p = feature.properties
    return {
      province_code: p.province_code, commune_code: p.commune_code, zone_id: p.id, name: p.name, status: p.status,
      population: p.population, moved: p.moved, remaining: p.remaining, share_done: p.share_done, team_ids: p.team_ids,
      open_rescue_requests: p.open_rescue_requests
    }
  }
  function shelterSummary (s: ShelterRow): EvacuationSnapshot {
    return { province_code: s.province_code, commune_code: s.commune_code, shelter_id: s.id, name: s.name, capacity: s.capacity, occupancy: s.occupancy, is_open: s.is_open }
  }
  async function visibleArea (request: FastifyRequest<{ Querystring: { province?: string, commune?: string } }>): Promise<Area> {
    const area = parseArea(request.query)
    await assertAreaVisible(app, request.user!, area)
    return area
  }
  async function zoneOr404 (tx: Sql, id: string, lock = false): Promise<ZoneRow> {
    const repository = evacuationRepository(tx)
    const zone = lock ? await repository.lockZone(id) : await repository.zone(id)
    if (!zone) throw errors.notFound(`evacuation zone ${id}`)
    return zone
  }

  // ---- zones ---------------------------------------------------------------------------------

  app.get<{ Querystring: { province?: string, commune?: string } }>('/api/evacuation/zones', {
    schema: { querystring: areaQuery, response: { 200: ZoneCollection, ...errorResponses } }
  }, async (request) => {
    const area = await visibleArea(request)
    const rows = await request.scoped(tx => evacuationRepository(tx).zones(area))
    const now = new Date()
    return { type: 'FeatureCollection', features: rows.map(row => zoneFeature(row, now)) }
  })

  app.get<{ Params: { id: string } }>('/api/evacuation/zones/:id', {
    schema: { params: idParam, response: { 200: ZoneFeatureSchema, ...errorResponses } }
  }, async (request) => {
    return request.scoped(async tx => {
      const zone = await zoneOr404(tx, request.params.id)
      const history = await evacuationRepository(tx).zoneHistory(zone.id)
      const feature = zoneFeature(zone)
      return { ...feature, properties: { ...feature.properties, history: history.map(h => ({ ...h, at: h.at.toISOString() })) } }
    })
  })

  app.post<{ Body: { type: string, features?: ZoneImportFeature[] } & ZoneImportFeature }>('/api/evacuation/zones', {
    schema: {
      description: 'Imports zones: a GeoJSON Feature or FeatureCollection of Polygons/MultiPolygons with properties commune_code?, name, risk_level (1–3), households?, population?, elderly?, disabled?, children?. Each polygon is clipped to its commune (the given one, else the commune holding most of it); missing figures are estimated by area share. A single Feature is features[0] in error fields.',
      body: {
        type: 'object', required: ['type'],
        properties: {
          type: { type: 'string', enum: ['Feature', 'FeatureCollection'] },
          features: { type: 'array', minItems: 1, maxItems: MAX_IMPORT_FEATURES, items: { type: 'object' } },
          geometry: { type: ['object', 'null'] },
          properties: { type: ['object', 'null'] }
        }
      },
      response: {
        201: {
          type: 'object',
          properties: {
            zones: ZoneCollection,
            clipping: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  feature: { type: 'integer' }, id: { type: 'string' }, commune_code: { type: 'string' },
                  input_area_m2: { type: 'number' }, area_m2: { type: 'number' }, clipped_away_m2: { type: 'number' },
                  clipped_away_share: { type: 'number' }, estimated_fields: { type: 'array', items: { type: 'string' } }
                }
              }
            }
          }
        },
        ...errorResponses
      }
    }
  }, async (request, reply) => {
    const user = requireWrite(request)
    const body = request.body
    if (body.type === 'FeatureCollection' && !body.features) throw errors.missingField('features')
    const raw: ZoneImportFeature[] = body.type === 'FeatureCollection' ? body.features! : [body]
    const features = raw.map(checkImportFeature)
    const { rows, clipping } = await request.scoped(async tx => {
      const repository = evacuationRepository(tx)
      const ids: string[] = []
      const clipping = []
      for (const [i, f] of features.entries()) {
        if (f.commune_code && !(await repository.commune(f.commune_code))) throw errors.invalidField(`features[${i}].properties.commune_code`, `commune ${f.commune_code} is not loaded`)
        const clip = await repository.clipToCommune(f.geometry, f.commune_code)
        if (!clip || clip.clipped === null || clip.clipped_area_m2 <= 0) {
          throw errors.outsideCommune(`features[${i}].geometry`, f.commune_code ? `the polygon does not overlap commune ${f.commune_code}` : 'the polygon overlaps no loaded commune')
        }
        if (!scopeCoversPlace(user, clip)) throw errors.forbidden(`features[${i}].geometry`, `the zone lies in commune ${clip.commune_code}, outside your jurisdiction`)
        const communePopulation = clip.commune_population ?? Math.round((clip.province_density ?? 0) * clip.commune_area_m2)
        const { figures, estimated } = estimateAtRisk({ communePopulation, zoneAreaM2: clip.clipped_area_m2, communeAreaM2: clip.commune_area_m2 }, f.given)
        const id = await repository.insertZone({
          province_code: clip.province_code, commune_code: clip.commune_code, name: f.name, risk_level: f.risk_level,
          clipped: clip.clipped, ...figures, estimated_fields: estimated
        })
        const place = { id, province_code: clip.province_code, commune_code: clip.commune_code }
        await repository.appendZoneEvent(place, null, 'normal', 'imported', user)
        const clippedAway = Math.max(0, clip.input_area_m2 - clip.clipped_area_m2)
        const report = {
          feature: i, id, commune_code: clip.commune_code, input_area_m2: clip.input_area_m2, area_m2: clip.clipped_area_m2,
          clipped_away_m2: clippedAway, clipped_away_share: clip.input_area_m2 > 0 ? clippedAway / clip.input_area_m2 : 0, estimated_fields: estimated
        }
        clipping.push(report)
        await recordAudit(tx, request, user, {
          action: 'evacuation.zone_create', entity: 'evacuation_zone', entity_id: id, province_code: clip.province_code, commune_code: clip.commune_code,
          before: null, after: { name: f.name, risk_level: f.risk_level, ...figures, estimated_fields: estimated, clipped_away_m2: clippedAway }
        })
        ids.push(id)
      }
      const rows = []
      for (const id of ids) rows.push((await repository.zone(id))!)
      return { rows, clipping }
    })
    const zones = rows.map(row => zoneFeature(row))
    for (const zone of zones) publish('evacuation.zone', { ...zoneSummary(zone), change: 'created' })
    return reply.status(201).send({ zones: { type: 'FeatureCollection', features: zones }, clipping })
  })

  app.patch<{ Params: { id: string }, Body: { status: ZoneStatus, note?: string } }>('/api/evacuation/zones/:id/status', {
    schema: {
      description: 'Moves a zone along the workflow (see README); an illegal change is 409 illegal_transition naming both statuses and the allowed next ones.',
      params: idParam,
      body: {
        type: 'object', additionalProperties: false, required: ['status'],
        properties: { status: { type: 'string', enum: ZONE_STATUSES }, note: { type: 'string', maxLength: 2000 } }
      },
      response: { 200: ZoneFeatureSchema, ...errorResponses }
    }
  }, async (request) => {
    const user = requireWrite(request)
    const { status: to, note } = request.body
    const feature: { feature: ZoneFeature, from: ZoneStatus } = await request.scoped(async tx => {
      const repository = evacuationRepository(tx)
      const zone = await zoneOr404(tx, request.params.id, true)
      if (!canMoveZone(zone.status, to, zone.moved_people)) throw errors.illegalTransition(zone.status, to, allowedNext(zone.status, zone.moved_people))
      await repository.changeZoneStatus(zone, to, note ?? null, user)
      await recordAudit(tx, request, user, {
        action: 'evacuation.zone_status', entity: 'evacuation_zone', entity_id: zone.id, province_code: zone.province_code, commune_code: zone.commune_code,
        before: { status: zone.status }, after: { status: to, note: note ?? null }
      })
      return { feature: zoneFeature((await repository.zone(zone.id))!), from: zone.status }
    })
    publish('evacuation.zone', { ...zoneSummary(feature.feature), change: 'status', from_status: feature.from })
    return feature.feature
  })

  app.post<{ Params: { id: string }, Body: ProgressBody }>('/api/evacuation/zones/:id/progress', {
    schema: {
      description: 'Reports households and people moved out of a zone (vulnerable groups counted separately). Moved totals may not exceed those at risk (400). Only while evacuate_now or evacuating (409); the first report moves evacuate_now → evacuating. With shelter_id the people are added to the shelter; beyond its capacity is 409 shelter_capacity_exceeded unless force: true with a reason.',
      params: idParam,
      body: {
        type: 'object', additionalProperties: false, required: ['households', 'people'],
        properties: {
          team_id: { type: 'string', pattern: '^\\d{1,18}$' }, households: count, people: count,
          elderly: count, disabled: count, children: count,
          shelter_id: { type: 'string', pattern: '^\\d{1,18}$' },
          force: { type: 'boolean' }, reason: { type: 'string', maxLength: 2000 },
          reported_at: { type: 'string', description: 'ISO 8601; default now; not in the future' }
        }
      },
      response: { 201: { type: 'object', properties: { report: ReportSchema, zone: ZoneFeatureSchema, shelter: { anyOf: [ShelterFeatureSchema, { type: 'null' }] } } }, ...errorResponses }
    }
  }, async (request, reply) => {
    const user = requireWrite(request)
    const body = request.body
    const reportedAt = notInFuture('reported_at', body.reported_at)
    const groups = { elderly: body.elderly ?? 0, disabled: body.disabled ?? 0, children: body.children ?? 0 }
    for (const [field, value] of Object.entries(groups)) {
      if (value > body.people) throw errors.invalidField(field, `${value} ${field} cannot be more than the ${body.people} people of the report`)
    }
    if (body.households > body.people) throw errors.invalidField('households', `${body.households} households cannot hold only ${body.people} people`)
    const reason = forceReason(body)
    const result = await request.scoped(async tx => {
      const repository = evacuationRepository(tx)
      const zone = await zoneOr404(tx, request.params.id, true)
      if (!REPORTING_STATUSES.includes(zone.status)) throw errors.zoneNotEvacuating(zone.status)
      const limits: [string, number, number, number][] = [
        ['households', zone.moved_households, body.households, zone.households],
        ['people', zone.moved_people, body.people, zone.population],
        ['elderly', zone.moved_elderly, groups.elderly, zone.elderly],
        ['disabled', zone.moved_disabled, groups.disabled, zone.disabled],
        ['children', zone.moved_children, groups.children, zone.children]
      ]
      for (const [field, moved, adding, atRisk] of limits) {
        if (moved + adding > atRisk) throw errors.movedExceedsAtRisk(field, moved + adding, atRisk)
      }
      if (body.team_id && (await repository.teamsOutsideCommune([body.team_id], zone.commune_code)).length > 0) {
        throw errors.invalidField('team_id', `team ${body.team_id} is not a team of commune ${zone.commune_code}`)
      }
      let shelter: ShelterRow | null = null
      let overCapacity = false
      if (body.shelter_id) {
        const current = await repository.lockShelter(body.shelter_id)
        if (!current) throw errors.invalidField('shelter_id', `shelter ${body.shelter_id} does not exist`)
        if (!current.is_open) throw errors.shelterClosed(current.id)
        overCapacity = current.occupancy + body.people > current.capacity
        if (overCapacity && !reason) throw errors.capacityExceeded(current.id, current.occupancy, body.people, current.capacity)
        shelter = await repository.updateShelter(current.id, {
          capacity: current.capacity, occupancy: current.occupancy + body.people, is_open: current.is_open,
          over_capacity_reason: overCapacity ? reason : current.over_capacity_reason
        })
      }
      const report = await repository.insertProgress({
        zone, team_id: body.team_id ?? null, shelter_id: shelter?.id ?? null, households: body.households, people: body.people, ...groups,
        reported_at: reportedAt, over_capacity: overCapacity, force_reason: overCapacity ? reason : null, user
      })
      const statusChanged = zone.status === 'evacuate_now'
      if (statusChanged) await repository.changeZoneStatus(zone, 'evacuating', 'first progress report', user)
      await recordAudit(tx, request, user, {
        action: 'evacuation.progress', entity: 'evacuation_zone', entity_id: zone.id, province_code: zone.province_code, commune_code: zone.commune_code,
        before: { status: zone.status, moved: { households: zone.moved_households, people: zone.moved_people } },
        after: { report_id: report.id, team_id: report.team_id, shelter_id: report.shelter_id, households: body.households, people: body.people, ...groups, over_capacity: overCapacity, force_reason: report.force_reason, status: statusChanged ? 'evacuating' : zone.status }
      })
      return { report, zone: zoneFeature((await repository.zone(zone.id))!), shelter, statusChanged }
    })
    const zone = result.zone
    publish('evacuation.progress', {
      ...zoneSummary(zone), report_id: result.report.id, team_id: result.report.team_id, shelter_id: result.report.shelter_id,
      households: result.report.households, people: result.report.people, over_capacity: result.report.over_capacity
    })
    if (result.statusChanged) publish('evacuation.zone', { ...zoneSummary(zone), change: 'status' })
    if (result.shelter) publish('evacuation.shelter', shelterSummary(result.shelter))
    return reply.status(201).send({
      report: { ...result.report, reported_at: result.report.reported_at.toISOString() },
      zone, shelter: result.shelter ? shelterFeature(result.shelter) : null
    })
  })

  app.put<{ Params: { id: string }, Body: { team_ids: string[] } }>('/api/evacuation/zones/:id/teams', {
    schema: {
      description: 'Sets the teams assigned to a zone (teams of the zone\'s commune only).',
      params: idParam,
      body: {
        type: 'object', additionalProperties: false, required: ['team_ids'],
        properties: { team_ids: { type: 'array', maxItems: 100, items: { type: 'string', pattern: '^\\d{1,18}$' } } }
      },
      response: { 200: ZoneFeatureSchema, ...errorResponses }
    }
  }, async (request) => {
    const user = requireWrite(request)
    const teamIds = [...new Set(request.body.team_ids.map(id => String(BigInt(id))))]
    const feature = await request.scoped(async tx => {
      const repository = evacuationRepository(tx)
      const zone = await zoneOr404(tx, request.params.id, true)
      const outside = await repository.teamsOutsideCommune(teamIds, zone.commune_code)
      if (outside.length > 0) throw errors.invalidField('team_ids', `team ${outside.join(', ')} is not a team of commune ${zone.commune_code}`)
      await repository.setZoneTeams(zone, teamIds)
      await recordAudit(tx, request, user, {
        action: 'evacuation.zone_teams', entity: 'evacuation_zone', entity_id: zone.id, province_code: zone.province_code, commune_code: zone.commune_code,
        before: { team_ids: zone.team_ids }, after: { team_ids: teamIds }
      })
      return zoneFeature((await repository.zone(zone.id))!)
    })
    publish('evacuation.zone', { ...zoneSummary(feature), change: 'teams' })
    return feature
  })

  app.get<{ Params: { id: string }, Querystring: { limit: number } }>('/api/evacuation/zones/:id/shelters', {
    schema: {
      description: 'Open shelters with free places, nearest the zone first (PostGIS geography distance from the zone polygon, metres).',
      params: idParam,
      querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 50, default: 5 } } },
      response: { 200: ShelterCollection, ...errorResponses }
    }
  }, async (request) => {
    const rows = await request.scoped(async tx => {
      await zoneOr404(tx, request.params.id)
      return evacuationRepository(tx).nearestShelters(request.params.id, request.query.limit)
    })
    return {
      type: 'FeatureCollection',
      features: rows.map(row => { const f = shelterFeature(row); return { ...f, properties: { ...f.properties, distance_m: row.distance_m } } })
    }
  })

  app.post<{ Params: { id: string }, Body: RescueBody }>('/api/evacuation/zones/:id/rescue-requests', {
    schema: {
      description: 'A call for rescue from a zone: becomes a `rescue` incident (severity 3/4/5 for low/high/critical) linked to the zone; open until the incident is resolved, closed or cancelled.',
      params: idParam,
      body: {
        type: 'object', additionalProperties: false, required: ['lon', 'lat', 'people', 'urgency'],
        properties: {
          lon: { type: 'number', minimum: -180, maximum: 180 }, lat: { type: 'number', minimum: -90, maximum: 90 },
          people: { type: 'integer', minimum: 1, maximum: 100_000 }, urgency: { type: 'string', enum: Object.keys(RESCUE_SEVERITY) },
          description: { type: 'string', maxLength: 4000 }, occurred_at: { type: 'string', description: 'ISO 8601; default now; not in the future' }
        }
      },
      response: {
        201: { type: 'object', properties: { rescue_request: RescueRequestSchema, incident: anyObject, zone: ZoneFeatureSchema } },
        ...errorResponses
      }
    }
  }, async (request, reply) => {
    const user = requireWrite(request)
    const body = request.body
    const occurredAt = notInFuture('occurred_at', body.occurred_at)
    const result = await request.scoped(async tx => {
      const repository = evacuationRepository(tx)
      const zone = await zoneOr404(tx, request.params.id, true)
      if (!(await repository.pointInCommune(body.lon, body.lat, zone.commune_code))) {
        throw errors.outsideCommune('lon,lat', `the point (${body.lon}, ${body.lat}) lies outside commune ${zone.commune_code} of zone ${zone.id}`)
      }
      const incidents = incidentRepository(tx)
      const description = body.description?.trim() || `Yêu cầu cứu hộ: ${body.people} người, vùng ${zone.name}`
      const incident = await incidents.insert({
        lon: body.lon, lat: body.lat, category: 'rescue', severity: RESCUE_SEVERITY[body.urgency], occurred_at: occurredAt, description
      }, zone)
      await incidents.appendEvent(incident, null, { to: 'reported', teamId: null, note: `evacuation zone ${zone.id}`, userId: user.id, username: user.username })
      await repository.insertRescueRequest({ incident_id: String(incident.id), zone, people: body.people, urgency: body.urgency })
      await recordAudit(tx, request, user, {
        action: 'incident.create', entity: 'incident', entity_id: String(incident.id), province_code: incident.province_code, commune_code: incident.commune_code,
        before: null, after: incidentFeature(incident).properties
      })
      await recordAudit(tx, request, user, {
        action: 'evacuation.rescue_request', entity: 'evacuation_zone', entity_id: zone.id, province_code: zone.province_code, commune_code: zone.commune_code,
        before: null, after: { incident_id: String(incident.id), people: body.people, urgency: body.urgency }
      })
      return { incident, zone: zoneFeature((await repository.zone(zone.id))!) }
    })
    const rescue = {
      incident_id: String(result.incident.id), zone_id: result.zone.properties.id, lon: result.incident.lon, lat: result.incident.lat,
      people: body.people, urgency: body.urgency, status: result.incident.status, reported_at: result.incident.reported_at.toISOString(),
      description: result.incident.description
    }
    app.incidentEvents.publish('incident.created', toSnapshot(result.incident))
    publish('evacuation.rescue_request', { province_code: result.incident.province_code, commune_code: result.incident.commune_code, ...rescue })
    return reply.status(201).send({ rescue_request: rescue, incident: incidentFeature(result.incident), zone: result.zone })
  })

  // ---- shelters ------------------------------------------------------------------------------

  app.get<{ Querystring: { province?: string, commune?: string } }>('/api/evacuation/shelters', {
    schema: { querystring: areaQuery, response: { 200: ShelterCollection, ...errorResponses } }
  }, async (request) => {
    const area = await visibleArea(request)
    const rows = await request.scoped(tx => evacuationRepository(tx).shelters(area))
    return { type: 'FeatureCollection', features: rows.map(shelterFeature) }
  })

  app.post<{ Body: ShelterBody }>('/api/evacuation/shelters', {
    schema: {
      description: 'Adds a shelter; its commune is the one holding the point (commune_code, if given, must agree). Occupancy beyond capacity needs force: true with a reason.',
      body: {
        type: 'object', additionalProperties: false, required: ['name', 'lon', 'lat', 'capacity'],
        properties: {
          commune_code: communeCode, name: { type: 'string', minLength: 1, maxLength: 200 },
          lon: { type: 'number', minimum: -180, maximum: 180 }, lat: { type: 'number', minimum: -90, maximum: 90 },
          capacity: count, occupancy: count, is_open: { type: 'boolean' }, force: { type: 'boolean' }, reason: { type: 'string', maxLength: 2000 }
        }
      },
      response: { 201: ShelterFeatureSchema, ...errorResponses }
    }
  }, async (request, reply) => {
    const user = requireWrite(request)
    const body = request.body
    const reason = forceReason(body)
    const occupancy = body.occupancy ?? 0
    if (occupancy > body.capacity && !reason) throw errors.capacityExceeded('(new)', 0, occupancy, body.capacity)
    const row = await request.scoped(async tx => {
      const repository = evacuationRepository(tx)
      const place = await repository.communeAt(body.lon, body.lat)
      if (!place) throw errors.outsideCommunes(body.lon, body.lat)
      if (body.commune_code && body.commune_code !== place.commune_code) {
        throw errors.invalidField('commune_code', `the point lies in commune ${place.commune_code}, not ${body.commune_code}`)
      }
      if (!scopeCoversPlace(user, place)) throw errors.forbidden('lon,lat', `the point lies in commune ${place.commune_code}, outside your jurisdiction`)
      const row = await repository.insertShelter({
        ...place, name: body.name.trim(), lon: body.lon, lat: body.lat, capacity: body.capacity, occupancy,
        is_open: body.is_open ?? true, over_capacity_reason: occupancy > body.capacity ? reason : null
      })
      await recordAudit(tx, request, user, {
        action: 'evacuation.shelter_create', entity: 'shelter', entity_id: row.id, province_code: row.province_code, commune_code: row.commune_code,
        before: null, after: shelterFeature(row).properties
      })
      return row
    })
    publish('evacuation.shelter', { ...shelterSummary(row), change: 'created' })
    return reply.status(201).send(shelterFeature(row))
  })

  app.patch<{ Params: { id: string }, Body: ShelterPatch }>('/api/evacuation/shelters/:id', {
    schema: {
      description: 'Changes a shelter\'s capacity, occupancy or open state. Occupancy beyond capacity is 409 shelter_capacity_exceeded unless force: true with a reason.',
      params: idParam,
      body: {
        type: 'object', additionalProperties: false,
        properties: { capacity: count, occupancy: count, is_open: { type: 'boolean' }, force: { type: 'boolean' }, reason: { type: 'string', maxLength: 2000 } }
      },
      response: { 200: ShelterFeatureSchema, ...errorResponses }
    }
  }, async (request) => {
    const user = requireWrite(request)
    const body = request.body
    const reason = forceReason(body)
    const row = await request.scoped(async tx => {
      const repository = evacuationRepository(tx)
      const current = await repository.lockShelter(request.params.id)
      if (!current) throw errors.notFound(`shelter ${request.params.id}`)
      const capacity = body.capacity ?? current.capacity
      const occupancy = body.occupancy ?? current.occupancy
      const over = occupancy > capacity
      if (over && !reason) throw errors.capacityExceeded(current.id, current.occupancy, occupancy - current.occupancy, capacity)
      const row = await repository.updateShelter(current.id, {
        capacity, occupancy, is_open: body.is_open ?? current.is_open, over_capacity_reason: over ? reason : null
      })
      await recordAudit(tx, request, user, {
        action: 'evacuation.shelter_update', entity: 'shelter', entity_id: row.id, province_code: row.province_code, commune_code: row.commune_code,
        before: shelterFeature(current).properties, after: shelterFeature(row).properties
      })
      return row
    })
    publish('evacuation.shelter', { ...shelterSummary(row), change: 'updated' })
    return shelterFeature(row)
  })

  // ---- board and timeline --------------------------------------------------------------------

  app.get<{ Params: { code: string } }>('/api/evacuation/communes/:code', {
    schema: {
      description: 'The commune\'s evacuation board: zones with progress, totals, shelters, teams and open rescue requests.',
      params: { type: 'object', properties: { code: communeCode } },
      response: {
        200: {
          type: 'object',
          properties: {
            commune: { type: 'object', properties: { code: { type: 'string' }, name: { type: 'string' }, population: { type: ['integer', 'null'] } } },
            totals: {
              type: 'object',
              properties: {
                households: { type: 'integer' }, population: { type: 'integer' }, vulnerable: { type: 'integer' },
                moved: counts, remaining: counts, share_done: { type: 'number' },
                zones_by_status: { type: 'object', additionalProperties: { type: 'integer' } }
              }
            },
            zones: ZoneCollection,
            shelters: ShelterCollection,
            teams: {
              type: 'array',
              items: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, zone_ids: { type: 'array', items: { type: 'string' } }, reports: { type: 'integer' }, people_moved: { type: 'integer' } } }
            },
            rescue_requests: { type: 'array', items: RescueRequestSchema }
          }
        },
        ...errorResponses
      }
    }
  }, async (request) => {
    const area: Area = { kind: 'commune', code: request.params.code }
    await assertAreaVisible(app, request.user!, area)
    const { commune, zones, shelters, teams, rescue } = await request.scoped(async tx => {
      const repository = evacuationRepository(tx)
      return {
        commune: (await repository.commune(area.code))!,
        zones: await repository.zones(area),
        shelters: await repository.shelters(area),
        teams: await repository.communeTeams(area.code),
        rescue: await repository.openRescueRequests(area)
      }
    })
    const now = new Date()
    const features = zones.map(row => zoneFeature(row, now))
    const sum = (pick: (p: ZoneFeature['properties']) => number) => features.reduce((total, f) => total + pick(f.properties), 0)
    const population = sum(p => p.population)
    const movedPeople = sum(p => p.moved.people)
    const zonesByStatus: Record<string, number> = Object.fromEntries(ZONE_STATUSES.map(s => [s, 0]))
    for (const f of features) zonesByStatus[f.properties.status]!++
    return {
      commune,
      totals: {
        households: sum(p => p.households), population, vulnerable: sum(p => p.vulnerable),
        moved: { households: sum(p => p.moved.households), people: movedPeople, vulnerable: sum(p => p.moved.vulnerable) },
        remaining: { households: sum(p => p.remaining.households), people: sum(p => p.remaining.people), vulnerable: sum(p => p.remaining.vulnerable) },
        share_done: population > 0 ? Math.min(1, movedPeople / population) : 0,
        zones_by_status: zonesByStatus
      },
      zones: { type: 'FeatureCollection', features },
      shelters: { type: 'FeatureCollection', features: shelters.map(shelterFeature) },
      teams,
      rescue_requests: rescue.map(r => ({ ...r, reported_at: r.reported_at.toISOString() }))
    }
  })

  app.get<{ Querystring: { province?: string, commune?: string, from?: string, to?: string, step: 'hour' | 'day' } }>('/api/evacuation/timeline', {
    schema: {
      description: 'Progress over time: at each step boundary from `from` to `to` (hours, or Vietnam-local days), the cumulative households, people and vulnerable moved by reports before that instant, and the population of zones then under an evacuation order. Defaults: the last 24 hours (step=hour) or 30 days (step=day).',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          ...areaQuery.properties,
          from: { type: 'string', description: 'ISO 8601' }, to: { type: 'string', description: 'ISO 8601; default now' },
          step: { type: 'string', enum: ['hour', 'day'], default: 'hour' }
        }
      },
      response: {
        200: {
          type: 'object',
          properties: {
            step: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' },
            points: {
              type: 'array',
              items: { type: 'object', properties: { at: { type: 'string' }, people_moved: { type: 'integer' }, households_moved: { type: 'integer' }, vulnerable_moved: { type: 'integer' }, people_at_risk: { type: 'integer' } } }
            }
          }
        },
        ...errorResponses
      }
    }
  }, async (request) => {
    const area = await visibleArea(request)
    const step = request.query.step
    const stepMs = step === 'hour' ? 3_600_000 : 86_400_000
    const to = request.query.to ? parseTime('to', request.query.to) : new Date()
    let from = request.query.from ? parseTime('from', request.query.from) : new Date(to.getTime() - (step === 'hour' ? 24 : 30) * stepMs)
    if (from >= to) throw errors.invalidField('to', 'must be later than from')
    // Align to whole hours, or to Vietnam-local midnights.
    const offset = step === 'day' ? 7 * 3_600_000 : 0
    from = new Date(Math.floor((from.getTime() + offset) / stepMs) * stepMs - offset)
    const n = Math.ceil((to.getTime() - from.getTime()) / stepMs)
    if (n + 1 > MAX_TIMELINE_POINTS) throw errors.invalidField('from', `the window has ${n + 1} points of one ${step}; at most ${MAX_TIMELINE_POINTS}`)
    const instants = Array.from({ length: n + 1 }, (_, k) => new Date(from.getTime() + k * stepMs))
    const rows = await request.scoped(tx => evacuationRepository(tx).timeline(area, instants))
    return { step, from: from.toISOString(), to: to.toISOString(), points: rows.map(r => ({ ...r, at: r.at.toISOString() })) }
  })
}
