// Tests of the deterministic demo-data generator (pure module, no database), on the real
// full-detail Hải Phòng and Hà Nội commune geometry from the shared geodata folder.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as turf from '@turf/turf'
import type { Feature, FeatureCollection, LineString, MultiLineString, MultiPolygon, Polygon } from 'geojson'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  GENERATED_LABEL, expectedIncidentCount, generateIncidents, generateTeams,
  type DemoInput, type GeneratedIncident
} from '../../data/demo/generate.ts'
import { loadDemoCommunes, loadRivers, parseCsv } from '../../data/demo/load-geo.ts'
import { mulberry32 } from '../helpers/random-incidents.ts'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const GEO_DIR = process.env.GEO_DIR ?? resolve(ROOT, '../shared/geo')
const HAIPHONG = 'haiphong_wards_2025.geojson'
const HANOI = 'hanoi_wards_2025.geojson'
/** Exclusive end of the window: local (UTC+7) midnight starting 1 November 2025. */
const END = new Date('2025-11-01T00:00:00+07:00')
const DAY = 86_400_000
const HOUR = 3_600_000
const CATEGORIES = ['security', 'social_order', 'traffic', 'fire', 'rescue', 'flood', 'other'] as const

const localHour = (d: Date): number => ((d.getTime() + 7 * HOUR) % DAY) / HOUR
const localDow = (d: Date): number => new Date(d.getTime() + 7 * HOUR).getUTCDay()
const localMonth = (d: Date): number => new Date(d.getTime() + 7 * HOUR).getUTCMonth()


/** Local metric projection around a latitude (metres), for nearest-neighbour distances. */
function projector (lat0: number): (lon: number, lat: number) => [number, number] {
  const kx = 111_320 * Math.cos(lat0 * Math.PI / 180)
  return (lon, lat) => [lon * kx, lat * 110_574]
}

/**
 * Neighbour density ratio (Ripley's K at radius r, no edge correction): the mean number of other
 * points within r of a point, divided by what complete spatial randomness gives (λ·π·r²).
 * ≈ 1 (slightly less, from edge effects) for uniform points, well above 1 for clustered ones.
 */
function neighbourDensityRatio (points: Array<[number, number]>, areaM2: number, r: number): number {
  let pairs = 0
  for (let i = 0; i < points.length; i++) {
    for (let j = 0; j < points.length; j++) {
      if (i === j) continue
      const dx = points[i][0] - points[j][0]; const dy = points[i][1] - points[j][1]
      if (dx * dx + dy * dy <= r * r) pairs++
    }
  }
  return (pairs / points.length) / ((points.length - 1) / areaM2 * Math.PI * r * r)
}

