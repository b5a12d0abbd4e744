import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, inject } from 'vitest'
import { cellToParent } from 'h3-js'
import { loadConfig } from '../server/config.ts'
import { prepareDatabase, type Prepared } from '../server/bootstrap.ts'
import { buildApp } from '../server/app.ts'

// The default backend of `npm start`: PGlite + PostGIS in a folder, no server installed.
describe('embedded database (PGlite + PostGIS)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vnpm-pglite-'))
  let prepared: Prepared | undefined
  afterAll(async () => {
    await prepared?.db.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('boots, migrates, loads the demo province and answers /api/hexes', async () => {
    // A short demo window keeps the smoke test quick; the loading path is the one npm start takes.
    // Four days of patrols: one generated track per team, through the same bulk path as the default seven.
    const config = { ...loadConfig({ PGLITE_DIR: dir, GEO_DIR: inject('geoDir') }), demoDays: 14, demoPatrolDays: 4 }
    prepared = await prepareDatabase(config)
    expect(prepared.db.backend).toBe('embedded')
    expect(prepared.migrations).toContain('0001_core.sql')
    expect(prepared.loaded.join('\n')).toMatch(/114 communes of province 31/)
    expect(prepared.loaded.join('\n')).toMatch(/1362 patrols \(\d+ fixes\)/)
    const app = await buildApp({ db: prepared.db, geoDir: config.geoDir })
    const health = (await app.inject({ url: '/api/health' })).json()
    expect(health).toMatchObject({ status: 'ok', database: 'embedded' })

    // One demo account per role, printed at start; sign in as the administrator.
    expect(prepared.demoAccounts.map(a => a.role).sort()).toEqual(['admin', 'commune_police', 'disaster_coordinator', 'province_command', 'team_member'])
    const admin = prepared.demoAccounts.find(a => a.role === 'admin')!
    const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: admin.username, password: admin.password } })
    expect(login.statusCode).toBe(200)
    const headers = { cookie: `vnpm_session=${login.cookies[0]!.value}` }
    expect((await app.inject({ url: '/api/hexes?province=31&res=7' })).statusCode).toBe(401)

    const hexes = await app.inject({ url: '/api/hexes?province=31&res=7', headers })
    expect(hexes.statusCode).toBe(200)
    const body = hexes.json() as { source: string, total: number, cells: { h3: string, count: number }[] }
    expect(body.source).toBe('rollup')
    const [row] = await prepared.db.sql<{ n: number }[]>`select count(*)::int as n from incidents`
    expect(body.total).toBe(row!.n)
    expect(body.total).toBeGreaterThan(500)

    // The embedded rollup agrees with h3-js over the stored cells.
    const cells = await prepared.db.sql<{ h3: bigint }[]>`select h3 from incidents`
    const recount = new Map<string, number>()
    for (const { h3 } of cells) {
      const parent = cellToParent(h3.toString(16), 7)
      recount.set(parent, (recount.get(parent) ?? 0) + 1)
    }
    expect(new Map(body.cells.map(c => [c.h3, c.count]))).toEqual(recount)

    // Row-level security works on the embedded backend too: the commune account sees its commune only.
    const police = prepared.demoAccounts.find(a => a.role === 'commune_police')!
    const policeLogin = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: police.username, password: police.password } })
    const policeHexes = (await app.inject({ url: '/api/hexes?province=31&res=7', headers: { cookie: `vnpm_session=${policeLogin.cookies[0]!.value}` } })).json()
    const [own] = await prepared.db.sql<{ n: number }[]>`select count(*)::int as n from incidents where commune_code = ${police.username.split('.')[1]!}`
    expect(policeHexes.total).toBe(own!.n)
    expect(policeHexes.total).toBeLessThan(body.total)

    // Generated incidents carry the step times their status implies, so demo summaries have medians.
    const summary = (await app.inject({ url: '/api/provinces/31/summary?from=2000-01-01', headers })).json()
    const busiest = summary.communes.reduce((a: { total: number }, b: { total: number }) => (b.total > a.total ? b : a))
    expect(busiest.median_response_seconds).toBeGreaterThanOrEqual(180)
    expect(busiest.median_response_seconds).toBeLessThanOrEqual(40 * 60)
    expect(busiest.median_handling_seconds).toBeGreaterThan(busiest.median_response_seconds)
    const [times] = await prepared.db.sql<{ bad: number }[]>`
      select count(*)::int as bad from incidents where is_generated and (
        (status in ('resolved', 'closed') and (resolved_at is null or resolved_at < dispatched_at or dispatched_at < reported_at)) or
        (status = 'reported' and dispatched_at is not null))`
    expect(times!.bad).toBe(0)

    const created = await app.inject({ method: 'POST', url: '/api/incidents', headers, payload: { lon: 106.6880, lat: 20.8610, category: 'fire', severity: 4, occurred_at: new Date(Date.now() - 60_000).toISOString(), description: 'Cháy kho hàng' } })
    expect(created.statusCode).toBe(201)

    // The generated patrols are binned and their coverage is served.
    const coverage = (await app.inject({ url: `/api/coverage?commune=${police.username.split('.')[1]!}`, headers })).json()
    expect(coverage.cells.length).toBeGreaterThan(0)
    expect(coverage.kpis.teams.every((team: { patrols: number }) => team.patrols === 1)).toBe(true)
    await app.close()
  }, 240_000)

  it('migrates nothing on a second start from the same folder', async () => {
    await prepared!.db.close()
    const config = { ...loadConfig({ PGLITE_DIR: dir, GEO_DIR: inject('geoDir') }), demoDays: 14, demoPatrolDays: 4 }
    prepared = await prepareDatabase(config)
    expect(prepared.migrations).toEqual([])
    expect(prepared.loaded).toEqual([])
    expect(prepared.demoAccounts).toHaveLength(5)
  })
})
