import type { FastifyInstance, FastifyRequest } from 'fastify'
import { errors } from '../errors.ts'
import type { Area } from '../domain/area.ts'
import type { Category } from '../domain/incident-status.ts'
import { roleMay, scopeOf, type Scope } from '../domain/roles.ts'
import { parseArea, parseCategories } from '../http/params.ts'
import { assertAreaVisible } from '../auth/area-scope.ts'
import { isIncidentEvent, placeOf, type LiveEvent } from '../events/bus.ts'
import type { SessionEndReason } from './session-watch.ts'

export interface FeedFilter { scope: Scope, area: Area, categories: Category[] | null }

/**
 * The bus is in-process and not limited by row-level security, so the jurisdiction is applied
 * here: an event passes when the user's scope covers the place of the incident or evacuation
 * change, then the area filter of the query; the category filter applies to incident events only.
 */
export function matches (filter: FeedFilter, event: LiveEvent): boolean {
  const place = placeOf(event)
  const { scope, area, categories } = filter
  const inScope = scope.kind === 'national' ||
    (scope.kind === 'province' && scope.province === place.province_code) ||
    (scope.kind === 'commune' && scope.commune === place.commune_code)
  if (!inScope) return false
  if (area.kind === 'province' && area.code !== place.province_code) return false
  if (area.kind === 'commune' && area.code !== place.commune_code) return false
  if (!isIncidentEvent(event)) return true
  return categories === null || (categories as string[]).includes(event.incident.category)
}

export function frame (event: LiveEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`
}

/** The last frame of a stream the server closes: no id, so the client's Last-Event-ID stays put. */
export function sessionEndedFrame (reason: SessionEndReason): string {
  return `event: session_ended\ndata: ${JSON.stringify({ reason })}\n\n`
}

/** Rules of the live feed: who may open it, over what, and which events each stream gets. */
export function streamService (app: FastifyInstance) {
  return {
    /**
     * Checks a new stream before its connection is taken over: the role may read incidents, the
     * area lies in the jurisdiction, and the request's session is live (its baseline is what the
     * session watch compares against).
     */
    async open (request: FastifyRequest, query: { province?: string, commune?: string, category?: string }) {
      const user = request.user!
      if (!roleMay(user.role, 'incidents:read')) throw errors.forbidden(null, `the role ${user.role} may not read incidents`)
      const filter: FeedFilter = { scope: scopeOf(user), area: parseArea(query), categories: parseCategories(query.category) }
      await assertAreaVisible(app, user, filter.area)
      const token = request.sessionToken
      const baseline = token ? await app.sessionEvents.baselineOf(token) : null
      if (!token || !baseline) throw errors.unauthenticated()
      return { user, filter, token, baseline }
    },

    /**
     * Delivers the events after `lastEventId` (from the replay buffer), then the live ones, each
     * once and in order, those matching the filter only. Returns the unsubscribe function.
     */
    follow (filter: FeedFilter, lastEventId: number | null, send: (event: LiveEvent) => void): () => void {
      // Subscribe before reading the replay buffer: live events queue up meanwhile, and those the
      // replay already carried are dropped by id, so nothing is lost between the two and nothing twice.
      let queue: LiveEvent[] | null = []
      let sentUpTo = 0
      const deliver = (event: LiveEvent) => {
        if (event.id <= sentUpTo) return
        sentUpTo = event.id
        if (matches(filter, event)) send(event)
      }
      const unsubscribe = app.incidentEvents.subscribe(event => { if (queue) queue.push(event); else deliver(event) }, 'all')
      if (lastEventId !== null) for (const event of app.incidentEvents.since(lastEventId, 'all')) deliver(event)
      const queued = queue
      queue = null
      for (const event of queued) deliver(event)
      return unsubscribe
    }
  }
}
