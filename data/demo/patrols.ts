// Deterministic generator of raw patrol tracks (GPS fixes) for the demo: every team walks or rides
// a "beat" of a few favoured places around its commune base, so coverage is uneven and has real
// gaps. Pure module: no database, no clock, no Math.random. The same input gives identical output.
// Output is raw fixes only; cleaning and H3 dwell binning belong to the ingest.
import { area, centroid, pointOnFeature } from '@turf/turf'
import type { MultiPolygon, Polygon } from 'geojson'
import { Rng } from './random.ts'
import { containsPoint, prepareCommune, round6, uniformPoint, type PreparedCommune } from './geometry.ts'

export interface GeneratedFix { lon: number, lat: number, time: number /* epoch ms */ }
export interface PatrolTeamInput { id: string, commune_code: string, province_code: string }
export interface PatrolCommuneInput {
  code: string
  geometry: Polygon | MultiPolygon
  /** Points the teams favour (e.g. incident-heavy places); each team picks a few. */
  favouredPlaces?: Array<[number, number]>
}
export type PatrolMode = 'foot' | 'motorbike'
export interface GeneratedPatrol {
  team_id: string, commune_code: string, province_code: string, mode: PatrolMode, startedAt: number, fixes: GeneratedFix[]
}
export interface PatrolGenerationOptions {
  seed: number
  /** Exclusive end of the window; every fix lies before it. */
  end: Date
  /** Length of the window in days (default 14). */
  days?: number
  /** Default 2. The count per team is round(days / 7 × this). */
  patrolsPerTeamPerWeek?: number
}

// ---------------------------------------------------------------------------------------------
// Parameters

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
/** Vietnam: UTC+7, no daylight saving time. */
const TZ_OFFSET = 7 * HOUR

interface ModeSpec {
  speedKmh: [number, number]
  durationMin: [number, number]
  /** Chance of a real stop (1–6 min) on reaching a place; otherwise only a short look around. */
  stopChance: number
  stopMin: [number, number]
}
const MODES: Readonly<Record<PatrolMode, ModeSpec>> = {
  foot: { speedKmh: [3.5, 5.5], durationMin: [45, 120], stopChance: 0.55, stopMin: [1, 6] },
  motorbike: { speedKmh: [15, 35], durationMin: [60, 150], stopChance: 0.2, stopMin: [1, 4] }
}
/** Every place reached gets at least this pause, so a 5–15 s fix stream always records the visit. */
const LOOK_AROUND_S: [number, number] = [20, 45]
const FIX_INTERVAL_S: [number, number] = [5, 15]
/** GPS error: Gaussian, σ per axis; AR(1) in time (real receivers drift rather than jump). */
const GPS_SIGMA_M = 4
const GPS_CORRELATION_S = 20
/** Spacing of the inside-the-commune checks along a planned path. */
const CHECK_SPACING_M = 8
/** Random beat places: Gaussian around the base with σ = this × the commune's radius, at most the cap. */
const BEAT_SPREAD = 0.35
const BEAT_SPREAD_CAP_M = 1000
/** Beat places closer together than this are redrawn (they would be one place). */
const MIN_PLACE_GAP_M = 120
/** Start slots (local hours) and their weights: evenings, mornings, some afternoons. */
const START_SLOTS: ReadonlyArray<[fromHour: number, toHour: number, weight: number]> = [
  [18, 23, 0.5], [6, 9, 0.32], [14, 17, 0.18]
]

const DEFAULT_DAYS = 14
const DEFAULT_PER_WEEK = 2

// ---------------------------------------------------------------------------------------------
// Commune geometry: the patrols stay in one polygon part (an island commune's teams patrol the
// main part; a beat never needs a boat).

interface PatrolArea {
  pc: PreparedCommune
  base: [number, number]
  radiusM: number
}
const areaCache = new WeakMap<object, PatrolArea>()

