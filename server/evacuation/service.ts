import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { FromSchema } from 'json-schema-to-ts'
import { errors } from '../errors.ts'
import { FUTURE_TOLERANCE_MS, parseTime, type Area } from '../http/params.ts'
import { assertAreaVisible, scopeCoversPlace } from '../auth/area-scope.ts'
import { roleMay, type SessionUser } from '../domain/roles.ts'
import { allowedNext, canMoveZone, REPORTING_STATUSES, ZONE_STATUSES, type ZoneStatus } from '../domain/zone-status.ts'
import { RESCUE_SEVERITY, type RescueUrgency } from '../domain/rescue-urgency.ts'
import { DAY_MS, startOfLocalDay } from '../domain/vn-time.ts'
import { recordAudit } from '../audit/record.ts'
import { toFeature as incidentFeature, toSnapshot, type IncidentRow } from '../incidents/repository.ts'
import { reportIncidents } from '../incidents/service.ts'
import type { Sql } from '../db/connection.ts'
import type { EvacuationEventType, EvacuationSnapshot } from '../events/bus.ts'
import { evacuationRepository, type ShelterRow, type ZoneRow } from './repository.ts'
import { shelterFeature, zoneFeature, type ZoneFeature } from './features.ts'
import { estimateAtRisk } from './estimate.ts'
import type { CheckedZoneFeature } from './zone-import.ts'
import type { ProgressBody, RescueBody, ShelterBody, ShelterPatch, TimelineQuery, ZoneStatusBody } from './schemas.ts'

/** Most points one timeline may have. */
export const MAX_TIMELINE_POINTS = 1000
const HOUR_MS = 3_600_000

type Place = { id: string, province_code: string, commune_code: string }

