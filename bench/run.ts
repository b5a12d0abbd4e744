// npm run bench [-- --incidents 10000000 --ingest 200000 --runs 40 --keep]
//
// On a fresh real PostGIS database (BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local
// server with trust auth):
//   1. ingest: N generated incidents through the normal bulk write path (commune point-in-polygon,
//      H3 cell, rollup trigger), next to the same rows into a bare table — rows/s and the ratio;
//   2. scale: 10M generated incidents across four provinces, loaded by COPY with the rollup
//      rebuilt afterwards (the bulk-load path), then /api/hexes and /api/hotspots for a province
//      over 90 days at res 7 and 8 (and 30 days at res 7), p50/p95 through HTTP, next to the raw
//      SQL GROUP BY on the incidents table measured in the same run;
//   3. a streamed CSV export of a province's year, next to a tenth of it: memory should stay flat;
//   4. patrols: generated tracks uploaded as CSV through POST /api/patrols (parse, clean, H3 dwell
//      binning, cells and coverage rollup) in fixes/s, next to the raw cleaning + binning rate of
//      the same fixes in the same run; and planning a 120-minute motorbike route in the largest
//      commune of Hải Phòng (POST /api/patrol-plans end to end, and the planner alone).
//   5. track parsing (bench/parsers.ts, no database): MB/s of GPX, GeoJSON and CSV on a generated
//      20 MiB file and a tenth of it, and on one long line, whose ratios show the parse is linear;
//      and the time to refuse a 20 MiB value (the length caps).
// `--sections 4` runs only the patrol section (on a small generated demo instead of the 10M load);
// `--sections 5` only the parsers (no database is made).
import { parseArgs } from 'node:util'
import postgres from 'postgres'
import { geoPaths, loadConfig, provinceWardFiles } from '../server/config.ts'
import { openDatabase, type Database } from '../server/db/connection.ts'
import { migrate } from '../server/db/migrate.ts'
import { importCommunes } from '../server/communes/import.ts'
import { bulkInsertIncidents, BULK_BATCH_SIZE } from '../server/incidents/bulk-insert.ts'
import { buildApp } from '../server/app.ts'
import { expectedIncidentCount, generateIncidents, type DemoInput, type GeneratedIncident } from '../data/demo/generate.ts'
import { loadDemoCommunes, loadRivers } from '../data/demo/load-geo.ts'
import { storedCellOf } from '../server/h3/cells.ts'
import { localDay } from '../server/domain/vn-time.ts'
import { accountRepository } from '../server/auth/repository.ts'
import { hashPassword } from '../server/auth/passwords.ts'
import { generatePatrols } from '../data/demo/patrols.ts'
import { cleanTrack } from '../server/patrols/clean-track.ts'
import { trackDwell } from '../server/h3/track-dwell.ts'
import { benchParsers } from './parsers.ts'

const { values } = parseArgs({ options: { incidents: { type: 'string' }, ingest: { type: 'string' }, runs: { type: 'string' }, keep: { type: 'boolean' }, sections: { type: 'string' }, patrols: { type: 'string' } } })
const sections = new Set((values.sections ?? '1,2,3,4,5').split(',').map(Number))
const patrolTarget = Number(values.patrols ?? 300)
const scaleTarget = Number(values.incidents ?? process.env.BENCH_INCIDENTS ?? 10_000_000)
const ingestTarget = Number(values.ingest ?? 200_000)
const runs = Number(values.runs ?? 40)
const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const config = loadConfig()
const paths = geoPaths(config.geoDir)
const PROVINCES = ['31', '01', '46', '44'] // Hải Phòng, Hà Nội, Huế, Quảng Trị
const END = new Date('2026-01-01T00:00:00+07:00')
const DAYS = 365

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!
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
const ms = (value: number) => `${value.toFixed(1)} ms`
const perSecond = (n: number, elapsed: number) => `${Math.round(n / (elapsed / 1000)).toLocaleString('en')} rows/s`
const log = (line: string) => console.log(line)

