import { EventEmitter } from 'node:events'
import Fastify from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApp } from '../../helpers/app.ts'
import validation from '../../../server/plugins/validation.ts'
import errorHandler from '../../../server/plugins/error-handler.ts'
import database from '../../../server/plugins/database.ts'
import auth from '../../../server/plugins/auth.ts'
import events from '../../../server/plugins/events.ts'
import streamRoutes from '../../../server/stream/routes.ts'
import type { IncidentEvent } from '../../../server/events/bus.ts'
import { openStream as openSse } from '../../helpers/sse.ts'

type TestApp = Awaited<ReturnType<typeof testApp>>
let t: TestApp
let base: string
const cookies: Record<string, string> = {}

// Commune 10525 (Phường Hải Dương) and 10507 (Phường Thành Đông), both in Hải Phòng (31).
const IN_10525 = { lon: 106.3313, lat: 20.9409 }
const IN_10507 = { lon: 106.3226, lat: 20.9566 }
// 2021: a year no other test file writes, so their counts stay as they were.
const OCCURRED_AT = '2021-03-10T09:00:00+07:00'

/** The stream of this file's server, with its incident events parsed. */
async function openStream (cookie: string | null, query = '', headers: Record<string, string> = {}) {
  const stream = await openSse(base, cookie, query, headers)
  return {
    ...stream,
    /** The events received so far, parsed. */
    events: () => stream.eventsOf<IncidentEvent>(),
    waitForIncident: (incidentId: number, timeoutMs?: number) =>
      stream.waitFor(f => f.data !== undefined && (JSON.parse(f.data) as IncidentEvent).incident?.id === incidentId, timeoutMs)
  }
}

/** Reports an incident through POST /api/incidents over HTTP; returns its id. */
async function report (cookie: string, place: { lon: number, lat: number }, category = 'security'): Promise<number> {
  const res = await fetch(`${base}/api/incidents`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ ...place, category, severity: 3, occurred_at: OCCURRED_AT, description: 'stream test' })
  })
  const body = await res.json()
  if (res.status !== 201) throw new Error(`report: ${res.status} ${JSON.stringify(body)}`)
  return body.properties.id as number
}

function listenerCount (app: TestApp['app']): number {
  return (app.incidentEvents as unknown as { emitter: EventEmitter }).emitter.listenerCount('event')
}