/** Median nearest-neighbour distance relative to its value under randomness (0.4697·√(A/n)). */
function medianNearestNeighbourRatio (points: Array<[number, number]>, areaM2: number): number {
  const d = points.map((p, i) => {
    let best = Infinity
    points.forEach((q, j) => { if (i !== j) best = Math.min(best, (p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2) })
    return Math.sqrt(best)
  }).sort((x, y) => x - y)
  return d[Math.floor(d.length / 2)] / (0.4697 * Math.sqrt(areaM2 / points.length))
}

function readWardFeatures (file: string): Map<string, Feature<Polygon | MultiPolygon>> {
  const fc = JSON.parse(readFileSync(resolve(GEO_DIR, file), 'utf8')) as FeatureCollection<Polygon | MultiPolygon>
  return new Map(fc.features.map(f => [String(f.properties?.code), f]))
}

function input (over: Partial<DemoInput> & Pick<DemoInput, 'communes'>): DemoInput {
  return { rivers: rivers, seed: 20251101, days: 180, end: END, ...over }
}

let communes: ReturnType<typeof loadDemoCommunes>
let rivers: FeatureCollection<LineString | MultiLineString>
let wards: Map<string, Feature<Polygon | MultiPolygon>>
/** The default Hải Phòng run: 180 days, scale 1. */
let incidents: GeneratedIncident[]

beforeAll(() => {
  communes = loadDemoCommunes(GEO_DIR, HAIPHONG)
  rivers = loadRivers(GEO_DIR)
  wards = readWardFeatures(HAIPHONG)
  incidents = [...generateIncidents(input({ communes }))]
})

describe('determinism', () => {
  it('gives byte-identical teams and incidents for the same input, even from fresh copies of the geometry', () => {
    const again = input({ communes: structuredClone(communes), rivers: structuredClone(rivers) })
    expect(JSON.stringify([...generateIncidents(again)])).toBe(JSON.stringify(incidents))
    expect(JSON.stringify(generateTeams(again))).toBe(JSON.stringify(generateTeams(input({ communes }))))
  })

  it('gives different teams and incidents for a different seed', () => {
    const other = [...generateIncidents(input({ communes, seed: 20251102 }))]
    const samePlace = other.filter((x, i) => incidents[i] && x.lon === incidents[i].lon && x.lat === incidents[i].lat).length
    expect(samePlace).toBeLessThan(other.length * 0.01)
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(incidents))
    const names = (seed: number) => generateTeams(input({ communes, seed })).flatMap(t => t.members.map(m => m.full_name + m.phone))
    const a = names(1); const b = names(2)
    expect(a.filter((x, i) => x === b[i]).length).toBeLessThan(a.length * 0.01)
  })

  it('leaves the other communes unchanged when a commune is added', () => {
    const few = communes.slice(0, 4)
    const more = [...few, communes[10]]
    const a = [...generateIncidents(input({ communes: few }))]
    const b = [...generateIncidents(input({ communes: more }))].filter(x => few.some(c => c.code === x.commune_code))
    expect(a.length).toBeGreaterThan(100)
    expect(JSON.stringify(b)).toBe(JSON.stringify(a))
    const ta = generateTeams(input({ communes: few }))
    const tb = generateTeams(input({ communes: more })).filter(t => few.some(c => c.code === t.commune_code))
    expect(JSON.stringify(tb)).toBe(JSON.stringify(ta))
  })
})

describe('teams', () => {
  it('gives every commune 8–15 teams of 3–6 members with exactly one head and one deputy', () => {
    const teams = generateTeams(input({ communes }))
    for (const c of communes) {
      const own = teams.filter(t => t.commune_code === c.code)
      expect(own.length, c.code).toBeGreaterThanOrEqual(8)
      expect(own.length, c.code).toBeLessThanOrEqual(15)
      own.forEach((t, i) => {
        expect(t.province_code).toBe(c.province_code)
        expect(t.name).toBe(`Tổ bảo vệ ANTT số ${i + 1} – ${c.name}`)
        expect(t.members.length).toBeGreaterThanOrEqual(3)
        expect(t.members.length).toBeLessThanOrEqual(6)
        expect(t.members.filter(m => m.role === 'head')).toHaveLength(1)
        expect(t.members.filter(m => m.role === 'deputy')).toHaveLength(1)
        expect(t.members.filter(m => m.role === 'member')).toHaveLength(t.members.length - 2)
      })
    }
    // Populous communes get more teams than the smallest ones.
    const bySize = [...communes].sort((a, b) => a.population - b.population)
    const count = (code: string) => teams.filter(t => t.commune_code === code).length
    const small = bySize.slice(0, 20).reduce((s, c) => s + count(c.code), 0)
    const large = bySize.slice(-20).reduce((s, c) => s + count(c.code), 0)
    expect(large).toBeGreaterThan(small)
  })

  it('uses Vietnamese names with diacritics and fake 09x mobile numbers', () => {
    const members = generateTeams(input({ communes })).flatMap(t => t.members)
    const families = new Set(['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý', 'Đào', 'Đinh', 'Trịnh', 'Mai', 'Cao', 'Lương', 'Tạ', 'Vương'])
    for (const m of members) {
      const parts = m.full_name.split(' ')
      expect(parts, m.full_name).toHaveLength(3)
      expect(families.has(parts[0]), m.full_name).toBe(true)
      expect(m.full_name.normalize('NFC')).toBe(m.full_name)
      expect(m.phone).toMatch(/^09\d{8}$/)
    }
    const withDiacritics = members.filter(m => /[^\x00-\x7f]/.test(m.full_name)).length
    expect(withDiacritics / members.length).toBeGreaterThan(0.6)
    expect(members.filter(m => m.full_name.startsWith('Nguyễn ')).length / members.length).toBeGreaterThan(0.25)
    expect(new Set(members.map(m => m.phone)).size).toBeGreaterThan(members.length * 0.99)
  })
})

