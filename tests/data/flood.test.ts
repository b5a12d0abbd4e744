import { describe, expect, it } from 'vitest'
import { area, booleanIntersects, booleanPointInPolygon, buffer, feature, featureCollection, intersect } from '@turf/turf'
import { loadConfig } from '../../server/config.ts'
import { loadDemoCommunes, loadRivers } from '../../data/demo/load-geo.ts'
import { GENERATED_LABEL } from '../../data/demo/generate.ts'
import { COASTAL_STRIP_M, floodLines, generateFlood, MAX_ZONES, type FloodInput, type FloodPiece } from '../../data/demo/flood.ts'
import type { DemoCommune } from '../../data/demo/generate.ts'
import { loadLand } from '../../server/demo/load-flood.ts'
import { ZONE_TRANSITIONS } from '../../server/domain/zone-status.ts'

const geoDir = loadConfig().geoDir
const NOW = new Date('2025-09-07T06:00:00Z')

/**
 * The pieces the loader gets from PostGIS, made here independently with turf: the lines buffered
 * and clipped to each commune they touch.
 */
function piecesWithTurf (communes: DemoCommune[]): { pieces: FloodPiece[], lines: ReturnType<typeof floodLines> } {
  const lines = floodLines(communes, loadRivers(geoDir), loadLand(geoDir))
  const band = buffer(feature({ type: 'MultiLineString' as const, coordinates: lines.lines }), lines.bufferM, { units: 'meters' })!
  const pieces: FloodPiece[] = []
  for (const commune of communes) {
    if (!booleanIntersects(band, commune.geometry)) continue
    const piece = intersect(featureCollection([band as never, feature(commune.geometry)]))
    if (piece) pieces.push({ commune, geometry: piece.geometry, areaM2: area(piece), communeAreaM2: area(feature(commune.geometry)) })
  }
  return { pieces, lines }
}

const haiPhongCommunes = loadDemoCommunes(geoDir, 'haiphong_wards_2025.geojson')
const { pieces, lines } = piecesWithTurf(haiPhongCommunes)

function input (seed: number): FloodInput {
  // Two made-up team ids per commune, in a stable order, standing for the generated teams.
  const teams = haiPhongCommunes.flatMap((c, i) => [{ id: String(2 * i + 1), commune_code: c.code }, { id: String(2 * i + 2), commune_code: c.code }])
  return { pieces, source: lines.source, riverNames: lines.riverNames, teams, seed, now: NOW }
}