function patrolArea (geometry: Polygon | MultiPolygon): PatrolArea {
  const cached = areaCache.get(geometry)
  if (cached) return cached
  let part: Polygon
  if (geometry.type === 'Polygon') part = geometry
  else {
    // The largest part by area.
    let best = -1
    part = { type: 'Polygon', coordinates: geometry.coordinates[0] }
    for (const rings of geometry.coordinates) {
      const p: Polygon = { type: 'Polygon', coordinates: rings }
      const a = area(p)
      if (a > best) { best = a; part = p }
    }
  }
  const pc = prepareCommune(part)
  const c = centroid(part).geometry.coordinates
  const base: [number, number] = containsPoint(pc, round6(c[0]), round6(c[1]))
    ? [round6(c[0]), round6(c[1])]
    : (() => { const p = pointOnFeature(part).geometry.coordinates; return [round6(p[0]), round6(p[1])] as [number, number] })()
  const out = { pc, base, radiusM: Math.sqrt(area(part) / Math.PI) }
  areaCache.set(geometry, out)
  return out
}

/** Inside test with a fast accept for grid cells wholly inside (geometry.ts grid codes: 2 = inside). */
function inside (pc: PreparedCommune, lon: number, lat: number): boolean {
  const bb = pc.bbox
  if (!(lon >= bb[0] && lon <= bb[2] && lat >= bb[1] && lat <= bb[3])) return false
  const i = Math.min(pc.nx - 1, Math.floor((lon - bb[0]) / pc.cellW))
  const j = Math.min(pc.ny - 1, Math.floor((lat - bb[1]) / pc.cellH))
  const code = pc.cells[j * pc.nx + i]
  if (code === 2) return true
  if (code === 0) return false
  return containsPoint(pc, lon, lat)
}

// Paths are planned in local metres around the base.
type XY = [number, number]
interface Frame { lon0: number, lat0: number, kx: number, ky: number }
const toXY = (f: Frame, p: [number, number]): XY => [(p[0] - f.lon0) * f.kx, (p[1] - f.lat0) * f.ky]
const toLonLat = (f: Frame, p: XY): [number, number] => [f.lon0 + p[0] / f.kx, f.lat0 + p[1] / f.ky]
const dist = (a: XY, b: XY): number => Math.hypot(b[0] - a[0], b[1] - a[1])

function pathLength (pts: XY[]): number {
  let s = 0
  for (let k = 1; k < pts.length; k++) s += dist(pts[k - 1], pts[k])
  return s
}

function pathInside (pc: PreparedCommune, f: Frame, pts: XY[]): boolean {
  for (let k = 1; k < pts.length; k++) {
    const a = pts[k - 1]; const b = pts[k]
    const n = Math.max(1, Math.ceil(dist(a, b) / CHECK_SPACING_M))
    for (let s = k === 1 ? 0 : 1; s <= n; s++) {
      const [lon, lat] = toLonLat(f, [a[0] + (b[0] - a[0]) * s / n, a[1] + (b[1] - a[1]) * s / n])
      if (!inside(pc, lon, lat)) return false
    }
  }
  return true
}

/** Chaikin corner cutting (endpoints kept): turns the zigzag of offsets into smooth bends. */
function chaikin (pts: XY[]): XY[] {
  const out: XY[] = [pts[0]]
  for (let k = 0; k + 1 < pts.length; k++) {
    const a = pts[k]; const b = pts[k + 1]
    out.push([0.75 * a[0] + 0.25 * b[0], 0.75 * a[1] + 0.25 * b[1]], [0.25 * a[0] + 0.75 * b[0], 0.25 * a[1] + 0.75 * b[1]])
  }
  out.push(pts[pts.length - 1])
  return out
}

/** A wandering path from a to b: sideways offsets that follow a damped random walk, smoothed. */
function wander (a: XY, b: XY, rng: Rng, scale: number): XY[] {
  const d = dist(a, b)
  if (d < 40 || scale === 0) return [a, b]
  const n = Math.max(1, Math.min(40, Math.round(d / 150)))
  const ux = (b[0] - a[0]) / d; const uy = (b[1] - a[1]) / d
  const amp = Math.min(0.08 * d, 60) * scale
  const pts: XY[] = [a]
  let o = 0
  for (let k = 1; k <= n; k++) {
    const t = k / (n + 1)
    o = 0.6 * o + rng.normal() * amp
    const off = o * Math.sin(Math.PI * t) // tapers to zero at both ends
    const along = d * t + rng.normal() * 0.1 * d / (n + 1)
    pts.push([a[0] + ux * along - uy * off, a[1] + uy * along + ux * off])
  }
  pts.push(b)
  return chaikin(chaikin(pts))
}