describe('incident volume', () => {
  it('aims at 0.6 incidents per 1,000 residents per 30 days and delivers about that many', () => {
    const population = communes.reduce((s, c) => s + c.population, 0)
    const expected = expectedIncidentCount(input({ communes }))
    expect(expected).toBeCloseTo(population / 1000 * 0.6 * 6, 6)
    expect(expected).toBeGreaterThan(14_000)
    expect(expected).toBeLessThan(20_000)
    expect(Math.abs(incidents.length - expected) / expected).toBeLessThan(0.03)
  })

  it('gives each commune incidents in proportion to its population', () => {
    const counts = communes.map(c => incidents.filter(x => x.commune_code === c.code).length)
    const pops = communes.map(c => c.population)
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
    const mx = mean(pops); const my = mean(counts)
    let sxy = 0; let sxx = 0; let syy = 0
    pops.forEach((x, i) => { sxy += (x - mx) * (counts[i] - my); sxx += (x - mx) ** 2; syy += (counts[i] - my) ** 2 })
    expect(sxy / Math.sqrt(sxx * syy)).toBeGreaterThan(0.97)
  })

  it('multiplies the volume by scale', () => {
    const few = communes.slice(20, 30)
    let n1 = 0; let n3 = 0
    for (const _ of generateIncidents(input({ communes: few }))) n1++
    for (const _ of generateIncidents(input({ communes: few, scale: 3 }))) n3++
    expect(expectedIncidentCount(input({ communes: few, scale: 3 }))).toBeCloseTo(3 * expectedIncidentCount(input({ communes: few })), 6)
    expect(n3 / n1).toBeGreaterThan(2.7)
    expect(n3 / n1).toBeLessThan(3.3)
  })

  it('streams incidents lazily instead of building the whole list first', () => {
    const huge = input({ communes, scale: 200 }) // ≈ 3 million incidents
    const t0 = performance.now()
    const stream = generateIncidents(huge)
    const first: GeneratedIncident[] = []
    for (let i = 0; i < 1000; i++) first.push(stream.next().value as GeneratedIncident)
    stream.return(undefined)
    expect(first.every(x => x && x.commune_code === communes[0].code)).toBe(true)
    expect(performance.now() - t0).toBeLessThan(3000)
  })
})

