import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApp } from '../../helpers/app.ts'
import { STATUSES } from '../../../server/domain/incident-status.ts'
import { TRANSITIONS } from '../../../server/domain/incident-status.ts'

type TestApp = Awaited<ReturnType<typeof testApp>>
let t: TestApp
let teamOf10525: string
let teamOf10507: string

const IN_10525 = { lon: 106.3313, lat: 20.9409 }
// This file's incidents happen in 2020, a year no other test file writes.
async function create (category = 'fire', extra: Record<string, unknown> = {}) {
  const res = await t.inject({ method: 'POST', url: '/api/incidents', payload: { ...IN_10525, category, severity: 4, occurred_at: '2020-03-03T10:00:00+07:00', description: 'Cháy nhà dân', ...extra } })
  expect(res.statusCode, res.body).toBe(201)
  return String(res.json().properties.id)
}
const patch = (id: string, payload: Record<string, unknown>, cookie?: string) =>
  cookie ? t.injectAs(cookie, { method: 'PATCH', url: `/api/incidents/${id}`, payload }) : t.inject({ method: 'PATCH', url: `/api/incidents/${id}`, payload })

/** An incident walked along the lifecycle to the given status. */
async function incidentAt (status: string): Promise<string> {
  const id = await create()
  const path: Record<string, string[]> = {
    reported: [], dispatched: ['dispatched'], on_scene: ['dispatched', 'on_scene'], resolved: ['dispatched', 'on_scene', 'resolved'],
    closed: ['dispatched', 'on_scene', 'resolved', 'closed'], cancelled: ['cancelled']
  }
  for (const step of path[status]!) expect((await patch(id, { status: step })).statusCode).toBe(200)
  return id
}

beforeAll(async () => {
  t = await testApp()
  const teams = await t.sql<{ id: bigint, commune_code: string }[]>`
    insert into teams (province_code, commune_code, name) values ('31', '10525', 'Tổ 1 (test)'), ('31', '10507', 'Tổ 1 (test)') returning id, commune_code`
  teamOf10525 = String(teams.find(r => r.commune_code === '10525')!.id)
  teamOf10507 = String(teams.find(r => r.commune_code === '10507')!.id)
})
afterAll(async () => { await t.close() })

