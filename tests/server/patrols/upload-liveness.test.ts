// Over real HTTP: a huge hostile track upload (the 60,000-digit `lon` that froze the server for
// 9 s, many times over) is refused by the length cap, naming the field, while /api/health keeps
// answering at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApp } from '../../helpers/app.ts'

type TestApp = Awaited<ReturnType<typeof testApp>>
let t: TestApp
let address: string
let team: string

beforeAll(async () => {
  t = await testApp()
  const [row] = await t.sql<{ id: string }[]>`
    insert into teams (province_code, commune_code, name) values ('31', '10525', 'Tổ tuần tra tải lên (test)') returning id::text as id`
  team = row!.id
  address = await t.app.listen({ host: '127.0.0.1', port: 0 })
})
afterAll(async () => { await t.close() })

describe('POST /api/patrols with a hostile CSV, over HTTP', () => {
  it('refuses 300 lines of a 60,000-digit lon (18 MB) with a 400 naming line 2: lon while /api/health answers within a second', async () => {
    const cookie = await t.login('test.admin')
    // 60,000 digits and a broken exponent: the old number pattern took ~20 s on each such value.
    const line = `${'1'.repeat(60_000)}e,20.9409,2017-03-01T12:00:00Z\n`
    const body = 'lon,lat,time\n' + line.repeat(300)
    let uploading = true
    const latencies: number[] = []
    const probe = (async () => {
      while (uploading) {
        const started = performance.now()
        const health = await fetch(`${address}/api/health`)
        await health.arrayBuffer()
        expect(health.status).toBe(200)
        latencies.push(performance.now() - started)
        await new Promise(resolve => setTimeout(resolve, 10))
      }
    })()
    const started = performance.now()
    const res = await fetch(`${address}/api/patrols?team=${team}`, { method: 'POST', headers: { cookie, 'content-type': 'text/csv' }, body })
    const elapsed = performance.now() - started
    uploading = false
    await probe
    expect(res.status).toBe(400)
    const answer = await res.json() as { field: string, message: string }
    expect(answer.field).toBe('line 2: lon')
    expect(answer.message).toMatch(/^line 2: lon: longer than 32 characters/)
    expect(latencies.length).toBeGreaterThan(0)
    // Generous: a liveness check (the old parser held the event loop 9 s for the first line alone).
    expect(Math.max(...latencies)).toBeLessThan(1000)
    expect(elapsed).toBeLessThan(5000)
  })
})
