import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { FromSchema } from 'json-schema-to-ts'
import type { Sql } from '../db/connection.ts'
import { errors } from '../errors.ts'
import type { IncidentFilter } from '../domain/area.ts'
import { canMove, secondsBetween, TRANSITIONS, type Category } from '../domain/incident-status.ts'
import { roleMay, type SessionUser } from '../domain/roles.ts'
import { FUTURE_TOLERANCE_MS, parseTime } from '../http/params.ts'
import { assertAreaVisible, scopeCoversPlace } from '../auth/area-scope.ts'
import { recordAudit } from '../audit/record.ts'
import { incidentRepository, toFeature, toSnapshot, type FireDetails, type IncidentRow, type ListCursor, type NewIncident, type RescueDetails } from './repository.ts'
import type { NewIncidentBody, StatusChangeBody } from './schemas.ts'

/**
 * Stores incidents that `user` reports, in the caller's transaction, through the one writer
 * (createIncidents): each with its 'reported' history row (with `note`) and, with `auditEach`, its
 * own incident.create audit row (an import records one incident.import row instead). Used by
 * POST /api/incidents, the import and rescue requests. Publish the rows with publishCreated once
 * the transaction has committed.
 */
export async function reportIncidents (
  tx: Sql, request: FastifyRequest, user: SessionUser, incidents: readonly NewIncident[],
  options: { note?: string | null, auditEach: boolean }
): Promise<IncidentRow[]> {
  const rows = await incidentRepository(tx).createIncidents(incidents, { reportedBy: { userId: user.id, username: user.username, note: options.note ?? null } })
  if (options.auditEach) {
    for (const row of rows) {
      await recordAudit(tx, request, user, {
        action: 'incident.create', entity: 'incident', entity_id: String(row.id),
        province_code: row.province_code, commune_code: row.commune_code, before: null, after: toFeature(row).properties
      })
    }
  }
  return rows
}

/** Puts stored incidents on the live feed. Called after the commit, so the feed never shows what was rolled back. */
export function publishCreated (app: FastifyInstance, rows: readonly IncidentRow[]): void {
  for (const row of rows) app.incidentEvents.publish('incident.created', toSnapshot(row))
}

/** Fire details belong to fires, rescue details to rescues (and floods, where people are rescued). */
function checkDetails (category: Category, body: { fire?: FireDetails, rescue?: RescueDetails }) {
  if (body.fire && category !== 'fire') throw errors.invalidField('fire', `fire details belong to fire incidents, not ${category}`)
  if (body.rescue && category !== 'rescue' && category !== 'flood') throw errors.invalidField('rescue', `rescue details belong to rescue or flood incidents, not ${category}`)
}

function requireWrite (user: SessionUser, what: string) {
  if (!roleMay(user.role, 'incidents:write')) throw errors.forbidden(null, `the role ${user.role} may not ${what} incidents`)
}

/** The incident with its timing, details and history, as GET /api/incidents/:id shows it. */
async function incidentDetail (tx: Sql, row: IncidentRow) {
  const repository = incidentRepository(tx)
  const id = String(row.id)
  const [{ fire, rescue, timing }, history] = await Promise.all([repository.details(id), repository.history(id)])
  const feature = toFeature(row)
  const iso = (time: Date | null) => time?.toISOString() ?? null
  return {
    ...feature,
    properties: {
      ...feature.properties,
      team_id: timing.team_id,
      dispatched_at: iso(timing.dispatched_at), on_scene_at: iso(timing.on_scene_at), resolved_at: iso(timing.resolved_at),
      closed_at: iso(timing.closed_at), cancelled_at: iso(timing.cancelled_at),
      response_seconds: secondsBetween(row.reported_at, timing.dispatched_at),
      handling_seconds: secondsBetween(row.reported_at, timing.resolved_at),
      fire, rescue,
      history: history.map(h => ({ ...h, at: h.at.toISOString() }))
    }
  }
}

function encodeCursor (occurredAt: Date, id: bigint | number): string {
  return Buffer.from(JSON.stringify([occurredAt.toISOString(), String(id)])).toString('base64url')
}

function decodeCursor (cursor: string): ListCursor {
  try {
    const [time, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string]
    const occurredAt = new Date(time)
    if (Number.isNaN(occurredAt.getTime()) || !/^\d+$/.test(id)) throw new Error('bad cursor')
    return { occurredAt, id }
  } catch {
    throw errors.invalidField('cursor', 'is not a cursor returned by this API')
  }
}

