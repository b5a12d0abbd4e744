// Tests of the deterministic patrol-track generator (pure module, no database): a hand-made square
// commune whose favoured places are known, and the real full-detail Phường Hải Dương (10525) of
// Hải Phòng from the shared geodata folder. Every check is recomputed here from the raw fixes.
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as turf from '@turf/turf'
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson'
import { cellToLatLng, latLngToCell, polygonToCells } from 'h3-js'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  expectedPatrolCount, generatePatrols, patrolBeat,
  type GeneratedPatrol, type PatrolCommuneInput, type PatrolGenerationOptions, type PatrolTeamInput
} from '../../data/demo/patrols.ts'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const GEO_DIR = process.env.GEO_DIR ?? resolve(ROOT, '../shared/geo')
/** Exclusive end of the window: local (UTC+7) midnight starting 1 November 2025. */
const END = new Date('2025-11-01T00:00:00+07:00')
const DAY = 86_400_000
const HOUR = 3_600_000
const SEED = 20251101
const OPTIONS: PatrolGenerationOptions = { seed: SEED, end: END, days: 14 }

const SPEED_KMH = { foot: [3.5, 5.5], motorbike: [15, 35] } as const
const DURATION_MIN = { foot: [45, 120], motorbike: [60, 150] } as const

// Local metric frame (equirectangular), independent of the generator's own.
const M_PER_DEG_LAT = 110_574
const metresBetween = (a: [number, number], b: [number, number]): number => {
  const kx = 111_320 * Math.cos((a[1] + b[1]) / 2 * Math.PI / 180)
  return Math.hypot((b[0] - a[0]) * kx, (b[1] - a[1]) * M_PER_DEG_LAT)
}

/** A 2 km × 2 km square commune in Hải Phòng, with three favoured places 350–450 m from its centre. */
const C0: [number, number] = [106.68, 20.85]
const KX = 111_320 * Math.cos(C0[1] * Math.PI / 180)
const r6 = (x: number): number => Math.round(x * 1e6) / 1e6
const at = (dx: number, dy: number): [number, number] => [r6(C0[0] + dx / KX), r6(C0[1] + dy / M_PER_DEG_LAT)]
const SQUARE: PatrolCommuneInput = {
  code: '99001',
  geometry: { type: 'Polygon', coordinates: [[at(-1000, -1000), at(1000, -1000), at(1000, 1000), at(-1000, 1000), at(-1000, -1000)]] },
  favouredPlaces: [at(-300, -200), at(300, -150), at(50, 350)]
}
const squareTeams: PatrolTeamInput[] = [1, 2, 3, 4, 5].map(i => ({ id: `sq-${i}`, commune_code: SQUARE.code, province_code: '31' }))

let hd: PatrolCommuneInput
let hdFeature: Feature<Polygon | MultiPolygon>
const hdTeams: PatrolTeamInput[] = [1, 2, 3, 4, 5, 6].map(i => ({ id: `hd-${i}`, commune_code: '10525', province_code: '31' }))
let square: GeneratedPatrol[]
let real: GeneratedPatrol[]

beforeAll(() => {
  const fc = JSON.parse(readFileSync(resolve(GEO_DIR, 'haiphong_wards_2025.geojson'), 'utf8')) as FeatureCollection<Polygon | MultiPolygon>
  hdFeature = fc.features.find(f => String(f.properties?.code) === '10525')!
  hd = { code: '10525', geometry: hdFeature.geometry }
  square = [...generatePatrols([SQUARE], squareTeams, OPTIONS)]
  real = [...generatePatrols([hd], hdTeams, OPTIONS)]
})

const allFixes = (ps: GeneratedPatrol[]) => ps.flatMap(p => p.fixes)
const localHour = (t: number): number => ((t + 7 * HOUR) % DAY) / HOUR

/** For each fix, the mean speed (km/h) to the first fix at least 60 s later: GPS noise averages out. */
function minuteSpeeds (p: GeneratedPatrol): number[] {
  const out: number[] = []
  let j = 0
  for (let i = 0; i < p.fixes.length; i++) {
    while (j < p.fixes.length && p.fixes[j].time - p.fixes[i].time < 60_000) j++
    if (j >= p.fixes.length) break
    const a = p.fixes[i]; const b = p.fixes[j]
    out.push(metresBetween([a.lon, a.lat], [b.lon, b.lat]) / ((b.time - a.time) / 1000) * 3.6)
  }
  return out
}

function quantile (xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]
}

