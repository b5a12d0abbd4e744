import { describe, expect, it } from 'vitest'
import type { Polygon } from 'geojson'
import {
  chartGeometry, communeProgress, containsPoint, distanceParts, durationParts, niceCeil, percentOf, shareOf, sortZones,
  teamPositions, totalsOf, zoneAnchor, zoneAt, TEAM_SPREAD_DEG
} from '../../web/src/lib/evacuation/evacuation-math.ts'
import type { TimelinePoint, ZoneFeature, ZoneStatus } from '../../web/src/lib/api/evacuation.ts'

const square = (lon: number, lat: number, size: number): Polygon => ({
  type: 'Polygon',
  coordinates: [[[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]]
})

function zone (id: string, commune: string, status: ZoneStatus, population: number, moved: number, geometry = square(106, 20, 0.01)): ZoneFeature {
  return {
    type: 'Feature',
    geometry,
    properties: {
      id, name: `Vùng ${id}`, commune_code: commune, commune_name: `Xã ${commune}`, province_code: '31', risk_level: 2,
      status, status_changed_at: '2025-09-01T00:00:00Z', evacuate_ordered_at: null, seconds_since_evacuate_order: null,
      households: Math.ceil(population / 4), population, elderly: 0, disabled: 0, children: 0, vulnerable: 10, is_estimated: false, estimated_fields: [],
      moved: { households: 0, people: moved, vulnerable: 0 }, moved_groups: { elderly: 0, disabled: 0, children: 0 },
      remaining: { households: 0, people: population - moved, vulnerable: 10 },
      share_done: population > 0 ? moved / population : 0, team_ids: [], open_rescue_requests: 0, is_generated: false, allowed_next: []
    }
  }
}

describe('progress maths', () => {
  it('divides people moved by people at risk, clamped to 0..1, and nothing at risk is 0', () => {
    expect(shareOf(30, 120)).toBe(0.25)
    expect(shareOf(130, 120)).toBe(1)
    expect(shareOf(5, 0)).toBe(0)
    expect(shareOf(-1, 10)).toBe(0)
  })

  it('rounds the bar per cent down, so an unfinished zone never shows 100', () => {
    expect(percentOf(0.996)).toBe(99)
    expect(percentOf(1)).toBe(100)
    expect(percentOf(0.29)).toBe(29)
    expect(percentOf(0.57)).toBe(57)
    expect(percentOf(1.4)).toBe(100)
  })

  it('sums each commune over its zones and lists communes with an active evacuation first', () => {
    const list = communeProgress([
      zone('1', '10525', 'evacuating', 100, 40),
      zone('2', '10525', 'warning', 300, 0),
      zone('3', '10507', 'normal', 50, 0),
      zone('4', '10999', 'evacuate_now', 10, 0)
    ])
    expect(list.map(c => c.code)).toEqual(['10525', '10999', '10507'])
    const c = list[0]
    expect(c).toMatchObject({ zones: 2, population: 400, moved: 40, remaining: 360, active: 1 })
    expect(c.share).toBe(0.1)
    expect(list[2].share).toBe(0)
  })

  it('totals the whole area', () => {
    expect(totalsOf([zone('1', 'a', 'evacuating', 100, 40), zone('2', 'b', 'watch', 300, 20)]))
      .toEqual({ population: 400, moved: 60, vulnerable: 20, share: 0.15 })
    expect(totalsOf([]).share).toBe(0)
  })

  it('sorts zones by urgency of status, then name', () => {
    const sorted = sortZones([zone('b', 'x', 'normal', 1, 0), zone('c', 'x', 'evacuating', 1, 0), zone('a', 'x', 'evacuate_now', 1, 0), zone('d', 'x', 'evacuate_now', 1, 0)])
    expect(sorted.map(z => z.properties.id)).toEqual(['a', 'd', 'c', 'b'])
  })

  it('splits durations into days, hours and minutes', () => {
    expect(durationParts(3 * 86400 + 4 * 3600 + 5 * 60 + 59)).toEqual({ days: 3, hours: 4, minutes: 5 })
    expect(durationParts(59)).toEqual({ days: 0, hours: 0, minutes: 0 })
    expect(durationParts(null)).toBeUndefined()
    expect(durationParts(-5)).toBeUndefined()
  })

  it('writes distances in metres below a kilometre, else in tenths of a kilometre', () => {
    expect(distanceParts(847)).toEqual({ value: 850, unit: 'm' })
    expect(distanceParts(1249)).toEqual({ value: 1.2, unit: 'km' })
  })
})

describe('timeline chart geometry', () => {
  const box = { width: 300, height: 120, left: 30, right: 10, top: 10, bottom: 10 }
  const point = (at: string, moved: number, risk: number): TimelinePoint =>
    ({ at, people_moved: moved, households_moved: 0, vulnerable_moved: 0, people_at_risk: risk })

  it('rounds the y axis up to 1, 2, 2.5 or 5 × 10^k', () => {
    expect(niceCeil(0)).toBe(1)
    expect(niceCeil(7)).toBe(10)
    expect(niceCeil(120)).toBe(200)
    expect(niceCeil(240)).toBe(250)
    expect(niceCeil(250)).toBe(250)
    expect(niceCeil(4100)).toBe(5000)
  })

  it('places points by time (not index) and scales people on a shared axis with those at risk', () => {
    const g = chartGeometry([
      point('2025-09-01T00:00:00Z', 0, 200),
      point('2025-09-01T01:00:00Z', 50, 200),
      point('2025-09-01T04:00:00Z', 100, 240)
    ], box)
    expect(g.yMax).toBe(250)
    // x: 0 h → 30, 1 h → 30 + 260/4 = 95, 4 h → 290; y: 100 of 250 → 110 - 0.4 × 100 = 70.
    expect(g.line).toBe('M30,110L95,90L290,70')
    expect(g.area).toBe('M30,110L95,90L290,70L290,110L30,110Z')
    expect(g.risk).toBe('M30,30H95V30H290V14')
    expect(g.last).toEqual({ x: 290, y: 70, value: 100 })
    expect(g.from).toBe('2025-09-01T00:00:00Z')
    expect(g.to).toBe('2025-09-01T04:00:00Z')
  })

  it('draws nothing without points, and a single point at the right edge', () => {
    expect(chartGeometry([], box).line).toBe('')
    expect(chartGeometry([], box).last).toBeUndefined()
    const one = chartGeometry([point('2025-09-01T00:00:00Z', 5, 10)], box)
    expect(one.last!.x).toBe(290)
    expect(one.yMax).toBe(10)
  })
})

describe('zones on the map', () => {
  it('finds the zone under a click, the smaller one where zones nest, none outside', () => {
    const big = zone('big', 'x', 'watch', 1, 0, square(106, 20, 0.1))
    const small = zone('small', 'x', 'warning', 1, 0, square(106.02, 20.02, 0.01))
    expect(zoneAt([big, small], [106.025, 20.025])?.properties.id).toBe('small')
    expect(zoneAt([big, small], [106.05, 20.08])?.properties.id).toBe('big')
    expect(zoneAt([big, small], [105.9, 20.05])).toBeUndefined()
  })

  it('leaves holes out of a polygon and reads multipolygons', () => {
    const withHole: Polygon = { type: 'Polygon', coordinates: [square(0, 0, 10).coordinates[0], square(4, 4, 2).coordinates[0]] }
    expect(containsPoint(withHole, [1, 1])).toBe(true)
    expect(containsPoint(withHole, [5, 5])).toBe(false)
    const multi = { type: 'MultiPolygon' as const, coordinates: [square(0, 0, 1).coordinates, square(5, 5, 1).coordinates] }
    expect(containsPoint(multi, [5.5, 5.5])).toBe(true)
    expect(containsPoint(multi, [3, 3])).toBe(false)
  })

  it('anchors markers at the centroid of the largest part', () => {
    const [lon, lat] = zoneAnchor(square(106, 20, 0.02))
    expect(lon).toBeCloseTo(106.01, 8)
    expect(lat).toBeCloseTo(20.01, 8)
    const multi = { type: 'MultiPolygon' as const, coordinates: [square(0, 0, 1).coordinates, square(10, 10, 4).coordinates] }
    expect(zoneAnchor(multi)).toEqual([12, 12])
  })

  it('spreads several teams of one zone on a small circle, one team on the anchor', () => {
    expect(teamPositions([106, 20], 0)).toEqual([])
    expect(teamPositions([106, 20], 1)).toEqual([[106, 20]])
    const three = teamPositions([106, 20], 3)
    expect(three).toHaveLength(3)
    for (const [lon, lat] of three) expect(Math.hypot(lon - 106, lat - 20)).toBeCloseTo(TEAM_SPREAD_DEG, 9)
    expect(new Set(three.map(p => p.join(','))).size).toBe(3)
  })
})