/** Waits (up to 2 s) for the server to notice disconnects; returns the listener count then. */
async function listenersSettleAt (app: TestApp['app'], expected: number): Promise<number> {
  const deadline = Date.now() + 2000
  while (listenerCount(app) !== expected && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
  return listenerCount(app)
}

beforeAll(async () => {
  t = await testApp()
  await t.app.listen({ port: 0, host: '127.0.0.1' })
  const address = t.app.server.address()
  if (!address || typeof address === 'string') throw new Error('no TCP address')
  base = `http://127.0.0.1:${address.port}`
  for (const name of ['test.admin', 'test.province31', 'test.commune10525']) cookies[name] = await t.login(name)
})
afterAll(async () => { await t?.close() })

describe('GET /api/stream', () => {
  it('delivers a new incident to a connected client in under a second, as an SSE frame', async () => {
    const stream = await openStream(cookies['test.admin']!)
    try {
      expect(stream.response.status).toBe(200)
      expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/)
      expect(stream.response.headers.get('cache-control')).toBe('no-cache')
      expect(stream.response.headers.get('x-accel-buffering')).toBe('no')
      // Helmet's headers come through the hijacked reply.
      expect(stream.response.headers.get('x-content-type-options')).toBe('nosniff')
      expect(stream.response.headers.get('content-security-policy')).toMatch(/default-src 'self'/)
      const retry = await stream.waitFor(f => f.retry !== undefined)
      expect(retry.retry).toBe('3000')

      const started = performance.now()
      const id = await report(cookies['test.admin']!, IN_10525, 'fire')
      const frame = await stream.waitForIncident(id)
      const latency = frame.at - started
      expect(latency).toBeLessThan(1000)

      const event = JSON.parse(frame.data!) as IncidentEvent
      expect(frame.event).toBe('incident.created')
      expect(frame.id).toBe(String(event.id))
      expect(Object.keys(event).sort()).toEqual(['at', 'id', 'incident', 'type'])
      expect(event.type).toBe('incident.created')
      expect(Number.isNaN(Date.parse(event.at))).toBe(false)
      expect(event.incident).toMatchObject({ id, category: 'fire', severity: 3, status: 'reported', commune_code: '10525', province_code: '31' })
    } finally {
      await stream.close()
    }
  })

  it('shows a commune account only its own commune\'s incidents', async () => {
    const stream = await openStream(cookies['test.commune10525']!)
    try {
      expect(stream.response.status).toBe(200)
      await stream.waitFor(f => f.retry !== undefined)
      const elsewhere = await report(cookies['test.admin']!, IN_10507)
      const own = await report(cookies['test.admin']!, IN_10525)
      // Events arrive in order, so once the later one is here the earlier one would have been too.
      await stream.waitForIncident(own)
      const seen = stream.events().map(e => e.incident.id)
      expect(seen).toContain(own)
      expect(seen).not.toContain(elsewhere)
      expect(stream.events().every(e => e.incident.commune_code === '10525')).toBe(true)
    } finally {
      await stream.close()
    }
  })

  it('narrows a province account to a commune it asks for, and to categories', async () => {
    const byCommune = await openStream(cookies['test.province31']!, '?commune=10507')
    const byCategory = await openStream(cookies['test.province31']!, '?province=31&category=fire,flood')
    try {
      expect(byCommune.response.status).toBe(200)
      expect(byCategory.response.status).toBe(200)
      await byCommune.waitFor(f => f.retry !== undefined)
      await byCategory.waitFor(f => f.retry !== undefined)
      const security10525 = await report(cookies['test.admin']!, IN_10525, 'security')
      const security10507 = await report(cookies['test.admin']!, IN_10507, 'security')
      const flood10525 = await report(cookies['test.admin']!, IN_10525, 'flood')
      const fire10507 = await report(cookies['test.admin']!, IN_10507, 'fire')

      await byCategory.waitForIncident(fire10507)
      expect(byCategory.events().map(e => e.incident.id)).toEqual([flood10525, fire10507])

      await byCommune.waitForIncident(fire10507)
      expect(byCommune.events().map(e => e.incident.id)).toEqual([security10507, fire10507])
      expect(byCommune.events().map(e => e.incident.id)).not.toContain(security10525)
    } finally {
      await byCommune.close()
      await byCategory.close()
    }
  })

  it('replays exactly the missed events after a reconnect with Last-Event-ID, in order, then live ones', async () => {
    const cookie = cookies['test.province31']!
    const first = await openStream(cookie)
    await first.waitFor(f => f.retry !== undefined)
    const before = await report(cookies['test.admin']!, IN_10525)
    const last = await first.waitForIncident(before)
    await first.close()

    // While it is away: three incidents, one of another category (it listens to all).
    const missed = [
      await report(cookies['test.admin']!, IN_10507),
      await report(cookies['test.admin']!, IN_10525, 'traffic'),
      await report(cookies['test.admin']!, IN_10507, 'rescue')
    ]

    const again = await openStream(cookie, '', { 'last-event-id': last.id! })
    try {
      expect(again.response.status).toBe(200)
      await again.waitForIncident(missed[2]!)
      const live = await report(cookies['test.admin']!, IN_10525)
      await again.waitForIncident(live)
      const received = again.events()
      expect(received.map(e => e.incident.id)).toEqual([...missed, live])
      // Event ids increase and none repeats.
      const ids = received.map(e => e.id)
      expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true)
      expect(ids[0]).toBeGreaterThan(Number(last.id))
    } finally {
      await again.close()
    }

    // The same replay for clients that cannot set headers (EventSource's first connection).
    const byQuery = await openStream(cookie, `?last_event_id=${last.id}`)
    try {
      await byQuery.waitForIncident(missed[2]!)
      expect(byQuery.events().map(e => e.incident.id).slice(0, 3)).toEqual(missed)
    } finally {
      await byQuery.close()
    }
  })

  it('replays only what the reconnecting user may see', async () => {
    await report(cookies['test.admin']!, IN_10525)
    const markerEventId = t.app.incidentEvents.since(0).at(-1)!.id
    const elsewhere = await report(cookies['test.admin']!, IN_10507)
    const own = await report(cookies['test.admin']!, IN_10525)
    const stream = await openStream(cookies['test.commune10525']!, '', { 'last-event-id': String(markerEventId) })
    try {
      await stream.waitForIncident(own)
      expect(stream.events().map(e => e.incident.id)).toEqual([own])
      expect(stream.events().map(e => e.incident.id)).not.toContain(elsewhere)
    } finally {
      await stream.close()
    }
  })

  it('loses nothing and repeats nothing when an event lands while the replay is being read', async () => {
    // The bus publishes synchronously today; a LISTEN/NOTIFY bus would not. Simulate events
    // published just before and just after the route reads the replay buffer.
    const bus = t.app.incidentEvents
    const snapshot = (id: number) => ({ id, category: 'security', severity: 2, status: 'dispatched', occurred_at: '2021-03-10T02:00:00.000Z', lon: IN_10525.lon, lat: IN_10525.lat, commune_code: '10525', province_code: '31' })
    const lastId = bus.since(0).at(-1)!.id
    const missed = bus.publish('incident.updated', snapshot(-1))
    const original = bus.since.bind(bus)
    bus.since = (id: number) => {
      bus.publish('incident.updated', snapshot(-2)) // in the buffer read below and sent live
      const events = original(id)
      bus.publish('incident.updated', snapshot(-3)) // only sent live
      return events
    }
    let stream
    try {
      stream = await openStream(cookies['test.commune10525']!, '', { 'last-event-id': String(lastId) })
    } finally {
      bus.since = original
    }
    try {
      await stream.waitForIncident(-3)
      const live = bus.publish('incident.updated', snapshot(-4))
      await stream.waitFor(f => f.id === String(live.id))
      expect(stream.events().map(e => e.incident.id)).toEqual([-1, -2, -3, -4])
      expect(stream.events().map(e => e.id)).toEqual([missed.id, missed.id + 1, missed.id + 2, live.id])
      expect(stream.frames.filter(f => f.event).every(f => f.event === 'incident.updated')).toBe(true)
    } finally {
      await stream.close()
    }
  })

  it('unsubscribes from the bus when the client disconnects', async () => {
    // Every stream of the tests above has been closed by its client by now.
    expect(await listenersSettleAt(t.app, 0)).toBe(0)
    const stream = await openStream(cookies['test.admin']!)
    await stream.waitFor(f => f.retry !== undefined)
    expect(listenerCount(t.app)).toBe(1)
    await stream.close()
    expect(await listenersSettleAt(t.app, 0)).toBe(0)
  })

  it('accepts a bearer token', async () => {
    const login = await t.injectAs(null, { method: 'POST', url: '/api/auth/login', payload: { username: 'test.province31', password: 'correct horse battery staple', kind: 'bearer' } })
    const stream = await openStream(null, '', { authorization: `Bearer ${login.json().token}` })
    try {
      expect(stream.response.status).toBe(200)
      await stream.waitFor(f => f.retry !== undefined)
    } finally {
      await stream.close()
    }
  })

  it('answers 401 without a session, 404 outside the jurisdiction, 400 for an unknown category', async () => {
    const anonymous = await fetch(`${base}/api/stream`)
    expect(anonymous.status).toBe(401)
    expect((await anonymous.json()).error).toBe('unauthenticated')

    const commune = cookies['test.commune10525']!
    for (const query of ['?province=46', '?commune=10507']) {
      const res = await fetch(`${base}/api/stream${query}`, { headers: { cookie: commune } })
      expect(res.status, query).toBe(404)
      expect((await res.json()).error).toBe('not_found')
    }
    // Its own commune and province are fine.
    const ownArea = await openStream(commune, '?province=31')
    expect(ownArea.response.status).toBe(200)
    await ownArea.close()

    const robbery = await fetch(`${base}/api/stream?category=robbery`, { headers: { cookie: commune } })
    expect(robbery.status).toBe(400)
    expect(await robbery.json()).toMatchObject({ error: 'invalid_field', field: 'category' })

    for (const [query, field] of [['?province=3', 'province'], ['?color=red', 'color'], ['?last_event_id=abc', 'last_event_id']]) {
      const res = await fetch(`${base}/api/stream${query}`, { headers: { cookie: commune } })
      expect(res.status, query).toBe(400)
      expect((await res.json()).field, query).toBe(field)
    }
    const badHeader = await fetch(`${base}/api/stream`, { headers: { cookie: commune, 'last-event-id': 'yesterday' } })
    expect(badHeader.status).toBe(400)
    expect((await badHeader.json()).field).toBe('last-event-id')
  })
})

