import type { FastifyInstance, FastifyRequest } from 'fastify'
import { errors } from '../errors.ts'
import { parseArea, parseCategories, type Area, type Category } from '../http/params.ts'
import { communeCode, errorResponses, provinceCode } from '../http/schemas.ts'
import { assertAreaVisible } from '../auth/area-scope.ts'
import { roleMay, scopeOf, type Scope } from '../auth/roles.ts'
import { isIncidentEvent, placeOf, type LiveEvent } from '../events/bus.ts'
import sessionWatch, { type SessionEndReason } from './session-watch.ts'

/** Comment lines that keep proxies and the browser from timing the connection out. */
export const HEARTBEAT_MS = 15_000
/** What EventSource waits before it reconnects (sent once at the start). */
export const RETRY_MS = 3_000
/** A client this far behind (bytes not yet taken by the socket) is cut off; it reconnects and replays. */
const MAX_BUFFERED_BYTES = 1024 * 1024

export interface StreamOptions {
  /** Interval of the heartbeat comment, in milliseconds (tests set it short). */
  heartbeatMs?: number
  /** Used only when the app has not registered the session watch itself (buildApp does). */
  sessionCheckMs?: number
  maxPerUser?: number
}

interface StreamQuery { province?: string, commune?: string, category?: string, last_event_id?: number }

interface Filter { scope: Scope, area: Area, categories: Category[] | null }

/**
 * The bus is in-process and not limited by row-level security, so the jurisdiction is applied
 * here: an event passes when the user's scope covers the place of the incident or evacuation
 * change, then the area filter of the query; the category filter applies to incident events only.
 */
function matches (filter: Filter, event: LiveEvent): boolean {
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

function frame (event: LiveEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`
}

/** The last frame of a stream the server closes: no id, so the client's Last-Event-ID stays put. */
export function sessionEndedFrame (reason: SessionEndReason): string {
  return `event: session_ended\ndata: ${JSON.stringify({ reason })}\n\n`
}

/** Last-Event-ID (sent by EventSource on reconnect) wins over ?last_event_id= (the first connection's). */
function lastEventIdOf (request: FastifyRequest<{ Querystring: StreamQuery }>): number | null {
  const header = request.headers['last-event-id']
  if (typeof header === 'string' && header.trim() !== '') {
    if (!/^\d{1,15}$/.test(header.trim())) throw errors.invalidField('last-event-id', 'must be an event id sent by this stream')
    return Number(header.trim())
  }
  return request.query.last_event_id ?? null
}

/**
 * GET /api/stream: Server-Sent Events of incident.created / incident.updated and of evacuation
 * changes (evacuation.zone, .progress, .shelter, .rescue_request) within the user's jurisdiction,
 * filtered by area (and, for incidents, category), with replay after Last-Event-ID. The stream
 * ends with a `session_ended` event when its session does (see session-watch.ts).
 */
export default async function streamRoutes (app: FastifyInstance, options: StreamOptions = {}) {
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS
  if (!app.hasDecorator('sessionEvents')) await app.register(sessionWatch, { checkMs: options.sessionCheckMs, maxPerUser: options.maxPerUser })
  /** Open streams, ended when the app closes (otherwise server.close() waits for them forever). */
  const open = new Set<() => void>()

  // preClose, not onClose: Fastify closes the HTTP server (and waits for its connections)
  // before the onClose hooks run, so ending the streams there would be too late.
  app.addHook('preClose', async () => {
    for (const end of [...open]) end()
  })

  app.get<{ Querystring: StreamQuery }>('/api/stream', {
    schema: {
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          province: { ...provinceCode, description: 'two-digit province code' },
          commune: { ...communeCode, description: 'five-digit commune code' },
          category: { type: 'string', description: 'comma-separated categories' },
          last_event_id: { type: 'integer', minimum: 0, description: 'for clients that cannot send the Last-Event-ID header' }
        }
      },
      response: errorResponses
    }
  }, async (request, reply) => {
    const user = request.user!
    if (!roleMay(user.role, 'incidents:read')) throw errors.forbidden(null, `the role ${user.role} may not read incidents`)
    const filter: Filter = { scope: scopeOf(user), area: parseArea(request.query), categories: parseCategories(request.query.category) }
    await assertAreaVisible(app, user, filter.area)
    const lastEventId = lastEventIdOf(request)
    const token = request.sessionToken
    const baseline = token ? await app.sessionEvents.baselineOf(token) : null
    if (!token || !baseline) throw errors.unauthenticated()

    // From here on the connection is ours: no errors may be thrown to Fastify.
    reply.hijack()
    const res = reply.raw
    // Helmet's onRequest hook has already set its headers on res; writeHead merges them with these.
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no'
    })
    res.flushHeaders()

    let ended = false
    let unsubscribe: () => void = () => {}
    let heartbeat: NodeJS.Timeout | undefined
    let unwatch: () => void = () => {}
    const end = () => {
      if (ended) return
      ended = true
      unsubscribe()
      unwatch()
      clearInterval(heartbeat)
      open.delete(end)
      if (!res.writableEnded) res.end()
    }
    const write = (text: string) => {
      if (ended) return
      res.write(text)
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        request.log.warn({ buffered: res.writableLength }, 'event stream client too slow; closing its stream')
        end()
      }
    }
    open.add(end)
    request.raw.on('close', end)
    res.on('close', end)
    res.on('error', end)
    // The client may have gone while the area was being checked.
    if (!res.socket || res.socket.destroyed) { end(); return }
    // May end this user's oldest stream (too many open).
    unwatch = app.sessionEvents.watch({
      token, user, baseline,
      end: reason => {
        request.log.info({ reason, user: user.username }, 'event stream closed: its session ended')
        write(sessionEndedFrame(reason))
        end()
      }
    })

    // Subscribe before reading the replay buffer: live events queue up meanwhile, and those the
    // replay already carried are dropped by id, so nothing is lost between the two and nothing twice.
    let queue: LiveEvent[] | null = []
    let sentUpTo = 0
    const deliver = (event: LiveEvent) => {
      if (event.id <= sentUpTo) return
      sentUpTo = event.id
      if (matches(filter, event)) write(frame(event))
    }
    unsubscribe = app.incidentEvents.subscribe(event => { if (queue) queue.push(event); else deliver(event) }, 'all')

    write(`retry: ${RETRY_MS}\n\n`)
    if (lastEventId !== null) for (const event of app.incidentEvents.since(lastEventId, 'all')) deliver(event)
    const queued = queue
    queue = null
    for (const event of queued) deliver(event)

    heartbeat = setInterval(() => write(`: heartbeat ${new Date().toISOString()}\n\n`), heartbeatMs)
    heartbeat.unref()
  })
}