/** A path from a to b inside the area: wandering if possible, else straight, else via one waypoint. */
function leg (pa: PatrolArea, f: Frame, a: XY, b: XY, rng: Rng): XY[] | null {
  for (const scale of [1, 0.6, 0.3, 0]) {
    const pts = wander(a, b, rng, scale)
    if (pathInside(pa.pc, f, pts)) return pts
  }
  // Concave communes: the shortest detour via one random waypoint among a few that work.
  let best: XY[] | null = null; let bestLen = Infinity
  for (let tries = 0, found = 0; tries < 40 && found < 5; tries++) {
    const v = toXY(f, uniformPoint(pa.pc, rng))
    const len = dist(a, v) + dist(v, b)
    if (len >= bestLen) continue
    if (pathInside(pa.pc, f, [a, v]) && pathInside(pa.pc, f, [v, b])) { best = [a, v, b]; bestLen = len; found++ }
  }
  return best
}

// ---------------------------------------------------------------------------------------------
// Beats

function streamKey (seed: number, team: PatrolTeamInput, purpose: string): string {
  return `vn-patrol-demo/v1|${seed}|${team.commune_code}|team:${team.id}|${purpose}`
}

function frameOf (pa: PatrolArea): Frame {
  return { lon0: pa.base[0], lat0: pa.base[1], kx: pa.pc.mPerDegLon, ky: pa.pc.mPerDegLat }
}

/**
 * The team's favoured places (3–6, inside the commune's main part and reachable from its base):
 * a deterministic pick from `favouredPlaces` when given, topped up with random points near the
 * commune centre. Deterministic for the same commune, team and seed.
 */
export function patrolBeat (commune: PatrolCommuneInput, team: PatrolTeamInput, seed: number): Array<[number, number]> {
  return beatOf(commune, team, seed).places
}

/** The beat, with a known path (local metres) from the base to each place. */
function beatOf (commune: PatrolCommuneInput, team: PatrolTeamInput, seed: number): { places: Array<[number, number]>, homePaths: XY[][] } {
  const pa = patrolArea(commune.geometry)
  const f = frameOf(pa)
  const rng = new Rng(streamKey(seed, team, 'beat'))
  const want = rng.int(3, 6)
  const places: Array<[number, number]> = []
  const farEnough = (p: [number, number]): boolean =>
    places.every(q => dist(toXY(f, p), toXY(f, q)) >= MIN_PLACE_GAP_M) && dist(toXY(f, p), [0, 0]) >= MIN_PLACE_GAP_M / 2
  const homePaths: XY[][] = []
  const reachable = (p: [number, number]): boolean => {
    const path = leg(pa, f, [0, 0], toXY(f, p), rng)
    if (path !== null) homePaths.push(path)
    return path !== null
  }

  const given = (commune.favouredPlaces ?? [])
    .map(p => [round6(p[0]), round6(p[1])] as [number, number])
    .filter(p => inside(pa.pc, p[0], p[1]))
  // Fisher–Yates with the team's stream: every team favours its own subset.
  for (let i = given.length - 1; i > 0; i--) {
    const j = rng.int(0, i); const t = given[i]; given[i] = given[j]; given[j] = t
  }
  for (const p of given) {
    if (places.length >= want) break
    if (farEnough(p) && reachable(p)) places.push(p)
  }
  const sigma = Math.min(BEAT_SPREAD * pa.radiusM, BEAT_SPREAD_CAP_M)
  for (let tries = 0; places.length < (given.length > 0 ? 3 : want) && tries < 200; tries++) {
    const dx = rng.normal() * sigma; const dy = rng.normal() * sigma
    if (Math.hypot(dx, dy) > 2 * sigma) continue // truncated: a beat stays walkable
    const [lon, lat] = toLonLat(f, [dx, dy])
    const p: [number, number] = [round6(lon), round6(lat)]
    if (inside(pa.pc, p[0], p[1]) && farEnough(p) && reachable(p)) places.push(p)
  }
  if (places.length === 0) { places.push(pa.base); homePaths.push([[0, 0], [0, 0]]) } // a sliver of a commune: the base is the beat
  return { places, homePaths }
}

