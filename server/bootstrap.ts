import { loadConfig, geoPaths, provinceWardFiles, type Config } from './config.ts'
import { openDatabase, type Database } from './db/connection.ts'
import { migrate } from './db/migrate.ts'
import { importCommunes } from './communes/import.ts'
import { loadDemoData } from './demo/load-demo.ts'
import { localDay } from './domain/vn-time.ts'
import { demoAccountsOf, ensureDemoUsers, type DemoAccount } from './auth/demo-users.ts'
import { accountRepository } from './auth/repository.ts'

export interface Prepared { db: Database, config: Config, migrations: string[], loaded: string[], demoAccounts: DemoAccount[] }

/**
 * Opens the database (embedded unless DATABASE_URL), migrates it, and when it holds no communes
 * loads the demo province and its generated data. Shared by `npm start` and the tests.
 */
export async function prepareDatabase (config: Config = loadConfig(), log: (line: string) => void = () => {}): Promise<Prepared> {
  const db = await openDatabase(config)
  const migrations = await migrate(db.sql)
  if (migrations.length > 0) log(`Applied migrations: ${migrations.join(', ')}`)
  const loaded: string[] = []
  const [{ n }] = await db.sql<{ n: number }[]>`select count(*)::int as n from communes` as unknown as [{ n: number }]
  if (n === 0) {
    const file = provinceWardFiles[config.demoProvince]
    if (!file) throw new Error(`DEMO_PROVINCE ${config.demoProvince} has no full-detail commune file in the geo folder`)
    const paths = geoPaths(config.geoDir)
    const started = Date.now()
    const communes = await importCommunes(db.sql, paths.provinceWards(file), { attributesFile: paths.attributes, provincesFile: paths.provinces })
    loaded.push(`${communes.communes} communes of province ${communes.provinces.join(', ')} from ${file} (${Date.now() - started} ms)`)
    const demoStarted = Date.now()
    const demo = await loadDemoData(db, { provinceCode: config.demoProvince, seed: config.demoSeed, days: config.demoDays, patrolDays: config.demoPatrolDays, geoDir: config.geoDir })
    loaded.push(`generated demo data (seed ${config.demoSeed}): ${demo.teams} teams, ${demo.members} members, ` +
      `${demo.incidents} incidents on the ${config.demoDays} days ${localDay(demo.from)} – ${localDay(new Date(demo.end.getTime() - 1))}, ` +
      `${demo.patrols} patrols (${demo.patrolFixes} fixes) on the last ${config.demoPatrolDays} days (${Date.now() - demoStarted} ms)`)
    for (const line of loaded) log(`Loaded ${line}`)
  }
  // Demo accounts are made only when asked (the embedded demo asks by default; a server at
  // DATABASE_URL only with DEMO_ACCOUNTS=true or --demo), and only while the database has no
  // users of its own.
  let demoAccounts: DemoAccount[] = []
  let created = false
  if (config.demoAccounts) {
    const [{ demo }] = await db.sql<{ demo: boolean }[]>`
      select not exists (select from users where not is_demo) and exists (select from communes where province_code = ${config.demoProvince}) as demo` as unknown as [{ demo: boolean }]
    if (demo) {
      created = (await ensureDemoUsers(db.sql, config.demoProvince)).created
    }
  }
  // Whatever made them, demo accounts that still exist are said at every start: their passwords
  // are public.
  const demoUsernames = await accountRepository(db.sql).demoUsernames()
  if (demoUsernames.length > 0) {
    demoAccounts = (await demoAccountsOf(db.sql, config.demoProvince)).filter(a => demoUsernames.includes(a.username))
    log(created ? 'Created demo accounts (one per role):' : 'Demo accounts (unless their passwords were changed):')
    for (const a of demoAccounts) log(`  ${a.role.padEnd(21)} ${a.username.padEnd(18)} password ${a.password.padEnd(19)} ${a.jurisdiction}`)
    log(`Demo accounts exist (passwords in README): ${demoUsernames.join(', ')} — remove each with ` +
      `npm run cli -- delete-user --username <name>, or disable it with disable-user`)
  }
  return { db, config, migrations, loaded, demoAccounts }
}
