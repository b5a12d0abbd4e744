// Deterministic generator of synthetic demo data: commune Security and Order Protection Teams
// (Tổ bảo vệ ANTT) and incidents with realistic spatial and temporal structure.
// Pure module: no database, no clock, no Math.random. The same input gives byte-identical output.
import type { FeatureCollection, LineString, MultiLineString, MultiPolygon, Polygon } from 'geojson'
import { Rng, buildCdf, sampleCdf } from './random.ts'
import { DESCRIPTIONS, RIVER_DESCRIPTIONS, fakeMobile, vietnameseName, type DescriptionEntry } from './names.ts'
import { containsPoint, prepareCommune, riverPiecesFor, round6, uniformPoint, type PreparedCommune, type RiverPieces } from './geometry.ts'

export type Category = 'security' | 'social_order' | 'traffic' | 'fire' | 'rescue' | 'flood' | 'other'
export type IncidentStatus = 'reported' | 'dispatched' | 'on_scene' | 'resolved' | 'closed' | 'cancelled'
export interface DemoCommune { code: string; province_code: string; name: string; population: number; geometry: Polygon | MultiPolygon }
export interface DemoInput {
  communes: DemoCommune[]
  rivers: FeatureCollection<LineString | MultiLineString>
  seed: number
  days: number
  end: Date
  scale?: number
}
export interface GeneratedMember { full_name: string; role: 'head' | 'deputy' | 'member'; phone: string }
export interface GeneratedTeam { commune_code: string; province_code: string; name: string; members: GeneratedMember[] }
export interface GeneratedIncident {
  lon: number; lat: number; commune_code: string; province_code: string
  category: Category; severity: 1 | 2 | 3 | 4 | 5; status: IncidentStatus
  occurred_at: Date; reported_at: Date; description: string
}

export const GENERATED_LABEL = '[Dữ liệu mô phỏng / generated]'

// ---------------------------------------------------------------------------------------------
// Parameters

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
/** Vietnam: UTC+7, no daylight saving time. */
const TZ_OFFSET = 7 * HOUR

/** Mean incidents per 1,000 residents per 30 days (before `scale`). */
const INCIDENTS_PER_1000_PER_30_DAYS = 0.6

const CATEGORIES: readonly Category[] = ['security', 'social_order', 'traffic', 'fire', 'rescue', 'flood', 'other']
/** Target national category mix (annual average). */
const CATEGORY_SHARES: Readonly<Record<Category, number>> = {
  security: 0.45, social_order: 0.25, traffic: 0.18, fire: 0.02, rescue: 0.015, flood: 0.01, other: 0.075
}
/** Along rivers, rescues, floods and "other" (sand mining, pollution …) are more frequent. */
const RIVER_MULTIPLIER: Readonly<Record<Category, number>> = {
  security: 1, social_order: 1, traffic: 0.6, fire: 0.8, rescue: 6, flood: 6, other: 2.5
}

function normaliseMean (xs: number[]): number[] {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length
  return xs.map(x => x / m)
}

/** Month factors (Jan … Dec), each normalised to an annual mean of 1. Rainy season June–October. */
const MONTH_FACTOR: Readonly<Record<Category, number[]>> = {
  security: normaliseMean([1.12, 1.1, 1, 0.97, 0.97, 0.97, 0.98, 0.98, 0.98, 0.98, 0.98, 1.05]),
  social_order: normaliseMean([1.18, 1.15, 1, 0.96, 0.95, 0.95, 0.97, 0.97, 0.96, 0.96, 0.97, 1.05]),
  traffic: normaliseMean([1.12, 1.12, 1, 0.97, 0.98, 0.97, 0.97, 0.97, 0.98, 0.98, 0.98, 1.05]),
  fire: normaliseMean([1.3, 1.3, 1.2, 1.1, 1, 0.9, 0.85, 0.8, 0.8, 0.85, 1, 1.2]),
  rescue: normaliseMean([0.6, 0.6, 0.6, 0.7, 0.9, 1.5, 1.7, 1.8, 1.7, 1.4, 0.8, 0.6]),
  flood: normaliseMean([0.1, 0.1, 0.15, 0.2, 0.6, 1.8, 2.4, 2.8, 2.6, 1.9, 0.6, 0.2]),
  other: normaliseMean([1.05, 1.05, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1])
}