describe('determinism and counts', () => {
  it('gives identical patrols for the same seed, even from a fresh copy of the geometry', () => {
    const again = [...generatePatrols([structuredClone(hd)], structuredClone(hdTeams), { ...OPTIONS })]
    expect(JSON.stringify(again)).toBe(JSON.stringify(real))
  })

  it('gives different patrols for a different seed', () => {
    const other = [...generatePatrols([hd], hdTeams, { ...OPTIONS, seed: SEED + 1 })]
    expect(other).toHaveLength(real.length)
    const sameStart = other.filter((p, i) => p.startedAt === real[i].startedAt).length
    expect(sameStart).toBeLessThan(real.length / 4)
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(real))
  })

  it('leaves a team\'s patrols unchanged when another team is added', () => {
    const more = [...generatePatrols([hd, SQUARE], [hdTeams[0], squareTeams[0], hdTeams[1]], OPTIONS)]
    const same = more.filter(p => p.team_id === hdTeams[0].id || p.team_id === hdTeams[1].id)
    expect(JSON.stringify(same)).toBe(JSON.stringify(real.filter(p => p.team_id === hdTeams[0].id || p.team_id === hdTeams[1].id)))
  })

  it('yields exactly expectedPatrolCount patrols: round(days / 7 × per week) per team', () => {
    expect(real).toHaveLength(expectedPatrolCount(hdTeams.length, OPTIONS))
    expect(real).toHaveLength(hdTeams.length * 4)
    for (const t of hdTeams) expect(real.filter(p => p.team_id === t.id)).toHaveLength(4)
    const opts = { seed: 3, end: END, days: 10, patrolsPerTeamPerWeek: 3 }
    expect(expectedPatrolCount(squareTeams.length, opts)).toBe(squareTeams.length * Math.round(10 / 7 * 3))
    expect([...generatePatrols([SQUARE], squareTeams, opts)]).toHaveLength(squareTeams.length * 4)
    // The default is 14 days, 2 a week.
    expect(expectedPatrolCount(7, { seed: 1, end: END })).toBe(28)
    // A team whose commune is not given has no patrols.
    expect([...generatePatrols([SQUARE], [{ id: 'x', commune_code: '00000', province_code: '31' }], OPTIONS)]).toHaveLength(0)
  })

  it('carries the team, commune and province of each team, and starts at the first fix', () => {
    for (const p of real) {
      const team = hdTeams.find(t => t.id === p.team_id)!
      expect(p.commune_code).toBe(team.commune_code)
      expect(p.province_code).toBe(team.province_code)
      expect(p.startedAt).toBe(p.fixes[0].time)
    }
  })
})