// ---------------------------------------------------------------------------------------------
// One patrol: plan (legs and stops in local metres, relative time), then sample fixes.

type Step =
  | { kind: 'move', pts: XY[], cum: number[], speed: number /* m/s */, t0: number, t1: number }
  | { kind: 'stop', at: XY, t0: number, t1: number }

function moveStep (pts: XY[], speed: number, t0: number): Step {
  const cum = [0]
  for (let k = 1; k < pts.length; k++) cum.push(cum[k - 1] + dist(pts[k - 1], pts[k]))
  return { kind: 'move', pts, cum, speed, t0, t1: t0 + cum[cum.length - 1] / speed * SECOND }
}

function planPatrol (pa: PatrolArea, f: Frame, beat: XY[], homePaths: XY[][], mode: PatrolMode, rng: Rng): Step[] {
  const homeM = homePaths.map(pathLength)
  const spec = MODES[mode]
  const cruise = rng.range(spec.speedKmh[0], spec.speedKmh[1]) / 3.6
  const minDur = spec.durationMin[0] * MINUTE; const maxDur = spec.durationMin[1] * MINUTE
  const drawn = rng.range(spec.durationMin[0], spec.durationMin[1]) * MINUTE
  // Leg speeds vary a little around the patrol's cruise speed but stay in the mode's range.
  const legSpeed = (): number => Math.min(spec.speedKmh[1] / 3.6, Math.max(spec.speedKmh[0] / 3.6, cruise * rng.range(0.9, 1.1)))
  const steps: Step[] = []
  let t = 0
  let here: XY = [0, 0]
  let hereIdx = -1
  let order: number[] = []
  /** Estimated time to walk or ride between two points (paths wander ~10 % beyond the straight line). */
  const est = (a: XY, b: XY): number => dist(a, b) * 1.1 / cruise * SECOND
  // A patrol lasts long enough for one round of the whole beat when the mode's longest patrol allows.
  let round = 0
  {
    const left = beat.map((_, i) => i); let at: XY = [0, 0]
    while (left.length > 0) {
      let k = 0
      for (let q = 1; q < left.length; q++) if (dist(at, beat[left[q]]) < dist(at, beat[left[k]])) k = q
      round += est(at, beat[left[k]]) + LOOK_AROUND_S[1] * SECOND
      at = beat[left.splice(k, 1)[0]]
    }
    round += est(at, [0, 0])
  }
  const budget = Math.max(drawn, Math.min(maxDur, round))
  // Loops round the beat. The next place is the first in this round's order that still leaves
  // time to get home within the budget; when none does, the patrol heads home, unless that would
  // end it too early (then it goes on, within the mode's longest patrol).
  for (let guard = 0; guard < 200; guard++) {
    if (order.length === 0) {
      // A round: a random first place, then always the nearest not yet visited (an efficient
      // loop, so even a short foot patrol gets round most of its beat).
      const left = beat.map((_, i) => i).filter(i => i !== hereIdx)
      if (left.length === 0) break
      order = [left.splice(rng.int(0, left.length - 1), 1)[0]]
      while (left.length > 0) {
        const last = beat[order[order.length - 1]]
        let k = 0
        for (let q = 1; q < left.length; q++) if (dist(last, beat[left[q]]) < dist(last, beat[left[k]])) k = q
        order.push(left.splice(k, 1)[0])
      }
    }
    const home = (i: number): number => homeM[i] / cruise * SECOND
    const cost = (i: number): number => t + est(here, beat[i]) + LOOK_AROUND_S[1] * SECOND + home(i)
    let pick = order.findIndex(i => cost(i) <= budget)
    if (pick < 0 && (steps.length === 0 || t + est(here, [0, 0]) < minDur)) {
      pick = order.findIndex(i => cost(i) <= maxDur)
      if (pick < 0 && steps.length === 0) pick = 0
    }
    if (pick < 0) break
    const next = order[pick]
    order.splice(pick, 1)
    const path = leg(pa, f, here, beat[next], rng)
    if (path === null) continue
    // A detour around a bend of the boundary can be much longer than the straight estimate.
    if (steps.length > 0 && t + pathLength(path) / cruise * SECOND + home(next) > maxDur) continue
    const speed = legSpeed()
    const m = moveStep(path, speed, t); steps.push(m); t = m.t1
    const pause = rng.chance(spec.stopChance) ? rng.range(spec.stopMin[0], spec.stopMin[1]) * MINUTE : rng.range(LOOK_AROUND_S[0], LOOK_AROUND_S[1]) * SECOND
    steps.push({ kind: 'stop', at: beat[next], t0: t, t1: t + pause }); t += pause
    here = beat[next]; hereIdx = next
  }
  // Home to the base; the place's known way out serves reversed if no new path is found.
  const back = leg(pa, f, here, [0, 0], rng) ?? (hereIdx >= 0 ? [...homePaths[hereIdx]].reverse() : [here, here])
  const m = moveStep(back, legSpeed(), t)
  steps.push(m)
  // Back at the base: a short pause before the tracker is switched off, so the last fix is there.
  steps.push({ kind: 'stop', at: [0, 0], t0: m.t1, t1: m.t1 + rng.range(LOOK_AROUND_S[0], LOOK_AROUND_S[1]) * SECOND })
  return steps
}

