import { loadConfig } from './config.ts'
import { prepareDatabase } from './bootstrap.ts'
import { buildApp } from './app.ts'

// `npm start -- --demo` asks for the demo accounts on a DATABASE_URL server too.
const config = { ...loadConfig(), ...(process.argv.includes('--demo') ? { demoAccounts: true } : {}) }
const log = (line: string) => console.log(line)
log(config.databaseUrl ? 'Database: server at DATABASE_URL' : `Database: embedded PGlite + PostGIS in ${config.pgliteDir}`)
const { db } = await prepareDatabase(config, log)
const app = await buildApp({ db, geoDir: config.geoDir, logger: { level: config.logLevel }, cookieSecure: config.cookieSecure, trustProxy: config.trustProxy, patrolMaxSpeedKmh: config.patrolMaxSpeedKmh,
  bodyIdleTimeoutMs: config.bodyIdleTimeoutMs, statementTimeoutMs: config.statementTimeoutMs,
  streamSessionCheckMs: config.streamSessionCheckMs, streamMaxPerUser: config.streamMaxPerUser
})

const [counts] = await db.sql<{ communes: number, incidents: number, teams: number }[]>`
  select (select count(*)::int from communes) as communes, (select count(*)::int from incidents) as incidents,
         (select count(*)::int from teams) as teams`
log(`Holding ${counts!.communes} communes, ${counts!.teams} teams, ${counts!.incidents} incidents.`)

let closing = false
async function shutdown (signal: string) {
  if (closing) return
  closing = true
  log(`${signal}: shutting down`)
  await app.close()
  await db.close()
  process.exit(0)
}
process.on('SIGINT', () => void shutdown('SIGINT'))
process.on('SIGTERM', () => void shutdown('SIGTERM'))

await app.listen({ host: config.host, port: config.port })
log(`Dashboard: http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}/`)