describe('where', () => {
  it('keeps every fix inside the commune, allowing 30 m of GPS noise at the boundary', () => {
    for (const [commune, patrols] of [[SQUARE, square], [hd, real]] as const) {
      const polygon = turf.feature(commune.geometry)
      const boundary = turf.polygonToLine(polygon)
      const lines = boundary.type === 'FeatureCollection' ? boundary.features : [boundary]
      let outside = 0
      const fixes = allFixes(patrols)
      for (const f of fixes) {
        if (turf.booleanPointInPolygon([f.lon, f.lat], polygon)) continue
        outside++
        const d = Math.min(...lines.map(l => turf.pointToLineDistance([f.lon, f.lat], l as Feature<any>, { units: 'meters' })))
        expect(d, `${commune.code} ${f.lon},${f.lat}`).toBeLessThanOrEqual(30)
      }
      // Outside fixes come from noise at the edge only, never from whole stretches of track.
      expect(outside).toBeLessThan(fixes.length * 0.02)
    }
  })

  it('visits each of the three favoured places of the square (fix within 50 m) in most patrols', () => {
    for (const t of squareTeams) {
      // Three places given: every team's beat is exactly those three.
      expect(new Set(patrolBeat(SQUARE, t, SEED).map(p => p.join()))).toEqual(new Set(SQUARE.favouredPlaces!.map(p => p.join())))
    }
    for (const place of SQUARE.favouredPlaces!) {
      const visited = square.filter(p => p.fixes.some(f => metresBetween([f.lon, f.lat], place) <= 50)).length
      expect(visited, place.join()).toBeGreaterThanOrEqual(square.length * 0.75)
    }
  })

  it('gives each team of the real commune 3–6 places inside it, visited in most of its patrols', () => {
    const polygon = turf.feature(hd.geometry)
    const beats = hdTeams.map(t => patrolBeat(hd, t, SEED))
    for (const [i, beat] of beats.entries()) {
      expect(beat.length).toBeGreaterThanOrEqual(3)
      expect(beat.length).toBeLessThanOrEqual(6)
      for (const place of beat) expect(turf.booleanPointInPolygon(place, polygon)).toBe(true)
      const own = real.filter(p => p.team_id === hdTeams[i].id)
      const visits = beat.map(place => own.filter(p => p.fixes.some(f => metresBetween([f.lon, f.lat], place) <= 50)).length)
      // Most places in most patrols (a short foot patrol may skip the farthest place).
      expect(visits.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(beat.length * own.length * 0.7)
    }
    // Teams of the same commune have different beats.
    expect(new Set(beats.map(b => JSON.stringify(b))).size).toBe(beats.length)
  })

  it('picks each team\'s beat from the given favoured places, a different subset per team', () => {
    const polygon = turf.feature(hd.geometry)
    const bb = turf.bbox(polygon)
    // 12 favoured points inside the commune from a fixed LCG, independent of the generator.
    const favoured: Array<[number, number]> = []
    let s = 12345
    const next = () => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s / 4294967296 }
    while (favoured.length < 12) {
      const p: [number, number] = [+(bb[0] + next() * (bb[2] - bb[0])).toFixed(6), +(bb[1] + next() * (bb[3] - bb[1])).toFixed(6)]
      if (turf.booleanPointInPolygon(p, polygon)) favoured.push(p)
    }
    const commune = { ...hd, favouredPlaces: favoured }
    const keys = new Set(favoured.map(p => p.join()))
    const beats = hdTeams.map(t => patrolBeat(commune, t, SEED))
    for (const beat of beats) {
      expect(beat.length).toBeGreaterThanOrEqual(3)
      expect(beat.length).toBeLessThanOrEqual(6)
      for (const p of beat) expect(keys.has(p.join()), p.join()).toBe(true)
    }
    expect(new Set(beats.map(b => JSON.stringify([...b].sort()))).size).toBeGreaterThan(1)
  })

  it('leaves real gaps: much of the commune\'s res-9 H3 cells are never visited by a team', () => {
    const polys = hd.geometry.type === 'Polygon' ? [hd.geometry.coordinates] : hd.geometry.coordinates
    const cells = new Set(polys.flatMap(rings => polygonToCells(rings, 9, true)))
    expect(cells.size).toBeGreaterThan(40)
    const union = new Set<string>()
    for (const t of hdTeams) {
      const visited = new Set(real.filter(p => p.team_id === t.id).flatMap(p => p.fixes.map(f => latLngToCell(f.lat, f.lon, 9))))
      for (const c of visited) union.add(c)
      const unvisited = [...cells].filter(c => !visited.has(c)).length / cells.size
      expect(unvisited, t.id).toBeGreaterThanOrEqual(0.3)
      // …but a team does get around: not just a handful of cells.
      expect(unvisited, t.id).toBeLessThan(0.95)
    }
    // Even all six teams together leave a good part of the commune unvisited.
    expect([...cells].filter(c => !union.has(c)).length).toBeGreaterThan(cells.size * 0.2)
  })

  it('concentrates a team\'s fixes near its beat: far cells are rarely entered', () => {
    const polys = hd.geometry.type === 'Polygon' ? [hd.geometry.coordinates] : hd.geometry.coordinates
    const cells = [...new Set(polys.flatMap(rings => polygonToCells(rings, 9, true)))]
    for (const t of hdTeams) {
      const own = real.filter(p => p.team_id === t.id)
      const base: [number, number] = [own[0].fixes[0].lon, own[0].fixes[0].lat]
      const anchors = [base, ...patrolBeat(hd, t, SEED)]
      const visited = new Set(own.flatMap(p => p.fixes.map(f => latLngToCell(f.lat, f.lon, 9))))
      // The cell of each favoured place is always visited.
      for (const [lon, lat] of anchors) expect(visited.has(latLngToCell(lat, lon, 9))).toBe(true)
      const far = cells.filter(c => {
        const [lat, lon] = cellToLatLng(c)
        return anchors.every(a => metresBetween(a, [lon, lat]) > 700)
      })
      if (far.length === 0) continue
      expect(far.filter(c => visited.has(c)).length, t.id).toBeLessThanOrEqual(far.length * 0.25)
    }
  })
})

