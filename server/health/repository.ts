import type { Sql } from '../db/connection.ts'

/** The one query of the health check: PostGIS answers, and with which version. */
export function healthRepository (sql: Sql) {
  return {
    async postgisVersion (): Promise<string> {
      const [row] = await sql<{ version: string }[]>`select postgis_lib_version() as version`
      return row!.version
    }
  }
}