describe('the stream plugin', () => {
  it('sends heartbeats at its configured interval, and app.close() ends open streams', async () => {
    // The same plugins as buildApp, with a 100 ms heartbeat.
    const app = Fastify()
    await app.register(validation)
    await app.register(errorHandler)
    await app.register(database, { db: t.db })
    await app.register(auth, { cookieSecure: false })
    await app.register(events)
    await app.register(streamRoutes, { heartbeatMs: 100 })
    await app.listen({ port: 0, host: '127.0.0.1' })
    const address = app.server.address()
    if (!address || typeof address === 'string') throw new Error('no TCP address')
    const savedBase = base
    base = `http://127.0.0.1:${address.port}`
    let closed = false
    try {
      const stream = await openStream(cookies['test.admin']!)
      expect(stream.response.status).toBe(200)
      const first = await stream.waitFor(f => f.comment?.startsWith('heartbeat ') ?? false, 1000)
      const second = await stream.waitFor(f => f.comment?.startsWith('heartbeat ') ?? false, 1000, stream.frames.indexOf(first) + 1)
      expect(second.at - first.at).toBeGreaterThan(50)
      const time = first.comment!.slice('heartbeat '.length)
      expect(new Date(time).toISOString()).toBe(time)

      // Without ending the open stream, close() would wait for the client forever.
      const started = Date.now()
      const hung = new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error('app.close() hung on an open stream')), 3000))
      await Promise.race([app.close(), hung])
      closed = true
      expect(Date.now() - started).toBeLessThan(2000)
      await stream.done
      expect(stream.ended()).toBe(true)
    } finally {
      base = savedBase
      if (!closed) { app.server.closeAllConnections(); await app.close() }
    }
  })
})
