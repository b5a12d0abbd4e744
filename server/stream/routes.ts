import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts'
import { errors } from '../errors.ts'
import sessionWatch from './session-watch.ts'
import { StreamQuery, streamResponses } from './schemas.ts'
import { frame, sessionEndedFrame, streamService } from './service.ts'

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

/** Last-Event-ID (sent by EventSource on reconnect) wins over ?last_event_id= (the first connection's). */
function lastEventIdOf (request: FastifyRequest, query: { last_event_id?: number }): number | null {
  const header = request.headers['last-event-id']
  if (typeof header === 'string' && header.trim() !== '') {
    if (!/^\d{1,15}$/.test(header.trim())) throw errors.invalidField('last-event-id', 'must be an event id sent by this stream')
    return Number(header.trim())
  }
  return query.last_event_id ?? null
}

/**
 * GET /api/stream: Server-Sent Events of incident.created / incident.updated and of evacuation
 * changes (evacuation.zone, .progress, .shelter, .rescue_request) within the user's jurisdiction,
 * filtered by area (and, for incidents, category), with replay after Last-Event-ID. The stream
 * ends with a `session_ended` event when its session does (see session-watch.ts).
 */
export default async function streamRoutes (fastify: FastifyInstance, options: StreamOptions = {}) {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>()
  const stream = streamService(fastify)
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS
  if (!app.hasDecorator('sessionEvents')) await app.register(sessionWatch, { checkMs: options.sessionCheckMs, maxPerUser: options.maxPerUser })
  /** Open streams, ended when the app closes (otherwise server.close() waits for them forever). */
  const open = new Set<() => void>()

  // preClose, not onClose: Fastify closes the HTTP server (and waits for its connections)
  // before the onClose hooks run, so ending the streams there would be too late.
  app.addHook('preClose', async () => {
    for (const end of [...open]) end()
  })

  app.get('/api/stream', {
    schema: { querystring: StreamQuery, response: streamResponses }
  }, async (request, reply) => {
    const { user, filter, token, baseline } = await stream.open(request, request.query)
    const lastEventId = lastEventIdOf(request, request.query)

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

    write(`retry: ${RETRY_MS}\n\n`)
    unsubscribe = stream.follow(filter, lastEventId, event => write(frame(event)))

    heartbeat = setInterval(() => write(`: heartbeat ${new Date().toISOString()}\n\n`), heartbeatMs)
    heartbeat.unref()
  })
}