/** Day-of-week factors (Sun … Sat), normalised to a weekly mean of 1. */
const WEEKDAY_FACTOR: Readonly<Record<Category, number[]>> = {
  security: normaliseMean([1.14, 0.9, 0.9, 0.92, 0.94, 1.07, 1.2]),
  social_order: normaliseMean([1.22, 0.84, 0.84, 0.86, 0.9, 1.12, 1.32]),
  traffic: normaliseMean([0.92, 1.02, 1, 1, 1.01, 1.06, 0.99]),
  fire: normaliseMean([1, 1, 1, 1, 1, 1, 1]),
  rescue: normaliseMean([1.15, 0.95, 0.95, 0.95, 0.95, 0.95, 1.1]),
  flood: normaliseMean([1, 1, 1, 1, 1, 1, 1]),
  other: normaliseMean([1.05, 1, 1, 0.98, 0.98, 0.99, 1])
}

function bump (h: number, mu: number, sigma: number): number {
  let d = Math.abs(h - mu) % 24
  if (d > 12) d = 24 - d
  return Math.exp(-0.5 * (d / sigma) ** 2)
}

/** Local-time intensity by hour of day (h in [0, 24)). */
const HOUR_PROFILE: Readonly<Record<Category, (h: number) => number>> = {
  // Evening peak 19:00–23:00, some daytime theft, a small after-midnight tail.
  security: h => 0.25 + 0.55 * bump(h, 11, 3) + 3.0 * bump(h, 21, 1.4) + 0.8 * bump(h, 1.5, 1.5),
  // Late evening and night (gambling, drinking, noise).
  social_order: h => 0.2 + 0.4 * bump(h, 15, 3) + 2.5 * bump(h, 22.5, 1.5) + 1.8 * bump(h, 0.75, 1.4),
  // Commuting peaks 6:30–8:30 and 16:30–19:00.
  traffic: h => 0.15 + 0.8 * bump(h, 12, 3.5) + 3.0 * bump(h, 7.5, 0.75) + 3.2 * bump(h, 17.75, 0.95),
  // Spread over the day with a small afternoon peak.
  fire: h => 0.65 + 0.5 * bump(h, 14.5, 2.5) + 0.25 * bump(h, 19, 2),
  rescue: h => 0.3 + 1.2 * bump(h, 15, 3.5),
  flood: h => 0.8 + 0.5 * bump(h, 16, 4),
  other: h => 0.25 + 1.0 * bump(h, 12, 4)
}
const BINS_PER_DAY = 48 // half-hour bins
const BIN_MS = DAY / BINS_PER_DAY
const HOUR_CDF: Readonly<Record<Category, Float64Array>> = Object.fromEntries(CATEGORIES.map(c => {
  const w: number[] = []
  for (let b = 0; b < BINS_PER_DAY; b++) w.push(HOUR_PROFILE[c]((b + 0.5) * 24 / BINS_PER_DAY))
  return [c, buildCdf(w)]
})) as Record<Category, Float64Array>

/** Severity weights for 1 … 5 per category: mostly 2–3, fires and rescues higher. */
const SEVERITY_WEIGHTS: Readonly<Record<Category, number[]>> = {
  security: [14, 36, 32, 13, 5],
  social_order: [22, 40, 27, 9, 2],
  traffic: [14, 34, 32, 14, 6],
  fire: [3, 12, 30, 33, 22],
  rescue: [2, 10, 28, 35, 25],
  flood: [8, 25, 35, 22, 10],
  other: [35, 40, 19, 5, 1]
}
const SEVERITY_CDF = Object.fromEntries(CATEGORIES.map(c => [c, buildCdf(SEVERITY_WEIGHTS[c])])) as Record<Category, Float64Array>

/** Median delay (minutes) between occurrence and report, log-normal around it. */
const REPORT_DELAY_MEDIAN_MIN: Readonly<Record<Category, number>> = {
  security: 25, social_order: 10, traffic: 6, fire: 4, rescue: 5, flood: 20, other: 30
}

const STATUSES: readonly IncidentStatus[] = ['reported', 'dispatched', 'on_scene', 'resolved', 'closed', 'cancelled']
/** Status weights (same order as STATUSES) by the incident's age at `end`. */
const STATUS_BY_AGE: ReadonlyArray<[maxAgeMs: number, cdf: Float64Array]> = [
  [6 * HOUR, buildCdf([35, 30, 25, 7, 0, 3])],
  [24 * HOUR, buildCdf([15, 20, 25, 33, 3, 4])],
  [48 * HOUR, buildCdf([7, 10, 13, 50, 15, 5])],
  [72 * HOUR, buildCdf([2, 2, 4, 50, 37, 5])],
  [Infinity, buildCdf([0, 0, 0, 27, 68, 5])]
]

