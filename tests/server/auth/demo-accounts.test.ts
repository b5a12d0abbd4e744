import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest'
import { geoPaths, loadConfig } from '../../../server/config.ts'
import { openDatabase } from '../../../server/db/connection.ts'
import { migrate } from '../../../server/db/migrate.ts'
import { importCommunes } from '../../../server/communes/import.ts'
import { prepareDatabase } from '../../../server/bootstrap.ts'

const run = promisify(execFile)

describe('config', () => {
  it('asks for demo accounts on the embedded database only, unless DEMO_ACCOUNTS says otherwise', () => {
    expect(loadConfig({}).demoAccounts).toBe(true)
    expect(loadConfig({ DATABASE_URL: 'postgres://db/x' }).demoAccounts).toBe(false)
    expect(loadConfig({ DATABASE_URL: 'postgres://db/x', DEMO_ACCOUNTS: 'true' }).demoAccounts).toBe(true)
    expect(loadConfig({ DEMO_ACCOUNTS: 'false' }).demoAccounts).toBe(false)
    expect(() => loadConfig({ DEMO_ACCOUNTS: 'yes' })).toThrow(/DEMO_ACCOUNTS must be true or false, got "yes"/)
  })

  it('reads TRUST_PROXY as off, any peer, or proxy addresses — never a hop count', () => {
    expect(loadConfig({}).trustProxy).toBe(false)
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false)
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true)
    expect(loadConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1' }).trustProxy).toEqual(['127.0.0.1', '10.0.0.0/8', '::1'])
    expect(loadConfig({ TRUST_PROXY: 'loopback' }).trustProxy).toEqual(['loopback'])
    // Fastify trusts nobody for a bare hop count (it cannot check the peer): refused, not silently off.
    expect(() => loadConfig({ TRUST_PROXY: '1' })).toThrow(/TRUST_PROXY must be .+ got "1"/)
    expect(() => loadConfig({ TRUST_PROXY: 'proxy.example' })).toThrow(/TRUST_PROXY must be/)
  })
})

// A database of its own, with communes but no users, like a fresh real server at DATABASE_URL.
describe('demo accounts on a DATABASE_URL server', () => {
  const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
  const name = `vnpm_demo_accounts_${process.pid}_${Date.now()}`
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  const databaseUrl = url.toString()
  const env = (extra: Record<string, string> = {}) => ({ DATABASE_URL: databaseUrl, GEO_DIR: inject('geoDir'), DEMO_PROVINCE: '46', ...extra })

  /** One start: prepareDatabase as npm start runs it; returns its log and the demo users stored. */
  async function start (extra: Record<string, string> = {}) {
    const lines: string[] = []
    const prepared = await prepareDatabase(loadConfig(env(extra)), line => lines.push(line))
    try {
      const users = await prepared.db.sql<{ username: string }[]>`select username from users where is_demo order by username`
      return { log: lines.join('\n'), demo: users.map(u => u.username), listed: prepared.demoAccounts.map(a => a.username).sort() }
    } finally {
      await prepared.db.close()
    }
  }

  beforeAll(async () => {
    await admin`create database ${admin(name)}`
    const db = await openDatabase({ databaseUrl, pgliteDir: '' })
    try {
      await migrate(db.sql)
      const paths = geoPaths(inject('geoDir'))
      await importCommunes(db.sql, paths.provinceWards('hue_wards_2025.geojson'), { attributesFile: paths.attributes, provincesFile: paths.provinces })
    } finally {
      await db.close()
    }
  })
  afterAll(async () => {
    await admin`drop database if exists ${admin(name)} with (force)`
    await admin.end()
  })

  it('are not made unasked, are made with DEMO_ACCOUNTS=true, and the banner names them at every start until deleted', async () => {
    const unasked = await start()
    expect(unasked.demo).toEqual([])
    expect(unasked.log).not.toMatch(/Demo accounts/)

    const asked = await start({ DEMO_ACCOUNTS: 'true' })
    // Huế has no teams in this database: no team member account.
    expect(asked.demo).toHaveLength(4)
    expect(asked.demo).toContain('admin')
    expect(asked.log).toMatch(/Created demo accounts/)
    expect(asked.log).toContain(`Demo accounts exist (passwords in README): ${asked.demo.join(', ')} — remove each with npm run cli -- delete-user --username <name>`)
    expect(asked.listed).toEqual(asked.demo)

    // A later start that did not ask still says they exist.
    const later = await start()
    expect(later.demo).toEqual(asked.demo)
    expect(later.log).toMatch(/Demo accounts exist/)

    // Deleted with the CLI, a demo account stays deleted, even when a start asks again.
    const cli = await run(resolve('node_modules/.bin/tsx'), ['server/cli.ts', 'delete-user', '--username', 'admin'], { env: { ...process.env, ...env() }, timeout: 120_000 })
    expect(cli.stdout).toContain('Deleted admin')
    const again = await start({ DEMO_ACCOUNTS: 'true' })
    expect(again.demo).toEqual(asked.demo.filter(u => u !== 'admin'))
    expect(again.log).not.toMatch(/Created demo accounts/)
    expect(again.log).toMatch(/Demo accounts exist \(passwords in README\): chihuy\.46/)
  }, 240_000)
})
