import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { distance } from '@turf/turf'
import { testApp } from '../../helpers/app.ts'
import { fixtureCommunes, fixtureTeam, rect } from './fixture.ts'

type TestApp = Awaited<ReturnType<typeof testApp>>
let t: TestApp
const cookies: Record<string, string> = {}

// Communes 99911, 99912, 99913: squares 0.02° wide from 108.6° E, 19.5° N (province 99, test only).
const X0 = 108.6
const Y0 = 19.5
const teams: Record<string, string> = {}

/** A zone with every figure given (so the numbers are the test's own), optionally moved to a status. */
async function zone (commune: string, x: number, figures = { households: 100, population: 350, elderly: 40, disabled: 10, children: 80 }, name = 'Vùng thử'): Promise<string> {
  const res = await t.inject({
    method: 'POST', url: '/api/evacuation/zones',
    payload: { type: 'Feature', geometry: rect(x, Y0, x + 0.01, Y0 + 0.02), properties: { commune_code: commune, name, risk_level: 3, ...figures } }
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json().zones.features[0].properties.id
}
const setStatus = async (id: string, status: string, cookie?: string) => {
  const res = await t.injectAs(cookie ?? adminCookie, { method: 'PATCH', url: `/api/evacuation/zones/${id}/status`, payload: { status } })
  expect(res.statusCode, res.body).toBe(200)
  return res.json()
}
let adminCookie = ''
const report = (id: string, payload: Record<string, unknown>, cookie = adminCookie) =>
  t.injectAs(cookie, { method: 'POST', url: `/api/evacuation/zones/${id}/progress`, payload })
const shelter = async (payload: Record<string, unknown>) => {
  const res = await t.inject({ method: 'POST', url: '/api/evacuation/shelters', payload })
  expect(res.statusCode, res.body).toBe(201)
  return res.json().properties.id as string
}
const getZone = async (id: string) => (await t.inject(`/api/evacuation/zones/${id}`)).json().properties

beforeAll(async () => {
  t = await testApp()
  adminCookie = await t.login('test.admin')
  for (const name of ['test.commune10525', 'test.coordinator31']) cookies[name] = await t.login(name)
  await fixtureCommunes(t.sql, X0, [{ code: '99911', population: 7000 }, { code: '99912', population: 7000 }, { code: '99913', population: 7000 }])
  teams.a11 = await fixtureTeam(t.sql, '99911', '99', 'Tổ A (test)')
  teams.a12 = await fixtureTeam(t.sql, '99912', '99', 'Tổ A 99912 (test)')
  teams.a13 = await fixtureTeam(t.sql, '99913', '99', 'Tổ 1 (test)')
  teams.b13 = await fixtureTeam(t.sql, '99913', '99', 'Tổ 2 (test)')
})
afterAll(async () => { await t.close() })

describe('POST /api/evacuation/zones/:id/progress', () => {
  it('is a 409 unless the zone is evacuate_now or evacuating', async () => {
    const id = await zone('99911', X0)
    const res = await report(id, { households: 1, people: 3 })
    expect(res.statusCode).toBe(409)
    expect(res.json()).toMatchObject({ error: 'zone_not_evacuating', field: 'status' })
    expect(res.json().message).toContain('normal')
  })

  it('counts households, people and vulnerable moved; the first report moves evacuate_now → evacuating', async () => {
    const id = await zone('99911', X0)
    await setStatus(id, 'evacuate_now')
    const res = await report(id, { team_id: teams.a11, households: 30, people: 100, elderly: 10, children: 20 })
    expect(res.statusCode, res.body).toBe(201)
    const body = res.json()
    expect(body.report).toMatchObject({ zone_id: id, team_id: teams.a11, households: 30, people: 100, elderly: 10, disabled: 0, children: 20, over_capacity: false, username: 'test.admin' })
    expect(body.zone.properties).toMatchObject({
      status: 'evacuating', moved: { households: 30, people: 100, vulnerable: 30 },
      remaining: { households: 70, people: 250, vulnerable: 100 }, allowed_next: ['evacuated']
    })
    expect(body.zone.properties.share_done).toBeCloseTo(100 / 350, 10)
    expect(body.zone.properties.seconds_since_evacuate_order).toBeGreaterThanOrEqual(0)
    const history = (await getZone(id)).history
    expect(history.map((h: { from_status: string | null, to_status: string }) => [h.from_status, h.to_status])).toEqual([[null, 'normal'], ['normal', 'evacuate_now'], ['evacuate_now', 'evacuating']])
    expect(history[2]).toMatchObject({ username: 'test.admin', note: 'first progress report' })
    // A second report stays in evacuating and adds up.
    const second = await report(id, { households: 70, people: 250, elderly: 30, disabled: 10, children: 60 })
    expect(second.statusCode, second.body).toBe(201)
    expect(second.json().zone.properties).toMatchObject({ status: 'evacuating', moved: { households: 100, people: 350, vulnerable: 130 }, remaining: { households: 0, people: 0, vulnerable: 0 }, share_done: 1 })
  })

  it('refuses a report that would make moved exceed at risk, naming the field and both numbers, storing nothing', async () => {
    const id = await zone('99911', X0)
    await setStatus(id, 'evacuate_now')
    expect((await report(id, { households: 30, people: 100, elderly: 10, children: 20 })).statusCode).toBe(201)
    const cases: [Record<string, unknown>, string, string[]][] = [
      [{ households: 10, people: 251 }, 'people', ['351', '350']],
      [{ households: 71, people: 200 }, 'households', ['101', '100']],
      [{ households: 1, people: 40, elderly: 31 }, 'elderly', ['41', '40']],
      [{ households: 1, people: 40, disabled: 11 }, 'disabled', ['11', '10']],
      [{ households: 1, people: 70, children: 61 }, 'children', ['81', '80']]
    ]
    for (const [payload, field, numbers] of cases) {
      const res = await report(id, payload)
      expect(res.statusCode, field).toBe(400)
      expect(res.json()).toMatchObject({ error: 'moved_exceeds_at_risk', field })
      for (const n of numbers) expect(res.json().message).toContain(n)
    }
    // Exactly up to the limit is fine.
    expect((await report(id, { households: 70, people: 250 })).statusCode).toBe(201)
    expect((await getZone(id)).moved).toEqual({ households: 100, people: 350, vulnerable: 30 })
  })

  it('checks the report itself: groups within its people, a team of the zone\'s commune, no future time', async () => {
    const id = await zone('99911', X0)
    await setStatus(id, 'evacuate_now')
    const cases: [Record<string, unknown>, string][] = [
      [{ households: 1, people: 5, elderly: 6 }, 'elderly'],
      [{ households: 6, people: 5 }, 'households'],
      [{ households: 1, people: 5, team_id: teams.a12 }, 'team_id'],
      [{ households: 1, people: 5, reported_at: '2099-01-01T00:00:00Z' }, 'reported_at'],
      [{ households: 1, people: 5, reported_at: '2025-02-30' }, 'reported_at'],
      [{ households: 1, people: -5 }, 'people'],
      [{ households: 1 }, 'people'],
      [{ households: 1, people: 5, force: true }, 'reason']
    ]
    for (const [payload, field] of cases) {
      const res = await report(id, payload)
      expect(res.statusCode, `${field}: ${res.body}`).toBe(400)
      expect(res.json().field).toBe(field)
    }
    expect((await getZone(id)).status).toBe('evacuate_now')
  })

  it('needs evacuation:write (403 for commune police) and hides zones outside the jurisdiction (404)', async () => {
    const id = await zone('99911', X0)
    await setStatus(id, 'evacuate_now')
    expect((await report(id, { households: 1, people: 2 }, cookies['test.commune10525'])).statusCode).toBe(403)
    expect((await report(id, { households: 1, people: 2 }, cookies['test.coordinator31'])).statusCode).toBe(404)
    expect((await report('999999999', { households: 1, people: 2 })).statusCode).toBe(404)
  })
})

describe('shelters', () => {
  it('flags moving people into a shelter beyond its capacity: 409 unless forced with a reason', async () => {
    const id = await zone('99911', X0)
    await setStatus(id, 'evacuate_now')
    const s = await shelter({ name: 'Trường tiểu học (test)', lon: X0 + 0.015, lat: Y0 + 0.01, capacity: 50 })
    const first = await report(id, { households: 10, people: 40, shelter_id: s })
    expect(first.statusCode, first.body).toBe(201)
    expect(first.json().shelter.properties).toMatchObject({ occupancy: 40, free: 10, over_capacity: false })

    const over = await report(id, { households: 5, people: 20, shelter_id: s })
    expect(over.statusCode).toBe(409)
    expect(over.json()).toMatchObject({ error: 'shelter_capacity_exceeded', field: 'shelter_id' })
    for (const n of [s, '40', '20', '60', '50']) expect(over.json().message).toContain(n)
    expect((await getZone(id)).moved.people).toBe(40)

    expect((await report(id, { households: 5, people: 20, shelter_id: s, force: true, reason: '  ' })).json().field).toBe('reason')
    const forced = await report(id, { households: 5, people: 20, shelter_id: s, force: true, reason: 'Nước lên nhanh, không còn chỗ khác' })
    expect(forced.statusCode, forced.body).toBe(201)
    expect(forced.json().report).toMatchObject({ over_capacity: true, force_reason: 'Nước lên nhanh, không còn chỗ khác' })
    expect(forced.json().shelter.properties).toMatchObject({ occupancy: 60, capacity: 50, free: 0, over_capacity: true, over_capacity_reason: 'Nước lên nhanh, không còn chỗ khác' })
    const [audit] = await t.sql<{ after: { over_capacity: boolean, force_reason: string } }[]>`
      select after from audit_log where action = 'evacuation.progress' and entity_id = ${id} order by id desc limit 1`
    expect(audit!.after).toMatchObject({ over_capacity: true, force_reason: 'Nước lên nhanh, không còn chỗ khác' })

    // A closed shelter takes no one.
    const closed = await shelter({ name: 'Nhà văn hoá đóng (test)', lon: X0 + 0.015, lat: Y0 + 0.012, capacity: 500, is_open: false })
    const res = await report(id, { households: 1, people: 2, shelter_id: closed })
    expect(res.statusCode).toBe(409)
    expect(res.json()).toMatchObject({ error: 'shelter_closed', field: 'shelter_id' })
  })

  it('places a shelter in the commune holding its point, and changes capacity within the same rule', async () => {
    const outside = await t.inject({ method: 'POST', url: '/api/evacuation/shelters', payload: { name: 'x', lon: 110.5, lat: 17.5, capacity: 10 } })
    expect(outside.json()).toMatchObject({ error: 'outside_communes', field: 'lon,lat' })
    const mismatch = await t.inject({ method: 'POST', url: '/api/evacuation/shelters', payload: { name: 'x', commune_code: '99912', lon: X0 + 0.005, lat: Y0 + 0.005, capacity: 10 } })
    expect(mismatch.json()).toMatchObject({ error: 'invalid_field', field: 'commune_code' })
    const full = await t.inject({ method: 'POST', url: '/api/evacuation/shelters', payload: { name: 'x', lon: X0 + 0.005, lat: Y0 + 0.005, capacity: 10, occupancy: 11 } })
    expect(full.json()).toMatchObject({ error: 'shelter_capacity_exceeded' })
    const id = await shelter({ name: 'Nhà văn hoá thôn (test)', lon: X0 + 0.005, lat: Y0 + 0.005, capacity: 100, occupancy: 80 })
    const listed = (await t.inject('/api/evacuation/shelters?commune=99911')).json().features.find((f: { properties: { id: string } }) => f.properties.id === id)
    expect(listed.properties).toMatchObject({ commune_code: '99911', province_code: '99', capacity: 100, occupancy: 80, free: 20, is_open: true })
    expect(listed.geometry.coordinates).toEqual([X0 + 0.005, Y0 + 0.005])
    const patch = (payload: Record<string, unknown>, cookie = adminCookie) => t.injectAs(cookie, { method: 'PATCH', url: `/api/evacuation/shelters/${id}`, payload })
    expect((await patch({ capacity: 70 })).statusCode).toBe(409)
    expect((await patch({ capacity: 70 }, cookies['test.commune10525'])).statusCode).toBe(403)
    const forced = await patch({ capacity: 70, force: true, reason: 'Tầng 1 ngập' })
    expect(forced.statusCode, forced.body).toBe(200)
    expect(forced.json().properties).toMatchObject({ capacity: 70, occupancy: 80, over_capacity: true, over_capacity_reason: 'Tầng 1 ngập' })
    const fine = await patch({ occupancy: 10, is_open: false })
    expect(fine.json().properties).toMatchObject({ capacity: 70, occupancy: 10, free: 60, is_open: false, over_capacity: false, over_capacity_reason: null })
  })

  it('lists the nearest open shelters with free places for a zone, nearest first, with distances', async () => {
    // Zone: 108.64–108.65 (west half of 99913 is 108.64–108.65).
    const id = await zone('99913', X0 + 0.04, undefined, 'Vùng gần trường')
    const near = await shelter({ name: 'Gần (test)', lon: X0 + 0.055, lat: Y0 + 0.01, capacity: 10 })
    const far = await shelter({ name: 'Xa (test)', lon: X0 + 0.025, lat: Y0 + 0.01, capacity: 10 })
    const fullOne = await shelter({ name: 'Đầy (test)', lon: X0 + 0.052, lat: Y0 + 0.01, capacity: 10, occupancy: 10 })
    const closedOne = await shelter({ name: 'Đóng (test)', lon: X0 + 0.051, lat: Y0 + 0.01, capacity: 10, is_open: false })
    const body = (await t.inject(`/api/evacuation/zones/${id}/shelters?limit=50`)).json()
    const ids = body.features.map((f: { properties: { id: string } }) => f.properties.id)
    expect(ids.indexOf(near)).toBeGreaterThanOrEqual(0)
    expect(ids.indexOf(near)).toBeLessThan(ids.indexOf(far))
    expect(ids).not.toContain(fullOne)
    expect(ids).not.toContain(closedOne)
    const distances = body.features.map((f: { properties: { distance_m: number } }) => f.properties.distance_m)
    expect(distances).toEqual([...distances].sort((a, b) => a - b))
    // 0.005° east of the zone's east edge (108.65) and 0.015° west of its west edge (108.64), at 19.51° N.
    const nearDistance = body.features[ids.indexOf(near)].properties.distance_m
    const farDistance = body.features[ids.indexOf(far)].properties.distance_m
    expect(nearDistance / 1000).toBeCloseTo(distance([X0 + 0.05, Y0 + 0.01], [X0 + 0.055, Y0 + 0.01]), 2)
    expect(farDistance / 1000).toBeCloseTo(distance([X0 + 0.04, Y0 + 0.01], [X0 + 0.025, Y0 + 0.01]), 2)
    expect(body.features[ids.indexOf(near)].properties).toMatchObject({ free: 10, is_open: true })
    expect((await t.inject(`/api/evacuation/zones/${id}/shelters?limit=1`)).json().features).toHaveLength(1)
    expect((await t.inject(`/api/evacuation/zones/${id}/shelters?limit=0`)).json().field).toBe('limit')
  })
})

describe('teams and rescue requests', () => {
  it('assigns teams of the zone\'s commune only', async () => {
    const id = await zone('99911', X0)
    const wrong = await t.inject({ method: 'PUT', url: `/api/evacuation/zones/${id}/teams`, payload: { team_ids: [teams.a11, teams.a12] } })
    expect(wrong.statusCode).toBe(400)
    expect(wrong.json()).toMatchObject({ field: 'team_ids' })
    expect(wrong.json().message).toContain(teams.a12)
    const ok = await t.inject({ method: 'PUT', url: `/api/evacuation/zones/${id}/teams`, payload: { team_ids: [teams.a11, teams.a11] } })
    expect(ok.statusCode, ok.body).toBe(200)
    expect(ok.json().properties.team_ids).toEqual([teams.a11])
    const none = await t.inject({ method: 'PUT', url: `/api/evacuation/zones/${id}/teams`, payload: { team_ids: [] } })
    expect(none.json().properties.team_ids).toEqual([])
  })

  it('turns a rescue request into a rescue incident linked to the zone, open until resolved (a disaster coordinator may make it)', async () => {
    const created = await t.injectAs(cookies['test.coordinator31']!, {
      method: 'POST', url: '/api/evacuation/zones',
      payload: { type: 'Feature', geometry: rect(106.329, 20.939, 106.333, 20.943), properties: { commune_code: '10525', name: 'Ven sông (test cứu hộ)', risk_level: 3 } }
    })
    expect(created.statusCode, created.body).toBe(201)
    const id = created.json().zones.features[0].properties.id
    const post = (payload: Record<string, unknown>) => t.injectAs(cookies['test.coordinator31']!, { method: 'POST', url: `/api/evacuation/zones/${id}/rescue-requests`, payload })
    expect((await post({ lon: 106.3226, lat: 20.9566, people: 3, urgency: 'high' })).json()).toMatchObject({ error: 'outside_commune', field: 'lon,lat' })
    expect((await post({ lon: 106.3313, lat: 20.9409, people: 0, urgency: 'high' })).json().field).toBe('people')
    expect((await post({ lon: 106.3313, lat: 20.9409, people: 3, urgency: 'urgent' })).json().field).toBe('urgency')
    const res = await post({ lon: 106.3313, lat: 20.9409, people: 3, urgency: 'critical', description: 'Ba người mắc kẹt trên mái nhà' })
    expect(res.statusCode, res.body).toBe(201)
    const body = res.json()
    expect(body.rescue_request).toMatchObject({ zone_id: id, people: 3, urgency: 'critical', status: 'reported', lon: 106.3313, lat: 20.9409 })
    expect(body.zone.properties.open_rescue_requests).toBe(1)
    const incidentId = body.rescue_request.incident_id
    const incident = (await t.injectAs(cookies['test.coordinator31']!, `/api/incidents/${incidentId}`)).json().properties
    expect(incident).toMatchObject({ category: 'rescue', severity: 5, status: 'reported', commune_code: '10525', description: 'Ba người mắc kẹt trên mái nhà' })
    expect(incident.history[0]).toMatchObject({ from_status: null, to_status: 'reported', username: 'test.coordinator31' })
    const board = async () => (await t.inject('/api/evacuation/communes/10525')).json().rescue_requests.map((r: { incident_id: string }) => r.incident_id)
    expect(await board()).toContain(incidentId)
    // The coordinator still may not report other incidents.
    expect((await t.injectAs(cookies['test.coordinator31']!, { method: 'POST', url: '/api/incidents', payload: { lon: 106.3313, lat: 20.9409, category: 'fire', severity: 2, occurred_at: '2024-01-01' } })).statusCode).toBe(403)
    for (const status of ['dispatched', 'on_scene', 'resolved']) {
      expect((await t.inject({ method: 'PATCH', url: `/api/incidents/${incidentId}`, payload: { status } })).statusCode).toBe(200)
    }
    expect(await board()).not.toContain(incidentId)
    expect((await getZone(id)).open_rescue_requests).toBe(0)
  })
})

describe('GET /api/evacuation/communes/:code', () => {
  it('adds up the commune\'s zones, shelters, teams and open rescue requests (hand-worked fixture)', async () => {
    // Commune 99914, alone: Z1 (100 households, 350 people, 40 + 10 + 80 vulnerable), Z2 (20, 70, 5 + 2 + 10).
    await fixtureCommunes(t.sql, X0 + 0.06, [{ code: '99914', population: 7000 }])
    const a = await fixtureTeam(t.sql, '99914', '99', 'Tổ 1 (board)')
    const b = await fixtureTeam(t.sql, '99914', '99', 'Tổ 2 (board)')
    const z1 = await zone('99914', X0 + 0.06, { households: 100, population: 350, elderly: 40, disabled: 10, children: 80 }, 'Z1')
    const z2 = await zone('99914', X0 + 0.07, { households: 20, population: 70, elderly: 5, disabled: 2, children: 10 }, 'Z2')
    await t.inject({ method: 'PUT', url: `/api/evacuation/zones/${z1}/teams`, payload: { team_ids: [a, b] } })
    await t.inject({ method: 'PUT', url: `/api/evacuation/zones/${z2}/teams`, payload: { team_ids: [b] } })
    await setStatus(z2, 'watch')
    await setStatus(z1, 'evacuate_now')
    const s = await shelter({ name: 'Trường THCS (board)', lon: X0 + 0.075, lat: Y0 + 0.015, capacity: 200 })
    expect((await report(z1, { team_id: a, households: 30, people: 100, elderly: 10, children: 20, shelter_id: s, reported_at: '2025-01-01T10:30:00+07:00' })).statusCode).toBe(201)
    expect((await report(z1, { team_id: b, households: 10, people: 50, elderly: 5, children: 5, reported_at: '2025-01-01T12:15:00+07:00' })).statusCode).toBe(201)
    const rescue = async (people: number, urgency: string) => (await t.inject({ method: 'POST', url: `/api/evacuation/zones/${z1}/rescue-requests`, payload: { lon: X0 + 0.065, lat: Y0 + 0.01, people, urgency } })).json().rescue_request.incident_id
    const open = await rescue(4, 'critical')
    const done = await rescue(2, 'low')
    await t.inject({ method: 'PATCH', url: `/api/incidents/${done}`, payload: { status: 'cancelled' } })

    const res = await t.inject('/api/evacuation/communes/99914')
    expect(res.statusCode, res.body).toBe(200)
    const board = res.json()
    expect(board.commune).toEqual({ code: '99914', name: 'Xã thử nghiệm 99914', population: 7000 })
    expect(board.totals).toMatchObject({
      households: 120, population: 420, vulnerable: 147,
      moved: { households: 40, people: 150, vulnerable: 40 },
      remaining: { households: 80, people: 270, vulnerable: 107 },
      zones_by_status: { normal: 0, watch: 1, warning: 0, evacuate_now: 0, evacuating: 1, evacuated: 0, all_clear: 0 }
    })
    expect(board.totals.share_done).toBeCloseTo(150 / 420, 10)
    expect(board.zones.features.map((f: { properties: { id: string, status: string } }) => [f.properties.id, f.properties.status])).toEqual([[z1, 'evacuating'], [z2, 'watch']])
    expect(board.shelters.features.map((f: { properties: object }) => f.properties)).toEqual([
      expect.objectContaining({ id: s, capacity: 200, occupancy: 100, free: 100, is_open: true, commune_code: '99914', is_generated: false })
    ])
    expect(board.teams).toEqual([
      { id: a, name: 'Tổ 1 (board)', zone_ids: [z1], reports: 1, people_moved: 100 },
      { id: b, name: 'Tổ 2 (board)', zone_ids: [z1, z2], reports: 1, people_moved: 50 }
    ])
    expect(board.rescue_requests).toEqual([expect.objectContaining({ incident_id: open, zone_id: z1, people: 4, urgency: 'critical', status: 'reported', lon: X0 + 0.065, lat: Y0 + 0.01 })])
    expect((await t.injectAs(cookies['test.commune10525']!, '/api/evacuation/communes/99914')).statusCode).toBe(404)
    expect((await t.inject('/api/evacuation/communes/99999')).statusCode).toBe(404)

    // Timeline of the same commune: cumulative moved at each whole hour, reports strictly before it.
    const timeline = (await t.inject('/api/evacuation/timeline?commune=99914&from=2025-01-01T10:00:00%2B07:00&to=2025-01-01T13:00:00%2B07:00&step=hour')).json()
    expect(timeline.error, JSON.stringify(timeline)).toBeUndefined()
    expect(timeline.step).toBe('hour')
    expect(timeline.points.map((p: { at: string, people_moved: number, households_moved: number, vulnerable_moved: number }) => [p.at, p.people_moved, p.households_moved, p.vulnerable_moved])).toEqual([
      ['2025-01-01T03:00:00.000Z', 0, 0, 0], ['2025-01-01T04:00:00.000Z', 100, 30, 30],
      ['2025-01-01T05:00:00.000Z', 100, 30, 30], ['2025-01-01T06:00:00.000Z', 150, 40, 40]
    ])
    // The order was given now (2026 or later), so in 2025 no one was under an order yet.
    expect(timeline.points.every((p: { people_at_risk: number }) => p.people_at_risk === 0)).toBe(true)
    const byDay = (await t.inject('/api/evacuation/timeline?commune=99914&from=2025-01-01&to=2025-01-03&step=day')).json()
    expect(byDay.points.map((p: { at: string, people_moved: number }) => [p.at, p.people_moved])).toEqual([
      ['2024-12-31T17:00:00.000Z', 0], ['2025-01-01T17:00:00.000Z', 150], ['2025-01-02T17:00:00.000Z', 150]
    ])
    expect((await t.inject('/api/evacuation/timeline?commune=99914&from=2020-01-01&to=2025-01-01&step=hour')).json().field).toBe('from')
    expect((await t.inject('/api/evacuation/timeline?commune=99914&step=week')).json().field).toBe('step')
  })
})

describe('ids in evacuation requests', () => {
  it('accepts team and shelter ids as the strings the API returns and as integers', async () => {
    const id = await zone('99913', X0 + 0.04)
    await setStatus(id, 'evacuate_now')
    const shelterId = await shelter({ name: 'Nhà văn hoá (ids)', lon: X0 + 0.045, lat: Y0 + 0.01, capacity: 500 })
    const res = await report(id, { team_id: Number(teams.a13), shelter_id: Number(shelterId), households: 2, people: 5 })
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json().report).toMatchObject({ team_id: teams.a13, shelter_id: shelterId })
    expect(res.json().shelter.properties.occupancy).toBe(5)

    const mixed = await t.inject({ method: 'PUT', url: `/api/evacuation/zones/${id}/teams`, payload: { team_ids: [Number(teams.a13), teams.b13] } })
    expect(mixed.statusCode, mixed.body).toBe(200)
    expect(mixed.json().properties.team_ids).toEqual([teams.a13, teams.b13].sort((a, b) => Number(a) - Number(b)))
  })

  it('refuses an id that is neither a positive integer nor its string, naming the field', async () => {
    const id = await zone('99913', X0 + 0.04)
    for (const [payload, field] of [
      [{ team_id: 0, households: 1, people: 1 }, 'team_id'],
      [{ team_id: 'abc', households: 1, people: 1 }, 'team_id'],
      [{ shelter_id: 1.5, households: 1, people: 1 }, 'shelter_id']
    ] as const) {
      const res = await report(id, payload)
      expect(res.statusCode, JSON.stringify(payload)).toBe(400)
      expect(res.json().field).toBe(field)
    }
    const teamsRes = await t.inject({ method: 'PUT', url: `/api/evacuation/zones/${id}/teams`, payload: { team_ids: [-3] } })
    expect(teamsRes.statusCode).toBe(400)
    expect(teamsRes.json().field).toMatch(/^team_ids/)
  })
})