describe('where incidents happen', () => {
  it('puts every incident inside its own commune (turf, full-detail polygon)', () => {
    expect(incidents.length).toBeGreaterThan(2000)
    const outside = incidents.filter(x => {
      const ward = wards.get(x.commune_code)
      return !ward || !turf.booleanPointInPolygon([x.lon, x.lat], ward)
    })
    expect(outside).toEqual([])
    expect(incidents.every(x => x.province_code === '31')).toBe(true)
  })

  it('clusters incidents into hot spots far denser than uniform points in the same commune', () => {
    const byCommune = new Map<string, GeneratedIncident[]>()
    for (const x of incidents) {
      const list = byCommune.get(x.commune_code)
      if (list) list.push(x); else byCommune.set(x.commune_code, [x])
    }
    const ratios: number[] = []
    let controls = 0
    for (const [code, xs] of [...byCommune].sort((a, b) => b[1].length - a[1].length)) {
      if (xs.length < 100) break
      const ward = wards.get(code)!
      const bbox = turf.bbox(ward)
      const project = projector((bbox[1] + bbox[3]) / 2)
      const areaM2 = turf.area(ward)
      const points = xs.map(x => project(x.lon, x.lat))
      const ratio = neighbourDensityRatio(points, areaM2, 300)
      expect(ratio, code).toBeGreaterThan(1.5)
      ratios.push(ratio)
      if (controls++ < 3) { // control: as many uniform points in the same polygon
        const rand = mulberry32(controls)
        const uniform: Array<[number, number]> = []
        while (uniform.length < xs.length) {
          const lon = bbox[0] + rand() * (bbox[2] - bbox[0]); const lat = bbox[1] + rand() * (bbox[3] - bbox[1])
          if (turf.booleanPointInPolygon([lon, lat], ward)) uniform.push(project(lon, lat))
        }
        expect(neighbourDensityRatio(uniform, areaM2, 300)).toBeLessThan(1.2)
        expect(medianNearestNeighbourRatio(uniform, areaM2)).toBeGreaterThan(0.9)
        expect(medianNearestNeighbourRatio(points, areaM2), code).toBeLessThan(0.8)
      }
    }
    expect(ratios.length).toBeGreaterThan(40)
    expect([...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)]).toBeGreaterThan(3)
  })

  it('puts 10–15% more incidents within 300 m of a river in communes the river crosses, more of them rescues and floods', () => {
    const hanoi = loadDemoCommunes(GEO_DIR, HANOI)
    const hanoiWards = readWardFeatures(HANOI)
    // Communes crossed by a river line (turf; the lines are clipped to the commune's bbox first for speed).
    const crossed = hanoi.filter(c => {
      const ward = hanoiWards.get(c.code)!
      return rivers.features.some(r => {
        const clipped = turf.bboxClip(r, turf.bbox(ward))
        return clipped.geometry.coordinates.length > 0 && turf.booleanIntersects(ward, clipped)
      })
    })
    expect(crossed.length).toBeGreaterThan(5)
    // River lines clipped to each commune's surroundings (LineString parts with their bbox), to keep
    // turf's distance checks fast; points more than ~1.2 km from a part's bbox are far from it.
    const nearby = new Map(crossed.map(c => {
      const [w, s, e, n] = turf.bbox(hanoiWards.get(c.code)!)
      const parts = rivers.features.flatMap(r => {
        const g = turf.bboxClip(r, [w - 0.02, s - 0.02, e + 0.02, n + 0.02]).geometry
        const lines = g.type === 'LineString' ? [g.coordinates] : (g.coordinates as number[][][])
        return lines.filter(l => l.length > 1).map(l => ({ line: turf.lineString(l), bbox: turf.bbox(turf.lineString(l)) }))
      })
      return [c.code, parts]
    }))
    const distanceM = (x: GeneratedIncident): number => {
      let best = Infinity
      for (const { line, bbox } of nearby.get(x.commune_code)!) {
        const m = 0.012
        if (x.lon < bbox[0] - m || x.lon > bbox[2] + m || x.lat < bbox[1] - m || x.lat > bbox[3] + m) continue
        best = Math.min(best, turf.pointToLineDistance([x.lon, x.lat], line, { units: 'meters' }))
      }
      return best
    }
    const withRivers = [...generateIncidents(input({ communes: crossed }))]
    const without = [...generateIncidents(input({ communes: crossed, rivers: { type: 'FeatureCollection', features: [] } }))]
    const near = withRivers.filter(x => distanceM(x) <= 300)
    const nearShare = near.length / withRivers.length
    const baseline = without.filter(x => distanceM(x) <= 300).length / without.length
    expect(nearShare - baseline).toBeGreaterThan(0.08)
    expect(nearShare - baseline).toBeLessThan(0.17)
    const waterShare = (xs: GeneratedIncident[]) => xs.filter(x => x.category === 'rescue' || x.category === 'flood').length / xs.length
    const far = withRivers.filter(x => distanceM(x) > 1000)
    expect(waterShare(near)).toBeGreaterThan(2 * waterShare(far))
    expect(near.some(x => x.description.includes('sông'))).toBe(true)
  })
})

