import { loadConfig, geoPaths, provinceWardFiles, type Config } from './config.ts'
import { openDatabase, type Database } from './db/connection.ts'
import { migrate } from './db/migrate.ts'
import { importCommunes } from './communes/import.ts'
import { loadDemoData } from './demo/load-demo.ts'
import { localDay } from './http/params.ts'
import { ensureDemoUsers, type DemoAccount } from './auth/demo-users.ts'

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
  // Demo accounts exist only while the database has no users of its own.
  let demoAccounts: DemoAccount[] = []
  const [{ demo }] = await db.sql<{ demo: boolean }[]>`
    select not exists (select from users where not is_demo) and exists (select from communes where province_code = ${config.demoProvince}) as demo` as unknown as [{ demo: boolean }]
  if (demo) {
    const result = await ensureDemoUsers(db.sql, config.demoProvince)
    demoAccounts = result.accounts
    log(result.created ? 'Created demo accounts (one per role):' : 'Demo accounts (unless their passwords were changed):')
    for (const a of demoAccounts) log(`  ${a.role.padEnd(21)} ${a.username.padEnd(18)} password ${a.password.padEnd(19)} ${a.jurisdiction}`)
  }
  return { db, config, migrations, loaded, demoAccounts }
}
