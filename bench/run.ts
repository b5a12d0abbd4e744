// npm run bench [-- --incidents 1000000 --runs 40]
// Loads N generated incidents into a fresh real PostGIS database and prints ingest rates and
// /api/hexes latencies next to baselines measured in the same run. Needs PostgreSQL + PostGIS:
// BENCH_DATABASE_URL (or TEST_DATABASE_URL), default postgres://postgres@127.0.0.1:5432/postgres.
import { parseArgs } from 'node:util'
import postgres from 'postgres'
import { geoPaths, loadConfig } from '../server/config.ts'
import { openDatabase } from '../server/db/connection.ts'
import { migrate } from '../server/db/migrate.ts'
import { importCommunes } from '../server/communes/import.ts'
import { bulkInsertIncidents, BULK_BATCH_SIZE } from '../server/incidents/bulk-insert.ts'
import { buildApp } from '../server/app.ts'
import { expectedIncidentCount, generateIncidents, type DemoInput } from '../data/demo/generate.ts'
import { loadDemoCommunes, loadRivers } from '../data/demo/load-geo.ts'
import { storedCellOf } from '../server/h3/cells.ts'
import { localDay } from '../server/http/params.ts'

const { values } = parseArgs({ options: { incidents: { type: 'string' }, runs: { type: 'string' }, keep: { type: 'boolean' } } })
const target = Number(values.incidents ?? process.env.BENCH_INCIDENTS ?? 1_000_000)
const runs = Number(values.runs ?? 40)
const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const config = loadConfig()
const paths = geoPaths(config.geoDir)

function percentile (sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!
}
async function timeIt (n: number, fn: () => Promise<unknown>) {
  for (let i = 0; i < 3; i++) await fn() // warm-up
  const times: number[] = []
  for (let i = 0; i < n; i++) {
    const start = performance.now()
    await fn()
    times.push(performance.now() - start)
  }
  times.sort((a, b) => a - b)
  return { p50: percentile(times, 0.5), p95: percentile(times, 0.95) }
}
const fmt = (ms: number) => `${ms.toFixed(1)} ms`
const rate = (n: number, ms: number) => `${Math.round(n / (ms / 1000)).toLocaleString('en')} rows/s`

