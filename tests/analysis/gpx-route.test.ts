import { describe, expect, it } from 'vitest'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { planToGpx, xmlEscape } from '../../server/analysis/gpx-route.ts'
import type { PlannedStop } from '../../server/analysis/route-planning.ts'

const START: [number, number] = [106.6831234, 20.8590001]
const STOPS: PlannedStop[] = [
  { id: '8941422b3a3ffff', lon: 106.6852222, lat: 20.8601111, priority: 7.25, arrivalSeconds: 185 },
  { id: '8941422b3a7ffff', lon: 106.6879999, lat: 20.8577777, priority: 3.5, arrivalSeconds: 612 },
  { id: '8941422b207ffff', lon: 106.6811, lat: 20.8555, priority: 12, arrivalSeconds: 1290 }
]
const CREATED = new Date('2025-11-23T01:30:00Z')

// Attributes kept with their own names; every element read as a list so one stop is still a list.
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseAttributeValue: false, parseTagValue: false, isArray: (_name: string, _path: unknown, _leaf: boolean, isAttribute: boolean) => !isAttribute })
const parse = (xml: string) => parser.parse(xml).gpx[0]

describe('planToGpx', () => {
  it('writes well-formed GPX 1.1 with the route points in order: start, stops, return', () => {
    const xml = planToGpx({ name: 'Tổ 1 — Phường Lê Chân', start: START, stops: STOPS, createdAt: CREATED, durationSeconds: 1700 })
    expect(XMLValidator.validate(xml)).toBe(true)
    const gpx = parse(xml)
    expect(gpx.version).toBe('1.1')
    expect(gpx.xmlns).toBe('http://www.topografix.com/GPX/1/1')
    expect(gpx.metadata[0].time[0]).toBe('2025-11-23T01:30:00.000Z')

    const route = gpx.rte
    expect(route).toHaveLength(1)
    expect(route[0].name[0]).toBe('Tổ 1 — Phường Lê Chân')
    const points = route[0].rtept as { lat: string, lon: string, name: string[], desc?: string[] }[]
    expect(points).toHaveLength(STOPS.length + 2)
    const expected = [START, ...STOPS.map(s => [s.lon, s.lat]), START]
    points.forEach((p, k) => {
      expect(Number(p.lon)).toBeCloseTo(expected[k][0], 7)
      expect(Number(p.lat)).toBeCloseTo(expected[k][1], 7)
    })
    expect(points.slice(1, -1).map(p => p.name[0])).toEqual(['1 · 8941422b3a3ffff', '2 · 8941422b3a7ffff', '3 · 8941422b207ffff'])
    // 185 s → minute 3, 612 s → 10, 1290 s → 22; priorities with two decimals.
    expect(points[1].desc![0]).toContain('ưu tiên 7.25 · đến phút 3')
    expect(points[2].desc![0]).toContain('phút 10')
    expect(points[3].desc![0]).toContain('priority 12.00, arrive at minute 22')
    expect(points[4].desc![0]).toContain('phút 28') // 1700 s back at the start

    const waypoints = gpx.wpt as { lat: string, lon: string, name: string[] }[]
    expect(waypoints.map(w => w.name[0])).toEqual(points.slice(1, -1).map(p => p.name[0]))
    expect(waypoints.map(w => [Number(w.lon), Number(w.lat)])).toEqual(STOPS.map(s => [s.lon, s.lat]))
  })

  it('puts metadata, then waypoints, then the route, as the GPX 1.1 schema orders them', () => {
    const xml = planToGpx({ name: 'x', start: START, stops: STOPS, createdAt: CREATED })
    const metadata = xml.indexOf('<metadata>'); const lastWpt = xml.lastIndexOf('<wpt '); const rte = xml.indexOf('<rte>')
    expect(metadata).toBeGreaterThan(0)
    expect(lastWpt).toBeGreaterThan(metadata)
    expect(rte).toBeGreaterThan(lastWpt)
  })

  it("escapes '&', '<', '>' and quotes in names, and reads them back unchanged", () => {
    const name = 'Tổ <1> & "Đội" \'B\''
    const xml = planToGpx({ name, start: START, stops: [{ ...STOPS[0], id: 'a&b<c>' }], createdAt: CREATED })
    expect(XMLValidator.validate(xml)).toBe(true)
    expect(xml).toContain('Tổ &lt;1&gt; &amp; &quot;Đội&quot; &apos;B&apos;')
    expect(xml).not.toContain('<1>')
    const decoding = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', processEntities: true, htmlEntities: false, parseTagValue: false, isArray: (_name: string, _path: unknown, _leaf: boolean, isAttribute: boolean) => !isAttribute })
    const gpx = decoding.parse(xml).gpx[0]
    expect(gpx.rte[0].name[0]).toBe(name)
    expect(gpx.wpt[0].name[0]).toBe('1 · a&b<c>')
  })

  it('drops characters XML cannot carry instead of writing a broken file', () => {
    expect(xmlEscape('a\u0001b\u001Fc\tOK')).toBe('abc\tOK')
    const xml = planToGpx({ name: 'bad\u0000name', start: START, stops: [], createdAt: CREATED })
    expect(XMLValidator.validate(xml)).toBe(true)
    expect(xml).toContain('<name>badname</name>')
  })

  it('writes a route of just the start and the return for an empty plan', () => {
    const gpx = parse(planToGpx({ name: 'empty', start: START, stops: [], createdAt: CREATED }))
    expect(gpx.wpt).toBeUndefined()
    expect(gpx.rte[0].rtept).toHaveLength(2)
  })
})
