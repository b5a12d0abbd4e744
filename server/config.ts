import { resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isIP } from 'node:net'

/** Project root: one level above server/. */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')

export interface Config {
  /** Postgres URL of a real server; when absent the embedded PGlite database is used. */
  databaseUrl: string | undefined
  /** Folder for the embedded database's files, so a second start is fast. */
  pgliteDir: string
  /** The shared geodata folder (communes, population, Natural Earth, glyphs). Read-only. */
  geoDir: string
  host: string
  port: number
  /** Seed and length of the generated demo data loaded when the database has no communes. */
  demoSeed: number
  demoDays: number
  /** Province loaded as the demo when the database is empty. */
  demoProvince: string
  logLevel: string
  /** Send the session cookie only over HTTPS. */
  cookieSecure: boolean
  /**
   * Which proxies' X-Forwarded-For names the client (Fastify's trustProxy): false, true (any
   * peer: only when nothing but the proxy can reach the port) or the proxies' addresses/CIDRs.
   * Sign-in throttling counts per client address.
   */
  trustProxy: boolean | string[]
  /** Create the demo accounts (passwords in the README) on a database without users of its own. */
  demoAccounts: boolean
  /** Patrol fixes implying a faster speed than this (km/h) are dropped when tracks are cleaned. */
  patrolMaxSpeedKmh: number
  /** Days of generated patrols in the demo (ending where the demo incidents end). */
  demoPatrolDays: number
  /** Open event streams re-check their session this often (ms). */
  streamSessionCheckMs: number
  /** Open event streams per user; opening one more closes the oldest. */
  streamMaxPerUser: number
  /** A request body (bulk import) that sends no bytes for this long is answered 408; an export whose reader takes nothing for this long is cut. */
  bodyIdleTimeoutMs: number
  /** Longest a statement of a request's scoped transaction may run (ms). */
  statementTimeoutMs: number
}

function intFrom (value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback
  const n = Number(value)
  if (!Number.isInteger(n)) throw new Error(`${name} must be an integer, got "${value}"`)
  return n
}

function trustProxyFrom (value: string | undefined): Config['trustProxy'] {
  if (value === undefined || value === '' || value === 'false') return false
  if (value === 'true') return true
  // Addresses or CIDRs as proxy-addr reads them; a bare hop count is refused (Fastify would
  // trust nobody for it, silently).
  const addresses = value.split(',').map(part => part.trim()).filter(Boolean)
  const valid = (part: string) => ['loopback', 'linklocal', 'uniquelocal'].includes(part) ||
    (/^[^/]+(\/\d{1,3})?$/.test(part) && isIP(part.split('/')[0]!) !== 0)
  if (addresses.length === 0 || !addresses.every(valid)) {
    throw new Error(`TRUST_PROXY must be true, false or comma-separated proxy addresses/CIDRs (e.g. 127.0.0.1 or loopback), got "${value}"`)
  }
  return addresses
}

function booleanFrom (value: string | undefined, fallback: boolean, name: string): boolean {
  if (value === undefined || value === '') return fallback
  if (value !== 'true' && value !== 'false') throw new Error(`${name} must be true or false, got "${value}"`)
  return value === 'true'
}

export function loadConfig (env: NodeJS.ProcessEnv = process.env): Config {
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    trustProxy: trustProxyFrom(env.TRUST_PROXY),
    // Only the embedded demo gets them unasked; a real server (DATABASE_URL) must ask.
    demoAccounts: booleanFrom(env.DEMO_ACCOUNTS, !env.DATABASE_URL, 'DEMO_ACCOUNTS'),
    pgliteDir: resolve(projectRoot, env.PGLITE_DIR ?? '.data/pglite'),
    geoDir: resolve(projectRoot, env.GEO_DIR ?? '../shared/geo'),
    host: env.HOST ?? '127.0.0.1',
    port: intFrom(env.PORT, 3000, 'PORT'),
    demoSeed: intFrom(env.DEMO_SEED, 2025, 'DEMO_SEED'),
    demoDays: intFrom(env.DEMO_DAYS, 180, 'DEMO_DAYS'),
    demoProvince: env.DEMO_PROVINCE ?? '31',
    logLevel: env.LOG_LEVEL ?? 'warn',
    cookieSecure: env.COOKIE_SECURE === 'true',
    patrolMaxSpeedKmh: intFrom(env.PATROL_MAX_SPEED_KMH, 130, 'PATROL_MAX_SPEED_KMH'),
    demoPatrolDays: intFrom(env.DEMO_PATROL_DAYS, 7, 'DEMO_PATROL_DAYS'),
    streamSessionCheckMs: intFrom(env.STREAM_SESSION_CHECK_MS, 30_000, 'STREAM_SESSION_CHECK_MS'),
    streamMaxPerUser: intFrom(env.STREAM_MAX_PER_USER, 6, 'STREAM_MAX_PER_USER'),
    bodyIdleTimeoutMs: intFrom(env.BODY_IDLE_TIMEOUT_MS, 30_000, 'BODY_IDLE_TIMEOUT_MS'),
    statementTimeoutMs: intFrom(env.STATEMENT_TIMEOUT_MS, 30_000, 'STATEMENT_TIMEOUT_MS')
  }
}

/** Paths inside the geo folder that the app reads. */
export function geoPaths (geoDir: string) {
  return {
    provinces: resolve(geoDir, 'vn_provinces_2025.geojson'),
    attributes: resolve(geoDir, 'vn_wards_2025_attributes.csv'),
    provinceWards: (file: string) => resolve(geoDir, file),
    naturalEarthDir: resolve(geoDir, 'naturalearth'),
    rivers: resolve(geoDir, 'naturalearth', 'ne_10m_rivers_lake_centerlines_vn_region.geojson'),
    glyphsDir: resolve(geoDir, 'glyphs')
  }
}

/** Province codes whose full-detail commune file is in the geo folder. */
export const provinceWardFiles: Record<string, string> = {
  '31': 'haiphong_wards_2025.geojson',
  '01': 'hanoi_wards_2025.geojson',
  '46': 'hue_wards_2025.geojson',
  '44': 'quangtri_wards_2025.geojson'
}