interface DescriptionTable { cdf: Float64Array; entries: readonly DescriptionEntry[] }
function descriptionTable (entries: readonly DescriptionEntry[]): DescriptionTable {
  return { cdf: buildCdf(entries.map(e => e[1])), entries }
}
const DESC_TABLES = Object.fromEntries(CATEGORIES.map(c => [c, descriptionTable(DESCRIPTIONS[c])])) as Record<Category, DescriptionTable>
const RIVER_DESC_TABLES: Partial<Record<Category, DescriptionTable>> = {
  rescue: descriptionTable(RIVER_DESCRIPTIONS.rescue),
  flood: descriptionTable(RIVER_DESCRIPTIONS.flood),
  other: descriptionTable(RIVER_DESCRIPTIONS.other)
}

// ---------------------------------------------------------------------------------------------
// Input checks and window

function checkInput (input: DemoInput): { startMs: number; endMs: number; scale: number } {
  const endMs = input.end instanceof Date ? input.end.getTime() : NaN
  if (!Number.isFinite(endMs)) throw new Error('DemoInput.end must be a valid Date')
  if (!(Number.isFinite(input.days) && input.days > 0)) throw new Error('DemoInput.days must be a positive number')
  const scale = input.scale ?? 1
  if (!(Number.isFinite(scale) && scale >= 0)) throw new Error('DemoInput.scale must be a non-negative number')
  if (!Number.isFinite(input.seed)) throw new Error('DemoInput.seed must be a finite number')
  return { startMs: endMs - Math.round(input.days * DAY), endMs, scale }
}

function meanIncidents (population: number, days: number, scale: number): number {
  const pop = Number.isFinite(population) && population > 0 ? population : 0
  return pop / 1000 * INCIDENTS_PER_1000_PER_30_DAYS * (days / 30) * scale
}

/** The mean number of incidents the generator aims at for this input (sum of per-commune means). */
export function expectedIncidentCount (input: DemoInput): number {
  const { scale } = checkInput(input)
  let total = 0
  for (const c of input.communes) total += meanIncidents(c.population, input.days, scale)
  return total
}

function streamKey (seed: number, code: string, purpose: string): string {
  return `vn-patrol-demo/v1|${seed}|${code}|${purpose}`
}

// ---------------------------------------------------------------------------------------------
// Teams

/** 8–15 teams per commune (more in populous communes), each with 3–6 members: one head, one deputy. */
export function generateTeams (input: DemoInput): GeneratedTeam[] {
  checkInput(input)
  const teams: GeneratedTeam[] = []
  for (const commune of input.communes) {
    const rng = new Rng(streamKey(input.seed, commune.code, 'teams'))
    const pop = Math.max(0, commune.population || 0)
    const byPopulation = 8 + 7 * Math.min(1, pop / 60_000)
    const count = Math.max(8, Math.min(15, Math.round(byPopulation + rng.range(-1.5, 1.5))))
    const phones = new Set<string>()
    for (let t = 1; t <= count; t++) {
      const size = rng.int(3, 6)
      const members: GeneratedMember[] = []
      for (let m = 0; m < size; m++) {
        let phone = fakeMobile(rng)
        while (phones.has(phone)) phone = fakeMobile(rng)
        phones.add(phone)
        members.push({
          full_name: vietnameseName(rng, commune.province_code, m === 0 ? 0.08 : 0.18),
          role: m === 0 ? 'head' : m === 1 ? 'deputy' : 'member',
          phone
        })
      }
      teams.push({
        commune_code: commune.code,
        province_code: commune.province_code,
        name: `Tổ bảo vệ ANTT số ${t} – ${commune.name}`,
        members
      })
    }
  }
  return teams
}

// ---------------------------------------------------------------------------------------------
// Incidents

interface Cluster { lon: number; lat: number; sigmaM: number }

interface CommuneModel {
  pc: PreparedCommune
  river: RiverPieces | null
  clusters: Cluster[]
  clusterCdf: Float64Array
  clusterShare: number
  riverShare: number
  /** Relative change of the incident rate from the start to the end of the window. */
  trend: number
}

/** Minimum river length inside a commune for it to count as crossed by the river. */
const MIN_RIVER_M = 500

