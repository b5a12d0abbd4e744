import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest'
import { testApp } from './helpers/app.ts'

const run = promisify(execFile)
const tsx = resolve('node_modules/.bin/tsx')

/** Runs `npm run cli -- …` (the same entry point) against the run's test database. */
async function cli (...args: string[]) {
  try {
    const { stdout, stderr } = await run(tsx, ['server/cli.ts', ...args], {
      env: { ...process.env, DATABASE_URL: inject('databaseUrl'), GEO_DIR: inject('geoDir') }, timeout: 240_000
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code: number, stdout: string, stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

type TestApp = Awaited<ReturnType<typeof testApp>>
let t: TestApp
beforeAll(async () => { t = await testApp() })
afterAll(async () => { await t.close() })

describe('npm run cli', () => {
  const hue = resolve(inject('geoDir'), 'hue_wards_2025.geojson')

  it('imports another province\'s communes, and re-importing updates them in place', async () => {
    const first = await cli('import-communes', hue)
    expect(first.code, first.stderr).toBe(0)
    // Another test file may have loaded Huế already: then the first run updates too.
    expect(first.stdout).toMatch(/Imported 40 communes of province 46: (40 new, 0 updated|0 new, 40 updated)/)
    const second = await cli('import-communes', hue)
    expect(second.stdout).toContain('Imported 40 communes of province 46: 0 new, 40 updated')
    const [row] = await t.sql<{ n: number, parts: number }[]>`
      select count(*)::int as n, (select count(distinct commune_code)::int from commune_parts where province_code = '46') as parts
      from communes where province_code = '46'`
    expect(row).toEqual({ n: 40, parts: 40 })
  })

  it('generates demo data for that province and its hexes are served', async () => {
    const result = await cli('generate-demo', '--province', '46', '--seed', '11', '--days', '20')
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/Generated for province 46: \d+ teams/)
    const hexes = (await t.inject({ url: '/api/hexes?province=46&res=8' })).json()
    expect(hexes.cells.length).toBeGreaterThan(10)
    // Other test files may have reported real (not generated) incidents in Huế as well.
    const [row] = await t.sql<{ n: number, generated: number, other: number, unlabelled: number }[]>`
      select count(*)::int as n, count(*) filter (where is_generated)::int as generated,
             count(*) filter (where commune_code not in (select code from communes where province_code = '46'))::int as other,
             count(*) filter (where is_generated and description not like '[Dữ liệu mô phỏng / generated]%')::int as unlabelled
      from incidents where province_code = '46'`
    expect(hexes.total).toBe(row!.n)
    expect(row!.generated).toBeGreaterThan(100)
    expect(row!.other).toBe(0)
    expect(row!.unlabelled).toBe(0)
    // Running it again replaces the generated set instead of adding to it.
    await cli('generate-demo', '--province', '46', '--seed', '11', '--days', '20')
    const [again] = await t.sql<{ n: number }[]>`select count(*)::int as n from incidents where province_code = '46' and is_generated`
    expect(again!.n).toBe(row!.generated)
  }, 240_000)

  it('creates a user who can then sign in, printing a generated password once', async () => {
    const result = await cli('create-user', '--username', 'cli.police', '--role', 'commune_police', '--commune', '10507', '--full-name', 'Công an phường Thành Đông')
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/Created commune_police cli.police \(id \d+, province 31, commune 10507, team -\)/)
    const password = /Password \(shown once\): (\S+)/.exec(result.stdout)![1]!
    const cookie = await t.login('cli.police', password)
    const me = (await t.injectAs(cookie, '/api/auth/me')).json().user
    expect(me).toMatchObject({ role: 'commune_police', commune_code: '10507', full_name: 'Công an phường Thành Đông' })
    const again = await cli('create-user', '--username', 'cli.police', '--role', 'admin')
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/cannot create cli.police/)
  })

  it('disables, enables, resets the password of and deletes a user', async () => {
    const login = (password: string) => t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'cli.lifecycle', password } })
    const created = await cli('create-user', '--username', 'cli.lifecycle', '--role', 'commune_police', '--commune', '10507', '--password', 'first password 1')
    expect(created.code, created.stderr).toBe(0)
    const cookie = await t.login('cli.lifecycle', 'first password 1')
    expect((await t.injectAs(cookie, '/api/auth/me')).statusCode).toBe(200)

    // Disabled: the live session ends and the right password is refused (403 says why, only to
    // whoever knows the password; a wrong one stays a plain 401).
    const disabled = await cli('disable-user', '--username', 'cli.lifecycle')
    expect(disabled.code, disabled.stderr).toBe(0)
    expect(disabled.stdout).toContain('Disabled cli.lifecycle; ended 1 session(s)')
    expect((await t.injectAs(cookie, '/api/auth/me')).statusCode).toBe(401)
    const refused = await login('first password 1')
    expect(refused.statusCode).toBe(403)
    expect(refused.json().error).toBe('account_disabled')
    expect((await login('not the password')).statusCode).toBe(401)
    // A session made behind the CLI's back still finds no user while disabled.
    const [{ id }] = await t.sql<{ id: string }[]>`select id::text from users where username = 'cli.lifecycle'` as unknown as [{ id: string }]
    const { token } = await t.app.accounts.createSession(id, 'cookie')
    expect((await t.injectAs(`vnpm_session=${token}`, '/api/auth/me')).statusCode).toBe(401)

    const enabled = await cli('enable-user', '--username', 'cli.lifecycle')
    expect(enabled.stdout).toContain('Enabled cli.lifecycle')
    expect((await t.injectAs(`vnpm_session=${token}`, '/api/auth/me')).statusCode).toBe(200)
    expect((await login('first password 1')).statusCode).toBe(200)

    // A reset prints a new password once and ends every session.
    const reset = await cli('reset-password', '--username', 'cli.lifecycle')
    expect(reset.code, reset.stderr).toBe(0)
    expect(reset.stdout).toMatch(/New password set for cli.lifecycle; ended 2 session\(s\)/)
    const password = /Password \(shown once\): (\S+)/.exec(reset.stdout)![1]!
    expect((await t.injectAs(`vnpm_session=${token}`, '/api/auth/me')).statusCode).toBe(401)
    expect((await login('first password 1')).statusCode).toBe(401)
    expect((await login(password)).statusCode).toBe(200)
    const chosen = await cli('reset-password', '--username', 'cli.lifecycle', '--password', 'second password 2')
    expect(chosen.stdout).not.toContain('shown once')
    expect((await login('second password 2')).statusCode).toBe(200)

    const deleted = await cli('delete-user', '--username', 'cli.lifecycle')
    expect(deleted.code, deleted.stderr).toBe(0)
    expect(deleted.stdout).toContain('Deleted cli.lifecycle')
    expect(await t.sql`select 1 from users where username = 'cli.lifecycle'`).toHaveLength(0)
    expect(await t.sql`select 1 from sessions where user_id = ${id}`).toHaveLength(0)
    expect((await login('second password 2')).statusCode).toBe(401)
    // Naming a user who does not exist is an error, not a silent success.
    for (const command of ['delete-user', 'disable-user', 'enable-user', 'reset-password']) {
      const missing = await cli(command, '--username', 'cli.lifecycle')
      expect(missing.code, command).toBe(1)
      expect(missing.stderr).toContain('no user named "cli.lifecycle"')
    }
  }, 240_000)

  it('explains a wrong command or a missing argument with exit code 2', async () => {
    for (const args of [['frobnicate'], ['import-communes'], ['generate-demo'], ['generate-demo', '--province', '46', '--days', 'many'],
      ['create-user', '--username', 'x1x', '--role', 'commune_police'], ['create-user', '--username', 'x2x', '--role', 'mayor'],
      ['create-user', '--username', 'x3x', '--role', 'admin', '--province', '31'], ['create-user', '--username', 'x4x', '--role', 'admin', '--password', 'short'],
      ['disable-user'], ['enable-user'], ['delete-user'], ['reset-password'], ['reset-password', '--username', 'test.admin', '--password', 'short']]) {
      const result = await cli(...args)
      expect(result.code, args.join(' ')).toBe(2)
      expect(result.stderr).toMatch(/Error: .+\n\nUsage:/)
    }
  }, 240_000)
})
