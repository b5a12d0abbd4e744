import postgres from 'postgres'
import { mkdirSync } from 'node:fs'
import { createServer } from 'node:net'
import type { Config } from '../config.ts'

export type Sql = postgres.Sql<{ bigint: bigint }>
export type Backend = 'embedded' | 'server'

export interface Database {
  sql: Sql
  backend: Backend
  /** Human-readable description of where the data lives. */
  location: string
  close: () => Promise<void>
}

/** Options shared by both backends: bigint columns come back as JS numbers when safe, else strings. */
const clientOptions = {
  onnotice: () => {},
  types: {
    bigint: postgres.BigInt
  }
} as const

async function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}

/** Connects to DATABASE_URL, or starts the embedded PGlite + PostGIS database behind a local socket. */
export async function openDatabase (config: Pick<Config, 'databaseUrl' | 'pgliteDir'>): Promise<Database> {
  if (config.databaseUrl) {
    const sql = postgres(config.databaseUrl, { ...clientOptions, max: 10 })
    const url = new URL(config.databaseUrl)
    return {
      sql,
      backend: 'server',
      location: `${url.hostname}:${url.port || 5432}${url.pathname}`,
      close: () => sql.end({ timeout: 5 })
    }
  }
  return openEmbedded(config.pgliteDir)
}

async function openEmbedded (dataDir: string): Promise<Database> {
  // Loaded lazily: a server deployment never pays for the WASM database.
  const { PGlite } = await import('@electric-sql/pglite')
  const { postgis } = await import('@electric-sql/pglite-postgis')
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket')
  mkdirSync(dataDir, { recursive: true })
  const pglite = await PGlite.create({ dataDir, extensions: { postgis } })
  const port = await freePort()
  const socketServer = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port })
  await socketServer.start()
  // PGlite is a single session: one connection, so a transaction is never interleaved with
  // another request's statements.
  const sql = postgres({
    ...clientOptions,
    host: '127.0.0.1', port, database: 'postgres', username: 'postgres', max: 1
  })
  return {
    sql,
    backend: 'embedded',
    location: dataDir,
    close: async () => {
      await sql.end({ timeout: 5 })
      await socketServer.stop()
      await pglite.close()
    }
  }
}