/** Rules of incidents: jurisdiction, roles, the status machine; each change with its history, audit row and feed event. */
export function incidentService (app: FastifyInstance) {
  return {
    /** A page, newest first, keyset-paginated: `cursor` is the previous page's next_cursor. */
    async list (request: FastifyRequest, filter: IncidentFilter, limit: number, cursor: string | undefined) {
      const after = cursor ? decodeCursor(cursor) : null
      await assertAreaVisible(app, request.user!, filter.area)
      // One extra row tells whether another page exists.
      const rows = await request.scoped(tx => incidentRepository(tx).list(filter, limit + 1, after))
      const page = rows.slice(0, limit)
      const last = page[page.length - 1]
      return {
        type: 'FeatureCollection' as const,
        features: page.map(toFeature),
        next_cursor: rows.length > limit && last ? encodeCursor(last.occurred_at, last.id) : null
      }
    },

    async detail (request: FastifyRequest, id: string) {
      // Outside the jurisdiction the row is invisible, so the answer is the same 404 as for no row.
      const detail = await request.scoped(async tx => {
        const row = await incidentRepository(tx).findById(id)
        return row ? incidentDetail(tx, row) : null
      })
      if (!detail) throw errors.notFound(`incident ${id}`)
      return detail
    },

    async changeStatus (request: FastifyRequest, id: string, body: FromSchema<typeof StatusChangeBody>) {
      const user = request.user!
      requireWrite(user, 'change')
      const teamId = body.team_id === undefined ? null : String(body.team_id)
      const note = body.note ?? null
      const { detail, row } = await request.scoped(async tx => {
        const repository = incidentRepository(tx)
        const current = await repository.lockForChange(id)
        if (!current) throw errors.notFound(`incident ${id}`)
        if (!canMove(current.status, body.status)) throw errors.illegalTransition(current.status, body.status, TRANSITIONS[current.status])
        checkDetails(current.category, body)
        if (teamId && !(await repository.teamInCommune(teamId, current.commune_code))) {
          throw errors.invalidField('team_id', `team ${teamId} is not a team of commune ${current.commune_code}`)
        }
        const changed = await repository.changeStatus(current, { to: body.status, teamId, note, userId: user.id, username: user.username })
        if (body.fire) await repository.setFireDetails(changed, body.fire)
        if (body.rescue) await repository.setRescueDetails(changed, body.rescue)
        const detail = await incidentDetail(tx, changed)
        await recordAudit(tx, request, user, {
          action: 'incident.status_change', entity: 'incident', entity_id: String(changed.id),
          province_code: changed.province_code, commune_code: changed.commune_code,
          before: { status: current.status }, after: { status: changed.status, team_id: teamId, note, fire: body.fire ?? null, rescue: body.rescue ?? null }
        })
        return { detail, row: changed }
      })
      app.incidentEvents.publish('incident.updated', toSnapshot(row))
      return detail
    },

    /** A new incident at a point, in the commune holding it, which must lie in the user's jurisdiction. */
    async report (request: FastifyRequest, body: FromSchema<typeof NewIncidentBody>) {
      const user = request.user!
      requireWrite(user, 'report')
      const occurredAt = parseTime('occurred_at', body.occurred_at)
      if (occurredAt.getTime() > Date.now() + FUTURE_TOLERANCE_MS) throw errors.futureTime('occurred_at', body.occurred_at)
      const place = await app.geography.locate(body.lon, body.lat)
      if (!place) throw errors.outsideCommunes(body.lon, body.lat)
      if (!scopeCoversPlace(user, place)) throw errors.forbidden('lon,lat', `the point lies in commune ${place.commune_code}, outside your jurisdiction`)
      checkDetails(body.category, body)
      const row = await request.scoped(async tx => {
        const [stored] = await reportIncidents(tx, request, user, [{
          lon: body.lon, lat: body.lat, category: body.category, severity: body.severity, occurred_at: occurredAt,
          description: body.description ?? '', province_code: place.province_code, commune_code: place.commune_code
        }], { auditEach: true })
        const repository = incidentRepository(tx)
        if (body.fire) await repository.setFireDetails(stored!, body.fire)
        if (body.rescue) await repository.setRescueDetails(stored!, body.rescue)
        return stored!
      })
      publishCreated(app, [row])
      return toFeature(row)
    }
  }
}
