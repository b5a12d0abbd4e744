import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApp } from '../../helpers/app.ts'
import { rect } from './fixture.ts'
import type { EvacuationEvent } from '../../../server/events/bus.ts'
import { openStream as openSse } from '../../helpers/sse.ts'

type TestApp = Awaited<ReturnType<typeof testApp>>
let t: TestApp
let base: string
const cookies: Record<string, string> = {}

/** The stream of this file's server, with its evacuation events parsed; resolves once it has started. */
async function openStream (cookie: string, query = '') {
  const stream = await openSse(base, cookie, query)
  await stream.waitFor(() => true, 10_000)
  const events = () => stream.eventsOf<EvacuationEvent>('evacuation.')
  /** Resolves once an evacuation event of the zone has arrived. */
  const waitForZone = async (zoneId: string) => {
    await stream.waitFor(f => f.event?.startsWith('evacuation.') === true && (JSON.parse(f.data!) as EvacuationEvent).evacuation.zone_id === zoneId, 30_000)
  }
  return { ...stream, events, waitForZone }
}

async function createZone (geometry: object, name: string): Promise<string> {
  const res = await t.inject({ method: 'POST', url: '/api/evacuation/zones', payload: { type: 'Feature', geometry, properties: { name, risk_level: 2 } } })
  expect(res.statusCode, res.body).toBe(201)
  return res.json().zones.features[0].properties.id
}

beforeAll(async () => {
  t = await testApp()
  await t.app.listen({ port: 0, host: '127.0.0.1' })
  const address = t.app.server.address()
  if (!address || typeof address === 'string') throw new Error('no TCP address')
  base = `http://127.0.0.1:${address.port}`
  for (const name of ['test.province31', 'test.commune10525']) cookies[name] = await t.login(name)
})
afterAll(async () => { await t?.close() })

describe('GET /api/stream: evacuation events', () => {
  it('carries evacuation changes, scoped by province and commune like incidents; the category filter leaves them through', async () => {
    const commune = await openStream(cookies['test.commune10525']!)
    const province = await openStream(cookies['test.province31']!, '?province=31&category=fire')
    try {
      // Around a point of 10507 (Phường Thành Đông), then of 10525 (Phường Hải Dương).
      const elsewhere = await createZone(rect(106.3216, 20.9556, 106.3236, 20.9576), 'Vùng Thành Đông (stream test)')
      const own = await createZone(rect(106.3303, 20.9399, 106.3323, 20.9419), 'Vùng Hải Dương (stream test)')
      const status = await t.inject({ method: 'PATCH', url: `/api/evacuation/zones/${own}/status`, payload: { status: 'evacuate_now' } })
      expect(status.statusCode).toBe(200)
      await commune.waitForZone(own)
      await province.waitForZone(own)
      // Events arrive in order: once the later one is here the earlier one would have been too.
      expect(commune.events().map(e => e.evacuation.zone_id)).not.toContain(elsewhere)
      expect(commune.events().every(e => e.evacuation.commune_code === '10525')).toBe(true)
      expect(province.events().map(e => e.evacuation.zone_id)).toEqual(expect.arrayContaining([elsewhere, own]))

      const frame = commune.frames.find(f => f.event === 'evacuation.zone')!
      const event = JSON.parse(frame.data!) as EvacuationEvent
      expect(frame.id).toBe(String(event.id))
      expect(Object.keys(event).sort()).toEqual(['at', 'evacuation', 'id', 'type'])
      expect(event).toMatchObject({ type: 'evacuation.zone', evacuation: { province_code: '31', commune_code: '10525', zone_id: own, status: 'normal', change: 'created' } })
      // The status change follows as another evacuation.zone event.
      const waitStatus = async () => {
        for (let i = 0; i < 100 && !commune.events().some(e => e.evacuation.status === 'evacuate_now'); i++) await new Promise(resolve => setTimeout(resolve, 20))
      }
      await waitStatus()
      expect(commune.events().find(e => e.evacuation.status === 'evacuate_now')).toMatchObject({ type: 'evacuation.zone', evacuation: { zone_id: own, change: 'status', from_status: 'normal' } })
    } finally {
      await commune.close()
      await province.close()
    }
  })

  it('replays evacuation events after Last-Event-ID, and incident subscribers of the bus see only incidents', async () => {
    const bus = t.app.incidentEvents
    const seenByIncidentListener: string[] = []
    const unsubscribe = bus.subscribe(event => { seenByIncidentListener.push(event.type) })
    try {
      const before = bus.since(0, 'all').at(-1)?.id ?? 0
      const id = await createZone(rect(106.3303, 20.9399, 106.3323, 20.9419), 'Vùng phát lại (stream test)')
      const replayed = bus.since(before, 'all')
      expect(replayed.map(e => e.type)).toEqual(['evacuation.zone'])
      expect(bus.since(before)).toEqual([])
      expect(seenByIncidentListener).toEqual([])
      const stream = await openStream(cookies['test.commune10525']!, `?last_event_id=${before}`)
      try {
        await stream.waitForZone(id)
        expect(stream.events().map(e => e.evacuation.zone_id)).toEqual([id])
      } finally {
        await stream.close()
      }
    } finally {
      unsubscribe()
    }
  })
})