function sampleFixes (steps: Step[], f: Frame, start: number, rng: Rng): GeneratedFix[] {
  const endT = steps[steps.length - 1].t1
  const fixes: GeneratedFix[] = []
  let ex = rng.normal() * GPS_SIGMA_M; let ey = rng.normal() * GPS_SIGMA_M
  let s = 0; let seg = 0
  let t = 0; let prevT = 0
  while (t <= endT) {
    while (steps[s].t1 < t && s < steps.length - 1) { s++; seg = 0 }
    const st = steps[s]
    let p: XY
    if (st.kind === 'stop') p = st.at
    else {
      const along = Math.min(st.cum[st.cum.length - 1], (t - st.t0) / SECOND * st.speed)
      while (seg < st.cum.length - 2 && st.cum[seg + 1] < along) seg++
      const a = st.pts[seg]; const b = st.pts[seg + 1]
      const len = st.cum[seg + 1] - st.cum[seg]
      const u = len > 0 ? (along - st.cum[seg]) / len : 0
      p = [a[0] + (b[0] - a[0]) * u, a[1] + (b[1] - a[1]) * u]
    }
    // AR(1) noise keeps σ = GPS_SIGMA_M at every fix while consecutive errors stay correlated.
    const rho = Math.exp(-(t - prevT) / SECOND / GPS_CORRELATION_S)
    const k = GPS_SIGMA_M * Math.sqrt(1 - rho * rho)
    ex = rho * ex + k * rng.normal(); ey = rho * ey + k * rng.normal()
    const [lon, lat] = toLonLat(f, [p[0] + ex, p[1] + ey])
    fixes.push({ lon: round6(lon), lat: round6(lat), time: start + Math.round(t) })
    prevT = t
    t += Math.round(rng.range(FIX_INTERVAL_S[0], FIX_INTERVAL_S[1]) * SECOND)
  }
  return fixes
}

// ---------------------------------------------------------------------------------------------
// Schedule

function checkOptions (options: PatrolGenerationOptions): { startMs: number, endMs: number, perTeam: number } {
  const endMs = options.end instanceof Date ? options.end.getTime() : NaN
  if (!Number.isFinite(endMs)) throw new Error('PatrolGenerationOptions.end must be a valid Date')
  const days = options.days ?? DEFAULT_DAYS
  if (!(Number.isFinite(days) && days > 0)) throw new Error('PatrolGenerationOptions.days must be a positive number')
  const perWeek = options.patrolsPerTeamPerWeek ?? DEFAULT_PER_WEEK
  if (!(Number.isFinite(perWeek) && perWeek >= 0)) throw new Error('PatrolGenerationOptions.patrolsPerTeamPerWeek must be a non-negative number')
  if (!Number.isFinite(options.seed)) throw new Error('PatrolGenerationOptions.seed must be a finite number')
  return { startMs: endMs - Math.round(days * DAY), endMs, perTeam: Math.round(days / 7 * perWeek) }
}

