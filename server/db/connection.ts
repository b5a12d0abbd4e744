import postgres from 'postgres'
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Config } from '../config.ts'

export type Sql = postgres.Sql<{ bigint: bigint }>
export type Backend = 'embedded' | 'server'

export interface Database {
  sql: Sql
  backend: Backend
  /** Human-readable description of where the data lives. */
  location: string
  close: () => Promise<void>
  /** Embedded only: the Unix socket the database listens on (in a directory only this user may enter). */
  socketPath?: string
}

/** Options shared by both backends: bigint columns come back as JS numbers when safe, else strings. */
const clientOptions = {
  onnotice: () => {},
  types: {
    bigint: postgres.BigInt
  }
} as const

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

/**
 * The embedded database speaks the Postgres protocol without authentication, as superuser, so it
 * must not be reachable by other local users: it listens on a Unix socket inside a fresh directory
 * of mode 0700 (mkdtemp) in the system's temporary folder, never on a TCP port. Not inside the
 * data folder: a socket path may be at most 107 bytes long, and the data folder's path can be longer.
 */
function privateSocketDir (): string {
  const dir = mkdtempSync(join(tmpdir(), 'vnpm-db-'))
  chmodSync(dir, 0o700) // mkdtemp creates 0700 already; said again so that no umask matters
  return dir
}

async function openEmbedded (dataDir: string): Promise<Database> {
  // Loaded lazily: a server deployment never pays for the WASM database.
  const { PGlite } = await import('@electric-sql/pglite')
  const { postgis } = await import('@electric-sql/pglite-postgis')
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket')
  mkdirSync(dataDir, { recursive: true })
  const pglite = await PGlite.create({ dataDir, extensions: { postgis } })
  const socketDir = privateSocketDir()
  // The file name postgres.js (and psql -h <dir>) look for in a socket directory.
  const socketPath = join(socketDir, '.s.PGSQL.5432')
  const socketServer = new PGLiteSocketServer({ db: pglite, path: socketPath })
  try {
    await socketServer.start()
    chmodSync(socketPath, 0o600)
  } catch (error) {
    rmSync(socketDir, { recursive: true, force: true })
    await pglite.close()
    throw error
  }
  // PGlite is a single session: one connection, so a transaction is never interleaved with
  // another request's statements.
  const sql = postgres({
    ...clientOptions,
    path: socketPath, database: 'postgres', username: 'postgres', max: 1
  })
  return {
    sql,
    backend: 'embedded',
    location: dataDir,
    socketPath,
    close: async () => {
      await sql.end({ timeout: 5 })
      await socketServer.stop()
      await pglite.close()
      rmSync(socketDir, { recursive: true, force: true })
    }
  }
}