/** Spatial structure of a commune: depends on seed, commune and rivers only (not on the window). */
function communeModel (commune: DemoCommune, input: DemoInput): CommuneModel {
  const pc = prepareCommune(commune.geometry)
  const rng = new Rng(streamKey(input.seed, commune.code, 'structure'))
  const nClusters = rng.int(2, 4)
  const clusters: Cluster[] = []
  const weights: number[] = []
  // Spread 150–400 m; small dense urban wards get the tighter hot spots.
  const sizeFactor = Math.min(1, Math.sqrt(pc.candidates.length * pc.cellW * pc.mPerDegLon * pc.cellH * pc.mPerDegLat) / 5000)
  for (let k = 0; k < nClusters; k++) {
    const [lon, lat] = k === 0 ? pc.centre : uniformPoint(pc, rng)
    clusters.push({ lon, lat, sigmaM: 150 + 250 * sizeFactor * rng.next() })
    weights.push(k === 0 ? rng.range(1.2, 2.0) : rng.range(0.5, 1.5))
  }
  const clusterShare = rng.range(0.55, 0.65)
  const riverDraw = rng.range(0.10, 0.15)
  const trend = rng.range(-0.15, 0.25)
  const pieces = input.rivers?.features?.length ? riverPiecesFor(pc, commune.geometry, input.rivers) : null
  const river = pieces && pieces.lengthM >= MIN_RIVER_M ? pieces : null
  return { pc, river, clusters, clusterCdf: buildCdf(weights), clusterShare, riverShare: river ? riverDraw : 0, trend }
}

/** Per-window calendar: local days covering [start, end) with per-category weights. */
interface Calendar {
  /** UTC ms of each local midnight. */
  dayStartMs: Float64Array
  /** Weight of each category on each day (normal, and along rivers), before the commune trend. */
  catCdf: Float64Array[]
  riverCatCdf: Float64Array[]
  dayTotal: Float64Array
  riverDayTotal: Float64Array
  /** Position of each day's midpoint in the window, 0 … 1 (for the trend). */
  position: Float64Array
}

function buildCalendar (startMs: number, endMs: number): Calendar {
  const firstLocalDay = Math.floor((startMs + TZ_OFFSET) / DAY)
  const lastLocalDay = Math.floor((endMs - 1 + TZ_OFFSET) / DAY)
  const n = lastLocalDay - firstLocalDay + 1
  const cal: Calendar = {
    dayStartMs: new Float64Array(n),
    catCdf: [],
    riverCatCdf: [],
    dayTotal: new Float64Array(n),
    riverDayTotal: new Float64Array(n),
    position: new Float64Array(n)
  }
  const span = Math.max(1, endMs - startMs)
  for (let d = 0; d < n; d++) {
    const localDay = firstLocalDay + d
    const dayStart = localDay * DAY - TZ_OFFSET
    const from = Math.max(dayStart, startMs); const to = Math.min(dayStart + DAY, endMs)
    const coverage = Math.max(0, to - from) / DAY
    const date = new Date(localDay * DAY) // UTC fields of this value are the local calendar fields
    const month = date.getUTCMonth(); const dow = date.getUTCDay()
    const w: number[] = []; const rw: number[] = []
    for (const c of CATEGORIES) {
      const x = CATEGORY_SHARES[c] * MONTH_FACTOR[c][month] * WEEKDAY_FACTOR[c][dow] * coverage
      w.push(x); rw.push(x * RIVER_MULTIPLIER[c])
    }
    cal.dayStartMs[d] = dayStart
    cal.catCdf.push(buildCdf(w)); cal.riverCatCdf.push(buildCdf(rw))
    cal.dayTotal[d] = w.reduce((a, b) => a + b, 0)
    cal.riverDayTotal[d] = rw.reduce((a, b) => a + b, 0)
    cal.position[d] = ((from + to) / 2 - startMs) / span
  }
  return cal
}

function dayCdf (totals: Float64Array, cal: Calendar, trend: number): Float64Array {
  const w = new Float64Array(totals.length)
  for (let d = 0; d < totals.length; d++) w[d] = totals[d] * Math.max(0.05, 1 + trend * (cal.position[d] - 0.5))
  return buildCdf(w)
}

const CLUSTER = 0
const RIVER = 1
const BACKGROUND = 2

function clusterPoint (m: CommuneModel, rng: Rng): [number, number] | null {
  const cl = m.clusters[sampleCdf(m.clusterCdf, rng.next())]
  for (let tries = 0; tries < 25; tries++) {
    const lon = round6(cl.lon + rng.normal() * cl.sigmaM / m.pc.mPerDegLon)
    const lat = round6(cl.lat + rng.normal() * cl.sigmaM / m.pc.mPerDegLat)
    if (containsPoint(m.pc, lon, lat)) return [lon, lat]
  }
  return null
}