describe('generateFlood', () => {
  const haiPhong = input(2025)
  const flood = generateFlood(haiPhong)
  const communeOf = new Map(haiPhongCommunes.map(c => [c.code, c]))

  it('is deterministic: the same seed gives the same output, another seed another event', () => {
    expect(JSON.stringify(generateFlood(input(2025)))).toBe(JSON.stringify(flood))
    const other = generateFlood(input(7))
    expect(JSON.stringify(other.reports)).not.toBe(JSON.stringify(flood.reports))
  })

  it('falls back to the Hải Phòng coastline, which no Natural Earth river crosses, with a modest number of zones', () => {
    expect(lines).toMatchObject({ source: 'coast', bufferM: COASTAL_STRIP_M, riverNames: [] })
    expect(flood.source).toBe('coast')
    expect(flood.zones.length).toBeGreaterThan(5)
    expect(flood.zones.length).toBeLessThanOrEqual(MAX_ZONES)
    expect(flood.zones.every(z => z.name.includes('ven biển'))).toBe(true)
  })

  it('keeps every zone inside its commune (the loader clips once more in PostGIS), with estimated figures that add up', () => {
    for (const z of flood.zones) {
      const commune = communeOf.get(z.commune_code)!
      const overlap = intersect(featureCollection([feature(z.geometry), feature(commune.geometry)]))
      expect(overlap, z.name).not.toBeNull()
      expect(area(overlap!) / area(feature(z.geometry)), z.name).toBeGreaterThan(0.999)
      expect(z.figures.population).toBeLessThanOrEqual(commune.population)
      expect(z.figures.households).toBe(Math.round(z.figures.population / 3.5))
    }
  })

  it('labels everything as generated', () => {
    for (const z of flood.zones) expect(z.name).toContain(GENERATED_LABEL)
    for (const s of flood.shelters) expect(s.name).toContain(GENERATED_LABEL)
    for (const r of flood.rescues) expect(r.description).toContain(GENERATED_LABEL)
    for (const s of flood.shelters) expect(s.name).toMatch(/^(Nhà văn hoá|Trường THCS) /)
  })

  it('has an evacuation in progress: legal histories, moved within at-risk, shelters within capacity, open rescue calls inside their zones', () => {
    const statuses = new Set(flood.zones.map(z => z.status))
    for (const s of ['evacuate_now', 'evacuating', 'evacuated']) expect(statuses, s).toContain(s)
    for (const z of flood.zones) {
      for (const [k, h] of z.history.entries()) {
        if (k === 0) { expect(h).toMatchObject({ from: null, to: 'normal' }); continue }
        expect(ZONE_TRANSITIONS[h.from!], `${h.from} → ${h.to}`).toContain(h.to)
        expect(h.from).toBe(z.history[k - 1]!.to)
        expect(h.at.getTime()).toBeGreaterThan(z.history[k - 1]!.at.getTime())
        expect(h.at.getTime()).toBeLessThan(NOW.getTime())
      }
      expect(z.history.at(-1)!.to).toBe(z.status)
    }
    flood.zones.forEach((z, i) => {
      const mine = flood.reports.filter(r => r.zone === i)
      const sum = (f: 'households' | 'people' | 'elderly' | 'disabled' | 'children') => mine.reduce((s, r) => s + r[f], 0)
      expect(sum('people')).toBeLessThanOrEqual(z.figures.population)
      expect(sum('households')).toBeLessThanOrEqual(z.figures.households)
      for (const f of ['elderly', 'disabled', 'children'] as const) expect(sum(f)).toBeLessThanOrEqual(z.figures[f])
      if (z.status === 'evacuated') expect(sum('people')).toBe(z.figures.population)
      if (['normal', 'watch', 'warning', 'evacuate_now'].includes(z.status)) expect(mine).toHaveLength(0)
      for (const r of mine) {
        expect(r.reported_at.getTime()).toBeLessThan(NOW.getTime())
        if (r.team_id) expect(haiPhong.teams.find(t => t.id === r.team_id)!.commune_code).toBe(z.commune_code)
      }
    })
    flood.shelters.forEach((s, i) => {
      expect(booleanPointInPolygon([s.lon, s.lat], communeOf.get(s.commune_code)!.geometry), s.name).toBe(true)
      expect(s.occupancy).toBe(flood.reports.filter(r => r.shelter === i).reduce((sum, r) => sum + r.people, 0))
      expect(s.occupancy).toBeLessThanOrEqual(s.capacity)
    })
    expect(flood.rescues.length).toBeGreaterThan(0)
    for (const r of flood.rescues) {
      expect(booleanPointInPolygon([r.lon, r.lat], flood.zones[r.zone]!.geometry)).toBe(true)
      expect(flood.zones[r.zone]!.status).toBe('evacuating')
    }
  })

  it('follows the Natural Earth rivers where they cross the province (Hà Nội: Đà and Hồng)', () => {
    const hanoi = floodLines(loadDemoCommunes(geoDir, 'hanoi_wards_2025.geojson'), loadRivers(geoDir), loadLand(geoDir))
    expect(hanoi.source).toBe('river')
    expect(hanoi.riverNames).toEqual(['Da', 'Hong'])
    expect(hanoi.lines.length).toBeGreaterThan(0)
  })
})