/** The exact number of patrols `generatePatrols` yields for this many teams. */
export function expectedPatrolCount (teams: number, options: PatrolGenerationOptions): number {
  return teams * checkOptions(options).perTeam
}

/**
 * A start time in [from, to − duration]: a local slot hour (evening, morning, afternoon) on a day
 * of the sub-window; if none fits (very short sub-windows), anywhere that fits.
 */
function pickStart (from: number, to: number, duration: number, rng: Rng): number {
  const latest = to - duration
  if (latest <= from) return from
  const firstDay = Math.floor((from + TZ_OFFSET) / DAY)
  const lastDay = Math.floor((latest + TZ_OFFSET) / DAY)
  const total = START_SLOTS.reduce((s, x) => s + x[2], 0)
  for (let tries = 0; tries < 60; tries++) {
    const day = rng.int(firstDay, lastDay)
    let u = rng.next() * total
    let slot = START_SLOTS[0]
    for (const x of START_SLOTS) { u -= x[2]; if (u < 0) { slot = x; break } }
    const t = day * DAY - TZ_OFFSET + Math.floor(rng.range(slot[0], slot[1]) * 60) * MINUTE + rng.int(0, 59) * SECOND
    if (t >= from && t <= latest) return t
  }
  return from + Math.floor(rng.next() * (latest - from))
}

/**
 * Patrols of every team, team by team in input order, each team's in time order. Each team draws
 * from its own seeded streams, so adding or removing a team leaves the others unchanged. Yields
 * one patrol at a time (memory stays flat for a big province). Teams whose commune is not in
 * `communes` are skipped (they produce no patrols).
 *
 * @example
 * for (const p of generatePatrols(communes, teams, { seed: 2025, end: new Date('2025-11-01T00:00:00+07:00'), days: 14 })) ingest(p)
 */
export function * generatePatrols (communes: PatrolCommuneInput[], teams: PatrolTeamInput[],
  options: PatrolGenerationOptions): Generator<GeneratedPatrol> {
  const { startMs, endMs, perTeam } = checkOptions(options)
  if (perTeam === 0) return
  const byCode = new Map(communes.map(c => [c.code, c]))
  const span = endMs - startMs
  for (const team of teams) {
    const commune = byCode.get(team.commune_code)
    if (!commune) continue
    const pa = patrolArea(commune.geometry)
    const f = frameOf(pa)
    const { places, homePaths } = beatOf(commune, team, options.seed)
    const beat = places.map(p => toXY(f, p))
    const rng = new Rng(streamKey(options.seed, team, 'patrols'))
    // Bigger (rural) communes ride more; each team has its own habit.
    const pMotorbike = Math.min(0.85, Math.max(0.15, 0.2 + pa.radiusM / 6000 + rng.range(-0.15, 0.15)))
    for (let i = 0; i < perTeam; i++) {
      const mode: PatrolMode = rng.chance(pMotorbike) ? 'motorbike' : 'foot'
      const steps = planPatrol(pa, f, beat, homePaths, mode, rng)
      // Equal sub-windows, one patrol each: spread over the window, never overlapping, all before end.
      const from = startMs + Math.floor(span * i / perTeam)
      const to = startMs + Math.floor(span * (i + 1) / perTeam)
      const duration = Math.ceil(steps[steps.length - 1].t1)
      const start = pickStart(from, to - 1, duration, rng)
      let fixes = sampleFixes(steps, f, start, rng)
      // Only when a patrol is longer than its sub-window (very many patrols per week): cut it.
      if (fixes[fixes.length - 1].time >= to) fixes = fixes.filter(x => x.time < to)
      yield { team_id: team.id, commune_code: team.commune_code, province_code: team.province_code, mode, startedAt: fixes[0].time, fixes }
    }
  }
}