/** A point within ~300 m of the river centreline, inside the commune. */
function riverPoint (m: CommuneModel, rng: Rng): [number, number] | null {
  const r = m.river!
  const pc = m.pc
  for (let tries = 0; tries < 25; tries++) {
    const k = sampleCdf(r.cdf, rng.next()) * 4
    const ax = r.coords[k]; const ay = r.coords[k + 1]; const bx = r.coords[k + 2]; const by = r.coords[k + 3]
    const t = rng.next()
    // Work in metres: the unit normal of the piece, offset N(0, 110 m) truncated to ±280 m.
    const dxM = (bx - ax) * pc.mPerDegLon; const dyM = (by - ay) * pc.mPerDegLat
    const len = Math.hypot(dxM, dyM) || 1
    let off = rng.normal() * 110
    if (off > 280 || off < -280) off = rng.range(-280, 280)
    const lon = round6(ax + (bx - ax) * t + (-dyM / len) * off / pc.mPerDegLon)
    const lat = round6(ay + (by - ay) * t + (dxM / len) * off / pc.mPerDegLat)
    if (containsPoint(pc, lon, lat)) return [lon, lat]
  }
  return null
}

function pickStatus (ageMs: number, u: number): IncidentStatus {
  for (const [maxAge, cdf] of STATUS_BY_AGE) if (ageMs < maxAge) return STATUSES[sampleCdf(cdf, u)]
  return 'closed'
}

/**
 * Streams incidents commune by commune (in input order). Memory use is independent of the
 * number of incidents. Each commune draws from its own seeded streams, so adding or removing a
 * commune leaves the other communes' incidents unchanged.
 */
export function * generateIncidents (input: DemoInput): Generator<GeneratedIncident> {
  const { startMs, endMs, scale } = checkInput(input)
  const cal = buildCalendar(startMs, endMs)
  const label = GENERATED_LABEL + ' '

  for (const commune of input.communes) {
    const mean = meanIncidents(commune.population, input.days, scale)
    const rng = new Rng(streamKey(input.seed, commune.code, 'incidents'))
    const count = rng.poisson(mean)
    if (count === 0) continue
    const m = communeModel(commune, input)
    const normalDays = dayCdf(cal.dayTotal, cal, m.trend)
    const riverDays = m.river ? dayCdf(cal.riverDayTotal, cal, m.trend) : normalDays

    for (let i = 0; i < count; i++) {
      // Where
      const u = rng.next()
      let component = u < m.clusterShare ? CLUSTER : u < m.clusterShare + m.riverShare ? RIVER : BACKGROUND
      let point: [number, number] | null = null
      if (component === CLUSTER) point = clusterPoint(m, rng)
      else if (component === RIVER) point = riverPoint(m, rng)
      if (point === null) { point = uniformPoint(m.pc, rng); if (component === RIVER) component = BACKGROUND }
      const nearRiver = component === RIVER

      // When (local day, then category for that day, then time of day from the category's rhythm)
      const d = sampleCdf(nearRiver ? riverDays : normalDays, rng.next())
      const category = CATEGORIES[sampleCdf((nearRiver ? cal.riverCatCdf : cal.catCdf)[d], rng.next())]
      const dayStart = cal.dayStartMs[d]
      let occurred = -1
      for (let tries = 0; tries < 50; tries++) {
        const bin = sampleCdf(HOUR_CDF[category], rng.next())
        const t = dayStart + bin * BIN_MS + Math.floor(rng.next() * (BIN_MS / MINUTE)) * MINUTE
        if (t >= startMs && t < endMs) { occurred = t; break }
      }
      if (occurred < 0) { // a sliver of a day at the window's edge: uniform in the covered part
        const from = Math.max(dayStart, startMs); const to = Math.min(dayStart + DAY, endMs)
        occurred = from + Math.floor(rng.next() * (to - from))
      }

      // Report delay: log-normal around the category median, at least a minute, never after `end`.
      let delay = Math.round(REPORT_DELAY_MEDIAN_MIN[category] * MINUTE * Math.exp(0.9 * rng.normal()) / 1000) * 1000
      delay = Math.min(Math.max(delay, MINUTE), 12 * HOUR)
      let reported = occurred + delay
      if (reported >= endMs) reported = occurred + Math.floor(rng.next() * (endMs - occurred))

      // What
      const table = (nearRiver && RIVER_DESC_TABLES[category]) || DESC_TABLES[category]
      const entry = table.entries[sampleCdf(table.cdf, rng.next())]
      let severity = sampleCdf(SEVERITY_CDF[category], rng.next()) + 1
      if (rng.next() < 0.6) severity = Math.min(5, Math.max(1, severity + entry[2]))
      const status = pickStatus(endMs - occurred, rng.next())

      yield {
        lon: point[0],
        lat: point[1],
        commune_code: commune.code,
        province_code: commune.province_code,
        category,
        severity: severity as GeneratedIncident['severity'],
        status,
        occurred_at: new Date(occurred),
        reported_at: new Date(reported),
        description: label + entry[0]
      }
    }
  }
}