describe('PATCH /api/incidents/:id', () => {
  it('walks reported → dispatched → on_scene → resolved → closed, keeping every step in the history', async () => {
    const id = await create('fire', { fire: { cause: 'chập điện', area_m2: 40 } })
    const dispatched = await patch(id, { status: 'dispatched', team_id: teamOf10525, note: 'Tổ 1 xuất phát' })
    expect(dispatched.statusCode).toBe(200)
    expect(dispatched.json().properties).toMatchObject({ status: 'dispatched', team_id: teamOf10525 })
    await new Promise(resolve => setTimeout(resolve, 1100))
    for (const status of ['on_scene', 'resolved', 'closed']) {
      const res = await patch(id, { status, ...(status === 'resolved' ? { fire: { people_injured: 2 } } : {}) })
      expect(res.statusCode, status).toBe(200)
    }
    const detail = (await t.inject(`/api/incidents/${id}`)).json().properties
    expect(detail.status).toBe('closed')
    expect(detail.history.map((h: { from_status: string | null, to_status: string }) => [h.from_status, h.to_status])).toEqual([
      [null, 'reported'], ['reported', 'dispatched'], ['dispatched', 'on_scene'], ['on_scene', 'resolved'], ['resolved', 'closed']
    ])
    expect(detail.history[1]).toMatchObject({ username: 'test.admin', team_id: teamOf10525, note: 'Tổ 1 xuất phát' })
    expect(detail.fire).toEqual({ cause: 'chập điện', area_m2: 40, people_injured: 2 })
    // Response time = dispatched − reported; handling time = resolved − reported.
    const seconds = (a: string, b: string) => Math.round((Date.parse(b) - Date.parse(a)) / 1000)
    expect(detail.response_seconds).toBe(seconds(detail.reported_at, detail.dispatched_at))
    expect(detail.handling_seconds).toBe(seconds(detail.reported_at, detail.resolved_at))
    expect(detail.handling_seconds).toBeGreaterThanOrEqual(1)
  })

  it('cancels from every open state', async () => {
    for (const from of ['reported', 'dispatched', 'on_scene']) {
      const id = await incidentAt(from)
      const res = await patch(id, { status: 'cancelled', note: 'báo nhầm' })
      expect(res.statusCode, from).toBe(200)
      expect(res.json().properties.cancelled_at).toBeTruthy()
    }
  })

  it('refuses every illegal transition with a 409 naming both states, changing nothing', async () => {
    let checked = 0
    for (const from of STATUSES) {
      const id = await incidentAt(from)
      const before = (await t.inject(`/api/incidents/${id}`)).json().properties
      for (const to of STATUSES) {
        if (TRANSITIONS[from].includes(to)) continue
        const res = await patch(id, { status: to })
        expect(res.statusCode, `${from} → ${to}`).toBe(409)
        expect(res.json()).toMatchObject({ error: 'illegal_transition', field: 'status' })
        expect(res.json().message).toContain(`from ${from} to ${to}`)
        checked++
      }
      const after = (await t.inject(`/api/incidents/${id}`)).json().properties
      expect(after.status).toBe(from)
      expect(after.history).toEqual(before.history)
    }
    // 6 statuses × 6 targets − 7 legal moves (3 forward steps from open states, 3 cancels, resolved → closed).
    expect(checked).toBe(29)
  })

  it('rejects a team of another commune, details of the wrong kind, and unknown fields', async () => {
    const id = await create('security')
    expect((await patch(id, { status: 'dispatched', team_id: teamOf10507 })).json()).toMatchObject({ error: 'invalid_field', field: 'team_id' })
    expect((await patch(id, { status: 'dispatched', fire: { area_m2: 3 } })).json()).toMatchObject({ field: 'fire' })
    expect((await patch(id, { status: 'flying' })).json()).toMatchObject({ field: 'status' })
    expect((await patch(id, { status: 'dispatched', colour: 'red' })).json()).toMatchObject({ field: 'colour' })
    expect((await t.inject(`/api/incidents/${id}`)).json().properties.status).toBe('reported')
    expect((await t.inject({ method: 'POST', url: '/api/incidents', payload: { ...IN_10525, category: 'traffic', severity: 2, occurred_at: '2020-03-03', rescue: { people_rescued: 1 } } })).json().field).toBe('rescue')
  })

  it('keeps rescue details, answers 404 outside the jurisdiction and 403 to a role that may not write', async () => {
    const id = await create('rescue', { rescue: { people_rescued: 3, people_missing: 1 } })
    expect((await t.inject(`/api/incidents/${id}`)).json().properties.rescue).toEqual({ people_rescued: 3, people_missing: 1 })
    expect((await patch('999999999', { status: 'dispatched' })).statusCode).toBe(404)
    const coordinator = await t.login('test.coordinator31')
    expect((await patch(id, { status: 'dispatched' }, coordinator)).statusCode).toBe(403)
    const province46 = await t.login('test.province46').catch(() => null)
    if (province46) expect((await patch(id, { status: 'dispatched' }, province46)).statusCode).toBe(404)
    const police = await t.login('test.commune10525')
    expect((await patch(id, { status: 'dispatched' }, police)).statusCode).toBe(200)
  })

  it('writes one audit row per change and publishes the change on the live feed', async () => {
    const id = await create('security')
    const [{ n: before }] = await t.sql<{ n: number }[]>`select count(*)::int as n from audit_log` as unknown as [{ n: number }]
    const lastEvent = t.app.incidentEvents.since(0).at(-1)?.id ?? 0
    expect((await patch(id, { status: 'dispatched' })).statusCode).toBe(200)
    const [{ n: after }] = await t.sql<{ n: number }[]>`select count(*)::int as n from audit_log` as unknown as [{ n: number }]
    expect(after).toBe(before + 1)
    const events = t.app.incidentEvents.since(lastEvent)
    expect(events.map(e => [e.type, e.incident.id, e.incident.status])).toEqual([['incident.updated', Number(id), 'dispatched']])
  })
})