function requireWrite (request: FastifyRequest): SessionUser {
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

async function zoneOr404 (tx: Sql, id: string, lock = false): Promise<ZoneRow> {
  const repository = evacuationRepository(tx)
  const zone = lock ? await repository.lockZone(id) : await repository.zone(id)
  if (!zone) throw errors.notFound(`evacuation zone ${id}`)
  return zone
}

/** The audit row of a change to an evacuation zone, in the change's transaction. */
function auditZone (tx: Sql, request: FastifyRequest, user: SessionUser, zone: Place, action: string, before: unknown, after: unknown) {
  return recordAudit(tx, request, user, {
    action, entity: 'evacuation_zone', entity_id: zone.id, province_code: zone.province_code, commune_code: zone.commune_code, before, after
  })
}

function auditShelter (tx: Sql, request: FastifyRequest, user: SessionUser, action: string, before: ShelterRow | null, after: ShelterRow) {
  return recordAudit(tx, request, user, {
    action, entity: 'shelter', entity_id: after.id, province_code: after.province_code, commune_code: after.commune_code,
    before: before && shelterFeature(before).properties, after: shelterFeature(after).properties
  })
}

/**
 * The `rescue` incident a call for rescue becomes (severity by urgency), with its first history
 * row and its audit row, in the caller's transaction. The one place this service creates an
 * incident.
 */
async function createRescueIncident (tx: Sql, request: FastifyRequest, user: SessionUser, zone: ZoneRow, call: {
  lon: number, lat: number, urgency: RescueUrgency, occurred_at: Date, description: string
}): Promise<IncidentRow> {
  // Through the incidents' one writer: the incident, its 'reported' history row and its audit row.
  const [incident] = await reportIncidents(tx, request, user, [{
    lon: call.lon, lat: call.lat, category: 'rescue', severity: RESCUE_SEVERITY[call.urgency], occurred_at: call.occurred_at, description: call.description,
    province_code: zone.province_code, commune_code: zone.commune_code
  }], { note: `evacuation zone ${zone.id}`, auditEach: true })
  return incident!
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

/** Totals of a commune's zones for its board. */
function boardTotals (features: ZoneFeature[]) {
  const sum = (pick: (p: ZoneFeature['properties']) => number) => features.reduce((total, f) => total + pick(f.properties), 0)
  const population = sum(p => p.population)
  const movedPeople = sum(p => p.moved.people)
  const zonesByStatus: Record<string, number> = Object.fromEntries(ZONE_STATUSES.map(s => [s, 0]))
  for (const f of features) zonesByStatus[f.properties.status]!++
  return {
    households: sum(p => p.households), population, vulnerable: sum(p => p.vulnerable),
    moved: { households: sum(p => p.moved.households), people: movedPeople, vulnerable: sum(p => p.moved.vulnerable) },
    remaining: { households: sum(p => p.remaining.households), people: sum(p => p.remaining.people), vulnerable: sum(p => p.remaining.vulnerable) },
    share_done: population > 0 ? Math.min(1, movedPeople / population) : 0,
    zones_by_status: zonesByStatus
  }
}

/**
 * Rules of evacuation work: who may write, the zone workflow, progress limits, shelter capacity,
 * team assignment and calls for rescue. Each change runs in one scoped transaction with its audit
 * row; its live-feed events are published after the commit, so the feed never shows what was
 * rolled back.
 */
export function evacuationService (app: FastifyInstance) {
  function publish (type: EvacuationEventType, snapshot: EvacuationSnapshot) {
    app.incidentEvents.publishEvacuation(type, snapshot)
  }
  async function visible (request: FastifyRequest, area: Area): Promise<Area> {
    await assertAreaVisible(app, request.user!, area)
    return area
  }

  return {
    async zones (request: FastifyRequest, area: Area) {
      await visible(request, area)
      const rows = await request.scoped(tx => evacuationRepository(tx).zones(area))
      const now = new Date()
      return { type: 'FeatureCollection' as const, features: rows.map(row => zoneFeature(row, now)) }
    },

    async zone (request: FastifyRequest, id: string) {
      return request.scoped(async tx => {
        const zone = await zoneOr404(tx, id)
        const history = await evacuationRepository(tx).zoneHistory(zone.id)
        const feature = zoneFeature(zone)
        return { ...feature, properties: { ...feature.properties, history: history.map(h => ({ ...h, at: h.at.toISOString() })) } }
      })
    },

    /**
     * Imports zones: each polygon is clipped to its commune (the given one, else the commune
     * holding most of it) and the figures not given are estimated by area share.
     */
    async importZones (request: FastifyRequest, features: CheckedZoneFeature[]) {
      const user = requireWrite(request)
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
          clipping.push({
            feature: i, id, commune_code: clip.commune_code, input_area_m2: clip.input_area_m2, area_m2: clip.clipped_area_m2,
            clipped_away_m2: clippedAway, clipped_away_share: clip.input_area_m2 > 0 ? clippedAway / clip.input_area_m2 : 0, estimated_fields: estimated
          })
          await auditZone(tx, request, user, place, 'evacuation.zone_create', null,
            { name: f.name, risk_level: f.risk_level, ...figures, estimated_fields: estimated, clipped_away_m2: clippedAway })
          ids.push(id)
        }
        const rows = []
        for (const id of ids) rows.push((await repository.zone(id))!)
        return { rows, clipping }
      })
      const zones = rows.map(row => zoneFeature(row))
      for (const zone of zones) publish('evacuation.zone', { ...zoneSummary(zone), change: 'created' })
      return { zones: { type: 'FeatureCollection' as const, features: zones }, clipping }
    },

    /** Moves a zone along the workflow; an illegal move is 409 naming the allowed next statuses. */
    async changeStatus (request: FastifyRequest, id: string, { status: to, note }: FromSchema<typeof ZoneStatusBody>) {
      const user = requireWrite(request)
      const { feature, from } = await request.scoped(async tx => {
        const repository = evacuationRepository(tx)
        const zone = await zoneOr404(tx, id, true)
        if (!canMoveZone(zone.status, to, zone.moved_people)) throw errors.illegalTransition(zone.status, to, allowedNext(zone.status, zone.moved_people))
        await repository.changeZoneStatus(zone, to, note ?? null, user)
        await auditZone(tx, request, user, zone, 'evacuation.zone_status', { status: zone.status }, { status: to, note: note ?? null })
        return { feature: zoneFeature((await repository.zone(zone.id))!), from: zone.status as ZoneStatus }
      })
      publish('evacuation.zone', { ...zoneSummary(feature), change: 'status', from_status: from })
      return feature
    },

    /**
     * A progress report: moved totals may not exceed those at risk; only while the order stands
     * and before everyone is out; the first report moves evacuate_now → evacuating. People sent to
     * a shelter fill it, beyond capacity only with force and a reason.
     */
    async reportProgress (request: FastifyRequest, id: string, body: FromSchema<typeof ProgressBody>) {
      const user = requireWrite(request)
      const reportedAt = notInFuture('reported_at', body.reported_at)
      const teamId = body.team_id === undefined ? null : String(body.team_id)
      const shelterId = body.shelter_id === undefined ? null : String(body.shelter_id)
      const groups = { elderly: body.elderly ?? 0, disabled: body.disabled ?? 0, children: body.children ?? 0 }
      for (const [field, value] of Object.entries(groups)) {
        if (value > body.people) throw errors.invalidField(field, `${value} ${field} cannot be more than the ${body.people} people of the report`)
      }
      if (body.households > body.people) throw errors.invalidField('households', `${body.households} households cannot hold only ${body.people} people`)
      const reason = forceReason(body)
      const result = await request.scoped(async tx => {
        const repository = evacuationRepository(tx)
        const zone = await zoneOr404(tx, id, true)
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
        if (teamId && (await repository.teamsOutsideCommune([teamId], zone.commune_code)).length > 0) {
          throw errors.invalidField('team_id', `team ${teamId} is not a team of commune ${zone.commune_code}`)
        }
        let shelter: ShelterRow | null = null
        let overCapacity = false
        if (shelterId) {
          const current = await repository.lockShelter(shelterId)
          if (!current) throw errors.invalidField('shelter_id', `shelter ${shelterId} does not exist`)
          if (!current.is_open) throw errors.shelterClosed(current.id)
          overCapacity = current.occupancy + body.people > current.capacity
          if (overCapacity && !reason) throw errors.capacityExceeded(current.id, current.occupancy, body.people, current.capacity)
          shelter = await repository.updateShelter(current.id, {
            capacity: current.capacity, occupancy: current.occupancy + body.people, is_open: current.is_open,
            over_capacity_reason: overCapacity ? reason : current.over_capacity_reason
          })
        }
        const report = await repository.insertProgress({
          zone, team_id: teamId, shelter_id: shelter?.id ?? null, households: body.households, people: body.people, ...groups,
          reported_at: reportedAt, over_capacity: overCapacity, force_reason: overCapacity ? reason : null, user
        })
        const statusChanged = zone.status === 'evacuate_now'
        if (statusChanged) await repository.changeZoneStatus(zone, 'evacuating', 'first progress report', user)
        await auditZone(tx, request, user, zone, 'evacuation.progress',
          { status: zone.status, moved: { households: zone.moved_households, people: zone.moved_people } },
          { report_id: report.id, team_id: report.team_id, shelter_id: report.shelter_id, households: body.households, people: body.people, ...groups, over_capacity: overCapacity, force_reason: report.force_reason, status: statusChanged ? 'evacuating' : zone.status })
        return { report, zone: zoneFeature((await repository.zone(zone.id))!), shelter, statusChanged }
      })
      const zone = result.zone
      publish('evacuation.progress', {
        ...zoneSummary(zone), report_id: result.report.id, team_id: result.report.team_id, shelter_id: result.report.shelter_id,
        households: result.report.households, people: result.report.people, over_capacity: result.report.over_capacity
      })
      if (result.statusChanged) publish('evacuation.zone', { ...zoneSummary(zone), change: 'status' })
      if (result.shelter) publish('evacuation.shelter', shelterSummary(result.shelter))
      return {
        report: { ...result.report, reported_at: result.report.reported_at.toISOString() },
        zone, shelter: result.shelter ? shelterFeature(result.shelter) : null
      }
    },

    /** Sets the teams of a zone: teams of the zone's commune only. */
    async setTeams (request: FastifyRequest, id: string, given: (string | number)[]) {
      const user = requireWrite(request)
      const teamIds = [...new Set(given.map(team => String(BigInt(team))))]
      const feature = await request.scoped(async tx => {
        const repository = evacuationRepository(tx)
        const zone = await zoneOr404(tx, id, true)
        const outside = await repository.teamsOutsideCommune(teamIds, zone.commune_code)
        if (outside.length > 0) throw errors.invalidField('team_ids', `team ${outside.join(', ')} is not a team of commune ${zone.commune_code}`)
        await repository.setZoneTeams(zone, teamIds)
        await auditZone(tx, request, user, zone, 'evacuation.zone_teams', { team_ids: zone.team_ids }, { team_ids: teamIds })
        return zoneFeature((await repository.zone(zone.id))!)
      })
      publish('evacuation.zone', { ...zoneSummary(feature), change: 'teams' })
      return feature
    },

    async nearestShelters (request: FastifyRequest, id: string, limit: number) {
      const rows = await request.scoped(async tx => {
        await zoneOr404(tx, id)
        return evacuationRepository(tx).nearestShelters(id, limit)
      })
      return {
        type: 'FeatureCollection' as const,
        features: rows.map(row => { const f = shelterFeature(row); return { ...f, properties: { ...f.properties, distance_m: row.distance_m } } })
      }
    },

    /** A call for rescue from a zone: a `rescue` incident in the zone's commune, linked to the zone. */
    async requestRescue (request: FastifyRequest, id: string, body: FromSchema<typeof RescueBody>) {
      const user = requireWrite(request)
      const occurredAt = notInFuture('occurred_at', body.occurred_at)
      const result = await request.scoped(async tx => {
        const repository = evacuationRepository(tx)
        const zone = await zoneOr404(tx, id, true)
        if (!(await repository.pointInCommune(body.lon, body.lat, zone.commune_code))) {
          throw errors.outsideCommune('lon,lat', `the point (${body.lon}, ${body.lat}) lies outside commune ${zone.commune_code} of zone ${zone.id}`)
        }
        const description = body.description?.trim() || `Yêu cầu cứu hộ: ${body.people} người, vùng ${zone.name}`
        const incident = await createRescueIncident(tx, request, user, zone, { lon: body.lon, lat: body.lat, urgency: body.urgency, occurred_at: occurredAt, description })
        await repository.insertRescueRequest({ incident_id: String(incident.id), zone, people: body.people, urgency: body.urgency })
        await auditZone(tx, request, user, zone, 'evacuation.rescue_request', null, { incident_id: String(incident.id), people: body.people, urgency: body.urgency })
        return { incident, zone: zoneFeature((await repository.zone(zone.id))!) }
      })
      const rescue = {
        incident_id: String(result.incident.id), zone_id: result.zone.properties.id, lon: result.incident.lon, lat: result.incident.lat,
        people: body.people, urgency: body.urgency, status: result.incident.status, reported_at: result.incident.reported_at.toISOString(),
        description: result.incident.description
      }
      app.incidentEvents.publish('incident.created', toSnapshot(result.incident))
      publish('evacuation.rescue_request', { province_code: result.incident.province_code, commune_code: result.incident.commune_code, ...rescue })
      return { rescue_request: rescue, incident: incidentFeature(result.incident), zone: result.zone }
    },

    async shelters (request: FastifyRequest, area: Area) {
      await visible(request, area)
      const rows = await request.scoped(tx => evacuationRepository(tx).shelters(area))
      return { type: 'FeatureCollection' as const, features: rows.map(shelterFeature) }
    },

    /** A new shelter in the commune holding its point (commune_code, if given, must agree). */
    async createShelter (request: FastifyRequest, body: FromSchema<typeof ShelterBody>) {
      const user = requireWrite(request)
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
        await auditShelter(tx, request, user, 'evacuation.shelter_create', null, row)
        return row
      })
      publish('evacuation.shelter', { ...shelterSummary(row), change: 'created' })
      return shelterFeature(row)
    },

    /** Changes capacity, occupancy or open state; over capacity only with force and a reason. */
    async updateShelter (request: FastifyRequest, id: string, body: FromSchema<typeof ShelterPatch>) {
      const user = requireWrite(request)
      const reason = forceReason(body)
      const row = await request.scoped(async tx => {
        const repository = evacuationRepository(tx)
        const current = await repository.lockShelter(id)
        if (!current) throw errors.notFound(`shelter ${id}`)
        const capacity = body.capacity ?? current.capacity
        const occupancy = body.occupancy ?? current.occupancy
        const over = occupancy > capacity
        if (over && !reason) throw errors.capacityExceeded(current.id, current.occupancy, occupancy - current.occupancy, capacity)
        const row = await repository.updateShelter(current.id, {
          capacity, occupancy, is_open: body.is_open ?? current.is_open, over_capacity_reason: over ? reason : null
        })
        await auditShelter(tx, request, user, 'evacuation.shelter_update', current, row)
        return row
      })
      publish('evacuation.shelter', { ...shelterSummary(row), change: 'updated' })
      return shelterFeature(row)
    },

    /** The commune's evacuation board: zones with progress, totals, shelters, teams, open rescue requests. */
    async board (request: FastifyRequest, code: string) {
      const area = await visible(request, { kind: 'commune', code })
      const { commune, zones, shelters, teams, rescue } = await request.scoped(async tx => {
        const repository = evacuationRepository(tx)
        return {
          commune: (await repository.commune(code))!,
          zones: await repository.zones(area),
          shelters: await repository.shelters(area),
          teams: await repository.communeTeams(code),
          rescue: await repository.openRescueRequests(area)
        }
      })
      const now = new Date()
      const features = zones.map(row => zoneFeature(row, now))
      return {
        commune,
        totals: boardTotals(features),
        zones: { type: 'FeatureCollection' as const, features },
        shelters: { type: 'FeatureCollection' as const, features: shelters.map(shelterFeature) },
        teams,
        rescue_requests: rescue.map(r => ({ ...r, reported_at: r.reported_at.toISOString() }))
      }
    },

    /**
     * Cumulative progress at each step boundary from `from` to `to`: whole hours, or Vietnam-local
     * midnights. Defaults: the last 24 hours (hour) or 30 days (day).
     */
    async timeline (request: FastifyRequest, area: Area, query: FromSchema<typeof TimelineQuery>) {
      await visible(request, area)
      const step = query.step ?? 'hour'
      const stepMs = step === 'hour' ? HOUR_MS : DAY_MS
      const to = query.to ? parseTime('to', query.to) : new Date()
      let from = query.from ? parseTime('from', query.from) : new Date(to.getTime() - (step === 'hour' ? 24 : 30) * stepMs)
      if (from >= to) throw errors.invalidField('to', 'must be later than from')
      from = step === 'day' ? startOfLocalDay(from) : new Date(Math.floor(from.getTime() / HOUR_MS) * HOUR_MS)
      const n = Math.ceil((to.getTime() - from.getTime()) / stepMs)
      if (n + 1 > MAX_TIMELINE_POINTS) throw errors.invalidField('from', `the window has ${n + 1} points of one ${step}; at most ${MAX_TIMELINE_POINTS}`)
      const instants = Array.from({ length: n + 1 }, (_, k) => new Date(from.getTime() + k * stepMs))
      const rows = await request.scoped(tx => evacuationRepository(tx).timeline(area, instants))
      return { step, from: from.toISOString(), to: to.toISOString(), points: rows.map(r => ({ ...r, at: r.at.toISOString() })) }
    }
  }
}