function inputFor (province: string, target: number | null): DemoInput {
  const base: DemoInput = { communes: loadDemoCommunes(config.geoDir, provinceWardFiles[province]!), rivers: loadRivers(config.geoDir), seed: 7, days: DAYS, end: END }
  return target === null ? base : { ...base, scale: target / expectedIncidentCount(base) }
}

/** Bulk-load path: COPY rows whose commune the generator already knows, rollup rebuilt after. */
async function copyIncidents (db: Database, rows: Iterable<GeneratedIncident>): Promise<number> {
  const escape = (text: string) => text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n')
  // As pg_restore does: the session skips triggers (the rollup, rebuilt after) and foreign-key
  // checks (the generator's communes are the loaded ones). Superuser only; bulk loads only.
  const reserved = await db.sql.reserve()
  await reserved`set session_replication_role = replica`
  const stream = await reserved`
    copy incidents (province_code, commune_code, category, severity, status, occurred_at, reported_at, description, geom, h3, is_generated)
    from stdin`.writable()
  let n = 0
  let chunk: string[] = []
  const flush = async () => {
    if (!stream.write(chunk.join(''))) await new Promise(resolve => stream.once('drain', resolve))
    chunk = []
  }
  for (const r of rows) {
    chunk.push(`${r.province_code}\t${r.commune_code}\t${r.category}\t${r.severity}\t${r.status}\t${r.occurred_at.toISOString()}\t${r.reported_at.toISOString()}\t${escape(r.description)}\tSRID=4326;POINT(${r.lon} ${r.lat})\t${storedCellOf(r.lon, r.lat)}\tt\n`)
    if (++n % 10_000 === 0) {
      await flush()
      if (n % 500_000 === 0) process.stdout.write(`\r  copied ${n.toLocaleString('en')}`)
    }
  }
  await flush()
  stream.end()
  await new Promise((resolve, reject) => { stream.once('finish', resolve); stream.once('error', reject) })
  await reserved`set session_replication_role = origin`
  reserved.release()
  process.stdout.write('\n')
  return n
}