describe('what happens', () => {
  it('follows the national category mix over a full year', () => {
    const year = [...generateIncidents(input({ communes, days: 365 }))]
    const share = (c: string) => year.filter(x => x.category === c).length / year.length
    const targets = { security: [0.45, 0.02], social_order: [0.25, 0.02], traffic: [0.18, 0.015], other: [0.075, 0.01], fire: [0.02, 0.005], rescue: [0.015, 0.005], flood: [0.01, 0.005] } as const
    for (const c of CATEGORIES) {
      const [target, tolerance] = targets[c]
      expect(Math.abs(share(c) - target), `${c}: ${share(c).toFixed(4)}`).toBeLessThan(tolerance)
    }
    // Floods and rescues are concentrated in the rainy season (June–October).
    const water = year.filter(x => x.category === 'flood' || x.category === 'rescue')
    const rainy = water.filter(x => localMonth(x.occurred_at) >= 5 && localMonth(x.occurred_at) <= 9).length
    expect((rainy / 153) / ((water.length - rainy) / 212)).toBeGreaterThan(2)
  })

  it('has a few hundred fires and rescues in the default Hải Phòng run', () => {
    const fires = incidents.filter(x => x.category === 'fire').length
    const rescues = incidents.filter(x => x.category === 'rescue').length
    expect(fires).toBeGreaterThan(100)
    expect(rescues).toBeGreaterThan(100)
    expect(fires + rescues).toBeGreaterThan(200)
    expect(fires + rescues).toBeLessThan(900)
  })

  it('skews severity to 2–3, with fires and rescues more severe', () => {
    const midShare = incidents.filter(x => x.severity === 2 || x.severity === 3).length / incidents.length
    expect(midShare).toBeGreaterThan(0.55)
    expect(incidents.every(x => [1, 2, 3, 4, 5].includes(x.severity))).toBe(true)
    const mean = (c: string) => { const xs = incidents.filter(x => x.category === c); return xs.reduce((s, x) => s + x.severity, 0) / xs.length }
    expect(mean('fire')).toBeGreaterThan(mean('security') + 0.5)
    expect(mean('rescue')).toBeGreaterThan(mean('security') + 0.5)
  })

  it('labels every description as generated and writes it in Vietnamese', () => {
    expect(GENERATED_LABEL).toBe('[Dữ liệu mô phỏng / generated]')
    for (const x of incidents) {
      expect(x.description.startsWith(GENERATED_LABEL + ' ')).toBe(true)
      expect(x.description.length).toBeGreaterThan(GENERATED_LABEL.length + 5)
    }
    const texts = new Set(incidents.map(x => x.description.slice(GENERATED_LABEL.length + 1)))
    expect(texts.has('Trộm cắp xe máy')).toBe(true)
    expect(texts.has('Cháy nhà dân')).toBe(true)
    expect(texts.size).toBeGreaterThan(40)
  })
})

