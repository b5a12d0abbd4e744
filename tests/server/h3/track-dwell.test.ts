import { describe, expect, it } from 'vitest'
import { cellToBoundary, cellToLatLng, cellToLocalIj, gridDisk, latLngToCell, localIjToCell } from 'h3-js'
import { trackDwell, type CellDwell } from '../../../server/h3/track-dwell.ts'
import type { Fix } from '../../../server/domain/fix.ts'
import { ApiError } from '../../../server/errors.ts'

// Commune 10525 in Hải Phòng.
const LON = 106.3313
const LAT = 20.9409
const A = latLngToCell(LAT, LON, 10)
const at = (cell: string, seconds: number): Fix => {
  const [lat, lon] = cellToLatLng(cell)
  return { lon, lat, time: seconds * 1000 }
}
const byCell = (rows: CellDwell[]) => new Map(rows.map(r => [r.h3, r]))

/**
 * Independent reference: latLngToCell at the middle of each step of at most 1 m (and at least 2,000
 * steps a pair, so a slow pair's crossing is not blurred over seconds), each step dt/n.
 */
function bruteForce (segments: Fix[][], res = 10, stepM = 1): Map<string, number> {
  const out = new Map<string, number>()
  for (const seg of segments) {
    for (let i = 1; i < seg.length; i++) {
      const p = seg[i - 1]; const q = seg[i]
      const dt = (q.time - p.time) / 1000
      const dx = (q.lon - p.lon) * 111_195 * Math.cos(p.lat * Math.PI / 180)
      const dy = (q.lat - p.lat) * 111_195
      const n = Math.max(2000, Math.ceil(Math.hypot(dx, dy) / stepM))
      for (let s = 0; s < n; s++) {
        const t = (s + 0.5) / n
        const cell = latLngToCell(p.lat + (q.lat - p.lat) * t, p.lon + (q.lon - p.lon) * t, res)
        out.set(cell, (out.get(cell) ?? 0) + dt / n)
      }
    }
  }
  return out
}

/** Deterministic wandering track: steps of 5–15 s at 1–12 m/s, turning gently. */
function wander (fixes: number, seed: number, start = { lon: LON, lat: LAT }): Fix[] {
  let state = seed
  const rnd = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648
  let { lon, lat } = start; let t = 1_748_739_600_000; let heading = rnd() * 6.28
  const track: Fix[] = [{ lon, lat, time: t }]
  for (let i = 1; i < fixes; i++) {
    const dt = 5 + rnd() * 10; const v = rnd() < 0.1 ? 0 : 1 + rnd() * 11
    heading += (rnd() - 0.5) * 1.2
    lon += v * dt * Math.cos(heading) / (111_195 * Math.cos(lat * Math.PI / 180))
    lat += v * dt * Math.sin(heading) / 111_195
    t += Math.round(dt * 1000)
    track.push({ lon, lat, time: t })
  }
  return track
}

