import { resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

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
  /** Patrol fixes implying a faster speed than this (km/h) are dropped when tracks are cleaned. */
  patrolMaxSpeedKmh: number
  /** Days of generated patrols in the demo (ending where the demo incidents end). */
  demoPatrolDays: number
}

function intFrom (value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback
  const n = Number(value)
  if (!Number.isInteger(n)) throw new Error(`${name} must be an integer, got "${value}"`)
  return n
}

export function loadConfig (env: NodeJS.ProcessEnv = process.env): Config {
  return {
    databaseUrl: env.DATABASE_URL || undefined,
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
    demoPatrolDays: intFrom(env.DEMO_PATROL_DAYS, 7, 'DEMO_PATROL_DAYS')
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