describe('when incidents happen', () => {
  it('keeps occurred_at inside [end − days, end) and reported_at between occurred_at and end', () => {
    const start = END.getTime() - 180 * DAY
    for (const x of incidents) {
      expect(x.occurred_at.getTime()).toBeGreaterThanOrEqual(start)
      expect(x.occurred_at.getTime()).toBeLessThan(END.getTime())
      expect(x.reported_at.getTime()).toBeGreaterThanOrEqual(x.occurred_at.getTime())
      expect(x.reported_at.getTime()).toBeLessThanOrEqual(END.getTime())
    }
    // Reports come minutes to hours later, not days.
    const delays = incidents.map(x => (x.reported_at.getTime() - x.occurred_at.getTime()) / 60_000).sort((a, b) => a - b)
    expect(delays[Math.floor(delays.length / 2)]).toBeGreaterThan(3)
    expect(delays[Math.floor(delays.length / 2)]).toBeLessThan(60)
    expect(delays[delays.length - 1]).toBeLessThanOrEqual(24 * 60)
  })

  it('follows a daily rhythm in Vietnam local time (UTC+7)', () => {
    const share = (c: string, inWindow: (h: number) => boolean) => {
      const xs = incidents.filter(x => x.category === c)
      return xs.filter(x => inWindow(localHour(x.occurred_at))).length / xs.length
    }
    // Uniform shares would be 4/24 ≈ 0.17, 4.5/24 ≈ 0.19 and 6/24 = 0.25.
    expect(share('security', h => h >= 19 && h < 23)).toBeGreaterThan(0.35)
    expect(share('traffic', h => (h >= 6.5 && h < 8.5) || (h >= 16.5 && h < 19))).toBeGreaterThan(0.45)
    expect(share('social_order', h => h >= 21 || h < 3)).toBeGreaterThan(0.5)
    expect(share('security', h => h >= 3 && h < 6)).toBeLessThan(0.08) // uniform: 0.125
  })

  it('has more security and social-order incidents on Friday to Sunday', () => {
    const perDay = (c: string, days: number[]) => incidents.filter(x => x.category === c && days.includes(localDow(x.occurred_at))).length / days.length
    expect(perDay('social_order', [5, 6, 0]) / perDay('social_order', [1, 2, 3, 4])).toBeGreaterThan(1.25)
    expect(perDay('security', [5, 6, 0]) / perDay('security', [1, 2, 3, 4])).toBeGreaterThan(1.1)
  })

  it('closes old incidents and keeps the last two days open', () => {
    const age = (x: GeneratedIncident) => (END.getTime() - x.occurred_at.getTime()) / DAY
    const old = incidents.filter(x => age(x) > 3)
    expect(old.every(x => x.status === 'closed' || x.status === 'resolved' || x.status === 'cancelled')).toBe(true)
    expect(old.filter(x => x.status === 'cancelled').length / old.length).toBeLessThan(0.1)
    expect(old.filter(x => x.status === 'cancelled').length).toBeGreaterThan(0)
    const recent = incidents.filter(x => age(x) < 2)
    for (const s of ['reported', 'dispatched', 'on_scene'] as const) expect(recent.some(x => x.status === s), s).toBe(true)
    const open = recent.filter(x => ['reported', 'dispatched', 'on_scene'].includes(x.status)).length
    expect(open / recent.length).toBeGreaterThan(0.35)
  })
})

describe('geodata loader', () => {
  it('joins population by commune code from the attributes CSV', () => {
    expect(communes).toHaveLength(114)
    const rows = parseCsv(readFileSync(resolve(GEO_DIR, 'vn_wards_2025_attributes.csv'), 'utf8'))
    const header = rows[0]
    const pop = new Map(rows.slice(1).map(r => [r[header.indexOf('ward_code')], Number(r[header.indexOf('population')])]))
    for (const c of communes) {
      expect(c.population, c.code).toBe(pop.get(c.code))
      expect(c.province_code).toBe('31')
      expect(['MultiPolygon', 'Polygon']).toContain(c.geometry.type)
    }
    expect(rivers.features.length).toBeGreaterThan(10)
  })

  it('parses quoted CSV fields and estimates a missing population from area × province density', () => {
    expect(parseCsv('a,"b, c","say ""hi"""\r\n1,2,3\n')).toEqual([['a', 'b, c', 'say "hi"'], ['1', '2', '3']])
    const dir = mkdtempSync(join(tmpdir(), 'demo-geo-'))
    try {
      writeFileSync(join(dir, 'vn_wards_2025_attributes.csv'), [
        'ward_code,province_code,full_name,province_name,area_km2,population,admin_center',
        '00001,99,Xã Một,"Tỉnh Thử, nghiệm",10,1000,"Số 1, đường A"',
        '00002,99,Xã Hai,"Tỉnh Thử, nghiệm",30,5000,"Số 2, đường B"',
        '00003,99,Xã Ba,"Tỉnh Thử, nghiệm",5,,"Số 3, đường C"'
      ].join('\n'))
      const square = (x: number): Polygon => ({ type: 'Polygon', coordinates: [[[x, 0], [x + 0.01, 0], [x + 0.01, 0.01], [x, 0.01], [x, 0]]] })
      writeFileSync(join(dir, 'test_wards.geojson'), JSON.stringify({
        type: 'FeatureCollection',
        features: ['00001', '00003'].map((code, i) => ({ type: 'Feature', properties: { code, name: `N${i}`, fullName: `Xã N${i}`, provinceCode: '99' }, geometry: square(i) }))
      }))
      const loaded = loadDemoCommunes(dir, 'test_wards.geojson')
      expect(loaded.map(c => [c.code, c.population, c.name])).toEqual([['00001', 1000, 'Xã N0'], ['00003', 750, 'Xã N1']])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