describe('trackDwell', () => {
  it('gives 60 s standing at a centre to that cell, and splits a centre-to-centre move at the shared edge', () => {
    const B = gridDisk(A, 1).find(c => c !== A)!
    // 60 s still at A's centre; then 20 s to B's centre: the midpoint lies on the shared edge, so 10 + 10.
    const rows = byCell(trackDwell([[at(A, 0), at(A, 60), at(B, 80)]]))
    expect([...rows.keys()].sort()).toEqual([A, B].sort())
    expect(rows.get(A)!.dwellSeconds).toBeCloseTo(70, 1)
    expect(rows.get(B)!.dwellSeconds).toBeCloseTo(10, 1)
    expect(rows.get(A)!.firstVisit).toBe(0)
    expect(rows.get(A)!.lastVisit).toBeGreaterThan(69_900)
    expect(rows.get(A)!.lastVisit).toBeLessThan(70_100)
    expect(rows.get(B)!.firstVisit).toBeCloseTo(rows.get(A)!.lastVisit, 6)
    expect(rows.get(B)!.lastVisit).toBe(80_000)
  })

  it('shares a straight crossing of three cells in a row 1/4, 1/2, 1/4', () => {
    // C is two steps from A in a straight line of the grid (local IJ), B between them: from A's
    // centre to C's centre the line runs half a spacing in A, a full spacing through B, half in C.
    const ijA = cellToLocalIj(A, A)
    const B = localIjToCell(A, { i: ijA.i + 1, j: ijA.j })
    const C = localIjToCell(A, { i: ijA.i + 2, j: ijA.j })
    const rows = byCell(trackDwell([[at(A, 0), at(C, 40)]]))
    expect([...rows.keys()].sort()).toEqual([A, B, C].sort())
    expect(rows.get(A)!.dwellSeconds).toBeCloseTo(10, 1)
    expect(rows.get(B)!.dwellSeconds).toBeCloseTo(20, 1)
    expect(rows.get(C)!.dwellSeconds).toBeCloseTo(10, 1)
    expect(rows.get(B)!.firstVisit / 1000).toBeCloseTo(10, 1)
    expect(rows.get(B)!.lastVisit / 1000).toBeCloseTo(30, 1)
  })

  it('keeps all the time of a line through a vertex and then along an edge (degenerate ties)', () => {
    // From A's centre through its vertex V, on as far again: the first half is inside A; past V the
    // line runs along the edge shared by the two other cells meeting at V, so they share the rest.
    const [cLat, cLon] = cellToLatLng(A)
    const [vLat, vLon] = cellToBoundary(A)[0]
    const rows = trackDwell([[{ lon: cLon, lat: cLat, time: 0 }, { lon: 2 * vLon - cLon, lat: 2 * vLat - cLat, time: 60_000 }]])
    const cells = byCell(rows)
    expect(rows.reduce((sum, r) => sum + r.dwellSeconds, 0)).toBeCloseTo(60, 6)
    expect(cells.get(A)!.dwellSeconds).toBeCloseTo(30, 0)
    const atVertex = gridDisk(A, 1).filter(c => c !== A && cellToBoundary(c).some(([lat, lon]) => Math.abs(lat - vLat) < 1e-9 && Math.abs(lon - vLon) < 1e-9))
    expect(atVertex).toHaveLength(2)
    const others = rows.filter(r => r.h3 !== A && !atVertex.includes(r.h3)).reduce((sum, r) => sum + r.dwellSeconds, 0)
    expect(others).toBeLessThan(0.5)
  })

  it('gives a zero-length pair all its time to its cell', () => {
    const fix = { lon: LON, lat: LAT, time: 0 }
    expect(trackDwell([[fix, { ...fix, time: 45_000 }]])).toEqual([{ h3: A, dwellSeconds: 45, firstVisit: 0, lastVisit: 45_000 }])
  })

  it('adds up to the total duration of all pairs, and shares nothing between segments', () => {
    const first = wander(400, 7)
    const second = wander(300, 11).map(f => ({ ...f, time: f.time + 86_400_000 }))
    const total = [first, second].reduce((sum, seg) => sum + (seg[seg.length - 1].time - seg[0].time) / 1000, 0)
    const rows = trackDwell([first, second])
    const sum = rows.reduce((s, r) => s + r.dwellSeconds, 0)
    expect(Math.abs(sum - total)).toBeLessThan(1e-6 * total)
    // The day between the two segments is in neither.
    expect(total).toBeLessThan(86_400)
  })

  it('agrees with a brute-force 1 m sampling of every pair within 1 %', () => {
    const segments = [wander(300, 3), wander(200, 5, { lon: 106.6880, lat: 20.8610 })]
    const ours = byCell(trackDwell(segments))
    const reference = bruteForce(segments)
    const total = [...reference.values()].reduce((a, b) => a + b, 0)
    let l1 = 0
    for (const cell of new Set([...ours.keys(), ...reference.keys()])) {
      const a = ours.get(cell)?.dwellSeconds ?? 0; const b = reference.get(cell) ?? 0
      l1 += Math.abs(a - b)
      if (b >= 30) expect(Math.abs(a - b) / b, cell).toBeLessThan(0.01)
    }
    expect(l1 / total).toBeLessThan(0.01)
    expect(ours.size).toBeGreaterThan(100)
  })

  it('gives every cell a fast straight run crosses its share, none left out and none zero', () => {
    // 1.2 km north-east in 30 s (144 km/h): about 10 cells at res 10.
    const p = { lon: LON, lat: LAT, time: 0 }
    const q = { lon: LON + 0.0085, lat: LAT + 0.0065, time: 30_000 }
    const rows = byCell(trackDwell([[p, q]]))
    const reference = bruteForce([[p, q]], 10, 0.25)
    expect(rows.size).toBeGreaterThanOrEqual(5)
    for (const [cell, seconds] of reference) {
      expect(rows.has(cell), cell).toBe(true)
      expect(Math.abs(rows.get(cell)!.dwellSeconds - seconds), cell).toBeLessThan(0.05)
    }
    // A cell only we found may be a corner clipped by less than one reference step (0.25 m ≈ 6 ms).
    for (const [cell, row] of rows) {
      expect(row.dwellSeconds, cell).toBeGreaterThan(0)
      if (!reference.has(cell)) expect(row.dwellSeconds).toBeLessThan(0.01)
    }
    // Entry and exit times follow the line: each cell is entered when the one before is left.
    const ordered = [...rows.values()].sort((a, b) => a.firstVisit - b.firstVisit)
    for (let i = 1; i < ordered.length; i++) expect(ordered[i].firstVisit).toBeCloseTo(ordered[i - 1].lastVisit, 3)
    expect(ordered[0].firstVisit).toBe(0)
    expect(ordered[ordered.length - 1].lastVisit).toBe(30_000)
  })

  it('works at other resolutions and rejects an impossible one naming res', () => {
    const track = wander(100, 13)
    const rows = trackDwell([track], 8)
    const total = (track[track.length - 1].time - track[0].time) / 1000
    expect(rows.reduce((s, r) => s + r.dwellSeconds, 0)).toBeCloseTo(total, 6)
    expect(rows.every(r => latLngToCell(...cellToLatLng(r.h3), 8) === r.h3)).toBe(true)
    expect(() => trackDwell([track], 16)).toThrow(ApiError)
    expect(() => trackDwell([track], 16)).toThrow(/^res: /)
  })
})