/** Section 4: patrol ingest (API vs raw binning) and route planning. */
async function benchPatrols (db: Database, address: string, cookie: string) {
  const teams = await db.sql<{ id: string, commune_code: string, province_code: string }[]>`
    insert into teams (province_code, commune_code, name, is_generated)
    select province_code, code, 'Tổ bench', true from communes where province_code = '31' order by code
    returning id::text as id, commune_code, province_code`
  const communes = (await db.sql<{ code: string, geometry: string }[]>`select code, st_asgeojson(geom) as geometry from communes where province_code = '31'`)
    .map(r => ({ code: r.code, geometry: JSON.parse(r.geometry) }))
  const perTeam = Math.max(1, Math.ceil(patrolTarget / teams.length))
  const generated = [...generatePatrols(communes, teams, { seed: 11, end: END, days: 7 * perTeam, patrolsPerTeamPerWeek: 1 })].slice(0, patrolTarget)
  const fixes = generated.reduce((n, p) => n + p.fixes.length, 0)
  const rawStart = performance.now()
  let rawCells = 0
  for (const p of generated) rawCells += trackDwell(cleanTrack([p.fixes]).segments, 10).length
  const rawMs = performance.now() - rawStart
  const csvOf = (p: typeof generated[number]) => 'lon,lat,time\n' + p.fixes.map(f => `${f.lon},${f.lat},${new Date(f.time).toISOString()}`).join('\n')
  const apiStart = performance.now()
  for (const p of generated) {
    const response = await fetch(`${address}/api/patrols?team=${p.team_id}&mode=${p.mode}`, { method: 'POST', headers: { cookie, 'content-type': 'text/csv' }, body: csvOf(p) })
    if (response.status !== 201) throw new Error(`patrol upload: ${response.status} ${await response.text()}`)
  }
  const apiMs = performance.now() - apiStart
  const rate = (n: number, elapsed: number) => `${Math.round(n / (elapsed / 1000)).toLocaleString('en')} fixes/s`
  log(`4. Patrols: ${generated.length} generated tracks, ${fixes.toLocaleString('en')} fixes (${rawCells.toLocaleString('en')} res-10 cells)`)
  log(`   through POST /api/patrols (CSV parse, cleaning, dwell binning, cells, coverage rollup, audit): ${rate(fixes, apiMs)}`)
  log(`   raw cleaning + dwell binning of the same fixes in this process:                                 ${rate(fixes, rawMs)}`)
  log(`   ratio: the API path runs at ${((fixes / apiMs) / (fixes / rawMs)).toFixed(2)}× the raw binning rate`)

  const [largest] = await db.sql<{ code: string, name: string, area_km2: number, lon: number, lat: number }[]>`
    select code, name, area_km2, st_x(st_pointonsurface(geom)) as lon, st_y(st_pointonsurface(geom)) as lat
    from communes where province_code = '31' order by st_area(geom::geography) desc limit 1`
  const team = teams.find(t => t.commune_code === largest!.code)!
  const body = JSON.stringify({ team_id: team.id, start: [largest!.lon, largest!.lat], minutes: 120, mode: 'motorbike', from: localDay(new Date(END.getTime() - 14 * 86_400_000)), to: localDay(END) })
  let last: { properties: { waypoints: unknown[], candidates: number, collected_priority: number, baseline_priority: number, duration_minutes: number } } | undefined
  const plan = await timeIt(Math.min(runs, 10), async () => {
    const response = await fetch(`${address}/api/patrol-plans`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body })
    if (response.status !== 201) throw new Error(`plan: ${response.status} ${await response.text()}`)
    last = await response.json() as typeof last
  })
  const p = last!.properties
  log(`   POST /api/patrol-plans, 120 min by motorbike in the largest commune (${largest!.name}, ${largest!.area_km2.toFixed(1)} km², ${p.candidates} candidate cells): ` +
    `p50 ${ms(plan.p50)}, p95 ${ms(plan.p95)}; ${p.waypoints.length} waypoints, ${p.duration_minutes} min, priority ${p.collected_priority} vs nearest-neighbour ${p.baseline_priority} ` +
    `(${(p.collected_priority / Math.max(1e-9, p.baseline_priority)).toFixed(2)}×)`)
  return { tracks: generated.length, fixes, api_fixes_per_s: fixes / apiMs * 1000, raw_fixes_per_s: fixes / rawMs * 1000, plan_ms: plan, plan_waypoints: p.waypoints.length, plan_vs_baseline: p.collected_priority / Math.max(1e-9, p.baseline_priority) }
}

// 5. Track parsing needs no database: first, and alone when it is the only section asked for.
const parserResults = sections.has(5) ? benchParsers(log) : null
if (parserResults && sections.size === 1) {
  log(JSON.stringify({ parsers: parserResults }))
  process.exit(0)
}

