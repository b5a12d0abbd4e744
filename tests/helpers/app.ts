import { inject } from 'vitest'
import type { InjectOptions } from 'fastify'
import { buildApp } from '../../server/app.ts'
import { openDatabase, type Database, type Sql } from '../../server/db/connection.ts'
import { accountRepository } from '../../server/auth/repository.ts'
import { hashPassword } from '../../server/auth/passwords.ts'
import type { Role } from '../../server/domain/roles.ts'

export const TEST_PASSWORD = 'correct horse battery staple'

/** Commune 10525 (Phường Hải Dương) and 10507 (Phường Thành Đông) are both in Hải Phòng (31). */
export const TEST_USERS: { username: string, role: Role, province_code?: string, commune_code?: string }[] = [
  { username: 'test.admin', role: 'admin' },
  { username: 'test.province31', role: 'province_command', province_code: '31' },
  { username: 'test.province46', role: 'province_command', province_code: '46' },
  { username: 'test.commune10525', role: 'commune_police', commune_code: '10525' },
  { username: 'test.coordinator31', role: 'disaster_coordinator', province_code: '31' }
]

/** Creates the test accounts once per database (test files share it). */
export async function ensureTestUsers (sql: Sql): Promise<void> {
  const accounts = accountRepository(sql)
  const hash = await hashPassword(TEST_PASSWORD)
  for (const user of TEST_USERS) {
    if (await accounts.findByUsername(user.username)) continue
    // Province 46 may not be loaded yet; its command account is created once it is.
    if (user.province_code && !(await sql`select 1 from provinces where code = ${user.province_code}`).length) continue
    await accounts.create({ ...user, full_name: `Test ${user.role}`, password_hash: hash })
  }
}

/** The app on the run's fresh PostGIS database, with app.inject signed in as an admin by default. */
export async function testApp () {
  const db: Database = await openDatabase({ databaseUrl: inject('databaseUrl'), pgliteDir: '' })
  // TEST_LOG=error shows the app's error log (the cause of a 500) while a test runs.
  const app = await buildApp({ db, geoDir: inject('geoDir'), checkResponses: true, logger: process.env.TEST_LOG ? { level: process.env.TEST_LOG } : false })
  await app.ready()
  await ensureTestUsers(db.sql)

  /** Signs in and returns the Cookie header of the session. */
  async function login (username: string, password = TEST_PASSWORD): Promise<string> {
    const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } })
    if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`)
    const cookie = res.cookies.find(c => c.name === 'vnpm_session')
    return `vnpm_session=${cookie!.value}`
  }
  const adminCookie = await login('test.admin')

  /** app.inject as a given session (default: the test admin). */
  function injectAs (cookie: string | null, options: InjectOptions | string) {
    const opts = typeof options === 'string' ? { url: options } : options
    return app.inject({ ...opts, headers: { ...(cookie ? { cookie } : {}), ...(opts.headers ?? {}) } })
  }

  return {
    app, db, sql: db.sql, login, injectAs,
    inject: (options: InjectOptions | string) => injectAs(adminCookie, options),
    close: async () => { await app.close(); await db.close() }
  }
}