const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
const name = `vnpm_bench_${process.pid}`
await admin`create database ${admin(name)}`
const url = new URL(adminUrl)
url.pathname = `/${name}`
const db = await openDatabase({ databaseUrl: url.toString(), pgliteDir: '' })
const results: Record<string, unknown> = { incidents_requested: target }
try {
  await migrate(db.sql)
  await importCommunes(db.sql, paths.provinceWards('haiphong_wards_2025.geojson'), { attributesFile: paths.attributes, provincesFile: paths.provinces })
  const end = new Date('2026-01-01T00:00:00+07:00')
  const base: DemoInput = { communes: loadDemoCommunes(config.geoDir, 'haiphong_wards_2025.geojson'), rivers: loadRivers(config.geoDir), seed: 7, days: 180, end }
  const scale = target / expectedIncidentCount(base)
  const input = { ...base, scale }
  console.log(`Bench database ${name}: Hải Phòng (114 communes), ~${target.toLocaleString('en')} generated incidents over 180 days (scale ${scale.toFixed(1)})`)

  // Baseline ingest: the same rows into a bare table (no commune lookup, no rollup), same batching.
  await db.sql`create unlogged table bench_bare (lon float8, lat float8, category text, occurred_at timestamptz, h3 bigint)`
  const sampleSize = Math.min(200_000, target)
  let sample = 0
  let batch: { lon: number, lat: number, category: string, occurred_at: Date }[] = []
  const bareStart = performance.now()
  for (const row of generateIncidents(input)) {
    batch.push(row)
    if (batch.length === BULK_BATCH_SIZE || ++sample >= sampleSize) {
      await db.sql`insert into bench_bare select * from unnest(${batch.map(r => r.lon)}::float8[], ${batch.map(r => r.lat)}::float8[],
        ${batch.map(r => r.category)}::text[], ${batch.map(r => r.occurred_at.toISOString())}::timestamptz[], ${batch.map(r => storedCellOf(r.lon, r.lat))}::bigint[])`
      batch = []
      if (sample >= sampleSize) break
    }
  }
  const bareMs = performance.now() - bareStart

  const ingestStart = performance.now()
  const stored = await bulkInsertIncidents(db, generateIncidents(input), {
    isGenerated: true,
    onProgress: n => process.stdout.write(`\r  ingest: ${n.toLocaleString('en')} stored`)
  })
  const ingestMs = performance.now() - ingestStart
  process.stdout.write('\n')
  await db.sql`vacuum analyze incidents`
  await db.sql`vacuum analyze incident_cell_daily`
  const [sizes] = await db.sql<{ rollup_rows: number }[]>`select count(*)::int as rollup_rows from incident_cell_daily`
  console.log(`Ingest (generate + h3 + commune point-in-polygon + rollup), ${stored.toLocaleString('en')} rows: ${rate(stored, ingestMs)} (${(ingestMs / 1000).toFixed(1)} s)`)
  console.log(`  baseline, same rows into a bare table (no lookup, no rollup), ${sampleSize.toLocaleString('en')} rows: ${rate(sampleSize, bareMs)}`)
  console.log(`  ratio: full ingest runs at ${((stored / ingestMs) / (sampleSize / bareMs)).toFixed(2)}× the bare insert rate; rollup holds ${sizes!.rollup_rows.toLocaleString('en')} rows`)
  Object.assign(results, { stored, ingest_rows_per_s: stored / ingestMs * 1000, bare_rows_per_s: sampleSize / bareMs * 1000, rollup_rows: sizes!.rollup_rows })

  const app = await buildApp({ db, geoDir: config.geoDir })
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  const to = end
  const from = new Date(end.getTime() - 30 * 86_400_000)
  for (const res of [7, 8]) {
    const query = `province=31&res=${res}&from=${localDay(from)}&to=${localDay(to)}`
    const api = await timeIt(runs, async () => {
      const response = await fetch(`${address}/api/hexes?${query}`)
      if (!response.ok) throw new Error(`hexes ${response.status}`)
      await response.json()
    })
    const raw = await timeIt(runs, () => db.sql`
      select h3_parent(h3, ${res}) as h3, count(*)::int as count from incidents
      where province_code = '31' and occurred_at >= ${from} and occurred_at < ${to} group by 1`)
    // The API off day bounds falls back to the raw table: what the rollup saves end to end.
    const apiRaw = await timeIt(Math.min(runs, 15), async () => {
      const response = await fetch(`${address}/api/hexes?province=31&res=${res}&from=${from.toISOString()}&to=${new Date(to.getTime() - 1).toISOString()}`)
      await response.json()
    })
    console.log(`/api/hexes province-wide, 30 days, res ${res} (rollup): p50 ${fmt(api.p50)}, p95 ${fmt(api.p95)}`)
    console.log(`  raw SQL GROUP BY on incidents, same query:       p50 ${fmt(raw.p50)}, p95 ${fmt(raw.p95)}  → API is ${(raw.p50 / api.p50).toFixed(1)}× faster at p50, ${(raw.p95 / api.p95).toFixed(1)}× at p95`)
    console.log(`  /api/hexes on the raw path (window off day bounds): p50 ${fmt(apiRaw.p50)}, p95 ${fmt(apiRaw.p95)}`)
    results[`hexes_res${res}`] = { api, raw, api_raw_path: apiRaw }
  }
  await app.close()
  console.log(JSON.stringify(results))
} finally {
  await db.close()
  if (!values.keep) await admin`drop database if exists ${admin(name)} with (force)`
  await admin.end()
}