const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
const name = `vnpm_bench_${process.pid}`
await admin`create database ${admin(name)}`
const url = new URL(adminUrl)
url.pathname = `/${name}`
const db = await openDatabase({ databaseUrl: url.toString(), pgliteDir: '' })
const results: Record<string, unknown> = parserResults ? { parsers: parserResults } : {}
try {
  await migrate(db.sql)
  for (const province of PROVINCES) {
    await importCommunes(db.sql, paths.provinceWards(provinceWardFiles[province]!), { attributesFile: paths.attributes, provincesFile: paths.provinces })
  }
  log(`Bench database ${name}: communes of ${PROVINCES.join(', ')} (Hải Phòng, Hà Nội, Huế, Quảng Trị)`)

  if (sections.has(1)) {
  // 1. Ingest through the normal write path, against a bare insert of the same rows.
  const ingestInput = inputFor('31', ingestTarget)
  await db.sql`create unlogged table bench_bare (lon float8, lat float8, category text, occurred_at timestamptz, h3 bigint)`
  let sample = 0
  let batch: GeneratedIncident[] = []
  const bareStart = performance.now()
  for (const row of generateIncidents(ingestInput)) {
    batch.push(row)
    if (batch.length === BULK_BATCH_SIZE || ++sample >= ingestTarget) {
      await db.sql`insert into bench_bare select * from unnest(${batch.map(r => r.lon)}::float8[], ${batch.map(r => r.lat)}::float8[],
        ${batch.map(r => r.category)}::text[], ${batch.map(r => r.occurred_at.toISOString())}::timestamptz[], ${batch.map(r => storedCellOf(r.lon, r.lat))}::bigint[])`
      batch = []
      if (sample >= ingestTarget) break
    }
  }
  const bareMs = performance.now() - bareStart
  const ingestStart = performance.now()
  const stored = await bulkInsertIncidents(db, generateIncidents(ingestInput), { isGenerated: true })
  const ingestMs = performance.now() - ingestStart
  log(`1. Ingest through the write path (generate + H3 + commune point-in-polygon + rollup), ${stored.toLocaleString('en')} rows: ${perSecond(stored, ingestMs)}`)
  log(`   baseline, the same rows into a bare table (no lookup, no rollup):                ${perSecond(sample, bareMs)}`)
  log(`   ratio: ${((stored / ingestMs) / (sample / bareMs)).toFixed(2)}× the bare insert rate`)
  Object.assign(results, { ingest_rows: stored, ingest_rows_per_s: stored / ingestMs * 1000, bare_rows_per_s: sample / bareMs * 1000 })
  await db.sql`delete from incidents`
  }

  if (sections.has(2)) {
  // 2. Scale: the bulk-load path for 10M incidents across four provinces.
  const perProvince = Math.round(scaleTarget / PROVINCES.length)
  const loadStart = performance.now()
  let loaded = 0
  for (const province of PROVINCES) loaded += await copyIncidents(db, generateIncidents(inputFor(province, perProvince)))
  const copyMs = performance.now() - loadStart
  const rollupStart = performance.now()
  for (const province of PROVINCES) await db.sql`select rebuild_incident_rollup(${province})`
  const rollupMs = performance.now() - rollupStart
  await db.sql`vacuum analyze incidents`
  await db.sql`vacuum analyze incident_rollup`
  const [sizes] = await db.sql<{ rollup_rows: number, province_rows: number }[]>`
    select count(*)::int as rollup_rows, count(*) filter (where province_code = '31')::int as province_rows from incident_rollup`
  log(`2. Scale: ${loaded.toLocaleString('en')} incidents over ${DAYS} days in ${PROVINCES.length} provinces loaded by COPY at ${perSecond(loaded, copyMs)}; ` +
    `rollup rebuilt in ${(rollupMs / 1000).toFixed(1)} s (${sizes!.rollup_rows.toLocaleString('en')} rows, ${sizes!.province_rows.toLocaleString('en')} for Hải Phòng)`)
  Object.assign(results, { scale_incidents: loaded, copy_rows_per_s: loaded / copyMs * 1000, rollup_rebuild_s: rollupMs / 1000, rollup_rows: sizes!.rollup_rows })
  } else {
    // The patrol section's priorities want incidents: a year of generated ones for Hải Phòng.
    await bulkInsertIncidents(db, generateIncidents(inputFor('31', null)), { isGenerated: true })
  }

  await accountRepository(db.sql).create({ username: 'bench.admin', full_name: 'Bench', role: 'admin', password_hash: await hashPassword('bench password 1') })
  const app = await buildApp({ db, geoDir: config.geoDir })
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  const login = await fetch(`${address}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench.admin', password: 'bench password 1' }) })
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!
  const get = async (path: string) => {
    const response = await fetch(`${address}${path}`, { headers: { cookie } })
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`)
    return response.json() as Promise<{ cells: unknown[] }>
  }

  const cases = sections.has(2) ? [{ days: 90, res: 7 }, { days: 90, res: 8 }, { days: 30, res: 7 }] : []
  for (const { days, res } of cases) {
    const from = new Date(END.getTime() - days * 86_400_000)
    const window = `from=${localDay(from)}&to=${localDay(END)}`
    const cells = (await get(`/api/hexes?province=31&res=${res}&${window}`)).cells.length
    const hexes = await timeIt(runs, () => get(`/api/hexes?province=31&res=${res}&${window}`))
    const raw = await timeIt(Math.min(runs, 15), () => db.sql`
      select h3_parent(h3, ${res}) as h3, count(*)::int as count from incidents
      where province_code = '31' and occurred_at >= ${from} and occurred_at < ${END} group by 1`)
    log(`   /api/hexes, Hải Phòng, ${days} days, res ${res} (${cells} cells): p50 ${ms(hexes.p50)}, p95 ${ms(hexes.p95)} | raw SQL GROUP BY p50 ${ms(raw.p50)}, p95 ${ms(raw.p95)} → ${(raw.p95 / hexes.p95).toFixed(1)}× faster at p95`)
    results[`hexes_${days}d_res${res}`] = { cells, api: hexes, raw }
    if (days === 90) {
      const hotspots = await timeIt(runs, () => get(`/api/hotspots?province=31&res=${res}&k=1&${window}`))
      log(`   /api/hotspots, Hải Phòng, ${days} days, res ${res}, k=1: p50 ${ms(hotspots.p50)}, p95 ${ms(hotspots.p95)} → ${(raw.p95 / hotspots.p95).toFixed(1)}× the raw GROUP BY alone at p95`)
      results[`hotspots_${days}d_res${res}`] = hotspots
    }
  }
  // 3. Export memory: a streamed export should cost about the same memory for 1M rows as for 100k.
  const exportRun = async (days: number) => {
    const from = new Date(END.getTime() - days * 86_400_000)
    global.gc?.()
    const before = process.memoryUsage().rss
    let peak = before
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 25)
    const started = performance.now()
    const response = await fetch(`${address}/api/incidents/export.csv?province=31&from=${localDay(from)}&to=${localDay(END)}`, { headers: { cookie } })
    if (!response.ok || !response.body) throw new Error(`export: ${response.status}`)
    let bytes = 0
    let rows = -1 // the header line
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length
      for (const byte of chunk) if (byte === 10) rows++
    }
    clearInterval(sampler)
    return { rows, bytes, ms: performance.now() - started, rssGrowth: peak - before }
  }
  if (sections.has(3)) {
  // Hải Phòng's whole year (2.5M rows at 10M incidents), and a tenth of it.
  const small = await exportRun(Math.round(DAYS / 10))
  const large = await exportRun(DAYS)
  const mb = (n: number) => `${(n / 1048576).toFixed(0)} MB`
  log(`3. Export CSV (streamed), Hải Phòng: ${small.rows.toLocaleString('en')} rows (${mb(small.bytes)}) → peak RSS growth ${mb(small.rssGrowth)}; ` +
    `${large.rows.toLocaleString('en')} rows (${mb(large.bytes)}) in ${(large.ms / 1000).toFixed(1)} s at ${perSecond(large.rows, large.ms)} → peak RSS growth ${mb(large.rssGrowth)} ` +
    `(${(large.rows / Math.max(1, small.rows)).toFixed(1)}× the rows for ${(large.rssGrowth / Math.max(1, small.rssGrowth)).toFixed(1)}× the memory)`)
  results.export = { small, large }
  }
  if (sections.has(4)) results.patrols = await benchPatrols(db, address, cookie)
  await app.close()
  log(JSON.stringify(results))
} finally {
  await db.close()
  if (!values.keep) await admin`drop database if exists ${admin(name)} with (force)`
  await admin.end()
}