describe('how and when', () => {
  it('records a fix every 5–15 s, in time order', () => {
    const dts = [...square, ...real].flatMap(p => p.fixes.slice(1).map((f, i) => f.time - p.fixes[i].time))
    expect(dts.filter(dt => !(dt >= 5000 && dt <= 15000))).toEqual([])
    // The intervals spread over the whole range (uniform, mean ≈ 10 s).
    expect(Math.min(...dts)).toBeLessThan(5500)
    expect(Math.max(...dts)).toBeGreaterThan(14500)
    const mean = dts.reduce((a, b) => a + b, 0) / dts.length
    expect(mean).toBeGreaterThan(9500)
    expect(mean).toBeLessThan(10500)
  })

  it('moves at the mode\'s speed: minute-averaged speeds within its range, stops apart', () => {
    for (const p of [...square, ...real]) {
      const [lo, hi] = SPEED_KMH[p.mode]
      const v = minuteSpeeds(p)
      // Never faster than the mode allows (plus ≤ 25 m of GPS noise over a minute = 1.5 km/h).
      expect(Math.max(...v), `${p.team_id} ${p.mode}`).toBeLessThanOrEqual(hi + 1.5)
      // While moving (above half the slowest speed: not stopped), the mode's pace, with room for
      // bends in the path and noise.
      const moving = v.filter(x => x > lo / 2)
      expect(moving.length).toBeGreaterThan(v.length / 2)
      expect(quantile(moving, 0.5), `${p.team_id} ${p.mode}`).toBeGreaterThanOrEqual(lo * 0.9)
      // Minutes that include part of a stop are slower: a quarter of them may fall below 75 %.
      expect(quantile(moving, 0.25), `${p.team_id} ${p.mode}`).toBeGreaterThanOrEqual(lo * 0.75)
    }
  })

  it('stops at some places: foot patrols have minutes of standing still, with fixes jittering', () => {
    const foot = [...square, ...real].filter(p => p.mode === 'foot')
    expect(foot.length).toBeGreaterThan(3)
    const withStop = foot.filter(p => {
      const v = minuteSpeeds(p)
      return v.filter(x => x < 1).length >= 6 // ≥ 1 min of fixes with almost no net movement
    })
    expect(withStop.length).toBeGreaterThan(foot.length / 2)
    // Standing still is not frozen: consecutive fixes still differ (GPS noise).
    const p = withStop[0]
    const identical = p.fixes.slice(1).filter((f, i) => f.lon === p.fixes[i].lon && f.lat === p.fixes[i].lat).length
    expect(identical).toBeLessThan(p.fixes.length * 0.05)
  })

  it('uses both modes, with patrols of plausible length for each', () => {
    const all = [...square, ...real]
    for (const mode of ['foot', 'motorbike'] as const) {
      const ds = all.filter(p => p.mode === mode).map(p => (p.fixes.at(-1)!.time - p.startedAt) / 60_000)
      expect(ds.length, mode).toBeGreaterThan(3)
      const [lo, hi] = DURATION_MIN[mode]
      for (const d of ds) {
        expect(d, mode).toBeGreaterThanOrEqual(lo * 0.8)
        expect(d, mode).toBeLessThanOrEqual(hi * 1.1)
      }
    }
  })

  it('ends each patrol back at its base, where it started', () => {
    for (const p of [...square, ...real]) {
      const a = p.fixes[0]; const b = p.fixes.at(-1)!
      expect(metresBetween([a.lon, a.lat], [b.lon, b.lat])).toBeLessThan(40)
    }
  })

  it('puts every fix in [end − days, end), patrols spread over the window and never overlapping', () => {
    const from = END.getTime() - 14 * DAY
    const times = allFixes([...square, ...real]).map(f => f.time)
    expect(times.filter(t => !(t >= from && t < END.getTime()))).toEqual([])
    for (const t of [...squareTeams, ...hdTeams]) {
      const own = [...square, ...real].filter(p => p.team_id === t.id)
      for (let i = 1; i < own.length; i++) expect(own[i].startedAt).toBeGreaterThan(own[i - 1].fixes.at(-1)!.time)
      // One in each half of the window at least.
      expect(own.some(p => p.startedAt < from + 7 * DAY)).toBe(true)
      expect(own.some(p => p.startedAt >= from + 7 * DAY)).toBe(true)
    }
  })

  it('starts patrols in the evening (18–23 h), morning (6–9 h) or afternoon (14–17 h), Vietnam time', () => {
    // 40 teams × 4 patrols: enough starts for the shares to show.
    const many = Array.from({ length: 40 }, (_, i) => ({ id: `h-${i}`, commune_code: SQUARE.code, province_code: '31' }))
    const hours = [...generatePatrols([SQUARE], many, OPTIONS)].map(p => localHour(p.startedAt))
    for (const h of hours) expect((h >= 6 && h < 9) || (h >= 14 && h < 17) || (h >= 18 && h < 23), String(h)).toBe(true)
    const evening = hours.filter(h => h >= 18).length
    expect(evening).toBeGreaterThan(hours.filter(h => h < 9).length)
    expect(evening).toBeGreaterThan(hours.filter(h => h >= 14 && h < 17).length)
  })

  it('rejects a missing end, non-positive days and a non-finite seed', () => {
    expect(() => expectedPatrolCount(1, { seed: 1, end: new Date('x') })).toThrow(/end/)
    expect(() => [...generatePatrols([SQUARE], squareTeams, { seed: 1, end: END, days: 0 })]).toThrow(/days/)
    expect(() => [...generatePatrols([SQUARE], squareTeams, { seed: NaN, end: END })]).toThrow(/seed/)
  })
})
