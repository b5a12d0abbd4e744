import { inject } from 'vitest'
import { buildApp } from '../../server/app.ts'
import { openDatabase, type Database } from '../../server/db/connection.ts'

/** The app on the run's fresh PostGIS database, for app.inject. */
export async function testApp () {
  const db: Database = await openDatabase({ databaseUrl: inject('databaseUrl'), pgliteDir: '' })
  const app = await buildApp({ db, geoDir: inject('geoDir') })
  await app.ready()
  return { app, db, sql: db.sql, close: async () => { await app.close(); await db.close() } }
}
