import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApp } from '../../helpers/app.ts'
import { fixtureCommunes, rect } from './fixture.ts'

type TestApp = Awaited<ReturnType<typeof testApp>>
let t: TestApp

const STATUSES = ['normal', 'watch', 'warning', 'evacuate_now', 'evacuating', 'evacuated', 'all_clear'] as const
type Status = typeof STATUSES[number]

/**
 * The workflow as decided, written out by hand (not imported): one step forward along the chain,
 * a skip forward to evacuate_now from normal, watch or warning, one step back down the warning
 * chain, evacuate_now → warning while no one has moved, all_clear → normal.
 */
const LEGAL: Record<Status, Status[]> = {
  normal: ['watch', 'evacuate_now'],
  watch: ['warning', 'evacuate_now', 'normal'],
  warning: ['evacuate_now', 'watch'],
  evacuate_now: ['evacuating', 'warning'],
  evacuating: ['evacuated'],
  evacuated: ['all_clear'],
  all_clear: ['normal']
}
/** A path from normal to each status. */
const PATH: Record<Status, Status[]> = {
  normal: [], watch: ['watch'], warning: ['watch', 'warning'], evacuate_now: ['evacuate_now'],
  evacuating: ['evacuate_now', 'evacuating'], evacuated: ['evacuate_now', 'evacuating', 'evacuated'],
  all_clear: ['evacuate_now', 'evacuating', 'evacuated', 'all_clear']
}

// Commune 99921: a square 0.02° wide at 108.8° E (province 99, test only).
const X0 = 108.8
const Y0 = 19.5

const patch = (id: string, status: string, note?: string) =>
  t.inject({ method: 'PATCH', url: `/api/evacuation/zones/${id}/status`, payload: { status, ...(note ? { note } : {}) } })

async function zoneAt (status: Status): Promise<string> {
  const res = await t.inject({
    method: 'POST', url: '/api/evacuation/zones',
    payload: { type: 'Feature', geometry: rect(X0, Y0, X0 + 0.01, Y0 + 0.01), properties: { commune_code: '99921', name: `Từ ${status}`, risk_level: 1, population: 100 } }
  })
  expect(res.statusCode, res.body).toBe(201)
  const id = res.json().zones.features[0].properties.id
  for (const step of PATH[status]) expect((await patch(id, step)).statusCode, step).toBe(200)
  return id
}

beforeAll(async () => {
  t = await testApp()
  await fixtureCommunes(t.sql, X0, [{ code: '99921', population: 1000 }])
})
afterAll(async () => { await t.close() })

describe('PATCH /api/evacuation/zones/:id/status', () => {
  it('allows every legal change of the 7 × 7 table and refuses every other with a 409 naming both statuses and the allowed ones', async () => {
    let legal = 0
    let illegal = 0
    for (const from of STATUSES) {
      // One zone takes every refusal (nothing changes), a fresh zone each legal move.
      const refusing = await zoneAt(from)
      for (const to of STATUSES) {
        if (LEGAL[from].includes(to)) {
          const id = await zoneAt(from)
          const res = await patch(id, to)
          expect(res.statusCode, `${from} → ${to}: ${res.body}`).toBe(200)
          expect(res.json().properties.status).toBe(to)
          legal++
        } else {
          const res = await patch(refusing, to)
          expect(res.statusCode, `${from} → ${to}`).toBe(409)
          const body = res.json()
          expect(body).toMatchObject({ error: 'illegal_transition', field: 'status' })
          expect(body.message).toContain(`from ${from} to ${to}`)
          expect(body.message).toContain(LEGAL[from].join(', '))
          illegal++
        }
      }
      const after = (await t.inject(`/api/evacuation/zones/${refusing}`)).json().properties
      expect(after.status).toBe(from)
      expect(after.allowed_next).toEqual(LEGAL[from])
      expect(after.history).toHaveLength(PATH[from].length + 1)
    }
    expect([legal, illegal]).toEqual([12, 37])
  })

  it('refuses to withdraw the order (evacuate_now → warning) once anyone has moved', async () => {
    const id = await zoneAt('evacuate_now')
    // A report moves the zone on to evacuating; a zone put back to evacuate_now is not possible,
    // so check the rule on the moved figure through a second zone that only got the order.
    const res = await t.inject({ method: 'POST', url: `/api/evacuation/zones/${id}/progress`, payload: { households: 1, people: 2 } })
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json().zone.properties.allowed_next).toEqual(['evacuated'])
    const back = await patch(id, 'warning')
    expect(back.statusCode).toBe(409)
    expect(back.json().message).toContain('from evacuating to warning')
  })

  it('keeps every change in the history with time, user, from, to and note; evacuate_ordered_at is the latest order', async () => {
    const id = await zoneAt('normal')
    expect((await patch(id, 'evacuate_now', 'Lũ quét bất ngờ')).statusCode).toBe(200)
    const firstOrder = (await t.inject(`/api/evacuation/zones/${id}`)).json().properties.evacuate_ordered_at
    expect((await patch(id, 'warning', 'Nước rút, huỷ lệnh')).statusCode).toBe(200)
    const withdrawn = (await t.inject(`/api/evacuation/zones/${id}`)).json().properties
    expect(withdrawn.evacuate_ordered_at).toBe(firstOrder)
    expect(withdrawn.seconds_since_evacuate_order).toBeNull()
    expect((await patch(id, 'evacuate_now')).statusCode).toBe(200)
    const zone = (await t.inject(`/api/evacuation/zones/${id}`)).json().properties
    const history = zone.history
    expect(history.map((h: { from_status: string | null, to_status: string, note: string | null, username: string }) => [h.from_status, h.to_status, h.note, h.username])).toEqual([
      [null, 'normal', 'imported', 'test.admin'],
      ['normal', 'evacuate_now', 'Lũ quét bất ngờ', 'test.admin'],
      ['evacuate_now', 'warning', 'Nước rút, huỷ lệnh', 'test.admin'],
      ['warning', 'evacuate_now', null, 'test.admin']
    ])
    expect(zone.evacuate_ordered_at).toBe(history[3].at)
    expect(zone.status_changed_at).toBe(history[3].at)
    expect(Date.parse(zone.evacuate_ordered_at)).toBeGreaterThanOrEqual(Date.parse(firstOrder))
    expect(zone.seconds_since_evacuate_order).toBeGreaterThanOrEqual(0)
    const audits = await t.sql`select before, after from audit_log where action = 'evacuation.zone_status' and entity_id = ${id} order by id`
    expect(audits.map(a => [a.before.status, a.after.status])).toEqual([['normal', 'evacuate_now'], ['evacuate_now', 'warning'], ['warning', 'evacuate_now']])
  })

  it('rejects an unknown status with a 400 and needs evacuation:write', async () => {
    const id = await zoneAt('normal')
    expect((await patch(id, 'flooded')).json()).toMatchObject({ error: 'invalid_field', field: 'status' })
    const police = await t.login('test.commune10525')
    expect((await t.injectAs(police, { method: 'PATCH', url: `/api/evacuation/zones/${id}/status`, payload: { status: 'watch' } })).statusCode).toBe(403)
  })
})
